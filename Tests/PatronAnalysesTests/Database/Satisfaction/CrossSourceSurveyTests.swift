import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

extension Satisfaction {
    /// Surveys from a survey tool (source `delighted`) about a help desk's tickets (source
    /// `helpdesk`), linked by `ticket_source` (docs/inputs.md, "Source"). January 2024, UTC.
    ///
    ///     ticket  source    agent  status  resolved_at   csat  ces
    ///     48201   helpdesk  ann    solved  Jan 3 10:00   5     2
    ///     48202   helpdesk  bob    solved  Jan 5 10:00   —     —
    ///     48203   helpdesk  bob    open    —             2     —     unresolved: its csat is not counted
    ///
    ///     survey  source    kind  score  responded_at   ticket_id  ticket_source  links to
    ///     D1      delighted csat  1      Jan 4 12:00    48201      helpdesk       48201, own csat 5: not counted
    ///     D2      delighted csat  4      Jan 6 12:00    48202      helpdesk       48202, no csat: counted (bob)
    ///     D3      delighted csat  3      Jan 7 12:00    48203      helpdesk       48203, own csat 2: not counted
    ///     D4      delighted ces   6      Jan 4 12:00    48201      helpdesk       48201, own ces 2: not counted
    ///     D5      delighted ces   3      Jan 6 12:00    48202      helpdesk       48202, no ces: counted
    ///     D6      delighted csat  2      Jan 8 12:00    48201      —              (delighted, 48201): no such
    ///                                                                             ticket — counted, (unknown)
    ///     H1      helpdesk  csat  5      Jan 5 12:00    48202      —              48202 (own source): counted
    ///
    /// Data horizon Jan 8 12:00: January is incomplete.
    enum CrossSourceFixture {
        static let tickets = """
            ticket_id,email,created_at,status,agent,resolved_at,csat,ces
            48201,ana@example.com,2024-01-02T09:00:00Z,solved,ann,2024-01-03T10:00:00Z,5,2
            48202,ben@example.com,2024-01-04T09:00:00Z,solved,bob,2024-01-05T10:00:00Z,,
            48203,cy@example.com,2024-01-06T09:00:00Z,open,bob,,2,
            """

        static let delighted = """
            response_id,email,kind,score,responded_at,ticket_id,ticket_source
            D1,ana@example.com,csat,1,2024-01-04T12:00:00Z,48201,helpdesk
            D2,ben@example.com,csat,4,2024-01-06T12:00:00Z,48202,helpdesk
            D3,cy@example.com,csat,3,2024-01-07T12:00:00Z,48203,helpdesk
            D4,ana@example.com,ces,6,2024-01-04T12:00:00Z,48201,helpdesk
            D5,ben@example.com,ces,3,2024-01-06T12:00:00Z,48202,helpdesk
            D6,ana@example.com,csat,2,2024-01-08T12:00:00Z,48201,
            """

        static let helpdeskSurveys = """
            response_id,email,kind,score,responded_at,ticket_id
            H1,ben@example.com,csat,5,2024-01-05T12:00:00Z,48202
            """

        static func warehouse() throws -> ScratchWarehouse {
            let w = try ScratchWarehouse()
            for (entity, name, content, source) in [(Entity.tickets, "tickets.csv", tickets, "helpdesk"),
                                                    (.surveys, "delighted.csv", delighted, "delighted"),
                                                    (.surveys, "helpdesk.csv", helpdeskSurveys, "helpdesk")] {
                let report = try w.load(entity, name, content, source: source)
                #expect(report.counts.rejected == 0, "\(name) had rejects")
            }
            return w
        }
    }

    @Suite("surveys about another source's tickets")
    struct CrossSourceSurveyTests {
        @Test("csat: a linked survey counts once, and not at all when the ticket has its own csat")
        func csat() throws {
            let w = try CrossSourceFixture.warehouse()
            let r = try analysis(w, "csat")
            // Counted: 48201's own 5 (resolved Jan 3); D2 4 and H1 5 (48202 has no csat of its
            // own; two surveys linked to it each count); D6 2 (links to delighted's 48201, which
            // does not exist). Not counted: D1 (48201's own 5 wins), D3 (48203's own 2 wins, and
            // 48203 is open, so that does not count either).
            //   answered 4, satisfied 3 (5, 4, 5) → csat 3/4; mean (5 + 4 + 2 + 5) / 4 = 4.
            // Without the link across sources D1, D2, D3 would count too: 6 answered.
            #expect(r.column("period") == ["2024-01-01"])
            #expect(r.column("answered") == ["4"])
            #expect(r.column("satisfied") == ["3"])
            expectClose(r.numbers("csat"), [0.75], "csat")
            expectClose(r.numbers("mean_score"), [4], "mean_score")
            #expect(r.column("complete") == ["f"])
        }

        @Test("csat --segment agent: a survey takes the agent of the ticket it links to in the other source")
        func csatByAgent() throws {
            let w = try CrossSourceFixture.warehouse()
            let r = try analysis(w, "csat", ["segment": "agent"])
            // ann: 48201's own 5 → 1 answered, 1 satisfied. bob: D2 4 and H1 5 (both 48202's) →
            // 2 answered, 2 satisfied. (unknown): D6 2 → 1 answered, 0 satisfied.
            #expect(r.rows.count == 3)
            for (agent, answered, satisfied) in [("ann", "1", "1"), ("bob", "2", "2"), ("(unknown)", "1", "0")] {
                let rows = r.filter("segment", agent)
                #expect(rows.column("answered") == [answered], "\(agent)")
                #expect(rows.column("satisfied") == [satisfied], "\(agent)")
            }
        }

        @Test("ces: the ticket's own ces wins over a survey of another source")
        func ces() throws {
            let w = try CrossSourceFixture.warehouse()
            let r = try analysis(w, "ces")
            // Counted: 48201's own 2, D5 3 (48202 has no ces). D4 is not (48201's own 2 wins).
            //   responses 2, mean (2 + 3) / 2 = 2.5, median 2.5; one 2, one 3.
            #expect(r.column("responses") == ["2"])
            expectClose(r.numbers("mean_effort"), [2.5], "mean_effort")
            expectClose(r.numbers("median_effort"), [2.5], "median_effort")
            #expect(r.column("score_2") == ["1"])
            #expect(r.column("score_3") == ["1"])
            #expect(r.column("score_6") == ["0"])
        }

        @Test("ticket_facts: a ticket's effective csat and ces come from its latest linked survey, of any source")
        func ticketFacts() throws {
            let w = try CrossSourceFixture.warehouse()
            // 48201: its own 5 and 2. 48202: latest linked csat D2 4 (Jan 6, delighted) over H1 5
            // (Jan 5, helpdesk); ces D5 3. 48203: its own csat 2, no ces.
            #expect(try w.rows("SELECT ticket_id, source, csat::text, ces::text FROM ticket_facts ORDER BY ticket_id")
                    == [["48201", "helpdesk", "5", "2"], ["48202", "helpdesk", "4", "3"], ["48203", "helpdesk", "2", nil]])
            // satisfaction_answers names each survey answer's linked ticket by the ticket's source.
            #expect(try w.rows("""
                SELECT source, ticket_id, score::text FROM satisfaction_answers
                WHERE origin = 'survey' ORDER BY kind, at
                """) == [["helpdesk", "48202", "3"],
                         ["helpdesk", "48202", "5"], ["helpdesk", "48202", "4"], ["delighted", "48201", "2"]])
        }
    }
}
