import Foundation
import PatronCore
import PatronTestSupport
import Testing

/// Output a terminal and a cron job can trust (issue 11, item 10).
@Suite("Output a cron job can trust")
struct TrustworthyOutputTests {
    /// The files in `directory` whose names start with `prefix`.
    func leftovers(in directory: URL, _ prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(prefix) }
    }

    @Test("--output: a failed run leaves the previous file byte for byte; a successful one replaces it; no temporary file remains")
    func outputReplacedOnlyOnSuccess() throws {
        let w = try ScratchWarehouse()
        let eur = try w.write("eur.csv", Journey.purchases)
        let usd = try w.write("usd.csv", "order_id,customer_id,ordered_at,amount,currency\nU1,U,2024-02-01,5,USD\n")
        #expect(try PatronProcess.run(["load", "purchases", eur, "--schema", w.schema], url: w.url).status == 0)
        let file = w.directory.appendingPathComponent("report.csv")
        let previous = Data("yesterday's report\n".utf8)
        try previous.write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)

        // Works: replaces the file, keeps its mode.
        let ok = try PatronProcess.run(["run", "clv", "--method", "historical", "--schema", w.schema, "--output", file.path], url: w.url)
        #expect(ok.status == 0, "\(ok.stderr)")
        let written = try Data(contentsOf: file)
        #expect(String(decoding: written, as: UTF8.self).hasPrefix("method,cohort,"))
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o640)

        // Fails at run time (two currencies): the file is as it was.
        #expect(try PatronProcess.run(["load", "purchases", usd, "--schema", w.schema], url: w.url).status == 0)
        let failed = try PatronProcess.run(["run", "clv", "--method", "historical", "--schema", w.schema, "--output", file.path], url: w.url)
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("currency"))
        #expect(try Data(contentsOf: file) == written)
        #expect(try leftovers(in: w.directory, ".report.csv") == [])

        // A new file is created with an ordinary mode; a failed run creates none.
        let fresh = w.directory.appendingPathComponent("fresh.csv")
        let none = try PatronProcess.run(["run", "clv", "--method", "historical", "--schema", w.schema, "--output", fresh.path], url: w.url)
        #expect(none.status != 0)
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
        let created = try PatronProcess.run(["run", "churn_rate", "--schema", w.schema, "--output", fresh.path], url: w.url)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try String(contentsOf: fresh, encoding: .utf8).hasPrefix("segment,period,"))
        #expect(try leftovers(in: w.directory, ".fresh.csv") == [])
    }

    @Test("a .json file holding a JSON array or an API envelope fails the whole file (exit 3), pointing to JSON Lines and `patron import`")
    func jsonArrayFile() throws {
        let w = try ScratchWarehouse()
        let array = try w.write("orders.json", """
            [
              {"order_id": "A1", "customer_id": "C1", "ordered_at": "2024-01-01", "amount": 5},
              {"order_id": "A2", "customer_id": "C1", "ordered_at": "2024-01-02", "amount": 6}
            ]
            """)
        let envelope = try w.write("tickets.json", #"{"orders": [{"order_id": "A1", "customer_id": "C1", "ordered_at": "2024-01-01", "amount": 5}]}"# + "\n")
        for path in [array, envelope] {
            let outcome = try PatronProcess.run(["load", "purchases", path, "--schema", w.schema], url: w.url)
            #expect(outcome.status == 3, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("one JSON object per line"))
            #expect(outcome.stderr.contains("patron import VENDOR"))
        }
        #expect(try w.count("purchases") == 0)
    }

    @Test("--schema longer than PostgreSQL's 63 bytes is a usage error, not truncated")
    func longSchemaName() throws {
        let w = try ScratchWarehouse()
        let long = String(repeating: "s", count: 64)
        let refused = try PatronProcess.run(["status", "--schema", long], url: w.url)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("at most 63"))
        // Bytes, not characters: 32 two-byte letters are 64 bytes.
        let wide = try PatronProcess.run(["migrate", "--schema", String(repeating: "é", count: 32)], url: w.url)
        #expect(wide.status == 64, "\(wide.stderr)")
        let fits = try PatronProcess.run(["status", "--schema", w.schema], url: w.url)
        #expect(fits.status == 0, "\(fits.stderr)")
    }

    @Test("run --from after --to is a usage error naming both")
    func fromAfterTo() throws {
        let w = try ScratchWarehouse()
        let outcome = try PatronProcess.run(["run", "resolution_rate", "--from", "2024-05-01", "--to", "2024-04-01", "--schema", w.schema], url: w.url)
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--from 2024-05-01 is after --to 2024-04-01"))
        let same = try PatronProcess.run(["run", "resolution_rate", "--from", "2024-04-01", "--to", "2024-04-01", "--schema", w.schema], url: w.url)
        #expect(same.status == 0, "\(same.stderr)")
    }

    @Test("rejects --run N for a run that does not exist: 'no load run N', exit 64")
    func rejectsForAMissingRun() throws {
        let w = try ScratchWarehouse()
        let missing = try PatronProcess.run(["rejects", "--run", "999", "--schema", w.schema], url: w.url)
        #expect(missing.status == 64, "\(missing.stderr)")
        #expect(missing.stderr.contains("no load run 999"))
        #expect(missing.stdout.isEmpty)
        let skipped = try PatronProcess.run(["rejects", "--skipped", "--run", "999", "--schema", w.schema], url: w.url)
        #expect(skipped.status == 64)
        let file = try w.write("p.csv", Journey.purchases)
        #expect(try PatronProcess.run(["load", "purchases", file, "--schema", w.schema], url: w.url).status == 0)
        let run = try #require(try w.value("SELECT max(run_id) FROM load_runs"))
        let existing = try PatronProcess.run(["rejects", "--run", run, "--schema", w.schema], url: w.url)
        #expect(existing.status == 0, "\(existing.stderr)")
    }
}
