import Foundation
import PatronCore
import PatronTestSupport
import Testing

@Suite("The patron command")
struct CommandLineTests {
    @Test("exit codes: 0 all loaded, 2 some rows rejected, 3 failed and nothing stored")
    func exitCodes() throws {
        let w = try ScratchWarehouse()
        let good = try w.write("good.csv", Journey.purchases)
        let some = try w.write("some.csv", "order_id,customer_id,ordered_at,amount\nX1,C1,2024-01-01,1\nX2,C1,2024-01-01,-1\n")
        let broken = try w.write("broken.csv", "order_id,customer_id,amount\nX3,C1,1\n")
        let ok = try PatronProcess.run(["load", "purchases", good, "--schema", w.schema], url: w.url)
        #expect(ok.status == 0, "\(ok.stderr)")
        let partial = try PatronProcess.run(["load", "purchases", some, "--schema", w.schema], url: w.url)
        #expect(partial.status == 2, "\(partial.stderr)")
        #expect(partial.stderr.contains("1 rejected"))
        let failed = try PatronProcess.run(["load", "purchases", broken, "--schema", w.schema], url: w.url)
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(failed.stderr.contains("ordered_at"))
        #expect(try w.count("purchases") == 4)
        // The rejected row is listed with its line, column and value, as data on stdout.
        let rejects = try PatronProcess.run(["rejects", "--schema", w.schema, "--format", "csv"], url: w.url)
        #expect(rejects.status == 0)
        #expect(rejects.stdout.contains("3,amount,-1,"))
        let usage = try PatronProcess.run(["load", "purchases", good, "--max-rejects", "lots"], url: w.url)
        #expect(usage.status == 64)
    }

    @Test("a password in --database or PATRON_DATABASE_URL is never printed, not even in libpq's errors")
    func secretsNeverPrinted() throws {
        let cases: [(url: String, secrets: [String])] = [
            ("postgresql://u:s3cret%ZZ@127.0.0.1:1/x", ["s3cret"]),
            ("postgresql://u:s3cr@et@127.0.0.1:1/x?connect_timeout=5", ["s3cr", "et@"]),
            ("postgresql://u:hunter22@127.0.0.1:1/x?connect_timeout=5", ["hunter22"]),
        ]
        for (url, secrets) in cases {
            for arguments in [["status", "--database", url, "--verbose"], ["migrate", "--check", "--verbose"]] {
                // The second runs with the URL in PATRON_DATABASE_URL.
                let outcome = try PatronProcess.run(arguments, url: arguments.contains("--database") ? "" : url)
                #expect(outcome.status == 4, "\(arguments): \(outcome.stderr)")
                #expect(outcome.stderr.contains("connection error"), "\(outcome.stderr)")
                for secret in secrets {
                    #expect(!outcome.stderr.contains(secret) && !outcome.stdout.contains(secret), "\(arguments): \(outcome.stderr)")
                }
            }
        }
    }

    @Test("standard input with --format, quiet in cron")
    func standardInput() throws {
        let w = try ScratchWarehouse()
        let outcome = try PatronProcess.run(["load", "purchases", "-", "--format", "csv", "--schema", w.schema, "--quiet"],
                                            url: w.url, stdin: Data(Journey.purchases.utf8))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty)
        #expect(outcome.stdout.isEmpty)
        #expect(try w.count("purchases") == 3)
        let status = try PatronProcess.run(["status", "--schema", w.schema, "--format", "csv"], url: w.url)
        #expect(status.status == 0)
        #expect(status.stdout.contains("purchases,3,"))
    }

    @Test("--no-wait fails with exit 5 while another load holds the lock; waiting works")
    func advisoryLock() throws {
        let w = try ScratchWarehouse()
        let file = try w.write("p.csv", Journey.purchases)
        try w.warehouse.acquireLoadLock(wait: false) { _ in }
        let busy = try PatronProcess.run(["load", "purchases", file, "--schema", w.schema, "--no-wait"], url: w.url)
        #expect(busy.status == 5)
        #expect(busy.stderr.contains("another load"))
        // A waiting load says so, and proceeds once the lock is released.
        let (process, _, err) = try PatronProcess.start(["load", "purchases", file, "--schema", w.schema], url: w.url)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(process.isRunning)
        try w.warehouse.releaseLoadLock()
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("waiting for another load"))
        #expect(try w.count("purchases") == 3)
    }

    @Test("a loader killed with SIGKILL in the middle of a file leaves the warehouse as it was")
    func killedLoaderChangesNothing() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.purchases, "first.csv", Journey.purchases)
        let before = try w.dump(excluding: [])
        // A file big enough to take a while: 400k rows.
        var csv = "order_id,customer_id,email,ordered_at,amount,currency\n"
        csv.reserveCapacity(30_000_000)
        for i in 0..<400_000 { csv += "K\(i),C\(i % 5000),u\(i % 7000)@example.com,2024-01-01T00:00:00Z,\(i % 100).25,USD\n" }
        let file = try w.write("big.csv", csv)
        let app = "patron-kill-\(w.schema)"
        let (process, _, _) = try PatronProcess.start(["load", "purchases", file, "--schema", w.schema], url: w.url, applicationName: app)
        // Wait until it is streaming rows into the server (its COPY is running), then kill it.
        var copying = false
        for _ in 0..<600 where !copying {
            Thread.sleep(forTimeInterval: 0.05)
            copying = try w.value("""
                SELECT count(*) FROM pg_stat_activity
                WHERE application_name = $1 AND query LIKE '%COPY load_stage FROM STDIN%'
                """, [app]) == "1"
        }
        #expect(copying, "the loader should have started its COPY")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        // The server notices the dropped connection and rolls the transaction back.
        var gone = false
        for _ in 0..<200 where !gone {
            Thread.sleep(forTimeInterval: 0.05)
            gone = try w.value("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", [app]) == "0"
        }
        #expect(gone)
        #expect(try w.dump(excluding: []) == before)
        // And the lock went with it: the next load runs.
        let again = try PatronProcess.run(["load", "purchases", file, "--schema", w.schema, "--no-wait", "--quiet"], url: w.url)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try w.count("purchases") == 400_003)
    }
}
