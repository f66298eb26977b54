import Foundation
import PatronAnalyses
import PatronCore

/// One analysis' result as the report reads it: column names and text values, as
/// `patron run NAME --format csv` prints them.
public struct ResultTable: Sendable {
    public let columns: [String]
    public let rows: [[String?]]

    /// The value of `column` in `row`, nil when empty or when the result has no such column.
    public func value(_ row: [String?], _ column: String) -> String? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return row[index]
    }

    public func number(_ row: [String?], _ column: String) -> Double? { value(row, column).flatMap(Double.init) }

    /// Rows of the whole population (no `--segment` value), in the analysis' order.
    public var unsegmentedRows: [[String?]] {
        guard columns.contains("segment") else { return rows }
        return rows.filter { (value($0, "segment") ?? "").isEmpty }
    }

    /// The rows by `--segment` value, values in order of first appearance; one group with an
    /// empty name when the result is not split.
    public var segmentGroups: [(segment: String, rows: [[String?]])] {
        var order: [String] = []
        var groups: [String: [[String?]]] = [:]
        for row in rows {
            let segment = columns.contains("segment") ? (value(row, "segment") ?? "") : ""
            if groups[segment] == nil { order.append(segment) }
            groups[segment, default: []].append(row)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// Whether the result is split by `--segment` (some row has a segment value).
    public var isSplit: Bool { columns.contains("segment") && rows.contains { !(value($0, "segment") ?? "").isEmpty } }

    /// The same result restricted to `rows`.
    public func with(rows: [[String?]]) -> ResultTable { ResultTable(columns: columns, rows: rows) }
}

/// Runs the analyses the report needs, each once per distinct set of options however many
/// sections read it, and remembers how long each took.
public final class AnalysisResults {
    let runner: AnalysisRunner
    let request: ReportRequest
    private var cache: [String: ResultTable] = [:]
    /// Each analysis run as `NAME --option=value …` (what `patron run` takes to print the same
    /// result), with its seconds, in the order run.
    public private(set) var runs: [(key: String, seconds: Double)] = []

    public init(runner: AnalysisRunner, request: ReportRequest) {
        self.runner = runner
        self.request = request
    }

    /// The result of `name` with the report's options and `extra` ones (e.g. `pivot`); split by
    /// the report's `--segment` unless `segmented` is false (the headline's totals).
    public func table(_ name: String, _ extra: [String: String] = [:], segmented: Bool = true) throws -> ResultTable {
        let definition = try runner.catalog.analysis(named: name)
        let arguments = request.arguments(for: definition, extra, segmented: segmented)
        // The key is the command line that prints the same result (`patron run KEY`).
        let flags = Set(definition.parameters.filter { $0.type == .flag }.map(\.name))
        let key = ([name] + arguments.keys.sorted().map { name in
            let option = "--" + name.replacingOccurrences(of: "_", with: "-")
            return flags.contains(name) ? option : "\(option)=\(arguments[name]!)"
        }).joined(separator: " ")
        if let known = cache[key] { return known }
        let started = Date()
        let (columns, rows) = try runner.collect(name, arguments)
        runs.append((key, Date().timeIntervalSince(started)))
        let table = ResultTable(columns: columns, rows: rows)
        cache[key] = table
        return table
    }
}
