import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

extension Satisfaction {
    @Suite("ces")
    struct CESTests {
        @Test("mean, median (even count) and the 1–7 distribution per month, each answer once")
        func monthly() throws {
            let w = try HelpDeskFixture.warehouse()
            let r = try analysis(w, "ces")
            #expect(r.columns == ["segment", "period", "responses", "mean_effort", "median_effort",
                                  "score_1", "score_2", "score_3", "score_4", "score_5", "score_6", "score_7", "complete"])
            // Jan: T1 2 (resolved Jan 3), C1 6 (T2 has no ces), C2 5 (no ticket); T3's 1 is not
            //   counted (open). Scores 2, 5, 6 → mean 13/3, median 5.
            // Feb: none → 0 responses, mean and median empty, every score count 0.
            // Mar: T4 4, T5 3 (C3's 7 is not counted: T5 has its own ces), T6 1, C4 7 →
            //   scores 1, 3, 4, 7 → mean 15/4 = 3.75, median (3 + 4) / 2 = 3.5 (even count).
            #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01"])
            #expect(r.column("responses") == ["3", "0", "4"])
            expectClose(r.numbers("mean_effort"), [13.0 / 3, nil, 3.75], "mean_effort")
            expectClose(r.numbers("median_effort"), [5, nil, 3.5], "median_effort")
            #expect(r.column("score_1") == ["0", "0", "1"])
            #expect(r.column("score_2") == ["1", "0", "0"])
            #expect(r.column("score_3") == ["0", "0", "1"])
            #expect(r.column("score_4") == ["0", "0", "1"])
            #expect(r.column("score_5") == ["1", "0", "0"])
            #expect(r.column("score_6") == ["1", "0", "0"])
            #expect(r.column("score_7") == ["0", "0", "1"])
            #expect(r.column("complete") == ["t", "t", "f"])
        }

        @Test("--segment origin")
        func byOrigin() throws {
            let w = try HelpDeskFixture.warehouse()
            let r = try analysis(w, "ces", ["segment": "origin"])
            // ticket: Jan T1 2 → mean 2; Mar T4 4, T5 3, T6 1 → mean 8/3, median 3.
            // survey: Jan C1 6, C2 5 → mean 5.5, median 5.5; Mar C4 7.
            let ticket = r.filter("segment", "ticket")
            #expect(ticket.column("period") == ["2024-01-01", "2024-03-01"])
            #expect(ticket.column("responses") == ["1", "3"])
            expectClose(ticket.numbers("mean_effort"), [2, 8.0 / 3], "ticket mean")
            expectClose(ticket.numbers("median_effort"), [2, 3], "ticket median")
            let survey = r.filter("segment", "survey")
            #expect(survey.column("responses") == ["2", "1"])
            expectClose(survey.numbers("median_effort"), [5.5, 7], "survey median")
            #expect(r.rows.count == 4)
        }
    }
}
