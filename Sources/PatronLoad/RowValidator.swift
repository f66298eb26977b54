import Foundation
import PatronInput
import PostgresClient

/// Applies one entity's input rules (docs/inputs.md) to a parsed row: each value is normalized or
/// the row is rejected with the column, value and a reason a person can act on.
package struct RowValidator {
    package let spec: EntitySpec
    package let timestamps: TimestampParser
    package let platformIndex: Int?
    private let index: [String: Int]
    /// Indexes of `spec.oneOfRequired` (nil: not a column), looked up once, not per row.
    private let oneOfRequiredIndexes: [Int?]
    private let createdAt, firstResponseAt, resolvedAt, status, respondedAt, postedAt, kind, score: Int?

    package init(spec: EntitySpec, timeZone: TimeZone) {
        self.spec = spec
        self.timestamps = TimestampParser(timeZone: timeZone)
        self.platformIndex = spec.index(of: "platform")
        var index: [String: Int] = [:]
        for (i, column) in spec.columns.enumerated() { index[column.name] = i }
        self.index = index
        oneOfRequiredIndexes = spec.oneOfRequired.map { index[$0] }
        (createdAt, firstResponseAt, resolvedAt, status) = (index["created_at"], index["first_response_at"],
                                                            index["resolved_at"], index["status"])
        (respondedAt, postedAt, kind, score) = (index["responded_at"], index["posted_at"], index["kind"], index["score"])
    }

    /// Fills `values` (one per column) and returns nil, or returns why the row is rejected.
    package func validate(_ row: InputRow, into values: inout [StagedValue]) -> RowRejection? {
        if let rejection = row.rejection { return rejection }
        for (i, column) in spec.columns.enumerated() {
            guard let raw = row.value(at: i) else {
                if column.required {
                    return RowRejection(column: column.name, value: nil, reason: "\(column.name) is required but empty")
                }
                values[i] = .null
                continue
            }
            do {
                values[i] = try stage(raw, as: column.kind, platform: platformIndex.flatMap { values[$0].text })
            } catch let error as ValueError {
                return RowRejection(column: column.name, value: raw, reason: error.reason)
            } catch {
                return RowRejection(column: column.name, value: raw, reason: "\(error)")
            }
            if column.required, values[i].isNull {
                return RowRejection(column: column.name, value: raw, reason: "\(column.name) is required but empty")
            }
        }
        return crossColumnRejection(row, values)
    }

    package func stage(_ raw: String, as kind: ValueKind, platform: String?) throws -> StagedValue {
        switch kind {
        case .sourceID, .customerID:
            return try Self.indexable(Normalize.customerID(raw)).map(StagedValue.text) ?? .null
        case .email: return .text(try Self.indexable(Normalize.email(raw)))
        case .phone: return .text(try Self.indexable(Normalize.phone(raw)))
        case .handle: return .text(try Self.indexable(Normalize.handle(raw, defaultPlatform: platform)))
        case .text: return .text(raw)
        case .lowercasedName:
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            return name.isEmpty ? .null : .text(name)
        case .timestamp: return .timestamp(try timestamps.parse(raw))
        case .money: return .numeric(try Normalize.money(raw))
        case .currency: return .text(try Normalize.currency(raw))
        case .enumeration(let allowed): return .text(try Normalize.enumeration(raw, allowed: allowed))
        case .count:
            let n = try Normalize.nonNegativeInteger(raw)
            guard n <= Int64(Int32.max) else { throw ValueError("too large (at most \(Int32.max))") }
            return .integer(Int32(n))
        case .bigCount: return .bigint(try Normalize.nonNegativeInteger(raw))
        case .score(let range): return .smallint(Int16(try Normalize.integer(raw, in: range)))
        case .boolean: return .boolean(try Normalize.boolean(raw))
        case .sentiment: return .double(try Normalize.sentiment(raw))
        }
    }

    /// Ids and identifiers are keys of B-tree indexes, whose entries must fit a third of a page
    /// (2,704 bytes, with the source name beside them): a longer one rejects its row, not the file.
    package static let maxIdentifierBytes = 2_000

    static func indexable(_ value: String?) throws -> String? {
        guard let value else { return nil }
        let bytes = value.utf8.count
        guard bytes <= maxIdentifierBytes else {
            throw ValueError("longer than \(maxIdentifierBytes) bytes (\(bytes)): ids and identifiers must fit an index")
        }
        return value
    }

    static func indexable(_ value: String) throws -> String {
        try indexable(Optional(value)) ?? value
    }

    private func value(_ name: String, _ values: [StagedValue]) -> StagedValue {
        guard let i = index[name] else { return .null }
        return values[i]
    }

    @inline(__always)
    private func value(at i: Int?, _ values: [StagedValue]) -> StagedValue {
        guard let i else { return .null }
        return values[i]
    }

    private func raw(_ name: String, _ row: InputRow) -> String? {
        guard let i = index[name] else { return nil }
        return row.value(at: i)
    }

    /// Rules that span columns: an identifier is required, instants are in order, a solved
    /// ticket has a resolution time, a survey score fits its kind.
    package func crossColumnRejection(_ row: InputRow, _ values: [StagedValue]) -> RowRejection? {
        if !oneOfRequiredIndexes.isEmpty, oneOfRequiredIndexes.allSatisfy({ value(at: $0, values).isNull }) {
            let list = spec.oneOfRequired.joined(separator: ", ")
            let what = spec.entity == .returns ? "no customer identifier and no order_id" : "no customer identifier"
            return RowRejection(column: nil, value: nil, reason: "\(what): give at least one of \(list)")
        }
        switch spec.entity {
        case .tickets:
            if let created = value(at: createdAt, values).timestamp {
                if let t = value(at: firstResponseAt, values).timestamp, t < created {
                    return RowRejection(column: "first_response_at", value: raw("first_response_at", row),
                                        reason: "first_response_at is before created_at")
                }
                if let t = value(at: resolvedAt, values).timestamp, t < created {
                    return RowRejection(column: "resolved_at", value: raw("resolved_at", row),
                                        reason: "resolved_at is before created_at")
                }
            }
            if let status = value(at: status, values).text, status == "solved" || status == "closed",
               value(at: resolvedAt, values).isNull {
                return RowRejection(column: "status", value: raw("status", row),
                                    reason: "a \(status) ticket needs resolved_at (the last time it was solved)")
            }
        case .mentions:
            if let responded = value(at: respondedAt, values).timestamp,
               let posted = value(at: postedAt, values).timestamp, responded < posted {
                return RowRejection(column: "responded_at", value: raw("responded_at", row),
                                    reason: "responded_at is before posted_at")
            }
        case .surveys:
            if let kind = value(at: kind, values).text, case .smallint(let score) = value(at: score, values) {
                let range: ClosedRange<Int16> = kind == "nps" ? 0...10 : kind == "csat" ? 1...5 : 1...7
                if !range.contains(score) {
                    return RowRejection(column: "score", value: raw("score", row),
                                        reason: "a \(kind) score must be \(range.lowerBound)–\(range.upperBound)")
                }
            }
        case .customers, .purchases, .returns:
            break
        }
        return nil
    }
}
