import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

extension Satisfaction {
    @Suite("every output format and --into")
    struct SatisfactionOutputTests {
        struct Run: Sendable, CustomTestStringConvertible {
            let name: String
            let arguments: [String: String]
            var testDescription: String { ([name] + arguments.sorted { $0.key < $1.key }.map { "--\($0.key) \($0.value)" }).joined(separator: " ") }
        }

        static let analyses = [
            Run(name: "csat", arguments: ["segment": "agent"]), Run(name: "csat", arguments: [:]),
            Run(name: "nps", arguments: [:]), Run(name: "ces", arguments: ["segment": "origin"]),
            Run(name: "agent_performance", arguments: ["min_tickets": "1"]),
        ]

        func render(_ runner: AnalysisRunner, _ name: String, _ arguments: [String: String], _ format: OutputFormat) throws -> String {
            var bytes: [UInt8] = []
            let sink = OutputSink { bytes.append(contentsOf: $0) }
            try runner.write(try runner.prepare(name, arguments), to: ResultWriters.make(format, sink: sink))
            return String(decoding: bytes, as: UTF8.self)
        }

        @Test("table, csv, json, jsonl and markdown carry every row; --into stores them", arguments: analyses)
        func formats(_ analysis: Run) throws {
            // Both fixtures in one warehouse: tickets, csat/ces/nps surveys and purchases.
            let w = try HelpDeskFixture.warehouse()
            try loadAccepted(w, .tickets, "agents.csv", AgentFixture.tickets)
            try loadAccepted(w, .surveys, "nps.csv", NPSFixture.surveys)
            let runner = try runner(w)
            let expected = try runner.collect(analysis.name, analysis.arguments)
            #expect(!expected.rows.isEmpty)

            let csv = try render(runner, analysis.name, analysis.arguments, .csv)
            let csvLines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(csvLines.first.map(String.init) == expected.columns.joined(separator: ","))
            #expect(csvLines.count == expected.rows.count + 1)

            let json = try render(runner, analysis.name, analysis.arguments, .json)
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            #expect(objects.count == expected.rows.count)
            #expect(Set(objects.first?.keys.map { $0 } ?? []) == Set(expected.columns))

            let jsonl = try render(runner, analysis.name, analysis.arguments, .jsonl).split(separator: "\n")
            #expect(jsonl.count == expected.rows.count)
            for line in jsonl { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }

            for format in [OutputFormat.table, .markdown] {
                let text = try render(runner, analysis.name, analysis.arguments, format)
                for column in expected.columns { #expect(text.contains(column), "\(format) lacks \(column)") }
            }

            let table = "into_\(analysis.name)"
            let written = try runner.into(try runner.prepare(analysis.name, analysis.arguments), table: table, mode: .replace)
            #expect(written == Int64(expected.rows.count))
            #expect(try w.count("\(w.reportsSchema).\(table)") == expected.rows.count)
        }

        @Test("an empty rate is empty in CSV and null in JSON, not 0")
        func nullRates() throws {
            let w = try HelpDeskFixture.warehouse()
            let runner = try runner(w)
            // February has no CSAT answer: 0 answered, csat and mean_score NULL.
            let csv = try render(runner, "csat", [:], .csv)
            #expect(csv.contains("\n,2024-02-01,0,0,,,true\n"))
            let json = try render(runner, "csat", [:], .json)
            #expect(json.contains("\"csat\":null"))
        }
    }
}
