import ArgumentParser
import PatronAnalyses
import PatronCore

extension OutputFormat: ExpressibleByArgument {}

/// status, rejects and list take the same `--format` values as `run` (table, csv, json, jsonl,
/// markdown): one enum, so the sets cannot drift apart.
typealias ReportFormat = OutputFormat

extension OutputFormat {
    /// One of Patron's own tables in this format.
    func render(_ table: TextTable) -> String {
        switch self {
        case .table: return table.aligned()
        case .csv: return table.csv()
        case .json: return table.json()
        case .jsonl: return table.jsonLines()
        case .markdown: return table.markdown()
        }
    }
}
