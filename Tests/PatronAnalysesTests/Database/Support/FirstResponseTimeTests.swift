import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("Support: first_response_time")
struct SupportFirstResponseTimeTests {
    @Test("mean, median and p90 per month; the even count interpolates (percentile_cont)")
    func perMonth() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("first_response_time")
        #expect(r.columns == ["segment", "period", "created", "responded", "mean_hours", "median_hours", "p90_hours", "complete"])
        #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
        // January (by created_at): T1 1 h, T2 3 h, T3 6 h, T4 2 h (its first response is in
        // February, it still counts in January); T5 has no first response.
        //   sorted 1, 2, 3, 6: mean 12/4 = 3; median (2 + 3)/2 = 2.5;
        //   p90 at position 0.9 × (4 − 1) = 2.7: 3 + 0.7 × (6 − 3) = 5.1.
        // February: T6 0.5 h (T7 unanswered). March: nothing. April: T8 1 h.
        #expect(r.column("created") == ["5", "2", "0", "1"])
        #expect(r.column("responded") == ["4", "1", "0", "1"])
        expectColumn(r, "mean_hours", [3, 0.5, nil, 1])
        expectColumn(r, "median_hours", [2.5, 0.5, nil, 1])
        expectColumn(r, "p90_hours", [5.1, 0.5, nil, 1])
        #expect(r.column("complete") == ["t", "t", "t", "f"])
    }

    @Test("by agent: only agent × period combinations with tickets")
    func byAgent() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("first_response_time", ["segment": "agent"])
        // ann: Jan T1 1, T3 6, T4 2 → mean 3, median 2; Apr T8 1. bob: Jan T2 3 (T5 none);
        // Feb T6 0.5. (unknown): Feb T7, unanswered.
        #expect(r.column("segment") == ["(unknown)", "ann", "ann", "bob", "bob"])
        #expect(r.column("period") == ["2024-02-01", "2024-01-01", "2024-04-01", "2024-01-01", "2024-02-01"])
        #expect(r.column("created") == ["1", "3", "1", "2", "1"])
        expectColumn(r, "mean_hours", [nil, 3, 1, 3, 0.5])
        expectColumn(r, "median_hours", [nil, 2, 1, 3, 0.5])
    }
}

@Suite("Support: first_response_time --by weekday_hour")
struct SupportResponseGridTests {
    /// Tickets around the Europe/Berlin spring-forward night (Sunday March 31 2024, 02:00 CET →
    /// 03:00 CEST), the first hours of March and the first of April.
    ///
    ///     ticket created (UTC)       Berlin local                     FRT
    ///     G0     Feb 29 22:30        Thu Feb 29 23:30 CET (before)   5 h
    ///     G1     Feb 29 23:30        Fri Mar 1 00:30 CET             1 h
    ///     G2     Mar 31 00:30        Sun 01:30 CET                   2 h
    ///     G6     Mar 31 01:00        Sun 03:00 CEST                  2 h
    ///     G3     Mar 31 01:30        Sun 03:30 CEST                  4 h
    ///     G4     Mar 31 21:30        Sun 23:30 CEST                  3 h
    ///     G5     Mar 31 22:30        Mon Apr 1 00:30 CEST (after)    1 h
    static let tickets = """
        ticket_id,customer_id,created_at,first_response_at
        G0,X,2024-02-29T22:30:00Z,2024-03-01T03:30:00Z
        G1,X,2024-02-29T23:30:00Z,2024-03-01T00:30:00Z
        G2,X,2024-03-31T00:30:00Z,2024-03-31T02:30:00Z
        G6,X,2024-03-31T01:00:00Z,2024-03-31T03:00:00Z
        G3,X,2024-03-31T01:30:00Z,2024-03-31T05:30:00Z
        G4,X,2024-03-31T21:30:00Z,2024-04-01T00:30:00Z
        G5,X,2024-03-31T22:30:00Z,2024-03-31T23:30:00Z

        """

    func cell(_ r: SupportResult, _ weekday: Int, _ hour: Int) -> [String?] {
        let weekdays = r.column("weekday"), hours = r.column("hour")
        guard let index = weekdays.indices.first(where: { weekdays[$0] == String(weekday) && hours[$0] == String(hour) }) else {
            Issue.record("no cell \(weekday) × \(hour)")
            return []
        }
        return r.rows[index]
    }

    @Test("the 7 × 24 grid in Europe/Berlin over March, across the DST change")
    func berlin() throws {
        let w = try ScratchWarehouse()
        try w.loadCleanly(.tickets, "grid.csv", Self.tickets)
        let r = try w.analysis("first_response_time", ["by": "weekday_hour", "tz": "Europe/Berlin",
                                                        "from": "2024-03-01", "to": "2024-04-01"])
        #expect(r.columns == ["segment", "weekday", "weekday_name", "hour", "created", "responded",
                              "mean_hours", "median_hours", "p90_hours"])
        #expect(r.rows.count == 7 * 24)
        // The range is [Mar 1 00:00 CET, Apr 1 00:00 CEST) = [Feb 29 23:00Z, Mar 31 22:00Z): G0
        // and G5 are outside. G1 → Fri (5) hour 0; G2 → Sun (7) 1; G6, G3 → Sun 3 (there is no
        // local hour 2 that night); G4 → Sun 23.
        let created = r.column("created").map { Int($0 ?? "") ?? -1 }
        #expect(created.reduce(0, +) == 5)
        #expect(cell(r, 5, 0)[4] == "1")
        #expect(cell(r, 7, 1)[4] == "1")
        #expect(cell(r, 7, 2)[4] == "0")
        #expect(cell(r, 7, 3)[4] == "2")
        #expect(cell(r, 7, 23)[4] == "1")
        #expect(cell(r, 1, 0)[4] == "0")
        #expect(cell(r, 4, 23)[4] == "0")
        #expect(cell(r, 5, 0)[2] == "Fri")
        // Sunday 03:00: G6 2 h and G3 4 h: mean 3, median (2 + 4)/2 = 3, p90 2 + 0.9 × 2 = 3.8.
        let sunday3 = SupportResult((r.columns, [cell(r, 7, 3)]))
        expectColumn(sunday3, "mean_hours", [3])
        expectColumn(sunday3, "median_hours", [3])
        expectColumn(sunday3, "p90_hours", [3.8])
        // An empty cell has empty statistics.
        expectColumn(SupportResult((r.columns, [cell(r, 7, 2)])), "median_hours", [nil])
    }

    @Test("the same tickets in UTC land in other cells")
    func utc() throws {
        let w = try ScratchWarehouse()
        try w.loadCleanly(.tickets, "grid.csv", Self.tickets)
        let r = try w.analysis("first_response_time", ["by": "weekday_hour", "from": "2024-03-01", "to": "2024-04-01"])
        // [Mar 1, Apr 1) UTC: G0, G1 (Thu Feb 29) are outside; G2 Sun 0, G6 and G3 Sun 1, G4 Sun
        // 21, G5 Sun 22.
        #expect(r.rows.count == 168)
        #expect(cell(r, 7, 0)[4] == "1")
        #expect(cell(r, 7, 1)[4] == "2")
        #expect(cell(r, 7, 21)[4] == "1")
        #expect(cell(r, 7, 22)[4] == "1")
        #expect(cell(r, 5, 0)[4] == "0")
        #expect(r.column("created").map { Int($0 ?? "") ?? -1 }.reduce(0, +) == 5)
    }
}
