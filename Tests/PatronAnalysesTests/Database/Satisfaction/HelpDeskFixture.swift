import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

extension Satisfaction {
    /// A help desk, January–March 2024 (UTC), whose CSAT and CES are worked out by hand in the tests.
    ///
    ///     ticket  customer  channel  agent  status  resolved_at (UTC)   csat  ces
    ///     T1      A         email    ann    solved  Jan 3 10:00         5     2
    ///     T2      B         chat     bob    solved  Jan 10 10:00        —     —
    ///     T3      C         email    ann    open    —                   4     1    unresolved: neither counts
    ///     T4      A         phone    ann    solved  Mar 1 00:30         3     4    Feb 29 19:30 in New York
    ///     T5      E         email    ann    solved  Mar 9 10:00         —     3
    ///     T6      F         chat     bob    closed  Mar 12 10:00        3     1
    ///
    ///     survey  customer  kind  score  responded_at (UTC)  ticket
    ///     S1      A         csat  1      Jan 4 10:00         T1    T1 has its own csat: not counted
    ///     S2      B         csat  2      Jan 11 10:00        T2    counted (bob, chat)
    ///     S3      C         csat  5      Jan 16 10:00        T3    T3 has its own csat: not counted
    ///     S4      D         csat  4      Jan 20 10:00        —     counted, no ticket: (unknown)
    ///     S5      E         csat  4      Mar 10 10:00        T5    counted (ann, email)
    ///     C1      B         ces   6      Jan 11 10:05        T2    counted
    ///     C2      D         ces   5      Jan 21 10:00        —     counted
    ///     C3      E         ces   7      Mar 10 10:05        T5    T5 has its own ces: not counted
    ///     C4      G         ces   7      Mar 14 10:00        —     counted
    ///     N1      A         nps   10     Jan 5 10:00         —     neither CSAT nor CES
    ///
    /// February has no answer (in UTC). Data horizon: C4, Mar 14 10:00, so March is incomplete.
    enum HelpDeskFixture {
        static let tickets = """
            ticket_id,customer_id,created_at,channel,category,priority,status,agent,resolved_at,csat,ces
            T1,A,2024-01-02T09:00:00Z,email,billing,high,solved,ann,2024-01-03T10:00:00Z,5,2
            T2,B,2024-01-09T09:00:00Z,chat,billing,low,solved,bob,2024-01-10T10:00:00Z,,
            T3,C,2024-01-15T09:00:00Z,email,shipping,low,open,ann,,4,1
            T4,A,2024-02-28T09:00:00Z,phone,shipping,high,solved,ann,2024-03-01T00:30:00Z,3,4
            T5,E,2024-03-05T09:00:00Z,email,billing,low,solved,ann,2024-03-09T10:00:00Z,,3
            T6,F,2024-03-10T09:00:00Z,chat,shipping,high,closed,bob,2024-03-12T10:00:00Z,3,1

            """

        static let surveys = """
            response_id,customer_id,kind,score,responded_at,ticket_id
            S1,A,csat,1,2024-01-04T10:00:00Z,T1
            S2,B,csat,2,2024-01-11T10:00:00Z,T2
            S3,C,csat,5,2024-01-16T10:00:00Z,T3
            S4,D,csat,4,2024-01-20T10:00:00Z,
            S5,E,csat,4,2024-03-10T10:00:00Z,T5
            C1,B,ces,6,2024-01-11T10:05:00Z,T2
            C2,D,ces,5,2024-01-21T10:00:00Z,
            C3,E,ces,7,2024-03-10T10:05:00Z,T5
            C4,G,ces,7,2024-03-14T10:00:00Z,
            N1,A,nps,10,2024-01-05T10:00:00Z,

            """

        static func warehouse() throws -> ScratchWarehouse {
            let w = try ScratchWarehouse()
            try loadAccepted(w, .tickets, "tickets.csv", tickets)
            try loadAccepted(w, .surveys, "surveys.csv", surveys)
            return w
        }
    }
}
