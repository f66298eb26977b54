import Foundation
import Testing
import PatronCore
import PatronImport
import PatronLoad
import PatronTestSupport

/// `patron import shopify` against the real throwaway PostgreSQL.
@Suite struct ShopifyImportTests {
    private func fixtures(_ folder: FixtureFolder) throws -> [String] {
        [try folder.write("orders_export.csv", ShopifyImporterTests.orders),
         try folder.write("customers_export.csv", ShopifyImporterTests.customers)]
    }

    @Test func importStoresTheConvertedRowsAndAReimportChangesNothing() throws {
        let folder = try FixtureFolder()
        let paths = try fixtures(folder)
        let (warehouse, reports) = try expectConvertedEqualsImported(ShopifyImporter.self, paths, source: "shop")

        // customers file first: 2 customers; orders: 5 purchases (#1005's Excel time rejected), 1 return.
        #expect(reports.map(\.kind.name) == ["customers", "orders"])
        let orders = reports[1]
        #expect(orders.loads.map(\.entity) == [.purchases, .returns])
        #expect(orders.loads[0].counts.read == 5 && orders.loads[0].counts.inserted == 4 && orders.loads[0].counts.rejected == 1)
        #expect(orders.loads[1].counts.inserted == 1)
        #expect(try warehouse.rows("SELECT order_id, ordered_at::text, amount::text, items, status FROM purchases ORDER BY ordered_at")
                    .map { $0.map { $0 ?? "" } } == [
            ["#1001", "2024-11-03 05:30:00+00", "85.00", "3", "completed"],
            ["#1002", "2024-11-03 06:45:00+00", "40.00", "1", "cancelled"],
            ["#1003", "2024-11-04 08:00:00+00", "20.00", "1", "completed"],
            ["#1004", "2024-11-06 12:00:00+00", "12.50", "1", "cancelled"],
        ])
        // The order's e-mail (mixed case) joins the customers export's: one customer, three identifiers.
        #expect(try warehouse.value("""
            SELECT count(DISTINCT customer_key) FROM (
                SELECT customer_key FROM purchases WHERE order_id = '#1001'
                UNION ALL SELECT customer_key FROM customer_profiles WHERE customer_id = '7401') AS k
            """) == "1")
        // The rejected row names the vendor file's line; the skipped refund and the dropped phone are listed.
        #expect(try warehouse.rows("SELECT source_line, column_name, value FROM rejected_rows") == [["8", "ordered_at", "45384.34789351852"]])
        #expect(try warehouse.rows("SELECT n.kind, n.source_line, n.source_ref, l.entity FROM import_notices n JOIN load_runs l USING (run_id) ORDER BY 1")
                    == [["identifier_dropped", "7", "order #1004 (line 7)", "purchases"],
                        ["skipped", "6", "order #1003 (line 6)", "returns"]])
        #expect(try warehouse.rows("SELECT format, rows_skipped FROM load_runs ORDER BY run_id").map { $0.map { $0 ?? "" } }
                    == [["shopify customers", "0"], ["shopify orders", "0"], ["shopify orders", "1"]])

        let before = try warehouse.entitySnapshot()
        let again = try warehouse.importFiles(ShopifyImporter.self, paths, source: "shop")
        for load in again.flatMap(\.loads) {
            #expect(load.counts.inserted == 0 && load.counts.updated == 0, "\(load.entity) changed on re-import")
        }
        #expect(try warehouse.entitySnapshot() == before)
    }

    @Test func aFileThatFailsHalfwayChangesNothingStored() throws {
        let folder = try FixtureFolder()
        let paths = try fixtures(folder)
        let warehouse = try ScratchWarehouse()
        try warehouse.importFiles(ShopifyImporter.self, paths, source: "shop")
        let before = try warehouse.entitySnapshot()
        // A changed order (would update #1001) followed by an unterminated quoted field: the
        // whole file fails, the update included.
        let changed = ShopifyImporterTests.orders.replacingOccurrences(of: "85.00", with: "86.00")
            + ShopifyImporterTests.line(["Name": "#1006", "Notes": "x"]).replacingOccurrences(of: ",x,", with: ",\"x,")
        let bad = try folder.write("orders_export.csv", changed)
        #expect(throws: PatronError.self) { try warehouse.importFiles(ShopifyImporter.self, [bad], source: "shop") }
        #expect(try warehouse.entitySnapshot() == before)
        #expect(try warehouse.value("SELECT status FROM load_runs ORDER BY run_id DESC LIMIT 1") == "failed")
    }
}
