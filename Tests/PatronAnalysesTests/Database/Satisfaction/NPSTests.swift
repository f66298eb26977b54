import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

extension Satisfaction {
    /// NPS answers, January–March 2024 (UTC):
    ///
    ///     answer  customer  score  responded_at (UTC)
    ///     P1      A         10     Jan 5 10:00        promoter
    ///     P2      B         9      Jan 6 10:00        promoter
    ///     P3      C         7      Jan 7 10:00        passive
    ///     P4      D         3      Jan 8 10:00        detractor
    ///     P5      A         0      Jan 20 10:00       detractor (A's second answer in January)
    ///     Q1      B         csat 5 Jan 9 10:00        not an NPS answer
    ///     P6      E         6      Mar 1 03:00        detractor; Feb 29 22:00 in New York
    ///     P7      B         10     Mar 10 10:00       promoter
    ///     P8      C         9      Mar 12 10:00       promoter
    ///
    /// Purchases: A first bought in December 2023, B in January 2024; C, D, E never bought.
    /// Data horizon: P8, Mar 12 10:00 — March is incomplete.
    enum NPSFixture {
        static let surveys = """
            response_id,customer_id,kind,score,responded_at
            P1,A,nps,10,2024-01-05T10:00:00Z
            P2,B,nps,9,2024-01-06T10:00:00Z
            P3,C,nps,7,2024-01-07T10:00:00Z
            P4,D,nps,3,2024-01-08T10:00:00Z
            P5,A,nps,0,2024-01-20T10:00:00Z
            Q1,B,csat,5,2024-01-09T10:00:00Z
            P6,E,nps,6,2024-03-01T03:00:00Z
            P7,B,nps,10,2024-03-10T10:00:00Z
            P8,C,nps,9,2024-03-12T10:00:00Z

            """

        static let purchases = """
            order_id,customer_id,ordered_at,amount,currency
            O1,A,2023-12-10T10:00:00Z,20,EUR
            O2,B,2024-01-02T10:00:00Z,30,EUR

            """

        static func warehouse() throws -> ScratchWarehouse {
            let w = try ScratchWarehouse()
            try loadAccepted(w, .surveys, "surveys.csv", surveys)
            try loadAccepted(w, .purchases, "purchases.csv", purchases)
            return w
        }
    }

    @Suite("nps")
    struct NPSTests {
        @Test("every answer counts; a month without answers has NULL nps")
        func monthly() throws {
            let w = try NPSFixture.warehouse()
            let r = try analysis(w, "nps")
            #expect(r.columns == ["segment", "period", "responses", "promoters", "passives", "detractors",
                                  "nps", "mean_score", "complete"])
            // Jan: 10, 9, 7, 3, 0 → 5 responses: promoters 2, passives 1, detractors 2 →
            //   100 × (2 − 2) / 5 = 0; mean 29 / 5 = 5.8. (Q1 is a csat answer.)
            // Feb: no answer → 0 responses, nps and mean empty (not 0).
            // Mar: 6, 10, 9 → promoters 2, detractors 1 → 100 × 1 / 3 = 33.3…; mean 25 / 3.
            // The periods start in January, the month of the first answer: the December 2023
            // purchase is not an NPS answer.
            #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01"])
            #expect(r.column("responses") == ["5", "0", "3"])
            #expect(r.column("promoters") == ["2", "0", "2"])
            #expect(r.column("passives") == ["1", "0", "0"])
            #expect(r.column("detractors") == ["2", "0", "1"])
            expectClose(r.numbers("nps"), [0, nil, 100.0 / 3], "nps")
            expectClose(r.numbers("mean_score"), [5.8, nil, 25.0 / 3], "mean_score")
            #expect(r.column("complete") == ["t", "t", "f"])
        }

        @Test("--latest-per-customer keeps each customer's latest answer in the period")
        func latestPerCustomer() throws {
            let w = try NPSFixture.warehouse()
            let r = try analysis(w, "nps", ["latest_per_customer": "true"])
            // Jan: A's latest is 0 (Jan 20), so A10 drops out: 0, 9, 7, 3 → promoters 1, passives 1,
            //   detractors 2 → 100 × (1 − 2) / 4 = −25; mean 19 / 4. Mar: one answer per customer, as before.
            #expect(r.column("responses") == ["4", "0", "3"])
            expectClose(r.numbers("nps"), [-25, nil, 100.0 / 3], "nps")
            expectClose(r.numbers("mean_score"), [4.75, nil, 25.0 / 3], "mean_score")
        }

        @Test("answers are placed by responded_at in the reporting time zone")
        func timeZone() throws {
            let w = try NPSFixture.warehouse()
            let r = try analysis(w, "nps", ["tz": "America/New_York"])
            // P6 (Mar 1 03:00 UTC) is Feb 29 22:00 in New York: Feb has 1 detractor → −100;
            // Mar keeps 10 and 9 → 100.
            #expect(r.column("responses") == ["5", "1", "2"])
            expectClose(r.numbers("nps"), [0, -100, 100], "nps")
        }

        @Test("--period quarter and --segment cohort")
        func quarterAndCohort() throws {
            let w = try NPSFixture.warehouse()
            let quarter = try analysis(w, "nps", ["period": "quarter"])
            // Q1: promoters 10, 9, 10, 9 = 4; passive 7; detractors 3, 0, 6 = 3 → 100 × (4 − 3) / 8 = 12.5.
            #expect(quarter.column("period") == ["2024-01-01"])
            #expect(quarter.column("responses") == ["8"])
            expectClose(quarter.numbers("nps"), [12.5], "quarterly nps")

            let cohort = try analysis(w, "nps", ["segment": "cohort"])
            // Jan: cohort 2023-12-01 (A): 10, 0 → 0; cohort 2024-01-01 (B): 9 → 100;
            //   (unknown) (C, D never bought): 7, 3 → −50.
            // Mar: 2024-01-01: B 10 → 100; (unknown): E 6, C 9 → 0. No February rows.
            #expect(cohort.rows.count == 5)
            let december = cohort.filter("segment", "2023-12-01")
            #expect(december.column("period") == ["2024-01-01"])
            expectClose(december.numbers("nps"), [0], "December cohort")
            let january = cohort.filter("segment", "2024-01-01")
            #expect(january.column("period") == ["2024-01-01", "2024-03-01"])
            expectClose(january.numbers("nps"), [100, 100], "January cohort")
            let unknown = cohort.filter("segment", "(unknown)")
            #expect(unknown.column("responses") == ["2", "2"])
            expectClose(unknown.numbers("nps"), [-50, 0], "no cohort")
        }
    }
}
