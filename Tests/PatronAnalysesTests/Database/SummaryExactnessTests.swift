import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PostgresClient
import PatronTestSupport
import Testing

/// The per-customer summaries (customer_months, customer_totals, customer_rfm) stay exact through every kind
/// of load: after each step, (1) they equal a rebuild from scratch, (2) nothing is left queued,
/// and (3) every analysis that reads them answers exactly as it does from the raw rows
/// (`patron.summaries = off`).
@Suite("customer summaries stay exact")
struct SummaryExactnessTests {
    /// The analyses (with arguments) whose summary path is compared with their raw path.
    static let comparedRuns: [(String, [String: String])] = [
        ("revenue", [:]), ("revenue", ["period": "quarter"]), ("revenue", ["period": "year"]),
        ("retention", [:]), ("retention", ["period": "quarter"]), ("retention", ["mode": "rolling"]),
        ("retention", ["mode": "rolling", "period": "year"]), ("retention", ["mode": "rolling", "activity": "any"]),
        ("retention", ["mode": "rolling", "activity": "any", "period": "quarter"]),
        ("clv", ["method": "historical"]), ("clv", ["method": "historical", "per_customer": "true"]),
        ("clv", ["method": "historical", "tz": "America/New_York", "period": "week"]),
        ("churn_rate", [:]), ("churn_rate", ["segment": "cohort"]), ("churn_rate", ["period": "quarter"]),
        ("churn_rate", ["segment": "cohort", "window": "30"]),
        ("loyal_customer_rate", [:]), ("loyal_customer_rate", ["min_orders": "1"]),
        ("loyal_customer_rate", ["segment": "cohort", "lookback": "40"]),
        ("repurchase_rate", [:]), ("repurchase_rate", ["period": "quarter"]), ("repurchase_rate", ["segment": "cohort"]),
        ("repurchase_rate", ["segment": "cohort", "period": "year"]),
        ("return_rate", [:]), ("return_rate", ["period": "quarter"]), ("return_rate", ["period": "year"]),
    ]

    /// clv's arguments whose rfm_summary step is compared: the default reads customer_rfm.
    static let comparedRFMArguments: [[String: String]] = [[:], ["unit": "day"], ["as_of": "2026-01-01"]]

    @Test("through a first load, returns, a delta that re-keys and cancels, a merge, a reload and an old return")
    func throughEveryKindOfLoad() throws {
        let w = try ScratchWarehouse()
        // 1. A first load of a source (the direct path): ann by e-mail, bob by phone, cid by id.
        try w.expectLoaded(.purchases, "p1.csv", """
            order_id,customer_id,email,phone,ordered_at,amount,currency,channel,status
            O1,,ann@example.com,,2024-01-10T10:00:00Z,100.50,EUR,web,
            O2,,ann@example.com,,2024-01-31T23:30:00Z,20,EUR,web,
            O3,,,+491701234567,2024-02-01T00:10:00Z,40,EUR,store,
            O4,,,+491701234567,2024-03-15T08:00:00Z,60,EUR,store,cancelled
            O5,C9,,,2024-04-02T12:00:00Z,75.25,EUR,app,
            O6,C9,,,2024-06-30T23:59:59Z,10,EUR,app,

            """)
        try expectExact(w, "first load")

        // 2. Returns: one of an old order in a later month, one of a cancelled order (counts
        // nowhere), one whose order is not loaded yet, one without an order.
        try w.expectLoaded(.returns, "r1.csv", """
            return_id,order_id,email,returned_at,amount,currency,reason
            R1,O1,,2024-03-02T09:00:00Z,30.25,EUR,damaged
            R2,O4,,2024-03-20T09:00:00Z,60,EUR,damaged
            R3,O7,,2024-05-05T09:00:00Z,5,EUR,late
            R4,,ann@example.com,2024-05-06T09:00:00Z,1,EUR,goodwill

            """)
        try expectExact(w, "returns")
        // NPS answers (loyal_customer_rate looks at the repeat buyers who gave one): ann a
        // detractor in February, a promoter from May; bob a promoter; two at one instant.
        try w.expectLoaded(.surveys, "s1.csv", """
            response_id,email,phone,kind,score,responded_at
            N1,ann@example.com,,nps,5,2024-02-01T10:00:00Z
            N2,ann@example.com,,nps,10,2024-05-15T10:00:00Z
            N3,,+491701234567,nps,9,2024-02-20T10:00:00Z
            N4,,+491701234567,nps,3,2024-02-20T10:00:00Z

            """)
        try expectExact(w, "surveys")

        // 3. A delta of the same source (the staging path): O2's amount changes, O3 is
        // cancelled, O5 moves from C9 to ann (re-keyed), O7 arrives (R3 now counts).
        let delta = """
            order_id,customer_id,email,phone,ordered_at,amount,currency,channel,status
            O2,,ann@example.com,,2024-01-31T23:30:00Z,25,EUR,web,
            O3,,,+491701234567,2024-02-01T00:10:00Z,40,EUR,store,cancelled
            O5,,ann@example.com,,2024-04-02T12:00:00Z,75.25,EUR,app,
            O7,,,+491701234567,2024-05-01T10:00:00Z,15,EUR,web,
            O8,C9,,,2024-01-15T10:00:00Z,3.125,EUR,app,

            """
        try w.expectLoaded(.purchases, "p2.csv", delta)
        try expectExact(w, "delta")

        // 4. Another source names ann's e-mail and bob's phone on one order: one customer.
        let merged = try w.load(.purchases, "shop2.csv", """
            order_id,email,phone,ordered_at,amount,currency
            S1,ann@example.com,+491701234567,2024-07-01T10:00:00Z,50,EUR

            """, source: "shop2")
        #expect(merged.counts.customersMerged == 1)
        try expectExact(w, "merge")

        // 5. The same delta again changes nothing.
        let before = try summaryRows(w)
        try w.expectLoaded(.purchases, "p2-again.csv", delta)
        #expect(try summaryRows(w) == before)
        try expectExact(w, "identical reload")

        // 6. A return of the oldest order, a year later.
        try w.expectLoaded(.returns, "r2.csv", """
            return_id,order_id,returned_at,amount,currency,reason
            R5,O1,2025-01-15T09:00:00Z,10,EUR,late

            """)
        try expectExact(w, "old return")

        // 7. The only amount with three decimals changes to one: January's sums lose the third
        // decimal, as a sum over its orders does (100.50 + 25 + 3.1 = 128.60, not 128.600).
        try w.expectLoaded(.purchases, "p3.csv", """
            order_id,customer_id,ordered_at,amount,currency,channel
            O8,C9,2024-01-15T10:00:00Z,3.1,EUR,app

            """)
        try expectExact(w, "a scale that goes away")
        #expect(try w.runner().collect("revenue").rows.first?[4] == "128.60")

        // The merged customer, by hand: O1 100.50 (returns R1 30.25 + R5 10), O2 25, O5 75.25,
        // O7 15, S1 50 (O3, O4 cancelled; O6 stays with C9) → 5 orders, gross 100.50 + 25 +
        // 75.25 + 15 + 50 = 265.75, returned 30.25 + 10 + 5 (R3 of O7) = 45.25; first purchase
        // O1 on 2024-01-10, last S1 on 2024-07-01.
        let ann = try #require(try w.value(
            "SELECT customer_key::text FROM customer_identifiers WHERE kind = 'email' AND value = 'ann@example.com'"))
        #expect(try w.rows("""
            SELECT orders::text, gross::text, returned::text, first_purchase_at::text, last_purchase_at::text
            FROM customer_totals WHERE customer_key = $1::bigint
            """, [ann]) == [["5", "265.75", "45.25", "2024-01-10 10:00:00+00", "2024-07-01 10:00:00+00"]])
        // Its months: Jan O1 + O2 (R1 of O1 placed in March, R5 in 2025); Mar refunds R1 only;
        // Apr O5; May O7 and refunds R3; Jul S1; 2025-01 refunds R5.
        #expect(try w.rows("""
            SELECT month::text, orders::text, gross::text, returned::text, refunds::text
            FROM customer_months WHERE customer_key = $1::bigint ORDER BY month
            """, [ann]) == [
                ["2024-01-01", "2", "125.50", "40.25", "0"],
                ["2024-03-01", "0", "0", "0", "30.25"],
                ["2024-04-01", "1", "75.25", "0", "0"],
                ["2024-05-01", "1", "15", "5", "5"],
                ["2024-07-01", "1", "50", "0", "0"],
                ["2025-01-01", "0", "0", "0", "10"],
            ])
    }

    @Test("a dry run and a failed load leave the summaries as they were")
    func dryRunAndFailure() throws {
        let w = try twoOrders()
        let before = try summaryRows(w)
        let changes = """
            order_id,customer_id,ordered_at,amount,currency
            O1,A,2024-01-10T10:00:00Z,999,EUR
            O3,C,2024-03-10T10:00:00Z,5,EUR

            """
        _ = try w.load(.purchases, "p2.csv", changes) { $0.dryRun = true }
        #expect(try summaryRows(w) == before)
        // A file that fails as a whole: its required column amount is missing.
        #expect(throws: (any Error).self) {
            try w.load(.purchases, "p3.csv", changes.replacingOccurrences(of: ",amount,", with: ",price,"))
        }
        #expect(try summaryRows(w) == before)
        #expect(try w.count("customer_summary_queue") == 0 && w.count("customer_month_queue") == 0)
        try expectExact(w, "after a dry run")
    }

    /// Customers without returns are refreshed month by month: the months a delta touches are
    /// read again, the others kept, and their neighbours' repeat-buyer and churn-run columns
    /// follow.
    @Test("month refreshes keep the neighbouring months exact: runs that join and split, repeat buyers")
    func monthRefreshes() throws {
        let w = try ScratchWarehouse()
        // dan: January, March (one run with January: covered through June), September (a
        // new run). eve: 2024-02 and 2025-01 (a repeat buyer in 2025-01: February 2024 lies
        // in the 365 days before 2025-01-31).
        try w.expectLoaded(.purchases, "p1.csv", """
            order_id,customer_id,ordered_at,amount,currency
            D1,dan,2024-01-10T10:00:00Z,10,EUR
            D2,dan,2024-03-05T10:00:00Z,20,EUR
            D3,dan,2024-09-20T10:00:00Z,30,EUR
            E1,eve,2024-02-10T10:00:00Z,5,EUR
            E2,eve,2025-01-20T10:00:00Z,6,EUR

            """)
        try expectExact(w, "first load")
        let dan = try #require(try w.value("SELECT customer_key::text FROM customer_identifiers WHERE value = 'dan'"))
        let eve = try #require(try w.value("SELECT customer_key::text FROM customer_identifiers WHERE value = 'eve'"))
        func months(_ key: String) throws -> [[String?]] {
            try w.rows("""
                SELECT month::text, repeat_buyer::text, starts_run::text, ends_run::text
                FROM customer_months WHERE customer_key = $1::bigint ORDER BY month
                """, [key])
        }
        // dan's coverage: Jan → Feb..May (2024-01-10 + 90 days = 2024-04-09: April), Mar →
        // Apr..Jun (June 3rd), Sep → Oct..Dec: Jan and Mar one run (Apr ≤ April + 1 month),
        // September another (Oct > June + 1 month). Repeat buyers: Mar (Jan 10th lies in the
        // 365 days before March 31st), Sep (March 5th before September 30th).
        #expect(try months(dan) == [
            ["2024-01-01", "false", "true", "false"], ["2024-03-01", "true", "false", "true"],
            ["2024-09-01", "true", "true", "true"],
        ])
        #expect(try months(eve) == [["2024-02-01", "false", "true", "true"], ["2025-01-01", "true", "true", "true"]])

        // A delta: dan's July order joins the runs (covered Aug..Oct), March is cancelled
        // (January's run now ends, 2024-04 + 1 month < August), September's amount changes and
        // it gains two orders (its last, September 25th, + 90 days is still in December);
        // eve's February order moves to 2024-01-05, before 2025-02-01 − 365 days = 2024-02-02:
        // eve is no longer a repeat buyer in 2025-01.
        try w.expectLoaded(.purchases, "p2.csv", """
            order_id,customer_id,ordered_at,amount,currency,status
            D2,dan,2024-03-05T10:00:00Z,20,EUR,cancelled
            D3,dan,2024-09-20T10:00:00Z,31,EUR,
            D4,dan,2024-07-15T10:00:00Z,7,EUR,
            D5,dan,2024-09-20T18:00:00Z,3,EUR,
            D6,dan,2024-09-25T10:00:00Z,4,EUR,
            E1,eve,2024-01-05T10:00:00Z,5,EUR,

            """)
        try expectExact(w, "delta")
        // dan: Jan covers Feb..Apr, Jul covers Aug..Oct (Oct 13th), Sep Oct..Dec: Jan alone
        // (Aug > April + 1 month), Jul and Sep one run (Oct ≤ October + 1 month). Repeat
        // buyers: Jul (January 10th is 203 days before August 1st), Sep (July 15th).
        #expect(try months(dan) == [
            ["2024-01-01", "false", "true", "true"], ["2024-07-01", "true", "true", "false"],
            ["2024-09-01", "true", "false", "true"],
        ])
        #expect(try months(eve) == [["2024-01-01", "false", "true", "true"], ["2025-01-01", "false", "true", "true"]])
        // The predictive model's facts, from the months: dan's September has two days (20th:
        // 31 + 3, 25th: 4), 4 after its first day. dan's days: Jan 10, Jul 15, Sep 20, Sep 25
        // → 4; the repeat days' amount 7 + 31 + 3 + 4 = 45.
        func days(_ key: String) throws -> [[String?]] {
            try w.rows("""
                SELECT month::text, purchase_days::text, later_days_gross::text
                FROM customer_months WHERE customer_key = $1::bigint ORDER BY month
                """, [key])
        }
        func rfm(_ key: String) throws -> [[String?]] {
            try w.rows("SELECT first_day::text, purchase_days::text, repeat_gross::text FROM customer_rfm WHERE customer_key = $1::bigint", [key])
        }
        #expect(try days(dan) == [["2024-01-01", "1", nil], ["2024-07-01", "1", nil], ["2024-09-01", "2", "4"]])
        #expect(try rfm(dan) == [["2024-01-10", "4", "45"]])

        // dan's first order goes to eve (a re-key by hand): dan's cohort moves to July, eve's
        // January gains an order (two orders: a repeat buyer).
        try w.warehouse.connection.execute("UPDATE purchases SET customer_key = $1::bigint WHERE order_id = 'D1'", [eve])
        try expectExact(w, "a re-key")
        #expect(try months(dan) == [["2024-07-01", "false", "true", "false"], ["2024-09-01", "true", "false", "true"]])
        #expect(try months(eve).first == ["2024-01-01", "true", "true", "true"])
        // dan's first day is now July 15th, alone in its month: days Jul 15, Sep 20, Sep 25 →
        // 3; the repeat days' amount is all of September's, 31 + 3 + 4 = 38. eve: Jan 5 (5),
        // Jan 10 (10), 2025-01-20 (6) → 3 days; repeat amount January's after its first day
        // (10) + 6 = 16.
        #expect(try rfm(dan) == [["2024-07-15", "3", "38"]])
        #expect(try rfm(eve) == [["2024-01-05", "3", "16"]])
        #expect(try days(eve).first == ["2024-01-01", "2", "10"])
    }

    @Test("a fix made by hand, with another search_path, is summarized at its commit")
    func writeOutsidePatron() throws {
        let w = try twoOrders()
        let schema = try w.warehouse.connection.quoteIdentifier(w.schema)
        // As an operator's psql session would: public first, the warehouse named in full.
        try w.warehouse.connection.execute("SET search_path = public")
        try w.warehouse.connection.executeScript(unsafeSQL: """
            UPDATE \(schema).purchases SET amount = 70 WHERE order_id = 'O2';
            INSERT INTO \(schema).returns (source, return_id, order_id, returned_at, amount, currency, loaded_by_run, changed_by_run)
            VALUES ('default', 'R1', 'O1', '2024-03-01T10:00:00Z', 10, 'EUR', 1, 1);
            """)
        try w.warehouse.connection.execute("SELECT set_config('search_path', $1 || ', pg_catalog', false)", [schema])
        try expectExact(w, "a fix by hand")
        #expect(try w.value("SELECT sum(gross) - sum(returned) FROM customer_totals") == "160")
    }

    @Test("amounts in two currencies stop the summary path as they stop the raw one")
    func currencies() throws {
        let w = try ScratchWarehouse()
        try w.expectLoaded(.purchases, "p1.csv", """
            order_id,customer_id,ordered_at,amount,currency
            O1,A,2024-01-10T10:00:00Z,100,EUR
            O2,B,2024-02-10T10:00:00Z,50,USD

            """)
        for summaries in [true, false] {
            try w.warehouse.connection.execute("SELECT set_config('patron.summaries', $1, false)", [summaries ? "on" : "off"])
            #expect(throws: (any Error).self) { try w.runner().collect("revenue") }
            #expect(throws: (any Error).self) { try w.runner().collect("return_rate") }
            // Retention and repurchase_rate add up no amounts: they answer either way.
            #expect(try w.runner().collect("retention").rows.count == 3)
            #expect(try w.runner().collect("repurchase_rate").rows.count == 2)
        }
    }

    @Test("repurchase_rate, return_rate and retention --mode rolling --activity any answer from the summaries as from the raw rows")
    func ratesFromSummaries() throws {
        let w = try ScratchWarehouse()
        // A: O1 2023-12-20, O2 2024-02-10. B: O3 2024-01-05, O4 2024-04-02. C: O5 2024-03-31
        // 23:30 UTC (still March and Q1 in UTC) and O6, cancelled.
        try w.expectLoaded(.purchases, "p1.csv", """
            order_id,customer_id,ordered_at,amount,currency,status
            O1,A,2023-12-20T10:00:00Z,100,EUR,
            O2,A,2024-02-10T10:00:00Z,50,EUR,
            O3,B,2024-01-05T10:00:00Z,40,EUR,
            O4,B,2024-04-02T10:00:00Z,30,EUR,
            O5,C,2024-03-31T23:30:00Z,20,EUR,
            O6,C,2024-01-10T10:00:00Z,60,EUR,cancelled

            """)
        // R3 is a return of the cancelled O6: it counts nowhere.
        try w.expectLoaded(.returns, "r1.csv", """
            return_id,order_id,returned_at,amount,currency,reason
            R1,O1,2024-01-03T09:00:00Z,10,EUR,damaged
            R2,O3,2024-04-05T09:00:00Z,5,EUR,late
            R3,O6,2024-01-15T09:00:00Z,60,EUR,damaged
            R4,O2,2024-02-15T09:00:00Z,15,EUR,damaged

            """)
        let expected: [(String, [String: String], [[String?]])] = [
            // Quarters: 2023-Q4 A (first purchase) → 1 buyer, 0 repeat; 2024-Q1 A (O2), B (O3),
            // C (O5) → 3 buyers, A bought in 2023 → 1 repeat; 2024-Q2 B (O4), first in Q1 → 1, 1.
            ("repurchase_rate", ["period": "quarter"], [
                [nil, "2023-10-01", "1", "0", "1", "0", "t"],
                [nil, "2024-01-01", "3", "1", "2", "0.3333333333333333", "t"],
                [nil, "2024-04-01", "1", "1", "0", "1", "f"],
            ]),
            // By cohort quarter: A's cohort 2023-Q4 (Q4: new, Q1: repeat); B and C 2024-Q1 (Q1:
            // 2 new; Q2: B repeat).
            ("repurchase_rate", ["period": "quarter", "segment": "cohort"], [
                ["2023-10-01", "2023-10-01", "1", "0", "1", "0", "t"],
                ["2023-10-01", "2024-01-01", "1", "1", "0", "1", "t"],
                ["2024-01-01", "2024-01-01", "2", "0", "2", "0", "t"],
                ["2024-01-01", "2024-04-01", "1", "1", "0", "1", "f"],
            ]),
            // Quarters: 2023-Q4 O1 (100), no return; 2024-Q1 O2, O3, O5 = 3 (110), returns R1 10
            // + R4 15 = 2 (25); 2024-Q2 O4 (30), R2 (5). 2/3 and 25/110 in Q1; 1/1 and 5/30 in Q2.
            ("return_rate", ["period": "quarter"], [
                [nil, "2023-10-01", "1", "0", "100", "0", "0", "0", "t"],
                [nil, "2024-01-01", "3", "2", "110", "25", "0.6666666666666666", "0.22727272727272727", "t"],
                [nil, "2024-04-01", "1", "1", "30", "5", "1", "0.16666666666666666", "f"],
            ]),
            // Every month (Dec 2023 – Apr 2024): 5 orders, gross 240; damaged R1 + R4 = 2 (25),
            // late R2 = 1 (5) of 3 returns.
            ("return_rate", ["by": "reason"], [
                [nil, "1", "damaged", "5", "2", "240", "25", "0.4", "0.10416666666666667", "0.6666666666666666", "f"],
                [nil, "2", "late", "5", "1", "240", "5", "0.2", "0.020833333333333332", "0.3333333333333333", "f"],
            ]),
            // January – March 2024: orders O2, O3, O5 = 3 (110); R1 and R4 damaged (25).
            ("return_rate", ["by": "reason", "from": "2024-01-01", "to": "2024-04-01"], [
                [nil, "1", "damaged", "3", "2", "110", "25", "0.6666666666666666", "0.22727272727272727", "1", "t"],
            ]),
        ]
        let connection = w.warehouse.connection
        for (name, arguments, rows) in expected {
            for summaries in ["on", "off"] {
                try connection.execute("SELECT set_config('patron.summaries', $1, false)", [summaries])
                #expect(try w.runner().collect(name, arguments).rows == rows, "\(name) \(arguments), summaries \(summaries)")
            }
        }
        // The fast paths read the roll-ups indeed: a roll-up changed by hand changes their
        // answer (and only theirs), until it is changed back.
        try connection.execute("SELECT set_config('patron.summaries', 'on', false)")
        try connection.execute("UPDATE month_totals SET orders = orders + 1000 WHERE month = '2024-04-01'")
        #expect(try w.runner().collect("return_rate", ["period": "quarter"]).rows.last?[2] == "1001")
        try connection.execute("UPDATE month_totals SET orders = orders - 1000 WHERE month = '2024-04-01'")
        try connection.execute("UPDATE cohort_month_buyers SET buyers = buyers + 1000 WHERE month = '2024-04-01'")
        #expect(try w.runner().collect("repurchase_rate").rows.last?[2] == "1001")
        try connection.execute("SELECT set_config('patron.summaries', 'off', false)")
        #expect(try w.runner().collect("repurchase_rate").rows.last?[2] == "1")
        try connection.execute("UPDATE cohort_month_buyers SET buyers = buyers - 1000 WHERE month = '2024-04-01'")

        // retention --mode rolling --activity any: C answers a survey in 2024-Q3, so periods run
        // to Q3 (the data horizon, Jul 15, ends Q2: complete through Q2). Last touches: A Q1
        // (O2), B Q2 (O4), C Q3 (the survey). Cohort 2023-Q4 (A): 1, 1, 0, 0; cohort 2024-Q1
        // (B, C): Q1 2, Q2 2 (B's last, C later), Q3 1 (C); the empty cohorts Q2 and Q3: 0.
        try w.expectLoaded(.surveys, "s1.csv", """
            response_id,customer_id,kind,score,responded_at
            N1,C,nps,9,2024-07-15T10:00:00Z

            """)
        let rolling: [[String?]] = [
            [nil, "2023-10-01", "1", "0", "2023-10-01", "1", "1", "t"],
            [nil, "2023-10-01", "1", "1", "2024-01-01", "1", "1", "t"],
            [nil, "2023-10-01", "1", "2", "2024-04-01", "0", "0", "t"],
            [nil, "2023-10-01", "1", "3", "2024-07-01", "0", "0", "f"],
            [nil, "2024-01-01", "2", "0", "2024-01-01", "2", "1", "t"],
            [nil, "2024-01-01", "2", "1", "2024-04-01", "2", "1", "t"],
            [nil, "2024-01-01", "2", "2", "2024-07-01", "1", "0.5", "f"],
            [nil, "2024-04-01", "0", "0", "2024-04-01", "0", nil, "t"],
            [nil, "2024-04-01", "0", "1", "2024-07-01", "0", nil, "f"],
            [nil, "2024-07-01", "0", "0", "2024-07-01", "0", nil, "f"],
        ]
        for summaries in ["on", "off"] {
            try connection.execute("SELECT set_config('patron.summaries', $1, false)", [summaries])
            #expect(try w.runner().collect("retention", ["mode": "rolling", "activity": "any", "period": "quarter"]).rows
                    == rolling, "retention rolling any, summaries \(summaries)")
        }
        // … and it reads customer_totals: a last purchase moved by hand moves B's last touch.
        try connection.execute("SELECT set_config('patron.summaries', 'on', false)")
        try connection.execute("UPDATE customer_totals SET last_purchase_at = last_purchase_at - interval '1 month' WHERE orders = 2 AND last_purchase_at >= '2024-04-01'")
        #expect(try w.runner().collect("retention", ["mode": "rolling", "activity": "any", "period": "quarter"]).rows[5][5] == "1")
        try connection.execute("UPDATE customer_totals SET last_purchase_at = last_purchase_at + interval '1 month' WHERE orders = 2 AND last_purchase_at >= '2024-03-01' AND last_purchase_at < '2024-04-01'")
    }

    /// A warehouse holding two orders of two customers, A and B.
    func twoOrders() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.expectLoaded(.purchases, "p1.csv", """
            order_id,customer_id,ordered_at,amount,currency
            O1,A,2024-01-10T10:00:00Z,100,EUR
            O2,B,2024-02-10T10:00:00Z,50,EUR

            """)
        return w
    }

    /// The summary tables as text, in a stable order.
    func summaryRows(_ w: ScratchWarehouse) throws -> [String] {
        try w.rows("""
            SELECT 'm' || m::text FROM customer_months AS m UNION ALL SELECT 't' || t::text FROM customer_totals AS t
            UNION ALL SELECT 'c' || c::text FROM churn_events AS c UNION ALL SELECT 'r' || r::text FROM customer_rfm AS r
            ORDER BY 1
            """)
            .map { $0[0] ?? "" }
    }

    /// The three checks of the suite's description.
    func expectExact(_ w: ScratchWarehouse, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try w.count("customer_summary_queue") == 0 && w.count("customer_month_queue") == 0, "\(step): customers left queued", sourceLocation: sourceLocation)
        let stored = try summaryRows(w)
        // A rebuild of every customer, in a transaction rolled back afterwards.
        let connection = w.warehouse.connection
        try connection.execute("BEGIN")
        try connection.execute("INSERT INTO customer_summary_queue SELECT array_agg(customer_key) FROM customers")
        try connection.execute("SELECT refresh_customer_summaries()")
        let rebuilt = try summaryRows(w)
        try connection.execute("ROLLBACK")
        #expect(stored == rebuilt, "\(step): the summaries differ from a rebuild", sourceLocation: sourceLocation)
        #expect(!stored.isEmpty, sourceLocation: sourceLocation)
        // The roll-ups, kept by adding and subtracting, equal the sums of the rows they roll up
        // (as text: the same scales too).
        let rollUps: [(String, String)] = [
            ("""
             SELECT month::text, sum(customer_months)::text, sum(buyers)::text, sum(orders)::text, sum(gross)::text,
                    sum(returned)::text, sum(refunds)::text FROM month_totals GROUP BY month ORDER BY month
             """, """
             SELECT month::text, count(*)::text, (count(*) FILTER (WHERE orders > 0))::text, sum(orders)::text,
                    sum(gross)::text, sum(returned)::text, sum(refunds)::text FROM customer_months GROUP BY month ORDER BY month
             """),
            ("SELECT cohort::text, month::text, buyers::text, repeat_buyers::text FROM cohort_month_buyers ORDER BY 1, 2", """
             SELECT date_trunc('month', first_purchase_at AT TIME ZONE 'UTC')::date::text, month::text, count(*)::text,
                    (count(*) FILTER (WHERE repeat_buyer))::text
             FROM customer_months WHERE orders > 0 GROUP BY 1, 2 ORDER BY 1, 2
             """),
            ("SELECT cohort::text, last_month::text, buyers::text FROM cohort_last_purchases ORDER BY 1, 2", """
             SELECT date_trunc('month', first_purchase_at AT TIME ZONE 'UTC')::date::text,
                    date_trunc('month', last_purchase_at AT TIME ZONE 'UTC')::date::text, count(*)::text
             FROM customer_totals GROUP BY 1, 2 ORDER BY 1, 2
             """),
            ("SELECT currency::text, buyers::text FROM summary_currencies ORDER BY 1", """
             SELECT c::text, count(*)::text FROM customer_totals,
                    LATERAL (SELECT min_currency UNION SELECT max_currency) AS x(c) GROUP BY 1 ORDER BY 1
             """),
        ]
        for (rolled, summed) in rollUps {
            #expect(try w.rows(rolled) == w.rows(summed), "\(step): \(rolled)", sourceLocation: sourceLocation)
        }

        // The predictive model's input (the fit itself needs more customers than these).
        for arguments in Self.comparedRFMArguments {
            let runner = try w.runner()
            try connection.execute("SELECT set_config('patron.summaries', 'on', false)")
            let fast = try runner.runStatement("rfm_summary", of: try runner.prepare("clv", arguments))
            try connection.execute("SELECT set_config('patron.summaries', 'off', false)")
            let raw = try runner.runStatement("rfm_summary", of: try runner.prepare("clv", arguments))
            try connection.execute("SELECT set_config('patron.summaries', 'on', false)")
            // In customer order, as the engine fits on them (the step has no ORDER BY; customer_rfm's
            // physical order changes with the loads).
            let text = { (result: QueryResult) in
                result.rows.map { row in (0..<row.count).map { row[$0] } }.sorted { Int64($0[0]!)! < Int64($1[0]!)! }
            }
            #expect(text(fast) == text(raw), "\(step): rfm_summary \(arguments) from customer_rfm differs from the orders",
                    sourceLocation: sourceLocation)
            #expect(raw.rowCount > 0, sourceLocation: sourceLocation)
        }

        for (name, arguments) in Self.comparedRuns {
            try connection.execute("SELECT set_config('patron.summaries', 'on', false)")
            let fast = try w.runner().collect(name, arguments)
            try connection.execute("SELECT set_config('patron.summaries', 'off', false)")
            let raw = try w.runner().collect(name, arguments)
            try connection.execute("SELECT set_config('patron.summaries', 'on', false)")
            #expect(fast.columns == raw.columns && fast.rows == raw.rows,
                    "\(step): \(name) \(arguments) from the summaries differs from the raw rows:\n\(fast.rows)\n\(raw.rows)",
                    sourceLocation: sourceLocation)
            #expect(!raw.rows.isEmpty, sourceLocation: sourceLocation)
        }
    }
}
