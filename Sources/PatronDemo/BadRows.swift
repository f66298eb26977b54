/// A deliberately broken row: where it is and what is wrong with it. The loader must reject
/// exactly these rows, at this line and column, and load every other row.
import PatronCore
public struct PlantedBadRow: Codable, Sendable, Equatable {
    public let line: Int
    public let column: String
    public let problem: String
}

/// The ways the demo breaks rows of each file, used in turn. Each breaks exactly one column
/// of an otherwise good row, in a way docs/inputs.md ("Bad input") says must be rejected.
struct BadRowKind {
    let column: String
    let problem: String
    let spoil: (String) -> String

    static func kinds(for entity: Entity) -> [BadRowKind] {
        switch entity {
        case .customers:
            return [BadRowKind(column: "email", problem: "e-mail address without @") { $0.replacingOccurrences(of: "@", with: " at ") },
                    BadRowKind(column: "signup_at", problem: "date that does not exist (February 30)", spoil: february30)]
        case .purchases:
            return [BadRowKind(column: "amount", problem: "negative amount") { "-" + $0 },
                    BadRowKind(column: "ordered_at", problem: "date that does not exist (February 30)", spoil: february30)]
        case .returns:
            return [BadRowKind(column: "returned_at", problem: "not a timestamp") { _ in "yesterday" },
                    BadRowKind(column: "amount", problem: "negative amount") { "-" + $0 }]
        case .tickets:
            // Filled in by the writer: needs created_at (see `DemoFileWriter`).
            return [BadRowKind(column: "resolved_at", problem: "resolved_at before created_at") { $0 },
                    BadRowKind(column: "csat", problem: "csat outside 1–5") { _ in "6" }]
        case .mentions:
            return [BadRowKind(column: "sentiment", problem: "sentiment neither a number in −1..1 nor a label") { _ in "mixed" },
                    BadRowKind(column: "responded_at", problem: "responded_at before posted_at") { $0 }]
        case .surveys:
            return [BadRowKind(column: "email", problem: "e-mail address that is not one") { _ in "n/a" },
                    BadRowKind(column: "score", problem: "score outside the scale of its kind") { _ in "11" }]
        }
    }

    /// `2024-07-14T…` → `2024-02-30T…`
    static func february30(_ timestamp: String) -> String {
        guard timestamp.count >= 10 else { return "2024-02-30" }
        return String(timestamp.prefix(5)) + "02-30" + String(timestamp.dropFirst(10))
    }

    /// A timestamp one year earlier (29 February goes back four years, to stay a real date).
    static func yearEarlier(_ timestamp: String) -> String {
        guard let year = Int(timestamp.prefix(4)) else { return timestamp }
        let back = timestamp.dropFirst(4).hasPrefix("-02-29") ? 4 : 1
        return String(year - back) + timestamp.dropFirst(4)
    }
}
