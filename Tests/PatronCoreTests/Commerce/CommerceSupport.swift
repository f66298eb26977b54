import Foundation
import Testing
@testable import PatronCore

/// Helpers of the commerce, social and cross-source analysis tests (named apart from the
/// engine's test helpers so both can live in one test target).
extension ScratchWarehouse {
    /// Loads a fixture through the real loader and expects every row to load.
    func commerceLoad(_ entity: Entity, _ name: String, _ content: String) throws {
        let report = try load(entity, name, content)
        #expect(report.counts.rejected == 0, "\(name) had rejects")
    }

    func commerceRunner() throws -> AnalysisRunner {
        try AnalysisRunner(warehouse: warehouse, catalog: AnalysisCatalog(directories: [sqlDirectory.file("analyses")]))
    }

    /// Runs a named analysis and returns its rows by column name.
    func commerceAnalysis(_ name: String, _ arguments: [String: String] = [:]) throws -> CommerceTable {
        CommerceTable(try commerceRunner().collect(name, arguments))
    }
}

/// An analysis result: rows of text values (nil = NULL) with their column names.
struct CommerceTable {
    let columns: [String]
    let rows: [[String?]]

    init(_ result: (columns: [String], rows: [[String?]])) {
        columns = result.columns
        rows = result.rows
    }

    func values(_ name: String) -> [String?] {
        guard let index = columns.firstIndex(of: name) else {
            Issue.record("no column \(name) in \(columns)")
            return []
        }
        return rows.map { $0[index] }
    }

    /// Numbers of a column (nil for NULL), for comparing amounts and rates.
    func numbers(_ name: String) -> [Double?] { values(name).map { $0.flatMap(Double.init) } }

    /// The rows whose `column` is `value`.
    func only(_ name: String, _ value: String?) -> CommerceTable {
        guard let index = columns.firstIndex(of: name) else { return self }
        return CommerceTable((columns, rows.filter { $0[index] == value }))
    }
}

/// Numbers equal to within 1e-9, NULL matching NULL.
func expectCommerceClose(_ actual: [Double?], _ expected: [Double?], _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    let same = actual.count == expected.count && zip(actual, expected).allSatisfy { a, e in
        switch (a, e) {
        case (nil, nil): return true
        case let (a?, e?): return abs(a - e) < 1e-9
        default: return false
        }
    }
    #expect(same, "\(what): got \(actual.map { $0.map { "\($0)" } ?? "NULL" }), expected \(expected.map { $0.map { "\($0)" } ?? "NULL" })",
            sourceLocation: sourceLocation)
}
