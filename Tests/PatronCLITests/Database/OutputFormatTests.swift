import Foundation
import PatronCore
import PatronTestSupport
import Testing

/// `--output`'s extension and the `--format` set every data-printing command shares (issue 11,
/// item 10).
@Suite("--output extensions and one --format set")
struct OutputFormatTests {
    @Test("--output with an unknown extension, or none, is refused (exit 64) naming the known ones, unless --format is given")
    func unknownExtension() throws {
        let w = try ScratchWarehouse()
        let file = try w.write("p.csv", Journey.purchases)
        #expect(try PatronProcess.run(["load", "purchases", file, "--schema", w.schema, "-q"], url: w.url).status == 0)
        for name in ["report.xlsx", "report"] {
            let path = w.directory.appendingPathComponent(name).path
            let refused = try PatronProcess.run(["run", "churn_rate", "--schema", w.schema, "--output", path], url: w.url)
            #expect(refused.status == 64, "\(name): \(refused.stderr)")
            #expect(refused.stderr.contains(".csv, .json, .jsonl"), "\(name): \(refused.stderr)")
            #expect(refused.stderr.contains("--format"), "\(name): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path))
            let explicit = try PatronProcess.run(["run", "churn_rate", "--schema", w.schema, "--output", path, "--format", "jsonl"], url: w.url)
            #expect(explicit.status == 0, "\(name): \(explicit.stderr)")
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(!lines.isEmpty)
            for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        }
        // A known extension in capitals is known.
        let upper = w.directory.appendingPathComponent("REPORT.MD").path
        let markdown = try PatronProcess.run(["run", "churn_rate", "--schema", w.schema, "--output", upper], url: w.url)
        #expect(markdown.status == 0, "\(markdown.stderr)")
        #expect(try String(contentsOfFile: upper, encoding: .utf8).hasPrefix("| segment"))
    }

    @Test("run, status, rejects and list list the same --format values in their help")
    func sameFormatSet() throws {
        let w = try ScratchWarehouse()
        for command in ["run", "status", "rejects", "list"] {
            let help = try PatronProcess.run([command, "--help"], url: w.url)
            #expect(help.status == 0, "\(command): \(help.stderr)")
            let text = help.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
            #expect(text.contains("values: table, csv, json, jsonl, markdown"), "\(command): \(help.stdout)")
        }
    }

    @Test("status, rejects and list print jsonl and markdown")
    func reportsInEveryFormat() throws {
        let w = try ScratchWarehouse()
        let file = try w.write("bad.csv", "order_id,customer_id,ordered_at,amount\nA,1,2024-01-01,5\nB,1,2024-01-01,5,extra|x\n")
        #expect(try PatronProcess.run(["load", "purchases", file, "--schema", w.schema, "-q"], url: w.url).status == 2)

        let rejects = try PatronProcess.run(["rejects", "--schema", w.schema, "--format", "jsonl"], url: w.url)
        #expect(rejects.status == 0, "\(rejects.stderr)")
        let rejected = rejects.stdout.split(separator: "\n")
        try #require(rejected.count == 1)
        let row = try #require(try JSONSerialization.jsonObject(with: Data(rejected[0].utf8)) as? [String: Any])
        #expect(row["line"] as? Int == 3)
        let rejectsMarkdown = try PatronProcess.run(["rejects", "--schema", w.schema, "--format", "markdown"], url: w.url)
        #expect(rejectsMarkdown.status == 0, "\(rejectsMarkdown.stderr)")
        let table = rejectsMarkdown.stdout.split(separator: "\n")
        try #require(table.count == 3)
        #expect(table[0].hasPrefix("| "))
        #expect(table[1].hasPrefix("|") && table[1].contains("---"))
        #expect(table[2].contains("extra\\|x"))

        // status as JSON Lines: one object, on one line, holding every table.
        let status = try PatronProcess.run(["status", "--schema", w.schema, "--runs", "3", "--format", "jsonl"], url: w.url)
        #expect(status.status == 0, "\(status.stderr)")
        let snapshot = status.stdout.split(separator: "\n")
        try #require(snapshot.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(snapshot[0].utf8)) as? [String: Any])
        #expect(object["entities"] is [[String: Any]])
        #expect((object["runs"] as? [[String: Any]])?.count == 1)
        let statusMarkdown = try PatronProcess.run(["status", "--schema", w.schema, "--format", "markdown"], url: w.url)
        #expect(statusMarkdown.status == 0, "\(statusMarkdown.stderr)")
        #expect(statusMarkdown.stdout.hasPrefix("| entity"))

        let list = try PatronProcess.run(["list", "--format", "jsonl"], url: w.url)
        #expect(list.status == 0, "\(list.stderr)")
        let analyses = try list.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(analyses.contains { $0?["analysis"] as? String == "retention" })
        let listMarkdown = try PatronProcess.run(["list", "--format", "markdown"], url: w.url)
        #expect(listMarkdown.status == 0, "\(listMarkdown.stderr)")
        #expect(listMarkdown.stdout.contains("| retention "))
    }
}
