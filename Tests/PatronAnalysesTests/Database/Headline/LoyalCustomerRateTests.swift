import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("loyal_customer_rate")
struct LoyalCustomerRateTests {
    @Test("repeat buyers, the NPS detractor rule and promoter share (min 2 orders, 365 days)")
    func shop() throws {
        let w = try ShopFixture.warehouse()
        let r = AnalysisResult(try w.runner().collect("loyal_customer_rate", [:]))
        #expect(r.columns == ["segment", "period", "buyers", "repeat", "loyal", "nps_answered", "promoters",
                              "repeat_rate", "loyal_rate", "promoter_share", "complete"])
        // Jan (e = Feb 1): buyers A, B; each has 1 order in [Feb 1 2023, Feb 1 2024) → repeat 0.
        // Feb (e = Mar 1): buyers A, C, E; A has A1, A2 → repeat 1 (C's one valid order, E one).
        //   A's latest NPS before Mar 1 is 5 (Feb 15): a detractor → loyal 0.
        // Mar (e = Apr 1): buyer B with B1, B2, B3 → repeat; B never answered NPS → loyal 1,
        //   nps_answered 0 → promoter_share NULL.
        // Apr (e = May 1): buyer A with A1, A2, A3 → repeat; latest NPS before May 1 is 9
        //   (Apr 15) → loyal, promoter: share 1/1.
        #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
        #expect(r.column("buyers") == ["2", "3", "1", "1"])
        #expect(r.column("repeat") == ["0", "1", "1", "1"])
        #expect(r.column("loyal") == ["0", "0", "1", "1"])
        #expect(r.column("nps_answered") == ["0", "0", "0", "1"])
        #expect(r.column("promoters") == ["0", "0", "0", "1"])
        expectNumbers(r.numbers("repeat_rate"), [0, 1.0 / 3, 1, 1], "repeat_rate")
        expectNumbers(r.numbers("loyal_rate"), [0, 0, 1, 1], "loyal_rate")
        expectNumbers(r.numbers("promoter_share"), [nil, nil, nil, 1], "promoter_share")
        #expect(r.column("complete") == ["t", "t", "t", "f"])
    }

    @Test("--lookback and --min-orders")
    func lookbackAndMinOrders() throws {
        let w = try ShopFixture.warehouse()
        // --lookback 30: February's window is [Jan 31, Mar 1): A has only A2 → not repeat.
        // March's [Mar 2, Apr 1): B2, B3 (same day, two orders) → repeat.
        let short = AnalysisResult(try w.runner().collect("loyal_customer_rate", ["lookback": "30"]))
        #expect(short.column("repeat") == ["0", "0", "1", "0"])
        // April [Apr 1, May 1): A3 only → not repeat.
        // --min-orders 3: only B in March (3 orders) and A in April (3 orders).
        let three = AnalysisResult(try w.runner().collect("loyal_customer_rate", ["min_orders": "3"]))
        #expect(three.column("repeat") == ["0", "0", "1", "1"])
        // --min-orders 1: every buyer is a repeat buyer; A in February is still a detractor.
        let one = AnalysisResult(try w.runner().collect("loyal_customer_rate", ["min_orders": "1"]))
        #expect(one.column("repeat") == ["2", "3", "1", "1"])
        #expect(one.column("loyal") == ["2", "2", "1", "1"])
    }
}
