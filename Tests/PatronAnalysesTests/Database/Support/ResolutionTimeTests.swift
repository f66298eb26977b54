import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("Support: time_to_resolution, handling_time, replies_per_resolution")
struct SupportResolutionTimeTests {
    @Test("TTR per month of resolution; the reopened ticket is unresolved")
    func timeToResolution() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("time_to_resolution")
        #expect(r.columns == ["segment", "period", "resolved", "mean_hours", "median_hours", "p90_hours", "complete"])
        // Placed by resolved_at. T4 is open again: its Feb 1 resolved_at is ignored.
        // January: T1 4 h, T5 6 h, T2 24 h: mean 34/3; median 6; p90 at 0.9 × 2 = 1.8:
        //   6 + 0.8 × (24 − 6) = 20.4.
        // February: T6 2 h, T3 312 h (13 days): mean 157, median (2 + 312)/2 = 157,
        //   p90 at 0.9 × 1 = 0.9: 2 + 0.9 × 310 = 281.
        // Periods run from the first resolution to the last: January and February.
        #expect(r.column("period") == ["2024-01-01", "2024-02-01"])
        #expect(r.column("resolved") == ["3", "2"])
        expectColumn(r, "mean_hours", [34.0 / 3, 157])
        expectColumn(r, "median_hours", [6, 157])
        expectColumn(r, "p90_hours", [20.4, 281])
        #expect(r.column("complete") == ["t", "t"])
    }

    @Test("TTR by priority, and through --to past the data: empty periods")
    func segmentsAndEmpty() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("time_to_resolution", ["to": "2024-04-01"])
        #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01"])
        #expect(r.column("resolved") == ["3", "2", "0"])
        expectColumn(r, "mean_hours", [34.0 / 3, 157, nil])
        let byPriority = try w.analysis("time_to_resolution", ["segment": "priority"])
        // high: Jan T1 4; Feb T3 312. low: Jan T2 24, T5 6 → mean 15; Feb T6 2.
        #expect(byPriority.column("segment") == ["high", "high", "low", "low"])
        expectColumn(byPriority, "mean_hours", [4, 312, 15, 2])
    }

    @Test("handling time in hours; missing handle_seconds is left out, never read as 0")
    func handlingTime() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("handling_time")
        #expect(r.columns == ["segment", "period", "resolved", "timed", "mean_hours", "median_hours", "complete"])
        // January resolved T1 1800 s, T2 3600 s, T5 none: mean 2700 s = 0.75 h, median 0.75 h
        //   (as 0, the mean would be 0.5 h). T4's 600 s does not count (unresolved).
        // February resolved T3 none, T6 900 s: 0.25 h.
        #expect(r.column("resolved") == ["3", "2"])
        #expect(r.column("timed") == ["2", "1"])
        expectColumn(r, "mean_hours", [0.75, 0.25])
        expectColumn(r, "median_hours", [0.75, 0.25])
    }

    @Test("agent replies per resolution")
    func replies() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("replies_per_resolution")
        #expect(r.columns == ["segment", "period", "resolved", "counted", "mean_replies", "median_replies", "complete"])
        // January: T1 1, T2 2 (T5 unknown, left out): mean 1.5, median 1.5.
        // February: T3 1, T6 0: mean 0.5, median 0.5. T4's 3 replies do not count (open again).
        #expect(r.column("counted") == ["2", "2"])
        expectColumn(r, "mean_replies", [1.5, 0.5])
        expectColumn(r, "median_replies", [1.5, 0.5])
    }
}
