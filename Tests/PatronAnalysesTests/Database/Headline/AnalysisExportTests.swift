import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("analysis output: formats, round trips, --into, the command line")
struct AnalysisExportTests {
    /// Renders a prepared analysis in `format` into a string.
    func render(_ runner: AnalysisRunner, _ name: String, _ arguments: [String: String], _ format: OutputFormat) throws -> String {
        var bytes: [UInt8] = []
        let sink = OutputSink { bytes.append(contentsOf: $0) }
        try runner.write(try runner.prepare(name, arguments), to: ResultWriters.make(format, sink: sink))
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("CSV read back by PostgreSQL equals the result, NULLs and empty strings included")
    func csvRoundTrip() throws {
        let w = try ShopFixture.warehouse()
        let runner = try w.runner()
        let csv = try render(runner, "retention", ["segment": "channel"], .csv)
        // Channels are all NULL in the fixture → "(unknown)"; rates include NULL (empty cohorts are
        // not listed with --segment, so add a NULL-rate case without it too).
        let plain = try render(runner, "retention", [:], .csv)
        for (text, arguments) in [(csv, ["segment": "channel"]), (plain, [:])] {
            try w.warehouse.connection.execute("DROP TABLE IF EXISTS \(w.reportsSchema).round_trip")
            try runner.into(try runner.prepare("retention", arguments), table: "round_trip", mode: .create)
            try w.warehouse.connection.execute("TRUNCATE \(w.reportsSchema).round_trip")
            try w.warehouse.connection.copyIn("COPY \(w.reportsSchema).round_trip FROM STDIN (FORMAT csv, HEADER true)") { try $0.write(text) }
            let expected = try runner.collect(try runner.prepare("retention", arguments))
            let back = try w.rows("SELECT * FROM \(w.reportsSchema).round_trip")
            #expect(back.count == expected.rows.count)
            // Same multiset of rows: compare as text, rows sorted.
            let key: ([String?]) -> String = { $0.map { $0 ?? "∅" }.joined(separator: "|") }
            #expect(back.map(key).sorted() == expected.rows.map(key).sorted())
        }
        #expect(plain.hasPrefix("segment,cohort,cohort_size,period_offset,period,retained,retention_rate,complete\n"))
        // Full precision in CSV, and empty for NULL: the empty March cohort.
        #expect(plain.contains("\n,2024-03-01,0,0,2024-03-01,0,,true\n"))
    }

    @Test("an empty string and NULL stay apart in CSV; text with commas and quotes is quoted")
    func csvQuoting() throws {
        let sink = OutputSinkCapture()
        let writer = CSVWriter(sink: sink.sink)
        try writer.begin(columns: [ResultColumn(name: "a", kind: .text), ResultColumn(name: "b", kind: .boolean)])
        try writer.row(["", nil])
        try writer.row(["x, \"y\"", "t"])
        try writer.end()
        #expect(sink.text == "a,b\n\"\",\ntrue\nx\n".replacingOccurrences(of: "true\nx\n", with: "\"x, \"\"y\"\"\",true\n"))
    }

    @Test("JSON and JSON Lines: numbers as numbers at full precision, null for NULL")
    func json() throws {
        let w = try ShopFixture.warehouse()
        let runner = try w.runner()
        let expected = try runner.collect("churn_rate", ["window": "30"])
        let text = try render(runner, "churn_rate", ["window": "30"], .json)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(parsed.count == expected.rows.count)
        for (object, row) in zip(parsed, expected.rows) {
            for (index, column) in expected.columns.enumerated() {
                switch (object[column], row[index]) {
                case (is NSNull, nil): continue
                case let (number as NSNumber, text?) where column == "complete":
                    #expect(number.boolValue == (text == "t"))
                case let (number as NSNumber, text?):
                    #expect(abs(number.doubleValue - (Double(text) ?? .nan)) < 1e-12, "\(column)")
                case let (string as String, text?):
                    #expect(string == text)
                default:
                    Issue.record("\(column): \(String(describing: object[column])) vs \(String(describing: row[index]))")
                }
            }
        }
        // February: churn 0.5 is a JSON number, January's NULL rate is null.
        #expect(text.contains("\"churn_rate\":0.5"))
        #expect(text.contains("\"churn_rate\":null"))
        let lines = try render(runner, "churn_rate", ["window": "30"], .jsonl).split(separator: "\n")
        #expect(lines.count == expected.rows.count)
        for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
    }

    @Test("table and Markdown: aligned, rounded for display")
    func tableAndMarkdown() throws {
        let w = try ShopFixture.warehouse()
        let runner = try w.runner()
        let table = try render(runner, "loyal_customer_rate", [:], .table)
        let lines = table.split(separator: "\n")
        #expect(lines[0].hasPrefix("segment  period      buyers  repeat"))
        #expect(lines[1].allSatisfy { $0 == "-" || $0 == " " })
        #expect(table.contains("0.3333"))          // 1/3, shown with 4 decimals
        #expect(!table.contains("0.33333"))
        let markdown = try render(runner, "loyal_customer_rate", [:], .markdown)
        #expect(markdown.hasPrefix("| segment | period     | buyers |"))
        #expect(markdown.split(separator: "\n")[1].contains("--:"))
    }

    @Test("--into creates a table readable by any client; --replace and --append")
    func into() throws {
        let w = try ShopFixture.warehouse()
        let runner = try w.runner()
        let prepared = try runner.prepare("churn_rate", ["window": "30"])
        try w.warehouse.connection.execute("CREATE SCHEMA \(try w.warehouse.connection.quoteIdentifier(w.schema + "_bi"))")
        defer { _ = try? w.warehouse.connection.execute("DROP SCHEMA \(try w.warehouse.connection.quoteIdentifier(w.schema + "_bi")) CASCADE") }
        let target = w.schema + "_bi.churn"
        #expect(try runner.into(prepared, table: target, mode: .create) == 4)
        let stored = try w.rows("SELECT period::text, customers_start, lost, new, reactivated, customers_end, churn_rate FROM \(w.schema)_bi.churn ORDER BY period")
        #expect(stored.map { $0[0] } == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
        #expect(stored.map { $0[5] } == ["2", "3", "1", "1"])
        #expect(stored[1][6] == "0.5")
        let types = try w.rows("""
            SELECT column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'churn' ORDER BY ordinal_position
            """, [w.schema + "_bi"])
        #expect(types.first { $0[0] == "period" }?[1] == "date")
        #expect(types.first { $0[0] == "churn_rate" }?[1] == "double precision")
        #expect(types.first { $0[0] == "complete" }?[1] == "boolean")
        #expect(throws: PatronError.self) { try runner.into(prepared, table: target, mode: .create) }
        #expect(try runner.into(prepared, table: target, mode: .append) == 4)
        #expect(try w.value("SELECT count(*) FROM \(w.schema)_bi.churn") == "8")
        #expect(try runner.into(prepared, table: target, mode: .replace) == 4)
        #expect(try w.value("SELECT count(*) FROM \(w.schema)_bi.churn") == "4")
        #expect(throws: PatronError.self) { try runner.into(try runner.prepare("retention", ["pivot": "true"]), table: "x", mode: .create) }
    }

    @Test("patron list, describe, run --help, --sql, formats and exit codes")
    func commandLine() throws {
        let w = try ShopFixture.warehouse()
        let list = try PatronProcess.run(["list"], url: w.url)
        #expect(list.status == 0)
        #expect(list.stdout.contains("churn_rate"))
        let describe = try PatronProcess.run(["describe", "churn_rate"], url: w.url)
        #expect(describe.stdout.contains("--window <int(1..)>"))
        #expect(describe.stdout.contains("customers_end bigint"))
        let help = try PatronProcess.run(["run", "retention", "--help"], url: w.url)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--mode <on|rolling>"))
        let sql = try PatronProcess.run(["run", "churn_rate", "--window", "30", "--sql"], url: w.url)
        #expect(sql.stdout.contains("-- $5 window = '30'"))
        #expect(sql.stdout.contains("WITH settings AS"))
        // Not a terminal: CSV by default.
        let run = try PatronProcess.run(["run", "churn_rate", "--window", "30", "--schema", w.schema], url: w.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("segment,period,customers_start,lost,new,reactivated,customers_end,churn_rate,retention_rate,complete\n,2024-01-01,0,0,2,0,2,,,true\n"))
        let file = w.directory.appendingPathComponent("out.json").path
        let toFile = try PatronProcess.run(["run", "churn_rate", "--schema", w.schema, "--output", file], url: w.url)
        #expect(toFile.status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("[\n{\"segment\":null"))
        // Bad value → 64 naming option and value; unknown analysis → 64; data that cannot answer
        // (amounts in two currencies) → 6 naming both.
        let bad = try PatronProcess.run(["run", "churn_rate", "--window", "soon", "--schema", w.schema], url: w.url)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--window takes a whole number of at least 1, not 'soon'"))
        let unknown = try PatronProcess.run(["run", "nothing", "--schema", w.schema], url: w.url)
        #expect(unknown.status == 64)
        _ = try w.load(.purchases, "usd.csv", "order_id,customer_id,ordered_at,amount,currency\nU1,U,2024-02-01,5,USD\n")
        let failed = try PatronProcess.run(["run", "clv", "--method", "historical", "--schema", w.schema], url: w.url)
        #expect(failed.status == 6)
        #expect(failed.stderr.contains("more than one currency (EUR and USD)") || failed.stderr.contains("(USD and EUR)"), "\(failed.stderr)")
        #expect(failed.stderr.contains("--schema"))
        let into = try PatronProcess.run(["run", "churn_rate", "--schema", w.schema, "--into", "churn_export"], url: w.url)
        #expect(into.status == 0, "\(into.stderr)")
        #expect(try w.value("SELECT count(*) FROM \(w.reportsSchema).churn_export") == "4")
        #expect(into.stderr.contains("into \(w.reportsSchema).churn_export"), "\(into.stderr)")
    }
}

/// An OutputSink that collects text in memory.
final class OutputSinkCapture {
    private(set) var bytes: [UInt8] = []
    lazy var sink = OutputSink { [unowned self] in self.bytes.append(contentsOf: $0) }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
