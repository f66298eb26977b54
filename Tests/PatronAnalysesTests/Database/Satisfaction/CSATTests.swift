import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

extension Satisfaction {
    @Suite("csat")
    struct CSATTests {
        @Test("satisfied ÷ answered per month: each answer once, unresolved tickets' csat not counted, empty February")
        func monthly() throws {
            let w = try HelpDeskFixture.warehouse()
            let r = try analysis(w, "csat")
            #expect(r.columns == ["segment", "period", "answered", "satisfied", "csat", "mean_score", "complete"])
            // Jan: T1 5 (its own csat wins over S1's 1), S2 2 (T2 has no csat), S4 4 (no ticket);
            //   T3's 4 and S3's 5 do not count (T3 is open and has its own csat).
            //   answered 3, satisfied 2 (5, 4) → 2/3; mean (5 + 2 + 4) / 3 = 11/3.
            // Feb: no answer → 0 answered, csat and mean empty.
            // Mar: T4 3 (resolved Mar 1 00:30 UTC), S5 4 (T5 has no csat), T6 3 → answered 3,
            //   satisfied 1 → 1/3; mean (3 + 4 + 3) / 3 = 10/3. Horizon Mar 14: incomplete.
            #expect(r.column("segment") == [nil, nil, nil])
            #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01"])
            #expect(r.column("answered") == ["3", "0", "3"])
            #expect(r.column("satisfied") == ["2", "0", "1"])
            expectClose(r.numbers("csat"), [2.0 / 3, nil, 1.0 / 3], "csat")
            expectClose(r.numbers("mean_score"), [11.0 / 3, nil, 10.0 / 3], "mean_score")
            #expect(r.column("complete") == ["t", "t", "f"])
        }

        @Test("the ticket part is placed by resolved_at in the reporting time zone")
        func timeZone() throws {
            let w = try HelpDeskFixture.warehouse()
            let r = try analysis(w, "csat", ["tz": "America/New_York"])
            // T4 resolved Mar 1 00:30 UTC = Feb 29 19:30 in New York → February: 1 answer, score 3.
            // Jan unchanged (3, 2); Mar: S5 4, T6 3 → 2 answered, 1 satisfied, mean 3.5.
            // February ends Mar 1 05:00 UTC, before the horizon (Mar 14): complete.
            #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01"])
            #expect(r.column("answered") == ["3", "1", "2"])
            #expect(r.column("satisfied") == ["2", "0", "1"])
            expectClose(r.numbers("csat"), [2.0 / 3, 0, 0.5], "csat")
            expectClose(r.numbers("mean_score"), [11.0 / 3, 3, 3.5], "mean_score")
            #expect(r.column("complete") == ["t", "t", "f"])
        }

        @Test("--segment agent: survey answers take the linked ticket's agent; only pairs with answers")
        func byAgent() throws {
            let w = try HelpDeskFixture.warehouse()
            let r = try analysis(w, "csat", ["segment": "agent"])
            // ann: Jan T1 5 → 1/1; Mar T4 3 and S5 4 (linked to T5, ann's) → 2 answered, 1 satisfied.
            // bob: Jan S2 2 (linked to T2) → 1/0; Mar T6 3 → 1/0.
            // (unknown): S4, linked to no ticket → Jan 1/1. No February rows.
            #expect(r.rows.count == 5)
            let ann = r.filter("segment", "ann")
            #expect(ann.column("period") == ["2024-01-01", "2024-03-01"])
            #expect(ann.column("answered") == ["1", "2"])
            expectClose(ann.numbers("csat"), [1, 0.5], "ann csat")
            let bob = r.filter("segment", "bob")
            #expect(bob.column("answered") == ["1", "1"])
            expectClose(bob.numbers("csat"), [0, 0], "bob csat")
            let unknown = r.filter("segment", "(unknown)")
            #expect(unknown.column("period") == ["2024-01-01"])
            #expect(unknown.column("satisfied") == ["1"])
        }

        @Test("--segment origin separates ticket scores from survey answers")
        func byOrigin() throws {
            let w = try HelpDeskFixture.warehouse()
            let r = try analysis(w, "csat", ["segment": "origin"])
            // ticket: Jan T1 5 → 1/1; Mar T4 3, T6 3 → 2/0.  survey: Jan S2 2, S4 4 → 2/1; Mar S5 4 → 1/1.
            let ticket = r.filter("segment", "ticket")
            #expect(ticket.column("answered") == ["1", "2"])
            expectClose(ticket.numbers("csat"), [1, 0], "ticket csat")
            let survey = r.filter("segment", "survey")
            #expect(survey.column("answered") == ["2", "1"])
            expectClose(survey.numbers("csat"), [0.5, 1], "survey csat")
            #expect(r.rows.count == 4)
        }

        @Test("--from/--to bound the periods reported: an empty period alone gives zeros and NULLs")
        func bounds() throws {
            let w = try HelpDeskFixture.warehouse()
            let r = try analysis(w, "csat", ["from": "2024-02-01", "to": "2024-03-01"])
            #expect(r.column("period") == ["2024-02-01"])
            #expect(r.column("answered") == ["0"])
            #expect(r.column("csat") == [nil])
            #expect(r.column("mean_score") == [nil])
        }
    }
}
