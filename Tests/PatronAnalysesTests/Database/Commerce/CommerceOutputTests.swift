import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("commerce, social and cross-source analyses in every output format and --into")
struct CommerceOutputTests {
    /// Every shape of the five analyses, on the support_impact journey plus two returns.
    static let runs: [(String, [String: String])] = [
        ("revenue", [:]), ("revenue", ["segment": "country"]),
        ("repurchase_rate", ["segment": "channel"]),
        ("return_rate", [:]), ("return_rate", ["by": "reason"]),
        ("social_mentions", [:]), ("social_mentions", ["segment": "none"]),
        ("support_impact", ["window": "30"]), ("support_impact", ["window": "30", "pooled": "true"]),
    ]

    @Test("table, CSV, JSON, JSON Lines and Markdown hold the same rows; --into stores them")
    func formats() throws {
        let w = try SupportImpactJourney.warehouse()
        try w.commerceLoad(.returns, "returns.csv", """
            return_id,order_id,returned_at,amount,currency,reason
            RA,S1a,2024-02-15T10:00:00Z,10,EUR,damaged
            RB,X2a,2024-02-20T10:00:00Z,100,EUR,

            """)
        let runner = try w.commerceRunner()
        for (index, (name, arguments)) in Self.runs.enumerated() {
            let prepared = try runner.prepare(name, arguments)
            let expected = try runner.collect(prepared)
            let what = "\(name) \(arguments)"
            #expect(!expected.rows.isEmpty, "\(what) has rows")

            let csv = try render(runner, prepared, .csv).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(csv.first.map(String.init) == expected.columns.joined(separator: ","), "\(what) CSV header")
            #expect(csv.count == expected.rows.count + 2, "\(what) CSV rows (+ header, + final newline)")

            let json = try render(runner, prepared, .json)
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], "\(what) JSON")
            #expect(objects.count == expected.rows.count, "\(what) JSON rows")
            #expect(objects.allSatisfy { Set($0.keys) == Set(expected.columns) }, "\(what) JSON keys")

            let lines = try render(runner, prepared, .jsonl).split(separator: "\n")
            #expect(lines.count == expected.rows.count, "\(what) JSON Lines")
            for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }

            for format in [OutputFormat.table, .markdown] {
                let text = try render(runner, prepared, format).split(separator: "\n")
                #expect(text.count == expected.rows.count + 2, "\(what) \(format): header, rule, rows")
            }

            let table = "commerce_export_\(index)"
            #expect(try runner.into(prepared, table: table, mode: .create) == Int64(expected.rows.count), "\(what) --into")
            #expect(try w.value("SELECT count(*) FROM \(w.reportsSchema).\(table)") == String(expected.rows.count))
        }
    }

    func render(_ runner: AnalysisRunner, _ prepared: PreparedAnalysis, _ format: OutputFormat) throws -> String {
        var bytes: [UInt8] = []
        try runner.write(prepared, to: ResultWriters.make(format, sink: OutputSink { bytes.append(contentsOf: $0) }))
        return String(decoding: bytes, as: UTF8.self)
    }
}
