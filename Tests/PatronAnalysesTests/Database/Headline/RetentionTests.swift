import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("retention")
struct RetentionTests {
    // Cohorts (first valid purchase, monthly UTC): Jan {A, B} (size 2), Feb {C, E} (size 2),
    // Mar and Apr none (size 0). D bought only a cancelled order: no cohort. Periods run from
    // January (first purchase) to April (last activity); April ends after the horizon
    // (Apr 15), so every cell in April is incomplete.

    @Test("mode on, purchases: retained = cohort customers with a purchase in period c+k")
    func onPurchases() throws {
        let w = try ShopFixture.warehouse()
        let r = AnalysisResult(try w.runner().collect("retention", [:]))
        #expect(r.columns == ["segment", "cohort", "cohort_size", "period_offset", "period", "retained", "retention_rate", "complete"])
        // Jan cohort: k0 Jan {A, B} = 2; k1 Feb {A} = 1; k2 Mar {B} = 1; k3 Apr {A} = 1.
        // Feb cohort: k0 Feb {C, E} = 2; k1 Mar none (C's March order is cancelled) = 0; k2 Apr 0.
        // Mar cohort: empty, k0, k1; Apr cohort: empty, k0.
        #expect(r.column("cohort") == ["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01",
                                       "2024-02-01", "2024-02-01", "2024-02-01",
                                       "2024-03-01", "2024-03-01", "2024-04-01"])
        #expect(r.column("period_offset") == ["0", "1", "2", "3", "0", "1", "2", "0", "1", "0"])
        #expect(r.column("cohort_size") == ["2", "2", "2", "2", "2", "2", "2", "0", "0", "0"])
        #expect(r.column("retained") == ["2", "1", "1", "1", "2", "0", "0", "0", "0", "0"])
        // rate = retained / size; empty cohorts give NULL, never 0.
        expectNumbers(r.numbers("retention_rate"), [1, 0.5, 0.5, 0.5, 1, 0, 0, nil, nil, nil], "retention_rate")
        // Complete while c+k ends by Apr 15: Jan, Feb, Mar yes; Apr no.
        #expect(r.column("complete") == ["t", "t", "t", "f", "t", "t", "f", "t", "f", "f"])
        #expect(r.column("segment").allSatisfy { $0 == nil })
    }

    @Test("mode rolling: active in c+k or any later period")
    func rolling() throws {
        let w = try ShopFixture.warehouse()
        let r = AnalysisResult(try w.runner().collect("retention", ["mode": "rolling"]))
        // Last active period: A Apr, B Mar, C Feb, E Feb.
        // Jan cohort: k0 2, k1 (Feb or later: A, B) 2, k2 (Mar or later: A, B) 2, k3 (Apr: A) 1.
        // Feb cohort: k0 2, k1 (Mar or later) 0, k2 0.
        #expect(r.column("retained") == ["2", "2", "2", "1", "2", "0", "0", "0", "0", "0"])
        expectNumbers(r.numbers("retention_rate"), [1, 1, 1, 0.5, 1, 0, 0, nil, nil, nil], "retention_rate")
    }

    @Test("activity any counts tickets and survey answers")
    func activityAny() throws {
        let w = try ShopFixture.warehouse()
        let r = AnalysisResult(try w.runner().collect("retention", ["activity": "any"]))
        // As purchases-only, except E's ticket of Mar 10: Feb cohort k1 (Mar) = 1 → 0.5.
        // A's survey answers (Feb 15, Apr 15) fall in periods where A bought anyway.
        #expect(r.column("retained") == ["2", "1", "1", "1", "2", "1", "0", "0", "0", "0"])
    }

    @Test("--from/--to bound the cohorts and periods reported, not the history")
    func range() throws {
        let w = try ShopFixture.warehouse()
        let r = AnalysisResult(try w.runner().collect("retention", ["from": "2024-02-01", "to": "2024-04-01"]))
        // Periods Feb, Mar. Feb cohort: k0 2, k1 0; Mar cohort: k0 0 (NULL rate).
        #expect(r.column("cohort") == ["2024-02-01", "2024-02-01", "2024-03-01"])
        #expect(r.column("retained") == ["2", "0", "0"])
    }

    @Test("--pivot: one row per cohort, one column per offset, last complete offset")
    func pivot() throws {
        let w = try ShopFixture.warehouse()
        let r = AnalysisResult(try w.runner().collect("retention", ["pivot": "true"]))
        #expect(r.columns == ["segment", "cohort", "cohort_size", "complete_through",
                              "period_offset_0", "period_offset_1", "period_offset_2", "period_offset_3"])
        #expect(r.column("cohort") == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
        // Jan: 1, 0.5, 0.5, 0.5 (k3 = April incomplete → complete through k2).
        // Feb: 1, 0, 0 (complete through k1); Mar: empty (complete through k0); Apr: nothing complete.
        expectNumbers(r.numbers("period_offset_0"), [1, 1, nil, nil], "k0")
        expectNumbers(r.numbers("period_offset_1"), [0.5, 0, nil, nil], "k1")
        expectNumbers(r.numbers("period_offset_2"), [0.5, 0, nil, nil], "k2")
        expectNumbers(r.numbers("period_offset_3"), [0.5, nil, nil, nil], "k3")
        #expect(r.column("complete_through") == ["2", "1", "0", nil])
    }

    @Test("--segment country splits cohorts; only pairs with buyers are listed")
    func segment() throws {
        let w = try ShopFixture.warehouse()
        try w.expectLoaded(.customers, "customers.csv", "customer_id,country\nA,DE\nB,FR\nC,DE\n")
        let r = AnalysisResult(try w.runner().collect("retention", ["segment": "country"]))
        // (unknown): E (Feb cohort): k0 1, k1 0, k2 0.
        // DE: A (Jan): 1, 1 (Feb), 0 (Mar), 1 (Apr); C (Feb): 1, 0, 0.  FR: B (Jan): 1, 0, 1, 0.
        #expect(r.column("segment") == ["(unknown)", "(unknown)", "(unknown)", "DE", "DE", "DE", "DE", "DE", "DE", "DE",
                                        "FR", "FR", "FR", "FR"])
        #expect(r.column("retained") == ["1", "0", "0", "1", "1", "0", "1", "1", "0", "0", "1", "0", "1", "0"])
    }

    @Test("--segment channel: the channel of the first purchase")
    func segmentChannel() throws {
        let w = try ShopFixture.warehouse()
        // A's first order A1 becomes "store", B's first "web"; C and E have none → (unknown).
        try w.expectLoaded(.purchases, "channels.csv", """
            order_id,customer_id,ordered_at,amount,currency,channel
            A1,A,2024-01-05T10:00:00Z,100,EUR,store
            A2,A,2024-02-10T10:00:00Z,50,EUR,web
            B1,B,2024-01-20T10:00:00Z,40,EUR,web

            """)
        let r = AnalysisResult(try w.runner().collect("retention", ["segment": "channel"])).filter("period_offset", "0")
        #expect(r.column("segment") == ["(unknown)", "store", "web"])
        #expect(r.column("cohort") == ["2024-02-01", "2024-01-01", "2024-01-01"])
        #expect(r.column("cohort_size") == ["2", "1", "1"])
    }

    @Test("weeks in a time zone: cohorts are local ISO weeks")
    func weeksInTimeZone() throws {
        let w = try ShopFixture.warehouse()
        try w.expectLoaded(.purchases, "late.csv", "order_id,customer_id,ordered_at,amount,currency\nZ1,Z,2024-05-05T23:30:00Z,1,EUR\n")
        // Sunday May 5 23:30 UTC is Monday May 6 01:30 in Berlin: the week of May 6 there,
        // the week of Apr 29 in UTC.
        let berlin = AnalysisResult(try w.runner().collect("retention", ["period": "week", "tz": "Europe/Berlin", "from": "2024-04-29"]))
        #expect(berlin.filter("period_offset", "0").filter("cohort_size", "1").column("cohort") == ["2024-05-06"])
        let utc = AnalysisResult(try w.runner().collect("retention", ["period": "week", "from": "2024-04-29"]))
        #expect(utc.filter("period_offset", "0").filter("cohort_size", "1").column("cohort") == ["2024-04-29"])
    }
}
