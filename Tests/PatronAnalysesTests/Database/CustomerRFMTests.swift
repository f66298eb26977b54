import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronTestSupport
import Testing

/// customer_rfm (migration 0011, sql/models/customer_rfm.sql) holds each buyer's UTC purchase
/// days and repeat-day values, and rfm_summary reads it instead of the orders when that gives
/// the same rows: UTC days, every purchase before the end of --as-of, a buyer with a return made
/// after --as-of recomputed from the orders.
@Suite("customer_rfm")
struct CustomerRFMTests {
    /// A: 2024-01-10 (100), 2024-02-05 two orders (30 + 12.50), 2024-03-01 (40, cancelled),
    ///    2024-03-20 (20); returns of the Feb 5 orders: 2.50 on 2024-02-10, 5 on 2024-04-15
    ///    (after the last purchase day).
    /// B: 2024-01-15 23:30 UTC (= Jan 16 in Berlin) 10, 2024-03-25 (25.125); a return of the
    ///    first day's order (not a repeat day) on 2024-05-01.
    /// C: 2024-03-31 only (60): the last purchase day.
    static func warehouse() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.expectLoaded(.purchases, "p.csv", """
            order_id,customer_id,ordered_at,amount,currency,status
            A1,A,2024-01-10T10:00:00Z,100,EUR,
            A2,A,2024-02-05T09:00:00Z,30,EUR,
            A3,A,2024-02-05T18:00:00Z,12.50,EUR,
            A4,A,2024-03-01T10:00:00Z,40,EUR,cancelled
            A5,A,2024-03-20T10:00:00Z,20,EUR,
            B1,B,2024-01-15T23:30:00Z,10,EUR,
            B2,B,2024-03-25T10:00:00Z,25.125,EUR,
            C1,C,2024-03-31T10:00:00Z,60,EUR,

            """)
        try w.expectLoaded(.returns, "r.csv", """
            return_id,order_id,returned_at,amount,currency,reason
            R1,A3,2024-02-10T10:00:00Z,2.50,EUR,damaged
            R2,A2,2024-04-15T10:00:00Z,5,EUR,late
            R3,B1,2024-05-01T10:00:00Z,1,EUR,late

            """)
        return w
    }

    @Test("one row per buyer, by hand; equal to a rebuild")
    func rows() throws {
        let w = try Self.warehouse()
        let stored = try w.rows("""
            SELECT i.value, r.first_day::text, r.last_day::text, r.purchase_days::text, r.repeat_gross::text,
                   r.repeat_returned::text, (r.last_repeat_returned_at AT TIME ZONE 'UTC')::text, r.recency_days::text, r.monetary::text
            FROM customer_rfm AS r JOIN customer_identifiers AS i ON i.customer_key = r.customer_key AND i.kind = 'customer_id'
            ORDER BY 1
            """)
        // A: days Jan 10, Feb 5, Mar 20 (Mar 1 cancelled) → 3; repeat gross 30 + 12.50 + 20 = 62.50,
        //    returned 2.50 + 5 = 7.50, latest Apr 15; recency Mar 20 − Jan 10 = 70 days;
        //    monetary (62.50 − 7.50) / 2 = 27.5.
        // B: Jan 15 and Mar 25 (UTC) → 2; repeat 25.125, no repeat-day return (R3 is of the
        //    first day); recency 70; monetary 25.125.  C: one day, nothing repeated.
        #expect(stored == [
            ["A", "2024-01-10", "2024-03-20", "3", "62.50", "7.50", "2024-04-15 10:00:00", "70", "27.5"],
            ["B", "2024-01-15", "2024-03-25", "2", "25.125", nil, nil, "70", "25.125"],
            ["C", "2024-03-31", "2024-03-31", "1", nil, nil, nil, "0", nil],
        ])
        let connection = w.warehouse.connection
        try connection.execute("BEGIN")
        try connection.execute("INSERT INTO customer_summary_queue SELECT array_agg(customer_key) FROM customers")
        try connection.execute("SELECT refresh_customer_summaries()")
        let rebuilt = try w.rows("SELECT r::text FROM customer_rfm AS r ORDER BY r.customer_key")
        try connection.execute("ROLLBACK")
        #expect(rebuilt == (try w.rows("SELECT r::text FROM customer_rfm AS r ORDER BY r.customer_key")))
    }

    @Test("rfm_summary from customer_rfm equals rfm_summary from the orders; a return after --as-of does not count")
    func summaryEqualsOrders() throws {
        let w = try Self.warehouse()
        let runner = try w.runner()
        let connection = w.warehouse.connection
        func rfm(_ arguments: [String: String]) throws -> [String: [String?]] {
            let result = try runner.runStatement("rfm_summary", of: try runner.prepare("clv", arguments))
            var rows: [String: [String?]] = [:]
            for row in result.rows {
                rows[row["customer_key"] ?? ""] = ["frequency", "recency", "T", "monetary"].map { row[$0] }
            }
            return rows
        }
        // The summary path (default --as-of: the last purchase day, 2024-03-31) against the raw.
        let cases: [[String: String]] = [
            [:], ["unit": "day"], ["as_of": "2024-04-30", "unit": "day"], ["as_of": "2024-04-14"],
            ["as_of": "2024-03-20"], ["tz": "Europe/Berlin", "unit": "day"], ["tz": "Etc/UTC", "as_of": "2024-06-01"],
        ]
        for arguments in cases {
            try connection.execute("SELECT set_config('patron.summaries', 'on', false)")
            let fast = try rfm(arguments)
            try connection.execute("SELECT set_config('patron.summaries', 'off', false)")
            let raw = try rfm(arguments)
            try connection.execute("SELECT set_config('patron.summaries', 'on', false)")
            #expect(fast == raw, "\(arguments): \(fast) ≠ \(raw)")
            #expect(!raw.isEmpty)
        }
        // By hand, in days. At the default --as-of (2024-03-31) R2 (Apr 15) does not count yet:
        // A's monetary = (62.50 − 2.50) / 2 = 30, T = Mar 31 − Jan 10 = 81. From 2024-04-15 on it
        // counts: (62.50 − 7.50) / 2 = 27.5.
        let a = try w.key("A"), b = try w.key("B"), c = try w.key("C")
        let byDefault = try rfm(["unit": "day"])
        #expect(byDefault[a] == ["2", "70", "81", "30"])
        #expect(byDefault[b] == ["1", "70", "76", "25.125"])
        #expect(byDefault[c] == ["0", "0", "0", nil])
        #expect(try rfm(["as_of": "2024-04-30", "unit": "day"])[a] == ["2", "70", "111", "27.5"])
    }
}
