import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

extension Satisfaction {
    /// Resolved tickets per agent, January 2024 (UTC) unless noted; "—" = not given.
    ///
    ///     ticket  agent  first response  resolved_at (UTC)  reopens  agent_replies  handle_s  csat
    ///     A1      ann    +1 h            Jan 2 10:00        0        1              600       5 (survey S1 of 1 ignored)
    ///     A2      ann    +2 h            Jan 2 23:30        0        2              1200      4
    ///     A3      ann    +3 h            Jan 3 01:00        1        1              —         2
    ///     A4      ann    +5 h            Jan 10 12:00       0        0              1800      — (linked survey S2: 5)
    ///     A5      ann    +1 h            reopened, open     1        1              300       5   not resolved: left out
    ///     B1–B4   bob    +1 h each       Jan 15 10:00, 13:00; Jan 16 10:00, 13:00
    ///                                    reopens 0,0,0,2; replies 1,1,3,1; handle 900 each; csat 5,4,1,4
    ///     D1–D5   dan    —               Jan 20 10:00…14:00  0        2 each         —         5,5,4,1,—
    ///     E1–E3   eve    —               Jan 22 10:00…12:00  0        1,3,3          —         5,1,2
    ///     F1–F3   fred   —               Jan 23 10:00…12:00  —        —              —         —
    ///     K1–K2   cat    —               Jan 24 10:00, 11:00 0, —     1, 3           —         5,5
    ///     N1      —      —               Jan 25 10:00                                  csat 1: no agent, left out
    ///     B5      bob    —               Mar 5 10:00        0        1                 csat 5
    ///
    /// Nobody resolves a ticket in February. Data horizon: B5, Mar 5 10:00 (March incomplete).
    enum AgentFixture {
        static let tickets = """
            ticket_id,customer_id,created_at,status,agent,first_response_at,resolved_at,reopens,agent_replies,handle_seconds,csat
            A1,c1,2024-01-02T08:00:00Z,solved,ann,2024-01-02T09:00:00Z,2024-01-02T10:00:00Z,0,1,600,5
            A2,c2,2024-01-02T20:00:00Z,solved,ann,2024-01-02T22:00:00Z,2024-01-02T23:30:00Z,0,2,1200,4
            A3,c3,2024-01-02T21:00:00Z,solved,ann,2024-01-03T00:00:00Z,2024-01-03T01:00:00Z,1,1,,2
            A4,c4,2024-01-10T06:00:00Z,solved,ann,2024-01-10T11:00:00Z,2024-01-10T12:00:00Z,0,0,1800,
            A5,c5,2024-01-11T06:00:00Z,open,ann,2024-01-11T07:00:00Z,2024-01-11T08:00:00Z,1,1,300,5
            B1,c6,2024-01-15T08:00:00Z,solved,bob,2024-01-15T09:00:00Z,2024-01-15T10:00:00Z,0,1,900,5
            B2,c6,2024-01-15T11:00:00Z,solved,bob,2024-01-15T12:00:00Z,2024-01-15T13:00:00Z,0,1,900,4
            B3,c7,2024-01-16T08:00:00Z,solved,bob,2024-01-16T09:00:00Z,2024-01-16T10:00:00Z,0,3,900,1
            B4,c7,2024-01-16T11:00:00Z,closed,bob,2024-01-16T12:00:00Z,2024-01-16T13:00:00Z,2,1,900,4
            D1,c8,2024-01-20T08:00:00Z,solved,dan,,2024-01-20T10:00:00Z,0,2,,5
            D2,c8,2024-01-20T08:00:00Z,solved,dan,,2024-01-20T11:00:00Z,0,2,,5
            D3,c8,2024-01-20T08:00:00Z,solved,dan,,2024-01-20T12:00:00Z,0,2,,4
            D4,c8,2024-01-20T08:00:00Z,solved,dan,,2024-01-20T13:00:00Z,0,2,,1
            D5,c8,2024-01-20T08:00:00Z,solved,dan,,2024-01-20T14:00:00Z,0,2,,
            E1,c9,2024-01-22T08:00:00Z,solved,eve,,2024-01-22T10:00:00Z,0,1,,5
            E2,c9,2024-01-22T08:00:00Z,solved,eve,,2024-01-22T11:00:00Z,0,3,,1
            E3,c9,2024-01-22T08:00:00Z,solved,eve,,2024-01-22T12:00:00Z,0,3,,2
            F1,c10,2024-01-23T08:00:00Z,solved,fred,,2024-01-23T10:00:00Z,,,,
            F2,c10,2024-01-23T08:00:00Z,solved,fred,,2024-01-23T11:00:00Z,,,,
            F3,c10,2024-01-23T08:00:00Z,solved,fred,,2024-01-23T12:00:00Z,,,,
            K1,c11,2024-01-24T08:00:00Z,solved,cat,,2024-01-24T10:00:00Z,0,1,,5
            K2,c11,2024-01-24T08:00:00Z,solved,cat,,2024-01-24T11:00:00Z,,3,,5
            N1,c12,2024-01-25T08:00:00Z,solved,,,2024-01-25T10:00:00Z,,,,1
            B5,c6,2024-03-05T08:00:00Z,solved,bob,,2024-03-05T10:00:00Z,0,1,,5

            """

        static let surveys = """
            response_id,customer_id,kind,score,responded_at,ticket_id
            S1,c1,csat,1,2024-01-02T12:00:00Z,A1
            S2,c4,csat,5,2024-01-10T14:00:00Z,A4

            """

        static func warehouse() throws -> ScratchWarehouse {
            let w = try ScratchWarehouse()
            try loadAccepted(w, .tickets, "tickets.csv", tickets)
            try loadAccepted(w, .surveys, "surveys.csv", surveys)
            return w
        }
    }

    @Suite("agent_performance")
    struct AgentPerformanceTests {
        @Test("metrics per agent and month, ranked on CSAT with --min-tickets 3: volume tie-break, shared ranks")
        func rankedOnCSAT() throws {
            let w = try AgentFixture.warehouse()
            let r = try analysis(w, "agent_performance", ["min_tickets": "3"])
            #expect(r.columns == ["period", "rank", "agent", "resolved", "active_days", "tickets_per_active_day", "fcr",
                                  "median_frt_hours", "aht_hours", "csat_answered", "csat", "complete"])
            // January, CSAT (satisfied ÷ answered, ticket csat else linked survey):
            //   dan 3/4 (5, 5, 4, 1; D5 unanswered), ann 3/4 (5, 4, 2 and A4's survey 5; S1 ignored
            //   because A1 has its own 5), bob 3/4 (5, 4, 1, 4), eve 1/3 (5, 1, 2), fred none, cat 2/2.
            //   dan, ann and bob tie at 0.75: dan resolved 5 > 4 → rank 1; ann and bob still tie → 2, 2;
            //   eve → 4. fred (no CSAT answer) and cat (2 < 3 tickets) are unranked, listed after.
            // February: nobody resolved a ticket → one row, agent empty, 0 resolved.
            // March: bob's B5 (1 < 3 tickets) unranked.
            #expect(r.column("period") == ["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01",
                                           "2024-01-01", "2024-02-01", "2024-03-01"])
            #expect(r.column("agent") == ["dan", "ann", "bob", "eve", "fred", "cat", nil, "bob"])
            #expect(r.column("rank") == ["1", "2", "2", "4", nil, nil, nil, nil])
            #expect(r.column("resolved") == ["5", "4", "4", "3", "3", "2", "0", "1"])
            // Active days (UTC): dan Jan 20; ann Jan 2 (A1, A2), Jan 3 (A3), Jan 10 (A4) = 3;
            // bob Jan 15, 16 = 2; eve, fred, cat 1 each; bob in March 1.
            #expect(r.column("active_days") == ["1", "3", "2", "1", "1", "1", "0", "1"])
            expectClose(r.numbers("tickets_per_active_day"), [5, 4.0 / 3, 2, 3, 3, 2, nil, 1], "tickets per active day")
            // FCR over tickets with both counts known: ann A1 (1 reply, 0 reopens) and A4 (0, 0) of 4
            // → 0.5; bob B1, B2 of 4 → 0.5 (B3 has 3 replies, B4 2 reopens); dan 2 replies each → 0;
            // eve E1 of 3 → 1/3; fred has no counts → empty; cat K1 of 1 (K2 lacks reopens, left
            // out — though it has 3 replies) → 1; B5 → 1.
            expectClose(r.numbers("fcr"), [0, 0.5, 0.5, 1.0 / 3, nil, 1, nil, 1], "fcr")
            // Median FRT: ann 1, 2, 3, 5 h → (2 + 3) / 2 = 2.5 (even count); bob 1, 1, 1, 1 → 1.
            expectClose(r.numbers("median_frt_hours"), [nil, 2.5, 1, nil, nil, nil, nil, nil], "median FRT")
            // AHT: ann (600 + 1200 + 1800) / 3 = 1200 s = 1/3 h (A3's missing value left out); bob 900 s = 0.25 h.
            expectClose(r.numbers("aht_hours"), [nil, 1.0 / 3, 0.25, nil, nil, nil, nil, nil], "AHT")
            #expect(r.column("csat_answered") == ["4", "4", "4", "3", "0", "2", "0", "1"])
            expectClose(r.numbers("csat"), [0.75, 0.75, 0.75, 1.0 / 3, nil, 1, nil, 1], "csat")
            #expect(r.column("complete") == ["t", "t", "t", "t", "t", "t", "t", "f"])
        }

        @Test("the default --min-tickets 10 ranks nobody in this small team")
        func defaultMinimum() throws {
            let w = try AgentFixture.warehouse()
            let r = try analysis(w, "agent_performance")
            #expect(r.column("rank").allSatisfy { $0 == nil })
            // Unranked rows: most tickets first, then by name.
            #expect(r.column("agent") == ["dan", "ann", "bob", "eve", "fred", "cat", nil, "bob"])
        }

        @Test("--rank-by resolved, frt and fcr")
        func otherRankings() throws {
            let w = try AgentFixture.warehouse()
            let january = { (rankBy: String) throws -> ResultRows in
                try analysis(w, "agent_performance", ["min_tickets": "3", "rank_by": rankBy]).filter("period", "2024-01-01")
            }
            // resolved: dan 5 → 1; ann and bob 4, tie-break CSAT 0.75 = 0.75 → 2, 2; eve and fred 3,
            // tie-break CSAT 1/3 before none → eve 4, fred 5; cat (2 tickets) unranked.
            let resolved = try january("resolved")
            #expect(resolved.column("agent") == ["dan", "ann", "bob", "eve", "fred", "cat"])
            #expect(resolved.column("rank") == ["1", "2", "2", "4", "5", nil])
            // frt (lower is better): bob median 1 h → 1, ann 2.5 h → 2; the others have no FRT: unranked.
            let frt = try january("frt")
            #expect(frt.column("agent") == ["bob", "ann", "dan", "eve", "fred", "cat"])
            #expect(frt.column("rank") == ["1", "2", nil, nil, nil, nil])
            // fcr: ann and bob 0.5 with 4 tickets each → 1, 1; eve 1/3 → 3; dan 0 → 4; fred (no
            // known counts) and cat (2 tickets, though its fcr is 1) unranked.
            let fcr = try january("fcr")
            #expect(fcr.column("agent") == ["ann", "bob", "eve", "dan", "fred", "cat"])
            #expect(fcr.column("rank") == ["1", "1", "3", "4", nil, nil])
            // aht (lower is better): bob 0.25 h → 1, ann 1/3 h → 2.
            let aht = try january("aht")
            #expect(aht.column("rank").prefix(2) == ["1", "2"])
            #expect(aht.column("agent").prefix(2) == ["bob", "ann"])
        }

        @Test("an active day is a local date in --tz: ann's three UTC days are two in New York")
        func activeDaysAcrossDateBoundary() throws {
            let w = try AgentFixture.warehouse()
            let r = try analysis(w, "agent_performance", ["tz": "America/New_York"])
            // ann resolves at Jan 2 05:00, Jan 2 18:30, Jan 2 20:00 and Jan 10 07:00 New York time
            // (UTC − 5): days Jan 2 and Jan 10 → 2 active days, 4 / 2 = 2 tickets per active day.
            let ann = r.filter("agent", "ann")
            #expect(ann.column("period") == ["2024-01-01"])
            #expect(ann.column("active_days") == ["2"])
            expectClose(ann.numbers("tickets_per_active_day"), [2], "ann per active day")
            // bob's resolutions (05:00 and 08:00 New York time on Jan 15 and 16) keep 2 days.
            #expect(r.filter("agent", "bob").column("active_days") == ["2", "1"])
        }
    }
}
