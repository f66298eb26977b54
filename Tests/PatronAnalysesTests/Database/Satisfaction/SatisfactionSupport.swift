import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

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
    static func runner(_ w: ScratchWarehouse) throws -> AnalysisRunner { try w.runner() }

    /// Runs analysis `name` with `arguments` and returns its rows by column name.
    static func analysis(_ w: ScratchWarehouse, _ name: String, _ arguments: [String: String] = [:]) throws -> ResultRows {
        ResultRows(try runner(w).collect(name, arguments))
    }
}

extension Satisfaction {
    typealias ResultRows = AnalysisResult

    /// Compares numbers to within 1e-9; NULL must match NULL.
    static func expectClose(_ actual: [Double?], _ expected: [Double?], _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        expectNumbers(actual, expected, what, sourceLocation: sourceLocation)
    }
}
