import Foundation
import PatronCore

/// How `patron customer` prints a journey: one JSON document for programs (keys documented in
/// docs/metrics.md, "One customer's journey"), titled tables for people.
extension CustomerJourney {
    /// One JSON object: customer_key, matched, identifiers, merges, summary, timeline.
    public func json() -> String {
        let matchedItems = matched.map { match in
            "{\"kind\":\(TextTable.jsonString(match.kind)),\"source\":\(match.source.isEmpty ? "null" : TextTable.jsonString(match.source)),"
                + "\"value\":\(TextTable.jsonString(match.value))}"
        }
        let parts = [
            "\"customer_key\":\(customerKey)",
            "\"matched\":[" + matchedItems.joined(separator: ",") + "]",
            "\"identifiers\":" + Self.jsonArray(identifiers),
            "\"merges\":" + Self.jsonArray(merges),
            "\"summary\":" + summaryJSON(),
            "\"timeline\":" + Self.jsonArray(timeline, leaving: ["description"]),
        ]
        return "{" + parts.joined(separator: ",\n") + "}\n"
    }

    /// The summary row plus the prediction's fields.
    private func summaryJSON() -> String {
        var members = summary.rows.first.map { row in
            summary.columns.indices.map { Self.member(summary.columns[$0], row[$0]) }
        } ?? []
        members.append("\"p_alive\":" + Self.number(prediction.pAlive))
        members.append("\"expected_purchases\":" + Self.number(prediction.expectedPurchases))
        members.append("\"predicted_value\":" + Self.number(prediction.predictedValue))
        members.append("\"prediction_horizon_months\":\(prediction.horizonMonths)")
        members.append("\"prediction_unavailable\":" + (prediction.unavailable.map(TextTable.jsonString) ?? "null"))
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Tables for people, in `format` (table, markdown, csv), each under its title.
    public func text(_ format: OutputFormat) -> String {
        var sections: [String] = []
        func add(_ title: String, _ table: TextTable) {
            let body: String
            switch format {
            case .markdown: body = table.markdown()
            case .csv: body = table.csv()
            default: body = table.aligned()
            }
            sections.append((format == .csv ? "" : (format == .markdown ? "### " : "") + title + "\n") + body)
        }
        add("customer \(customerKey)", TextTable(columns: ["matched", "kind", "source"],
                                                 rows: matched.map { [$0.value, $0.kind, $0.source.isEmpty ? nil : $0.source] }))
        add("identifiers", Self.textTable(identifiers))
        if merges.rows.isEmpty {
            sections.append(format == .csv ? "" : "merges: none (no other customer was joined into this one)\n")
        } else {
            add("merges", Self.textTable(merges))
        }
        var figures: [[String?]] = []
        if let row = summary.rows.first {
            for (i, column) in summary.columns.enumerated() { figures.append([column.name, Self.display(row[i], column.kind)]) }
        }
        figures.append(["p_alive", prediction.pAlive.map { roundedForDisplay($0) }])
        figures.append(["expected_purchases", prediction.expectedPurchases.map { roundedForDisplay($0) }])
        figures.append(["predicted_value", prediction.predictedValue.map { roundedForDisplay($0, places: 2) }])
        figures.append(["prediction_horizon_months", String(prediction.horizonMonths)])
        if let reason = prediction.unavailable { figures.append(["prediction_unavailable", reason]) }
        add("summary", TextTable(columns: ["figure", "value"], rows: figures))
        let shown = timeline.columns.indices.filter { timeline.columns[$0].name != "details" }
        add("timeline", TextTable(columns: shown.map { timeline.columns[$0].name },
                                  rows: timeline.rows.map { row in shown.map { row[$0] } }))
        return sections.joined(separator: "\n")
    }

    // MARK: - Helpers

    static func textTable(_ table: JourneyTable) -> TextTable {
        TextTable(columns: table.columns.map(\.name),
                  rows: table.rows.map { row in row.indices.map { display(row[$0], table.columns[$0].kind) } })
    }

    static func display(_ value: String?, _ kind: ResultColumn.Kind) -> String? {
        guard let value else { return nil }
        switch kind {
        case .decimal: return roundedForDisplay(value)
        case .boolean: return displayBoolean(value)
        default: return value
        }
    }

    /// An array of one object per row, keys in column order, values typed by their column.
    static func jsonArray(_ table: JourneyTable, leaving left: Set<String> = []) -> String {
        let kept = table.columns.indices.filter { !left.contains(table.columns[$0].name) }
        return "[" + table.rows.map { row in
            "{" + kept.map { member(table.columns[$0], row[$0]) }.joined(separator: ",") + "}"
        }.joined(separator: ",\n") + "]"
    }

    static func member(_ column: ResultColumn, _ value: String?) -> String {
        let encoded: String
        if let value {
            switch column.kind {
            case .integer, .json: encoded = value
            case .decimal: encoded = number(value)
            case .boolean: encoded = displayBoolean(value)
            case .text: encoded = TextTable.jsonString(value)
            }
        } else {
            encoded = "null"
        }
        return TextTable.jsonString(column.name) + ":" + encoded
    }

    /// A number as PostgreSQL printed it; NaN and infinities, which JSON cannot hold, as null.
    static func number(_ value: String?) -> String {
        guard let value, let double = Double(value), double.isFinite else { return "null" }
        return value
    }
}
