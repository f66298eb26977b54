import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("return_rate")
struct CommerceReturnRateTests {
    @Test("returns made in the period per order placed in it; a second partial return counts again")
    func perPeriod() throws {
        let w = try RevenueShop.warehouse()
        let r = try w.commerceAnalysis("return_rate")
        #expect(r.columns == ["segment", "period", "orders", "returns", "gross", "refunds", "return_rate", "refund_rate", "complete"])
        // Jan: orders A1, B1 = 2 (gross 140); returns R1 = 1 (20) → 1/2, 20/140.
        // Feb: orders A2 = 1 (gross 60); returns R2 (A1's second partial return), R3 = 2 (70);
        //      R4 of the cancelled B2 ignored → 2/1, 70/60.
        // Mar: C1 = 1 (30); R5's order is not loaded → 0 returns → 0/1, 0/30.
        #expect(r.values("orders") == ["2", "1", "1"])
        #expect(r.values("returns") == ["1", "2", "0"])
        expectCommerceClose(r.numbers("refunds"), [20, 70, 0], "refunds")
        expectCommerceClose(r.numbers("return_rate"), [0.5, 2, 0], "return_rate")
        expectCommerceClose(r.numbers("refund_rate"), [20.0 / 140, 70.0 / 60, 0], "refund_rate")
    }

    @Test("--by reason ranks reasons by count, then refunded amount, over the reported range")
    func byReason() throws {
        let w = try RevenueShop.warehouse()
        try w.commerceLoad(.returns, "more.csv", """
            return_id,order_id,returned_at,amount,currency,reason
            R6,A2,2024-02-20T10:00:00Z,10,EUR,late
            R7,C1,2024-03-02T10:00:00Z,35,EUR,too small
            R8,A2,2024-02-21T10:00:00Z,5,EUR,

            """)
        let r = try w.commerceAnalysis("return_rate", ["by": "reason"])
        #expect(r.columns == ["segment", "rank", "reason", "orders", "returns", "gross", "refunds", "return_rate",
                              "refund_rate", "share_of_returns", "complete"])
        // Counted returns, Jan–Mar: damaged R1 20 + R3 40 = 2 returns, 60; too small R2 30 + R7 35
        // = 2, 65; late R6 = 1, 10; (none) R8 = 1, 5 (R4 and R5 ignored as above).
        // Ties on count are broken by amount: too small (65) before damaged (60), late (10)
        // before (none) (5) — the opposite of alphabetical order.
        #expect(r.values("reason") == ["too small", "damaged", "late", "(none)"])
        #expect(r.values("rank") == ["1", "2", "3", "4"])
        #expect(r.values("returns") == ["2", "2", "1", "1"])
        expectCommerceClose(r.numbers("refunds"), [65, 60, 10, 5], "refunds")
        // Orders of the range: A1, A2, B1, C1 = 4, gross 230; 6 returns in all.
        #expect(r.values("orders") == ["4", "4", "4", "4"])
        expectCommerceClose(r.numbers("return_rate"), [0.5, 0.5, 0.25, 0.25], "return_rate")
        expectCommerceClose(r.numbers("refund_rate"), [65.0 / 230, 60.0 / 230, 10.0 / 230, 5.0 / 230], "refund_rate")
        expectCommerceClose(r.numbers("share_of_returns"), [2.0 / 6, 2.0 / 6, 1.0 / 6, 1.0 / 6], "share")
        #expect(r.values("complete") == ["f", "f", "f", "f"])

        // February only: R2 too small 30, R3 damaged 40, R6 late 10, R8 (none) 5: one each,
        // so the amount decides; orders: A2 only.
        let feb = try w.commerceAnalysis("return_rate", ["by": "reason", "from": "2024-02-01", "to": "2024-03-01"])
        #expect(feb.values("reason") == ["damaged", "too small", "late", "(none)"])
        #expect(feb.values("orders") == ["1", "1", "1", "1"])
        #expect(feb.values("complete") == ["t", "t", "t", "t"])
    }
}
