import Foundation
import PatronCore
import PatronTestSupport
import Testing

@Suite("patron sync")
struct SyncCommandTests {
    /// A Shopify export pair (the columns Patron reads, and one it ignores) and canonical files.
    static let orders = """
        Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Cancelled at,Refunded Amount,Source,Phone,Vendor
        #1001,ana@example.com,paid,EUR,30.00,2024-03-01 10:00:00 +0100,1,,,web,,acme
        #1001,ana@example.com,,,,2024-03-01 10:00:00 +0100,2,,,,,acme
        #1002,ben@example.com,paid,EUR,12.00,2024-03-02 11:00:00 +0100,1,,5.00,web,,acme

        """
    static let customers = """
        Customer ID,First Name,Last Name,Email,Phone,Default Address Country Code,Total Spent,Accepts Email Marketing
        '501,Ana,Lima,ana@example.com,,PT,30.00,yes

        """

    private func setUp(_ w: ScratchWarehouse) throws -> String {
        let root = w.directory
        for sub in ["exports/shopify", "exports/crm"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try w.write("exports/shopify/orders_export.csv", Self.orders)
        try w.write("exports/shopify/customers_export.csv", Self.customers)
        try w.write("exports/crm/customers-1.csv", "customer_id,email,name\nC1,ana@example.com,Ana L.\n")
        try w.write("exports/crm/purchases-1.csv", "order_id,customer_id,ordered_at,amount\nP1,C1,2024-03-05,7.50\nP2,C1,2024-03-06,-1\n")
        // Facts before customers in the file: sync still loads the source's customers first.
        return try w.write("patron.toml", """
            [[source]]
            name = "shop"
            vendor = "shopify"
            files = ["exports/shopify/*.csv"]

            [[source]]
            name = "crm"
            entity = "purchases"
            files = ["exports/crm/purchases-*.csv"]

            [[source]]
            name = "crm"
            entity = "customers"
            files = ["exports/crm/customers-*.csv"]
            tz = "Europe/Berlin"

            """)
    }

    @Test("loads every source under one exit code; a second run skips every file and changes nothing")
    func syncTwice() throws {
        let w = try ScratchWarehouse()
        let config = try setUp(w)
        let first = try PatronProcess.run(["sync", "--config", config, "--schema", w.schema], url: w.url)
        // One row rejected (amount -1): the most serious outcome is 2.
        #expect(first.status == 2, "\(first.stderr)")
        let table = first.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(table.first?.prefix(4) == ["source", "file", "kind", "status"])
        // Shopify's customers before its orders; crm's customers before its purchases.
        #expect(table.dropFirst(2).map { [$0[0], URL(fileURLWithPath: $0[1]).lastPathComponent, $0[$0.count - 8]] } == [
            ["shop", "customers_export.csv", "loaded"],
            ["shop", "orders_export.csv", "loaded"],
            ["crm", "customers-1.csv", "loaded"],
            ["crm", "purchases-1.csv", "loaded_with_rejects"],
        ])
        #expect(try w.count("purchases") == 3)
        #expect(try w.value("SELECT items FROM purchases WHERE order_id = '#1001'") == "3")
        let before = try w.dump()

        let second = try PatronProcess.run(["sync", "--config", config, "--schema", w.schema, "--log-format", "json"], url: w.url)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.isEmpty)
        let events = second.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.filter { $0["event"] as? String == "file" }.map { $0["status"] as? String } == Array(repeating: "skipped", count: 4))
        let summary = try #require(events.last)
        #expect(summary["event"] as? String == "summary")
        #expect(summary["exit_code"] as? Int == 0)
        #expect(summary["files_skipped"] as? Int == 4)
        #expect(try w.dump() == before)
    }

    @Test("a bad config fails with exit 78 naming line and key, before anything is loaded")
    func badConfig() throws {
        let w = try ScratchWarehouse()
        _ = try setUp(w)
        let config = try w.write("bad.toml", """
            [[source]]
            name = "shop"
            vendor = "shopify"
            files = ["exports/shopify/*.csv"]

            [[source]]
            name = "crm"
            entity = "customers"
            files = ["exports/crm/nothing-*.csv"]

            """)
        let outcome = try PatronProcess.run(["sync", "--config", config, "--schema", w.schema], url: w.url)
        #expect(outcome.status == 78)
        #expect(outcome.stderr.contains("bad.toml, line 9: [[source]] 2: 'exports/crm/nothing-*.csv' matches no file"), "\(outcome.stderr)")
        #expect(try w.count("load_runs") == 0)
    }

    @Test("--init writes a commented example and never overwrites")
    func initialize() throws {
        let w = try ScratchWarehouse()
        let path = w.directory.appendingPathComponent("new.toml").path
        let made = try PatronProcess.run(["sync", "--init", "--config", path], url: w.url)
        #expect(made.status == 0, "\(made.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("[[source]]") && text.contains("docs/sync.md"))
        let again = try PatronProcess.run(["sync", "--init", "--config", path], url: w.url)
        #expect(again.status == 78)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("--log-format json on load: every stderr line is one JSON object, the last the summary")
    func jsonLogsOfLoad() throws {
        let w = try ScratchWarehouse()
        let file = try w.write("p.csv", "order_id,customer_id,ordered_at,amount\nA,1,2024-01-01,5\nB,1,2024-01-01,-5\n")
        let outcome = try PatronProcess.run(["load", "purchases", file, "/nonexistent.csv", "--schema", w.schema,
                                             "--log-format", "json"], url: w.url)
        #expect(outcome.status == 3)
        let lines = outcome.stderr.split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count, "\(outcome.stderr)")
        let files = objects.filter { $0["event"] as? String == "file" }
        #expect(files.map { $0["status"] as? String } == ["loaded_with_rejects", "failed"])
        #expect(files.map { $0["rejected"] as? Int } == [1, 0])
        #expect(objects.last?["event"] as? String == "summary" && objects.last?["exit_code"] as? Int == 3)
    }
}
