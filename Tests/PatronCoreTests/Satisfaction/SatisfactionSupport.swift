import Foundation
import Testing
@testable import PatronCore

/// The satisfaction and agent analyses' tests (csat, nps, ces, agent_performance) and their
/// helpers, all inside this namespace: `--filter Satisfaction` runs them, and their names cannot
/// clash with other analysis tests' helpers when branches are merged.
enum Satisfaction {
    /// Loads a fixture file through the real loader and expects every row to be accepted.
    static func loadAccepted(_ w: ScratchWarehouse, _ entity: Entity, _ name: String, _ content: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try w.load(entity, name, content)
        #expect(report.counts.rejected == 0, "\(name) had rejects", sourceLocation: sourceLocation)
    }

    /// A runner over the repository's sql/analyses.
    static func runner(_ w: ScratchWarehouse) throws -> AnalysisRunner {
        try AnalysisRunner(warehouse: w.warehouse, catalog: AnalysisCatalog(directories: [sqlDirectory.file("analyses")]))
    }

    /// Runs analysis `name` with `arguments` and returns its rows by column name.
    static func analysis(_ w: ScratchWarehouse, _ name: String, _ arguments: [String: String] = [:]) throws -> ResultRows {
        ResultRows(try runner(w).collect(name, arguments))
    }
}

extension Satisfaction {

    /// An analysis result as rows keyed by column name, for readable expectations.
    struct ResultRows {
        let columns: [String]
        let rows: [[String?]]

        init(_ result: (columns: [String], rows: [[String?]])) {
            columns = result.columns
            rows = result.rows
        }

        /// The values of `column`, in row order.
        func column(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String?] {
            guard let index = columns.firstIndex(of: name) else {
                Issue.record("no column \(name) in \(columns)", sourceLocation: sourceLocation)
                return []
            }
            return rows.map { $0[index] }
        }

        /// The numbers of `column` (nil for NULL).
        func numbers(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Double?] {
            column(name, sourceLocation: sourceLocation).map { $0.flatMap(Double.init) }
        }

        /// The rows whose `column` equals `value` (nil matches NULL).
        func filter(_ name: String, _ value: String?) -> ResultRows {
            guard let index = columns.firstIndex(of: name) else {
                Issue.record("no column \(name) in \(columns)")
                return self
            }
            return ResultRows((columns, rows.filter { $0[index] == value }))
        }
    }

    /// Compares numbers to within 1e-9; NULL must match NULL.
    static func expectClose(_ actual: [Double?], _ expected: [Double?], _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        let matches = actual.count == expected.count && zip(actual, expected).allSatisfy { pair in
            switch pair {
            case (nil, nil): return true
            case let (a?, e?): return abs(a - e) < 1e-9
            default: return false
            }
        }
        let show: ([Double?]) -> String = { "[" + $0.map { $0.map { "\($0)" } ?? "NULL" }.joined(separator: ", ") + "]" }
        #expect(matches, "\(what): \(show(actual)) vs expected \(show(expected))", sourceLocation: sourceLocation)
    }
}
