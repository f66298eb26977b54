import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("Support: every analysis in every format and --into")
struct SupportExportTests {
    static let analyses: [(String, [String: String])] = [
        ("ticket_volume", ["segment": "channel"]),
        ("first_response_time", [:]),
        ("first_response_time", ["by": "weekday_hour", "tz": "Europe/Berlin"]),
        ("time_to_resolution", ["segment": "agent"]),
        ("handling_time", [:]),
        ("first_contact_resolution", [:]),
        ("resolution_rate", ["period": "week"]),
        ("backlog", ["aged": "7"]),
        ("replies_per_resolution", [:]),
        ("repeat_contact_rate", ["within": "30"]),
    ]

    func render(_ runner: AnalysisRunner, _ name: String, _ arguments: [String: String], _ format: OutputFormat) throws -> String {
        var bytes: [UInt8] = []
        let sink = OutputSink { bytes.append(contentsOf: $0) }
        try runner.write(try runner.prepare(name, arguments), to: ResultWriters.make(format, sink: sink))
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("table, csv, json, jsonl, markdown and --into give the same rows", arguments: analyses.indices)
    func formats(_ index: Int) throws {
        let (name, arguments) = Self.analyses[index]
        let w = try SupportDesk.warehouse()
        let runner = try w.supportRunner()
        let expected = try runner.collect(try runner.prepare(name, arguments))
        #expect(!expected.rows.isEmpty)

        let csv = try render(runner, name, arguments, .csv)
        #expect(csv.split(separator: "\n").count == expected.rows.count + 1)
        #expect(csv.hasPrefix(expected.columns.joined(separator: ",") + "\n"))
        let json = try render(runner, name, arguments, .json)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(objects.count == expected.rows.count)
        let lines = try render(runner, name, arguments, .jsonl).split(separator: "\n")
        #expect(lines.count == expected.rows.count)
        for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        let markdown = try render(runner, name, arguments, .markdown)
        #expect(markdown.split(separator: "\n").count == expected.rows.count + 2)
        let table = try render(runner, name, arguments, .table)
        #expect(table.contains(expected.columns[1]))

        // --into: the same rows, server-side, read back as text.
        let target = "export_\(index)"
        let written = try runner.into(try runner.prepare(name, arguments), table: target, mode: .create)
        #expect(written == Int64(expected.rows.count))
        let back = try w.rows("SELECT * FROM \(w.reportsSchema).\(target)")
        let key: ([String?]) -> String = { $0.map { $0 ?? "∅" }.joined(separator: "|") }
        #expect(back.map(key).sorted() == expected.rows.map(key).sorted())
    }

    @Test("business hours run through --into too (the schedule is a bound value)")
    func scheduleInto() throws {
        let w = try SupportDesk.warehouse()
        let schedule = try w.write("s.schedule", "timezone = UTC\nmon = 00:00-24:00\ntue = 00:00-24:00\nwed = 00:00-24:00\nthu = 00:00-24:00\nfri = 00:00-24:00\nsat = 00:00-24:00\nsun = 00:00-24:00\n")
        let runner = try w.supportRunner()
        let prepared = try runner.prepare("time_to_resolution", ["schedule": schedule])
        try runner.into(prepared, table: "ttr_business", mode: .create)
        // Open around the clock in UTC: the same as calendar time (January mean 34/3 h).
        let mean = try #require(try w.value("SELECT mean_hours FROM \(w.reportsSchema).ttr_business ORDER BY period LIMIT 1"))
        #expect(abs((Double(mean) ?? 0) - 34.0 / 3) < 1e-9)
    }
}
