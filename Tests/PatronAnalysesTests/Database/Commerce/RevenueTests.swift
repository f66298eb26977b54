import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

/// A small shop, January–March 2024 (UTC).
///
///     order  customer  ordered_at          amount  channel  status     returns
///     A1     A (DE)    Jan 10              100     web                 R1 20 on Jan 25, R2 30 on Feb 10 (two partial)
///     A2     A         Feb 5               60      store
///     B1     B (FR)    Jan 20              40      web                 R3 40 on Feb 1 (full)
///     B2     B         Feb 15              200     web      cancelled  R4 200 on Feb 20 (ignored: cancelled order)
///     C1     C         Mar 1 00:00         30      web                 (R5 5 on Mar 5 of order Z9, not loaded: ignored)
///
/// Data horizon: Mar 5 (R5's returned_at), so March is incomplete.
enum RevenueShop {
    static func warehouse() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.commerceLoad(.customers, "customers.csv", "customer_id,country\nA,DE\nB,FR\n")
        try w.commerceLoad(.purchases, "purchases.csv", """
            order_id,customer_id,ordered_at,amount,currency,channel,status
            A1,A,2024-01-10T10:00:00Z,100,EUR,web,
            A2,A,2024-02-05T10:00:00Z,60,EUR,store,
            B1,B,2024-01-20T10:00:00Z,40,EUR,web,
            B2,B,2024-02-15T10:00:00Z,200,EUR,web,cancelled
            C1,C,2024-03-01T00:00:00Z,30,EUR,web,

            """)
        try w.commerceLoad(.returns, "returns.csv", """
            return_id,order_id,customer_id,returned_at,amount,currency,reason
            R1,A1,,2024-01-25T10:00:00Z,20,EUR,damaged
            R2,A1,,2024-02-10T10:00:00Z,30,EUR,too small
            R3,B1,,2024-02-01T10:00:00Z,40,EUR,damaged
            R4,B2,,2024-02-20T10:00:00Z,200,EUR,damaged
            R5,Z9,C,2024-03-05T10:00:00Z,5,EUR,damaged

            """)
        return w
    }
}

@Suite("revenue")
struct CommerceRevenueTests {
    @Test("orders, gross, net of all returns to date, refunds by returned_at, AOV")
    func overall() throws {
        let w = try RevenueShop.warehouse()
        let r = try w.commerceAnalysis("revenue")
        #expect(r.columns == ["segment", "period", "orders", "customers", "gross", "net_revenue", "refunds", "aov", "complete"])
        #expect(r.values("period") == ["2024-01-01", "2024-02-01", "2024-03-01"])
        // Jan: A1, B1 → 2 orders, 2 customers, gross 100 + 40 = 140.
        //      net: A1 100 − 20 − 30 (R2 is in Feb but still nets A1) = 50; B1 40 − 40 = 0 → 50.
        //      refunds made in Jan: R1 20. aov 140 / 2 = 70.
        // Feb: A2 (B2 cancelled) → 1 order, gross 60, net 60; refunds R2 30 + R3 40 = 70 (R4 of the
        //      cancelled order ignored); aov 60.
        // Mar: C1 at Mar 1 00:00 → 1 order, gross 30, net 30; refunds 0 (R5's order is not
        //      loaded); aov 30.
        #expect(r.values("orders") == ["2", "1", "1"])
        #expect(r.values("customers") == ["2", "1", "1"])
        expectCommerceClose(r.numbers("gross"), [140, 60, 30], "gross")
        expectCommerceClose(r.numbers("net_revenue"), [50, 60, 30], "net_revenue")
        expectCommerceClose(r.numbers("refunds"), [20, 70, 0], "refunds")
        expectCommerceClose(r.numbers("aov"), [70, 60, 30], "aov")
        #expect(r.values("complete") == ["t", "t", "f"])
    }

    @Test("--segment channel follows the order (a refund too); country the customer profile")
    func segments() throws {
        let w = try RevenueShop.warehouse()
        let byChannel = try w.commerceAnalysis("revenue", ["segment": "channel"])
        // store: Feb A2 60. web: Jan A1 + B1; Feb no orders but refunds R2 30 + R3 40 (web
        // orders); Mar C1 30. Only segment × period pairs with data are listed.
        let store = byChannel.only("segment", "store")
        #expect(store.values("period") == ["2024-02-01"])
        expectCommerceClose(store.numbers("gross"), [60], "store gross")
        expectCommerceClose(store.numbers("refunds"), [0], "store refunds")
        let web = byChannel.only("segment", "web")
        #expect(web.values("period") == ["2024-01-01", "2024-02-01", "2024-03-01"])
        #expect(web.values("orders") == ["2", "0", "1"])
        expectCommerceClose(web.numbers("net_revenue"), [50, 0, 30], "web net")
        expectCommerceClose(web.numbers("refunds"), [20, 70, 0], "web refunds")
        expectCommerceClose(web.numbers("aov"), [70, nil, 30], "web aov (no orders in Feb: empty)")
        #expect(byChannel.rows.count == 4)

        let byCountry = try w.commerceAnalysis("revenue", ["segment": "country"])
        // DE = A: Jan A1 (net 50, refund R1 20); Feb A2 60 (refund R2 30).
        // FR = B: Jan B1 40 (net 0); Feb refund R3 40 without orders.
        // (unknown) = C: Mar C1 30.
        let de = byCountry.only("segment", "DE")
        expectCommerceClose(de.numbers("gross"), [100, 60], "DE gross")
        expectCommerceClose(de.numbers("net_revenue"), [50, 60], "DE net")
        expectCommerceClose(de.numbers("refunds"), [20, 30], "DE refunds")
        let fr = byCountry.only("segment", "FR")
        #expect(fr.values("orders") == ["1", "0"])
        expectCommerceClose(fr.numbers("net_revenue"), [0, 0], "FR net")
        expectCommerceClose(fr.numbers("refunds"), [0, 40], "FR refunds")
        let unknown = byCountry.only("segment", "(unknown)")
        #expect(unknown.values("period") == ["2024-03-01"])
        expectCommerceClose(unknown.numbers("gross"), [30], "unknown gross")
    }

    @Test("a return loaded before its order counts once the order arrives")
    func lateOrder() throws {
        let w = try RevenueShop.warehouse()
        try w.commerceLoad(.purchases, "late.csv", "order_id,customer_id,ordered_at,amount,currency\nZ9,C,2024-03-02T10:00:00Z,50,EUR\n")
        let r = try w.commerceAnalysis("revenue", ["from": "2024-03-01"])
        // March: C1 30 + Z9 50 = 80 gross over 2 orders, one customer; Z9 net 50 − 5 = 45 → 75;
        // refunds: R5 5 now counts.
        #expect(r.values("period") == ["2024-03-01"])
        #expect(r.values("orders") == ["2"])
        #expect(r.values("customers") == ["1"])
        expectCommerceClose(r.numbers("gross"), [80], "gross")
        expectCommerceClose(r.numbers("net_revenue"), [75], "net")
        expectCommerceClose(r.numbers("refunds"), [5], "refunds")
        expectCommerceClose(r.numbers("aov"), [40], "aov")
    }
}
