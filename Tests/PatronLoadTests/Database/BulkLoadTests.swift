import Foundation
import PatronCore
@testable import PatronLoad
import PatronTestSupport
import Testing

/// A load at least the size of its table drops the table's indexes, primary key included, and
/// builds them again after the insert (suspend_indexes, sql/models/load_suspend_indexes.sql), by either load path.
/// The warehouse must end up with the same indexes and the same rows either way.
@Suite("Bulk loads rebuild their indexes")
struct BulkLoadTests {
    /// 12,000 orders (above the 10,000-row threshold) from 3,000 customers: order i belongs to
    /// customer C(i mod 3000) with email c(i mod 3000)@example.com.
    static func orders(_ range: ClosedRange<Int>) -> String {
        var csv = "order_id,customer_id,email,ordered_at,amount\n"
        for i in range {
            csv += "O\(i),C\(i % 3000),c\(i % 3000)@example.com,2024-03-01T10:00:00Z,\(i % 100).50\n"
        }
        return csv
    }

    func indexDefinitions(_ w: ScratchWarehouse) throws -> [[String?]] {
        try w.rows("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2",
                   [w.schema])
    }

    @Test("a first large load ends with every index as migrated, and the indexes find the rows",
          arguments: [true, false])
    func firstLargeLoad(direct: Bool) throws {
        let w = try ScratchWarehouse()
        let migrated = try indexDefinitions(w)
        let report = try w.load(.purchases, "orders.csv", Self.orders(1...12_000)) { $0.directPath = direct }
        #expect(report.direct == direct)
        #expect(report.counts.inserted == 12_000)
        #expect(report.counts.customersCreated == 3_000)
        #expect(try indexDefinitions(w) == migrated)
        // 3,000 customers with a customer_id and an email each: 6,000 identifiers.
        #expect(try w.count("customer_identifiers") == 6_000)
        // Through the rebuilt indexes: customer C7 has orders 7, 3007, 6007, 9007 (4 of them),
        // and the identifier index finds both of its identifiers.
        _ = try w.rows("SET enable_seqscan = off")
        let key = try #require(try w.value("SELECT customer_key::text FROM customer_identifiers WHERE kind = 'customer_id' AND value = 'C7'"))
        #expect(try w.value("SELECT count(*)::text FROM purchases WHERE customer_key = $1::bigint", [key]) == "4")
        #expect(try w.value("SELECT count(*)::text FROM customer_identifiers WHERE customer_key = $1::bigint", [key]) == "2")
        // ordered_at: all 12,000 at the same instant.
        #expect(try w.value("SELECT count(*)::text FROM purchases WHERE ordered_at = '2024-03-01T10:00:00Z'") == "12000")
        _ = try w.rows("RESET enable_seqscan")
    }

    @Test("a large load into a table already larger keeps its indexes, with the same result")
    func largeLoadIntoLargerTable() throws {
        let bulk = try ScratchWarehouse()
        _ = try bulk.load(.purchases, "orders.csv", Self.orders(1...24_000))
        let split = try ScratchWarehouse()
        // 12,000 rows into an empty table (indexes rebuilt), then 12,000 more into a table
        // already holding 12,000 (indexes kept), then the same 24,000 again (all unchanged).
        _ = try split.load(.purchases, "a.csv", Self.orders(1...12_000))
        _ = try split.load(.purchases, "b.csv", Self.orders(12_001...24_000))
        let again = try split.load(.purchases, "all.csv", Self.orders(1...24_000))
        #expect(again.counts.unchanged == 24_000)
        // Definitions name their schema, which differs: compare table and index names.
        #expect(try indexDefinitions(split).map { $0.prefix(2) } == indexDefinitions(bulk).map { $0.prefix(2) })
        let facts = "SELECT order_id, amount::text FROM purchases ORDER BY order_id"
        #expect(try split.rows(facts) == bulk.rows(facts))
        #expect(try split.count("customers") == 3_000 && bulk.count("customers") == 3_000)
    }
}
