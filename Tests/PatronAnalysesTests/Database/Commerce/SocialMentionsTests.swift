import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("social_mentions")
struct CommerceSocialMentionsTests {
    /// Customer K has handle twitter:@kim; a ticket makes @tia a customer too.
    ///
    ///     id  platform   handle   posted_at  sentiment  complaint  responded after
    ///     M1  twitter    @kim     Jan 3      0.05       no         2 h
    ///     M2  twitter    @kim     Jan 4      −0.05      yes        4 h
    ///     M3  twitter    @other   Jan 5      0.06       (unknown)  —
    ///     M4  twitter    @other   Jan 6      −0.051     yes        9 h
    ///     M5  twitter    @x       Jan 7      (none)     no         —
    ///     M6  instagram  @nobody  Feb 2      negative   (unknown)  1 h
    ///     M7  twitter    @tia     Feb 10     positive   (unknown)  —
    static func warehouse() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.commerceLoad(.customers, "customers.csv", "customer_id,handle\nK,twitter:@kim\n")
        try w.commerceLoad(.tickets, "tickets.csv", "ticket_id,handle,created_at\nT1,twitter:@tia,2024-01-02T10:00:00Z\n")
        try w.commerceLoad(.mentions, "mentions.csv", """
            mention_id,platform,handle,posted_at,sentiment,is_complaint,responded_at
            M1,twitter,@kim,2024-01-03T10:00:00Z,0.05,no,2024-01-03T12:00:00Z
            M2,twitter,@kim,2024-01-04T10:00:00Z,-0.05,yes,2024-01-04T14:00:00Z
            M3,twitter,@other,2024-01-05T10:00:00Z,0.06,,
            M4,twitter,@other,2024-01-06T10:00:00Z,-0.051,yes,2024-01-06T19:00:00Z
            M5,twitter,@x,2024-01-07T10:00:00Z,,no,
            M6,instagram,@nobody,2024-02-02T10:00:00Z,negative,,2024-02-02T11:00:00Z
            M7,twitter,@tia,2024-02-10T10:00:00Z,positive,,

            """)
        return w
    }

    @Test("per platform: sentiment split at ±0.05 (the boundary is neutral), shares, responses, linked")
    func perPlatform() throws {
        let w = try Self.warehouse()
        let r = try w.commerceAnalysis("social_mentions")
        #expect(r.columns == ["segment", "period", "mentions", "positive", "neutral", "negative", "unscored", "negative_share",
                              "complaints", "complaint_share", "responded", "response_rate", "median_response_hours",
                              "linked", "linked_share", "complete"])
        // Rows: instagram Feb; twitter Jan, Feb (only platform × period pairs with mentions).
        #expect(r.values("segment") == ["instagram", "twitter", "twitter"])
        #expect(r.values("period") == ["2024-02-01", "2024-01-01", "2024-02-01"])
        // twitter Jan: M1..M5 = 5. positive M3 (0.06); neutral M1 (0.05) and M2 (−0.05), exactly at
        //   the thresholds; negative M4 (−0.051); unscored M5.
        //   negative_share 1 / 4 scored = 0.25. complaints M2, M4 = 2 of 4 known (M3 unknown) = 0.5.
        //   responded M1 (2 h), M2 (4 h), M4 (9 h) = 3 / 5 = 0.6, median 4 h.
        //   linked: M1, M2 (K's handle) = 2 / 5 = 0.4; @other and @x are nobody's.
        // twitter Feb: M7 positive, linked through the ticket's handle: 1 / 1; no response → rate 0,
        //   median empty; complaint unknown → share empty; negative_share 0 / 1.
        // instagram Feb: M6 negative (label −1) → negative_share 1; responded 1 h; not linked.
        #expect(r.values("mentions") == ["1", "5", "1"])
        #expect(r.values("positive") == ["0", "1", "1"])
        #expect(r.values("neutral") == ["0", "2", "0"])
        #expect(r.values("negative") == ["1", "1", "0"])
        #expect(r.values("unscored") == ["0", "1", "0"])
        expectCommerceClose(r.numbers("negative_share"), [1, 0.25, 0], "negative_share")
        #expect(r.values("complaints") == ["0", "2", "0"])
        expectCommerceClose(r.numbers("complaint_share"), [nil, 0.5, nil], "complaint_share")
        #expect(r.values("responded") == ["1", "3", "0"])
        expectCommerceClose(r.numbers("response_rate"), [1, 0.6, 0], "response_rate")
        expectCommerceClose(r.numbers("median_response_hours"), [1, 4, nil], "median_response_hours")
        #expect(r.values("linked") == ["0", "2", "1"])
        expectCommerceClose(r.numbers("linked_share"), [0, 0.4, 1], "linked_share")
    }

    @Test("--segment none: one row per period; --segment linked splits linked from unlinked")
    func overallAndLinked() throws {
        let w = try Self.warehouse()
        let all = try w.commerceAnalysis("social_mentions", ["segment": "none"])
        // Jan: the five twitter mentions as above. Feb: M6 + M7 = 2: 1 positive, 1 negative →
        // negative_share 1/2; responded M6 (1 h) → 1/2, median 1; linked M7 → 1/2.
        #expect(all.values("segment") == [nil, nil])
        #expect(all.values("mentions") == ["5", "2"])
        expectCommerceClose(all.numbers("negative_share"), [0.25, 0.5], "negative_share")
        expectCommerceClose(all.numbers("response_rate"), [0.6, 0.5], "response_rate")
        expectCommerceClose(all.numbers("median_response_hours"), [4, 1], "median")
        expectCommerceClose(all.numbers("linked_share"), [0.4, 0.5], "linked_share")

        let linked = try w.commerceAnalysis("social_mentions", ["segment": "linked"])
        // linked: Jan M1, M2 (both neutral; responses 2 h and 4 h → median 3); Feb M7.
        // unlinked: Jan M3, M4, M5; Feb M6.
        let yes = linked.only("segment", "linked")
        #expect(yes.values("mentions") == ["2", "1"])
        #expect(yes.values("neutral") == ["2", "0"])
        expectCommerceClose(yes.numbers("median_response_hours"), [3, nil], "linked median")
        let no = linked.only("segment", "unlinked")
        #expect(no.values("mentions") == ["3", "1"])
        expectCommerceClose(no.numbers("linked_share"), [0, 0], "unlinked linked_share")
    }
}
