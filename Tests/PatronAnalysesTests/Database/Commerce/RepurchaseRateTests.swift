import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("repurchase_rate")
struct CommerceRepurchaseRateTests {
    /// P: Jan 15, Feb 1 00:00 (exactly at the February start), Mar 5.
    /// Q: Feb 1 00:00 (first purchase exactly at the start), Feb 20, Mar 10.
    /// R: Jan 31 23:59:59, Feb 10.
    /// S: a cancelled order Jan 5 (not a purchase), then Feb 12.
    static func warehouse() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.commerceLoad(.purchases, "purchases.csv", """
            order_id,customer_id,ordered_at,amount,currency,channel,status
            P1,P,2024-01-15T10:00:00Z,10,EUR,web,
            P2,P,2024-02-01T00:00:00Z,10,EUR,web,
            P3,P,2024-03-05T10:00:00Z,10,EUR,web,
            Q1,Q,2024-02-01T00:00:00Z,10,EUR,store,
            Q2,Q,2024-02-20T10:00:00Z,10,EUR,web,
            Q3,Q,2024-03-10T10:00:00Z,10,EUR,web,
            R1,R,2024-01-31T23:59:59Z,10,EUR,store,
            R2,R,2024-02-10T10:00:00Z,10,EUR,store,
            S0,S,2024-01-05T10:00:00Z,10,EUR,web,cancelled
            S1,S,2024-02-12T10:00:00Z,10,EUR,web,

            """)
        return w
    }

    @Test("bought before means before the period starts; a purchase exactly at the start is in the period")
    func boundary() throws {
        let w = try Self.warehouse()
        let r = try w.commerceAnalysis("repurchase_rate")
        #expect(r.columns == ["segment", "period", "buyers", "repeat_buyers", "new_buyers", "repurchase_rate", "complete"])
        // Jan: buyers P (Jan 15), R (Jan 31 23:59:59) = 2; nobody bought before Jan 1 → 0 / 2.
        //      (S's cancelled order makes no buyer.)
        // Feb: buyers P, Q, R, S = 4. Repeat: P (first Jan 15), R (first Jan 31) = 2. Q's first
        //      purchase is exactly Feb 1 00:00 = s: not before s, so new even though Q buys again
        //      on Feb 20; S's first purchase is Feb 12 (the cancelled one does not count) → 2 / 4.
        // Mar: buyers P, Q = 2, both bought before Mar 1 → 2 / 2.
        #expect(r.values("period") == ["2024-01-01", "2024-02-01", "2024-03-01"])
        #expect(r.values("buyers") == ["2", "4", "2"])
        #expect(r.values("repeat_buyers") == ["0", "2", "2"])
        #expect(r.values("new_buyers") == ["2", "2", "0"])
        expectCommerceClose(r.numbers("repurchase_rate"), [0, 0.5, 1], "repurchase_rate")
        #expect(r.values("complete") == ["t", "t", "f"])
    }

    @Test("history before --from still counts as bought before; --segment cohort")
    func fromAndSegment() throws {
        let w = try Self.warehouse()
        let r = try w.commerceAnalysis("repurchase_rate", ["from": "2024-02-01", "to": "2024-03-01"])
        // Only February is reported; P's and R's January purchases still make them repeat buyers.
        #expect(r.values("period") == ["2024-02-01"])
        expectCommerceClose(r.numbers("repurchase_rate"), [0.5], "repurchase_rate")

        let byCohort = try w.commerceAnalysis("repurchase_rate", ["segment": "cohort"])
        // Cohort Jan (P, R): Jan 2 buyers, 0 repeat; Feb P, R: 2 repeat; Mar P: 1 repeat.
        // Cohort Feb (Q, S): Feb 2 buyers, 0 repeat; Mar Q: 1 repeat.
        let jan = byCohort.only("segment", "2024-01-01")
        #expect(jan.values("buyers") == ["2", "2", "1"])
        expectCommerceClose(jan.numbers("repurchase_rate"), [0, 1, 1], "January cohort")
        let feb = byCohort.only("segment", "2024-02-01")
        #expect(feb.values("period") == ["2024-02-01", "2024-03-01"])
        expectCommerceClose(feb.numbers("repurchase_rate"), [0, 1], "February cohort")

        try w.commerceLoad(.customers, "customers.csv", "customer_id,country\nP,DE\nQ,DE\n")
        let byCountry = try w.commerceAnalysis("repurchase_rate", ["segment": "country"])
        // DE (P, Q): Jan P → 0/1; Feb P (repeat), Q (new) → 1/2; Mar P, Q → 2/2.
        // (unknown) (R, S): Jan R → 0/1; Feb R (repeat), S (new) → 1/2; no March purchase: not listed.
        expectCommerceClose(byCountry.only("segment", "DE").numbers("repurchase_rate"), [0, 0.5, 1], "DE")
        #expect(byCountry.only("segment", "(unknown)").values("period") == ["2024-01-01", "2024-02-01"])
        expectCommerceClose(byCountry.only("segment", "(unknown)").numbers("repurchase_rate"), [0, 0.5], "unknown")
    }

    @Test("periods are local in --tz: Feb 1 00:00 UTC is still January in New York")
    func timeZone() throws {
        let w = try Self.warehouse()
        let r = try w.commerceAnalysis("repurchase_rate", ["tz": "America/New_York"])
        // Local times (UTC−5): P Jan 15, Jan 31 19:00, Mar 5; Q Jan 31 19:00, Feb 20, Mar 10;
        // R Jan 31 18:59:59, Feb 10; S Feb 12.
        // Jan: P, Q, R → 3 buyers, nobody before Jan 1 → 0.
        // Feb: Q (Feb 20), R (Feb 10), S (Feb 12) → 3; Q and R bought in January → 2 / 3.
        // Mar: P, Q → 2 / 2.
        #expect(r.values("buyers") == ["3", "3", "2"])
        expectCommerceClose(r.numbers("repurchase_rate"), [0, 2.0 / 3, 1], "repurchase_rate")
    }
}
