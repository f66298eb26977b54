import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

/// Helpers of the commerce, social and cross-source analysis tests (named apart from the
/// engine's test helpers so both can live in one test target).
extension ScratchWarehouse {
    /// Loads a fixture through the real loader and expects every row to load.
    func commerceLoad(_ entity: Entity, _ name: String, _ content: String) throws {
        let report = try load(entity, name, content)
        #expect(report.counts.rejected == 0, "\(name) had rejects")
    }

    func commerceRunner() throws -> AnalysisRunner { try runner() }

    /// Runs a named analysis and returns its rows by column name.
    func commerceAnalysis(_ name: String, _ arguments: [String: String] = [:]) throws -> CommerceTable {
        CommerceTable(try runner().collect(name, arguments))
    }
}

typealias CommerceTable = AnalysisResult

/// Numbers equal to within 1e-9, NULL matching NULL.
func expectCommerceClose(_ actual: [Double?], _ expected: [Double?], _ what: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    expectNumbers(actual, expected, what, sourceLocation: sourceLocation)
}
