import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("Support: business hours (--schedule)")
struct SupportBusinessHoursTests {
    /// Berlin office: weekdays 09:00–17:00 local, Good Friday (Mar 29) and Easter Monday (Apr 1)
    /// 2024 closed. DST starts Sunday Mar 31 (CET +01 → CEST +02).
    static let schedule = """
        # Berlin support desk
        timezone = Europe/Berlin
        mon = 09:00-17:00
        tue = 09:00-17:00
        wed = 09:00-17:00
        thu = 09:00-17:00
        fri = 09:00-17:00
        sat = closed
        holidays = 2024-03-29, 2024-04-01

        """

    /// ticket created (local)            first response (local)     resolved (local)
    /// H1     Fri Mar 22 16:00 CET       Mon Mar 25 10:00 CET       Mon Mar 25 11:00 CET
    /// H2     Thu Mar 28 16:30 CET       Tue Apr 2 09:30 CEST       —
    /// H4     Tue Mar 26 18:00 CET       Tue Mar 26 20:00 CET       —
    /// H5     Fri Mar 22 16:00 CET       Fri Mar 22 16:30 CET       Thu Apr 4 10:00 CEST
    static let tickets = """
        ticket_id,customer_id,created_at,first_response_at,resolved_at,status
        H1,X,2024-03-22T15:00:00Z,2024-03-25T09:00:00Z,2024-03-25T10:00:00Z,solved
        H2,X,2024-03-28T15:30:00Z,2024-04-02T07:30:00Z,,open
        H4,X,2024-03-26T17:00:00Z,2024-03-26T19:00:00Z,,open
        H5,X,2024-03-22T15:00:00Z,2024-03-22T15:30:00Z,2024-04-04T08:00:00Z,solved

        """

    func warehouse() throws -> (ScratchWarehouse, String) {
        let w = try ScratchWarehouse()
        try w.loadCleanly(.tickets, "tickets.csv", Self.tickets)
        return (w, try w.write("berlin.schedule", SupportBusinessHoursTests.schedule))
    }

    @Test("FRT in business hours over a weekend, a holiday and the DST change")
    func firstResponse() throws {
        let (w, schedule) = try warehouse()
        let r = try w.analysis("first_response_time", ["schedule": schedule])
        // Business hours (created in March, UTC months):
        //   H1: Fri 16:00–17:00 (1 h) + weekend + Mon 09:00–10:00 (1 h) = 2 h (66 h elapsed).
        //   H2: Thu 16:30–17:00 (0.5 h) + Good Friday + weekend with the DST change + Easter
        //       Monday + Tue 09:00–09:30 CEST (0.5 h) = 1 h (112 h elapsed).
        //   H4: after closing on both ends: 0 h.   H5: Fri 16:00–16:30: 0.5 h.
        //   sorted 0, 0.5, 1, 2: mean 0.875, median 0.75, p90 at 2.7: 1 + 0.7 × 1 = 1.7.
        #expect(r.column("period") == ["2024-03-01"])
        #expect(r.column("responded") == ["4"])
        expectColumn(r, "mean_hours", [0.875])
        expectColumn(r, "median_hours", [0.75])
        expectColumn(r, "p90_hours", [1.7])
        // Calendar time stays the default: 66, 112, 2, 0.5 → median (2 + 66)/2 = 34.
        let calendar = try w.analysis("first_response_time")
        expectColumn(calendar, "median_hours", [34])
        expectColumn(calendar, "mean_hours", [(66.0 + 112 + 2 + 0.5) / 4])
    }

    @Test("TTR in business hours: opening hours are local wall-clock time after the DST change")
    func timeToResolution() throws {
        let (w, schedule) = try warehouse()
        let r = try w.analysis("time_to_resolution", ["schedule": schedule])
        // H1 (resolved in March): Fri 1 h + Mon 09:00–11:00 2 h = 3 h.
        // H5 (resolved in April): Fri Mar 22 1 h; Mon 25 – Thu 28 4 × 8 h = 32 h; Good Friday,
        //   weekend, Easter Monday closed; Tue 2, Wed 3: 16 h; Thu Apr 4 09:00–10:00 CEST
        //   (07:00–08:00 UTC): 1 h → 50 h. (Hours fixed at 08:00–16:00 UTC would give 0 h on
        //   Thursday, and 49 h.)
        #expect(r.column("period") == ["2024-03-01", "2024-04-01"])
        expectColumn(r, "mean_hours", [3, 50])
    }

    @Test("open around the clock: business time equals elapsed time, the 23-hour day included")
    func aroundTheClock() throws {
        let (w, _) = try warehouse()
        let always = try w.write("always.schedule", """
            timezone = Europe/Berlin
            mon = 00:00-24:00
            tue = 00:00-24:00
            wed = 00:00-24:00
            thu = 00:00-24:00
            fri = 00:00-24:00
            sat = 00:00-24:00
            sun = 00:00-12:00, 12:00-24:00
            """)
        let business = try w.analysis("first_response_time", ["schedule": always])
        let calendar = try w.analysis("first_response_time")
        expectColumn(business, "mean_hours", calendar.column("mean_hours").map { $0.flatMap(Double.init) })
        expectColumn(business, "mean_hours", [(66.0 + 112 + 2 + 0.5) / 4])
    }

    @Test("the weekday × hour grid in business hours")
    func grid() throws {
        let (w, schedule) = try warehouse()
        let r = try w.analysis("first_response_time", ["schedule": schedule, "by": "weekday_hour", "tz": "Europe/Berlin"])
        // Friday 16:00 local: H1 (2 h) and H5 (0.5 h): mean 1.25.
        let weekdays = r.column("weekday"), hours = r.column("hour")
        let index = try #require(r.rows.indices.first { weekdays[$0] == "5" && hours[$0] == "16" })
        expectColumn(SupportResult((r.columns, [r.rows[index]])), "mean_hours", [1.25])
    }

    @Test("schedule files: the format and its errors")
    func parsing() throws {
        let parsed = try BusinessSchedule.parse("""
            TimeZone = Europe/Berlin   # the office
            Monday = 13:00-17:00, 08:00-12:00
            sun = closed
            holidays = 2024-12-25
            holiday = 2024-12-24, 2024-12-25
            """)
        #expect(parsed.timeZone == "Europe/Berlin")
        #expect(parsed.hours == [1: [480...720, 780...1020]])
        #expect(parsed.holidays == ["2024-12-24", "2024-12-25"])
        #expect(parsed.canonicalJSON == #"{"holidays":["2024-12-24","2024-12-25"],"hours":{"1":[["08:00","12:00"],["13:00","17:00"]]},"timezone":"Europe\/Berlin"}"#)
        let bad: [(String, String)] = [
            ("mon = 09:00-17:00", "no `timezone"),
            ("timezone = Mars/Olympus", "unknown time zone"),
            ("timezone = UTC\nmon = 17:00-09:00", "line 2"),
            ("timezone = UTC\nmon = 09:00-13:00, 12:00-17:00", "overlap"),
            ("timezone = UTC\nmon = 9-17", "HH:MM-HH:MM"),
            ("timezone = UTC\nmon = 09:00-24:30", "HH:MM-HH:MM"),
            ("timezone = UTC\nmon = 09:00-17:00\nmon = 10:00-11:00", "twice"),
            ("timezone = UTC\nholidays = 2024-02-30", "not a date"),
            ("timezone = UTC\nopening = 09:00", "unknown key"),
        ]
        for (text, message) in bad {
            #expect {
                try BusinessSchedule.parse(text)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }

    @Test("the schedule is bound as its JSON (never spliced); a bad file stops the run with exit 64")
    func binding() throws {
        let (w, schedule) = try warehouse()
        let runner = try w.supportRunner()
        let prepared = try runner.prepare("time_to_resolution", ["schedule": schedule])
        #expect(prepared.values["schedule"]?.hasPrefix(#"{"holidays":["2024-03-29","2024-04-01"]"#) == true)
        #expect(prepared.listing.contains("-- $6 schedule = '{"))
        let broken = try w.write("broken.schedule", "mon = 09:00-17:00\n")
        #expect {
            try runner.prepare("time_to_resolution", ["schedule": broken])
        } throws: { error in
            (error as? PatronError)?.exitStatus == .usage && "\(error)".contains("timezone")
        }
    }
}
