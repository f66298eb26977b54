import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronTestSupport
import Testing

/// docs/metrics.md is the user's definition of every analysis; `patron describe` reads the
/// header of the analysis' file. These keep the two in agreement.
@Suite("docs/metrics.md and the analyses in sql/")
struct DocumentationTests {
    /// `### \`NAME\`` sections of docs/metrics.md, with their text.
    static func sections() throws -> [String: String] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        var sections: [String: String] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { current = nil }
            if line.hasPrefix("### `"), line.hasSuffix("`") {
                current = String(line.dropFirst(5).dropLast())
                sections[current!, default: ""] = ""
                continue
            }
            if let name = current { sections[name, default: ""] += line + "\n" }
        }
        return sections
    }

    static func builtIn() throws -> [AnalysisDefinition] {
        try AnalysisCatalog.load(sql: SQLDirectory(url: repositoryRoot.appendingPathComponent("sql")), extra: [],
                                 environment: [:]).analyses
    }

    @Test("every analysis in sql/analyses has its section, and every section an analysis")
    func oneSectionPerAnalysis() throws {
        let documented = Set(try Self.sections().keys)
        let analyses = Set(try Self.builtIn().map(\.name))
        #expect(analyses.count >= 22)
        #expect(analyses.subtracting(documented).sorted() == [], "analyses without a section in docs/metrics.md")
        #expect(documented.subtracting(analyses).sorted() == [], "sections of docs/metrics.md without an analysis")
    }

    @Test("each section states the grain of the file's header and names every option")
    func sectionsAgreeWithHeaders() throws {
        let sections = try Self.sections()
        for analysis in try Self.builtIn() {
            guard let section = sections[analysis.name] else { continue }
            let flattened = section.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "`", with: "")
                .replacingOccurrences(of: "*", with: "")
            #expect(flattened.contains("Grain: \(analysis.grain)"),
                    "\(analysis.name): docs/metrics.md does not state the header's grain '\(analysis.grain)'")
            for parameter in analysis.parameters where parameter.name != "pivot" || analysis.pivot != nil {
                #expect(flattened.contains(parameter.optionName),
                        "\(analysis.name): docs/metrics.md does not mention \(parameter.optionName)")
            }
        }
    }
}
