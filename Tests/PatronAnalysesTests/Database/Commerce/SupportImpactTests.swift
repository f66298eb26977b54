import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

/// The support_impact journey, 2024, UTC, --window 30. The period of interest is March
/// [Mar 1, Apr 1): active at Mar 1 = a purchase in [Jan 31, Mar 1); support window = [Jan 31,
/// Mar 1); active at Apr 1 = a purchase in [Mar 2, Apr 1).
///
///     cust  purchases (amount)          support in the window / notes                 March segment
///     N1    Feb 10 (10), Mar 15 (10)    positive mention Feb 20                       no_contact
///     N2    Feb 10 (20)                 negative mention Mar 5 (after s: ignored)     no_contact
///     N3    Feb 10 (30)                 —                                             no_contact
///     O1    Feb 10 (40), Mar 25 (40)    ticket Jan 20, CSAT 1 (before the window)     no_contact
///     M1    Feb 10 (50), Mar 10 (50)    negative mention Feb 20                       no_contact + negative_mention
///     S1    Feb 10 (60), Mar 20 (60)    ticket Feb 12 resolved Feb 13, own CSAT 5     resolved_satisfied
///     S2    Feb 10 (70)                 ticket Feb 14 resolved Feb 15, survey CSAT 4  resolved_satisfied
///                                       answered Feb 16
///     U1    Feb 10 (80)                 ticket Feb 14 resolved Feb 15, survey CSAT 2  resolved_unsatisfied
///                                       Feb 20, later survey CSAT 5 Mar 3 (after s)
///     X1    Feb 10 (90)                 ticket Feb 20 resolved exactly Mar 1 00:00,   unresolved
///                                       own CSAT 5
///     X2    Feb 10 (100)                open ticket Feb 25; negative mention Feb 26   unresolved + negative_mention
///     F1    Feb 1 (110), Mar 30 (110)   ticket Feb 5, first response after 50 h,      resolved_satisfied +
///                                       resolved Feb 8, own CSAT 5                    slow_first_response
///     Z1    Jan 15 (5), Mar 5 (5)       ticket Feb 3 (FRT 0.5 h)                      not active at Mar 1
///
/// FRT of the tickets created in February: TZ1 0.5, TS1 1, TS2 2, TU1 3, TX1 4, TF1 50 (TX2 has
/// none). p90 = percentile_cont(0.9) over 6 values: position 0.9 × 5 = 4.5 → 4 + 0.5 × (50 − 4)
/// = 27 h: only TF1 (50 h) is slow.
/// Data horizon: Mar 30 10:00 (F1's order), so January and February are complete, March is not.
enum SupportImpactJourney {
    static func warehouse() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.commerceLoad(.customers, "customers.csv", """
            customer_id,handle
            N1,twitter:@n1
            N2,twitter:@n2
            M1,twitter:@m1
            X2,twitter:@x2

            """)
        try w.commerceLoad(.purchases, "purchases.csv", """
            order_id,customer_id,ordered_at,amount,currency
            N1a,N1,2024-02-10T10:00:00Z,10,EUR
            N1b,N1,2024-03-15T10:00:00Z,10,EUR
            N2a,N2,2024-02-10T10:00:00Z,20,EUR
            N3a,N3,2024-02-10T10:00:00Z,30,EUR
            O1a,O1,2024-02-10T10:00:00Z,40,EUR
            O1b,O1,2024-03-25T10:00:00Z,40,EUR
            M1a,M1,2024-02-10T10:00:00Z,50,EUR
            M1b,M1,2024-03-10T10:00:00Z,50,EUR
            S1a,S1,2024-02-10T10:00:00Z,60,EUR
            S1b,S1,2024-03-20T10:00:00Z,60,EUR
            S2a,S2,2024-02-10T10:00:00Z,70,EUR
            U1a,U1,2024-02-10T10:00:00Z,80,EUR
            X1a,X1,2024-02-10T10:00:00Z,90,EUR
            X2a,X2,2024-02-10T10:00:00Z,100,EUR
            F1a,F1,2024-02-01T10:00:00Z,110,EUR
            F1b,F1,2024-03-30T10:00:00Z,110,EUR
            Z1a,Z1,2024-01-15T10:00:00Z,5,EUR
            Z1b,Z1,2024-03-05T10:00:00Z,5,EUR

            """)
        try w.commerceLoad(.tickets, "tickets.csv", """
            ticket_id,customer_id,created_at,status,first_response_at,resolved_at,csat
            TS1,S1,2024-02-12T10:00:00Z,solved,2024-02-12T11:00:00Z,2024-02-13T10:00:00Z,5
            TS2,S2,2024-02-14T10:00:00Z,solved,2024-02-14T12:00:00Z,2024-02-15T10:00:00Z,
            TU1,U1,2024-02-14T10:00:00Z,solved,2024-02-14T13:00:00Z,2024-02-15T10:00:00Z,
            TX1,X1,2024-02-20T10:00:00Z,solved,2024-02-20T14:00:00Z,2024-03-01T00:00:00Z,5
            TX2,X2,2024-02-25T10:00:00Z,open,,,
            TF1,F1,2024-02-05T00:00:00Z,solved,2024-02-07T02:00:00Z,2024-02-08T00:00:00Z,5
            TO1,O1,2024-01-20T10:00:00Z,solved,2024-01-20T11:00:00Z,2024-01-21T10:00:00Z,1
            TZ1,Z1,2024-02-03T10:00:00Z,solved,2024-02-03T10:30:00Z,2024-02-04T10:00:00Z,5

            """)
        try w.commerceLoad(.surveys, "surveys.csv", """
            response_id,customer_id,kind,score,responded_at,ticket_id
            V1,S2,csat,4,2024-02-16T10:00:00Z,TS2
            V2,U1,csat,2,2024-02-20T10:00:00Z,TU1
            V3,U1,csat,5,2024-03-03T10:00:00Z,TU1

            """)
        try w.commerceLoad(.mentions, "mentions.csv", """
            mention_id,platform,handle,posted_at,sentiment
            MN1,twitter,@n1,2024-02-20T10:00:00Z,0.9
            MM1,twitter,@m1,2024-02-20T10:00:00Z,negative
            MX2,twitter,@x2,2024-02-26T10:00:00Z,-0.5
            MN2,twitter,@n2,2024-03-05T10:00:00Z,-0.9

            """)
        return w
    }
}

@Suite("support_impact")
struct CommerceSupportImpactTests {
    static let segments = ["all", "no_contact", "resolved_satisfied", "resolved_unsatisfied", "unresolved",
                           "slow_first_response", "negative_mention"]

    @Test("March: segment assignment with overlaps and no look-ahead; lost, churn, repurchase, value")
    func march() throws {
        let w = try SupportImpactJourney.warehouse()
        let r = try w.commerceAnalysis("support_impact", ["window": "30", "from": "2024-03-01", "to": "2024-04-01"])
        #expect(r.columns == ["segment", "period", "periods", "customers", "lost", "churn_rate", "repurchased",
                              "repurchase_rate", "mean_net_value", "median_net_value", "baseline_customers",
                              "churn_rate_diff", "churn_z", "churn_diff_ci_low", "churn_diff_ci_high",
                              "repurchase_rate_diff", "repurchase_z", "complete"])
        #expect(r.values("segment") == Self.segments)
        #expect(Set(r.values("period")) == ["2024-03-01"])
        #expect(Set(r.values("complete")) == ["f"])
        // Lost = no purchase in [Mar 2, Apr 1): N2, N3, S2, U1, X1, X2.
        // Repurchased in March: N1, O1, M1, S1, F1.
        // all (11; Z1 is not active at Mar 1): lost 6, repurchased 5. Net values 20, 20, 30, 80,
        //   100, 120, 70, 80, 90, 100, 220 → sum 930, mean 930/11; sorted 20 20 30 70 80 80 90 100
        //   100 120 220 → median 80.
        // no_contact: N1, N2, N3, O1 (ticket before the window), M1 → 5; lost N2, N3 = 2; repurchased
        //   N1, O1, M1 = 3; values 20 20 30 80 100 → mean 50, median 30.
        // resolved_satisfied: S1 (own 5), S2 (survey 4 before s), F1 (own 5) → 3; lost S2 = 1;
        //   repurchased S1, F1 = 2; values 120, 70, 220 → mean 410/3, median 120.
        // resolved_unsatisfied: U1 (survey 2 before s; the 5 of Mar 3 is after s) → 1, lost 1.
        // unresolved: X1 (resolved exactly at s), X2 (open) → 2, lost 2; values 90, 100 → 95.
        // slow_first_response: F1 → 1, lost 0; value 220.
        // negative_mention: M1 (Feb 20), X2 (Feb 26); N2's is after s → 2, lost X2 = 1; values 100, 100.
        #expect(r.values("customers") == ["11", "5", "3", "1", "2", "1", "2"])
        #expect(r.values("lost") == ["6", "2", "1", "1", "2", "0", "1"])
        expectCommerceClose(r.numbers("churn_rate"), [6.0 / 11, 0.4, 1.0 / 3, 1, 1, 0, 0.5], "churn_rate")
        #expect(r.values("repurchased") == ["5", "3", "2", "0", "0", "1", "1"])
        expectCommerceClose(r.numbers("repurchase_rate"), [5.0 / 11, 0.6, 2.0 / 3, 0, 0, 1, 0.5], "repurchase_rate")
        expectCommerceClose(r.numbers("mean_net_value"), [930.0 / 11, 50, 410.0 / 3, 80, 95, 220, 100], "mean_net_value")
        expectCommerceClose(r.numbers("median_net_value"), [80, 30, 120, 80, 95, 220, 100], "median_net_value")

        // Effect against the no_contact customers outside the segment. For the disjoint ticket
        // segments that is all 5 (2 lost, 0.4); for negative_mention, M1 is in no_contact, so the
        // baseline is N1, N2, N3, O1: 4, lost 2 → 0.5, and the difference 0.5 − 0.5 = 0.
        #expect(r.values("baseline_customers") == [nil, nil, "5", "5", "5", "5", "4"])
        expectCommerceClose(r.numbers("churn_rate_diff"), [nil, nil, 1.0 / 3 - 0.4, 0.6, 0.6, -0.4, 0], "churn_rate_diff")
        // resolved_satisfied: p1 = 1/3 (n 3), p2 = 2/5 (n 5); pooled p = 3/8;
        // z = (1/3 − 2/5) / √(3/8 · 5/8 · (1/3 + 1/5)) = (−1/15) / √(1/8);
        // 95% CI = diff ± 1.96 · √(1/3 · 2/3 / 3 + 2/5 · 3/5 / 5).
        let satisfied = r.only("segment", "resolved_satisfied")
        let diff = 1.0 / 3 - 0.4
        let z = diff / (1.0 / 8).squareRoot()
        let se = ((1.0 / 3) * (2.0 / 3) / 3 + 0.4 * 0.6 / 5).squareRoot()
        expectCommerceClose(satisfied.numbers("churn_z"), [z], "churn_z")
        expectCommerceClose(satisfied.numbers("churn_diff_ci_low"), [diff - 1.959963984540054 * se], "ci low")
        expectCommerceClose(satisfied.numbers("churn_diff_ci_high"), [diff + 1.959963984540054 * se], "ci high")
        // negative_mention: difference 0 → z 0; slow_first_response: p1 = 0, p2 = 0.4, pooled
        // p = 2/6 → z = −0.4 / √(1/3 · 2/3 · (1 + 1/5)) = −0.4 / √(0.26666…).
        expectCommerceClose(r.only("segment", "negative_mention").numbers("churn_z"), [0], "negative_mention z")
        expectCommerceClose(r.only("segment", "slow_first_response").numbers("churn_z"),
                    [-0.4 / ((1.0 / 3) * (2.0 / 3) * 1.2).squareRoot()], "slow z")
        // Repurchase, same baselines: no_contact repurchased 3 of 5 (0.6); without M1, 2 of 4 (0.5).
        // resolved_satisfied: 2/3 − 0.6 = 1/15, pooled q = 5/8 → z = (1/15) / √(5/8 · 3/8 · 8/15)
        // = (1/15) / √(1/8). unresolved: 0 − 0.6. negative_mention: 1/2 − 1/2 = 0.
        expectCommerceClose(r.numbers("repurchase_rate_diff"), [nil, nil, 2.0 / 3 - 0.6, -0.6, -0.6, 0.4, 0], "repurchase_rate_diff")
        expectCommerceClose(satisfied.numbers("repurchase_z"), [(1.0 / 15) / (1.0 / 8).squareRoot()], "repurchase_z")
    }

    @Test("every period is listed for all; other segments only where they have customers")
    func periods() throws {
        let w = try SupportImpactJourney.warehouse()
        let r = try w.commerceAnalysis("support_impact", ["window": "30"])
        // Jan [Jan 1, Feb 1): window [Dec 2, Jan 1) holds no purchase → all 0 (rates empty).
        // Feb [Feb 1, Mar 1): window [Jan 2, Feb 1): Z1 (Jan 15) only, no ticket in [Jan 2, Feb 1)
        //   (TZ1 is Feb 3) → no_contact; not active at Mar 1 ([Jan 31, Mar 1) has no Z1 order) → lost.
        //   O1's January ticket does not count: O1 is not active at Feb 1.
        // Mar as in the March test: 7 rows.
        #expect(r.values("period").prefix(3) == ["2024-01-01", "2024-02-01", "2024-02-01"])
        #expect(r.values("segment").prefix(3) == ["all", "all", "no_contact"])
        #expect(r.values("customers").prefix(3) == ["0", "1", "1"])
        #expect(r.values("lost").prefix(3) == ["0", "1", "1"])
        expectCommerceClose(Array(r.numbers("churn_rate").prefix(3)), [nil, 1, 1], "churn_rate")
        #expect(r.rows.count == 3 + 7)
        #expect(r.values("complete") == ["t", "t", "t"] + Array(repeating: "f", count: 7))
    }

    @Test("the summaries (UTC months, quarters) and the raw rows give the same answer")
    func summariesAndRawRows() throws {
        let w = try SupportImpactJourney.warehouse()
        // The journey's figures above come from customer_months (UTC months, summed into
        // quarters and years); with patron.summaries = off the purchases are read instead.
        let runs: [[String: String]] = [
            ["window": "30"], ["window": "30", "period": "quarter"], ["window": "30", "pooled": "true"],
            ["window": "30", "from": "2024-03-01", "to": "2024-04-01"], ["window": "45", "period": "year"],
        ]
        for arguments in runs {
            try w.warehouse.connection.execute("SELECT set_config('patron.summaries', 'on', false)")
            let fast = try w.commerceAnalysis("support_impact", arguments)
            try w.warehouse.connection.execute("SELECT set_config('patron.summaries', 'off', false)")
            let raw = try w.commerceAnalysis("support_impact", arguments)
            try w.warehouse.connection.execute("SELECT set_config('patron.summaries', 'on', false)")
            #expect(fast.columns == raw.columns && fast.rows == raw.rows, "\(arguments):\n\(fast.rows)\n\(raw.rows)")
            #expect(!raw.rows.isEmpty)
        }
        // The raw path alone, March again: the same eleven active customers and their medians.
        try w.warehouse.connection.execute("SELECT set_config('patron.summaries', 'off', false)")
        let march = try w.commerceAnalysis("support_impact", ["window": "30", "from": "2024-03-01", "to": "2024-04-01"])
        try w.warehouse.connection.execute("SELECT set_config('patron.summaries', 'on', false)")
        #expect(march.values("customers") == ["11", "5", "3", "1", "2", "1", "2"])
        expectCommerceClose(march.numbers("median_net_value"), [80, 30, 120, 80, 95, 220, 100], "median_net_value")
    }

    @Test("medians: an even count interpolates its two middle values, far apart; zero included")
    func medianAcrossBlocks() throws {
        let w = try ScratchWarehouse()
        // Six customers active at Mar 1 (a purchase on Feb 10, --window 30), no support; G buys
        // in March only (not active at Mar 1). Net values A 0, B 1, C 2.5, D 1000, E 1000.5,
        // F 250000: n = 6, the middle positions 2 and 3 (0-based) hold 2.5 and 1000 → median
        // 2.5 + 0.5 · (1000 − 2.5) = 501.25; mean (0 + 1 + 2.5 + 1000 + 1000.5 + 250000) / 6
        // = 252004 / 6. The same from the summaries and from the raw rows.
        try w.commerceLoad(.purchases, "purchases.csv", """
            order_id,customer_id,ordered_at,amount,currency
            A1,A,2024-02-10T10:00:00Z,0,EUR
            B1,B,2024-02-10T10:00:00Z,1,EUR
            C1,C,2024-02-10T10:00:00Z,2.5,EUR
            D1,D,2024-02-10T10:00:00Z,1000,EUR
            E1,E,2024-02-10T10:00:00Z,1000.5,EUR
            F1,F,2024-02-10T10:00:00Z,250000,EUR
            G1,G,2024-03-10T10:00:00Z,1,EUR

            """)
        for summaries in ["on", "off"] {
            try w.warehouse.connection.execute("SELECT set_config('patron.summaries', $1, false)", [summaries])
            let r = try w.commerceAnalysis("support_impact", ["window": "30", "from": "2024-03-01", "to": "2024-04-01"])
            #expect(r.values("segment") == ["all", "no_contact"], "\(summaries)")
            #expect(r.values("customers") == ["6", "6"], "\(summaries)")
            expectCommerceClose(r.numbers("median_net_value"), [501.25, 501.25], "median \(summaries)")
            expectCommerceClose(r.numbers("mean_net_value"), [252004.0 / 6, 252004.0 / 6], "mean \(summaries)")
        }
        try w.warehouse.connection.execute("SELECT set_config('patron.summaries', 'on', false)")
    }

    @Test("another time zone: a purchase near local midnight, a window starting on its local day")
    func localDaysAtWindowEdges() throws {
        let w = try ScratchWarehouse()
        // --window 30 --period month --tz America/New_York (UTC−5 in winter). A customer is
        // active at s when a purchase lies in [s − 30 local days, s): March's window is
        // [Jan 31 00:00, Mar 1 00:00) New York time, February's [Jan 2, Feb 1).
        //   P: Jan 31 04:30Z = Jan 30 23:30 local: active at Feb 1, not at Mar 1 → lost in Feb.
        //      (Read in UTC it is Jan 31: active at Mar 1 as well.)
        //   Q: Jan 31 05:30Z = Jan 31 00:30 local, the first local day of March's window: active
        //      at Feb 1 and Mar 1, not at Apr 1 → lost in March.
        //   R: Jan 15 12:00Z: active at Feb 1 only → lost in Feb.
        // New York: Feb: all 3, lost 2 (P, R); Mar: all 1 (Q), lost 1.
        // UTC:      Feb: all 3, lost 1 (R);    Mar: all 2 (P, Q), lost 2.
        try w.commerceLoad(.purchases, "purchases.csv", """
            order_id,customer_id,ordered_at,amount,currency
            P1,P,2024-01-31T04:30:00Z,10,EUR
            Q1,Q,2024-01-31T05:30:00Z,20,EUR
            R1,R,2024-01-15T12:00:00Z,30,EUR

            """)
        let arguments = ["window": "30", "from": "2024-02-01", "to": "2024-04-01"]
        let local = try w.commerceAnalysis("support_impact", arguments.merging(["tz": "America/New_York"]) { $1 })
        #expect(local.values("period") == ["2024-02-01", "2024-02-01", "2024-03-01", "2024-03-01"])
        #expect(local.values("customers") == ["3", "3", "1", "1"])
        #expect(local.values("lost") == ["2", "2", "1", "1"])
        let utc = try w.commerceAnalysis("support_impact", arguments)
        #expect(utc.values("customers") == ["3", "3", "2", "2"])
        #expect(utc.values("lost") == ["1", "1", "2", "2"])
    }

    @Test("--pooled sums only complete periods, in customer-periods")
    func pooled() throws {
        let w = try SupportImpactJourney.warehouse()
        // March is incomplete: pooled = Jan + Feb = 2 periods: all 1 (Z1 in Feb), lost 1.
        let early = try w.commerceAnalysis("support_impact", ["window": "30", "pooled": "true"])
        #expect(early.values("segment") == ["all", "no_contact"])
        #expect(early.values("period") == [nil, nil])
        #expect(early.values("periods") == ["2", "2"])
        #expect(early.values("customers") == ["1", "1"])
        #expect(early.values("lost") == ["1", "1"])
        #expect(early.values("complete") == ["t", "t"])

        // A purchase on Apr 15 by a newcomer moves the horizon: March is complete, April not.
        // April [Apr 1, May 1) has 6 active customers (N1, O1, M1, S1, F1, Z1), but it is not
        // pooled. Pooled = Jan + Feb + Mar:
        //   all: 0 + 1 + 11 = 12 customer-periods; lost 1 + 6 = 7; repurchased 0 + 5 = 5; values:
        //     Z1 10 plus March's 930 → mean 940/12; sorted 10 20 20 30 70 80 80 90 100 100 120 220
        //     → median (80 + 80) / 2 = 80.
        //   no_contact: 1 + 5 = 6, lost 1 + 2 = 3. resolved_satisfied: 3, lost 1 → baseline 6 (3
        //     lost): diff 1/3 − 1/2. negative_mention: 2, lost 1 → baseline 6 − 1 (M1) = 5, lost
        //     3 − 0 = 3: diff 1/2 − 3/5 = −0.1.
        try w.commerceLoad(.purchases, "april.csv", "order_id,customer_id,ordered_at,amount,currency\nY1,Y,2024-04-15T10:00:00Z,1,EUR\n")
        let r = try w.commerceAnalysis("support_impact", ["window": "30", "pooled": "true"])
        #expect(r.values("segment") == Self.segments)
        #expect(Set(r.values("periods")) == ["3"])
        #expect(r.values("customers") == ["12", "6", "3", "1", "2", "1", "2"])
        #expect(r.values("lost") == ["7", "3", "1", "1", "2", "0", "1"])
        #expect(r.values("repurchased") == ["5", "3", "2", "0", "0", "1", "1"])
        expectCommerceClose(r.numbers("churn_rate"), [7.0 / 12, 0.5, 1.0 / 3, 1, 1, 0, 0.5], "churn_rate")
        expectCommerceClose(r.only("segment", "all").numbers("mean_net_value"), [940.0 / 12], "all mean")
        expectCommerceClose(r.only("segment", "all").numbers("median_net_value"), [80], "all median")
        #expect(r.values("baseline_customers") == [nil, nil, "6", "6", "6", "6", "5"])
        expectCommerceClose(r.only("segment", "resolved_satisfied").numbers("churn_rate_diff"), [1.0 / 3 - 0.5], "diff")
        expectCommerceClose(r.only("segment", "negative_mention").numbers("churn_rate_diff"), [-0.1], "diff")
    }
}
