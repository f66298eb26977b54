import CivilCalendar
import Testing

@Suite("Civil dates and day numbers")
struct CivilCalendarTests {
    @Test("known day numbers")
    func knownDays() {
        // 1970-01-01 is day 0; 2000-03-01 is 30 years (7 leap days: 72, 76, …, 96) plus Jan and
        // Feb 2000 (31 + 29) after it: 30·365 + 7 + 60 = 11 017.
        #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilCalendar.days(year: 2000, month: 3, day: 1) == 11_017)
        // 0001-01-01 is PostgreSQL's date '0001-01-01' - date '1970-01-01' = -719 162.
        #expect(CivilCalendar.days(year: 1, month: 1, day: 1) == -719_162)
        // Year 0 is 1 BC, a leap year.
        #expect(CivilCalendar.days(year: 0, month: 3, day: 1) - CivilCalendar.days(year: 0, month: 2, day: 28) == 2)
    }

    @Test("date(days:) inverts days(year:month:day:) on every day of 4000 years")
    func roundTrip() {
        var expected = CivilCalendar.days(year: -200, month: 1, day: 1)
        for year in Int64(-200)...3800 {
            for month in Int64(1)...12 {
                for day in Int64(1)...CivilCalendar.daysInMonth(year: year, month: month) {
                    let n = CivilCalendar.days(year: year, month: month, day: day)
                    guard n == expected else {
                        Issue.record("\(year)-\(month)-\(day) is day \(n), expected \(expected)")
                        return
                    }
                    let back = CivilCalendar.date(days: n)
                    guard back == (year, month, day) else {
                        Issue.record("day \(n) is \(back), expected \(year)-\(month)-\(day)")
                        return
                    }
                    expected += 1
                }
            }
        }
    }

    @Test("leap years and month lengths")
    func leapYears() {
        #expect(CivilCalendar.isLeapYear(2024))
        #expect(!CivilCalendar.isLeapYear(1900))
        #expect(CivilCalendar.isLeapYear(2000))
        #expect(CivilCalendar.daysInMonth(year: 2023, month: 2) == 28)
        #expect(CivilCalendar.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilCalendar.daysInMonth(year: 2024, month: 4) == 30)
        #expect(CivilCalendar.isValid(year: 2024, month: 2, day: 29))
        #expect(!CivilCalendar.isValid(year: 2023, month: 2, day: 29))
        #expect(!CivilCalendar.isValid(year: 2023, month: 13, day: 1))
        #expect(!CivilCalendar.isValid(year: 2023, month: 1, day: 0))
    }
}
