import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("churn_rate")
struct ChurnRateTests {
    @Test("period table on the shop with a 30-day window, and the identity")
    func shopWindow30() throws {
        let w = try ShopFixture.warehouse()
        let r = AnalysisResult(try w.runner().collect("churn_rate", ["window": "30"]))
        #expect(r.columns == ["segment", "period", "customers_start", "lost", "new", "reactivated", "customers_end",
                              "churn_rate", "retention_rate", "complete"])
        // Active at t = a valid purchase in [t − 30 days, t):
        //   Jan 1: nobody.  Feb 1 [Jan 2, Feb 1): A (Jan 5), B (Jan 20).
        //   Mar 1 [Jan 31, Mar 1): A (Feb 10), C (Feb 3), E (Feb 25).
        //   Apr 1 [Mar 2, Apr 1): B (Mar 15) — C's Mar 1 order is cancelled.
        //   May 1 [Apr 1, May 1): A (Apr 1 00:00, exactly at the start: included).
        // Jan: start 0, lost 0, new {A, B} 2, reactivated 0, end 2.
        // Feb: start 2, lost {B} 1, new {C, E} 2, reactivated 0, end 3.
        // Mar: start 3, lost {A, C, E} 3, new 0, reactivated {B} 1, end 1.
        // Apr: start 1, lost {B} 1, new 0, reactivated {A} 1, end 1.
        #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
        #expect(r.column("customers_start") == ["0", "2", "3", "1"])
        #expect(r.column("lost") == ["0", "1", "3", "1"])
        #expect(r.column("new") == ["2", "2", "0", "0"])
        #expect(r.column("reactivated") == ["0", "0", "1", "1"])
        #expect(r.column("customers_end") == ["2", "3", "1", "1"])
        // churn = lost / start: NULL (0 at start), 1/2, 3/3, 1/1.
        expectNumbers(r.numbers("churn_rate"), [nil, 0.5, 1, 1], "churn_rate")
        expectNumbers(r.numbers("retention_rate"), [nil, 0.5, 0, 0], "retention_rate")
        #expect(r.column("complete") == ["t", "t", "t", "f"])
        try expectIdentity(r)
    }

    @Test("the identity holds for every period, window, period length and segment")
    func identityEverywhere() throws {
        let countries = "customer_id,country\nA,DE\nB,FR\nC,DE\nG,FR\n"
        let w = try ShopFixture.warehouse(withHistory: true)
        try w.expectLoaded(.customers, "customers.csv", countries)
        let runner = try w.runner()
        let shop = try ExpectedChurnRows(purchases: [ShopFixture.purchases, ShopFixture.history], countries: countries)
        var empty: [String] = []
        for period in ["day", "week", "month", "quarter"] {
            for window in [1, 7, 30, 90, 400] {
                for segment in [nil, "country", "cohort"] as [String?] {
                    var arguments = ["period": period, "window": String(window)]
                    arguments["segment"] = segment
                    let r = AnalysisResult(try runner.collect("churn_rate", arguments))
                    // The rows listed, worked out from the fixture: not an empty result that
                    // satisfies the identity vacuously.
                    let expected = shop.rowCount(period: period, windowDays: window, segment: segment)
                    #expect(r.rows.count == expected, "\(arguments)")
                    if expected == 0 { empty.append("\(period)/\(window)/\(segment ?? "-")") }
                    try expectIdentity(r, allowEmpty: expected == 0)
                }
            }
        }
        // Only short windows leave a split run without any row: no valid purchase falls on the
        // last day of a month, nor in the last 7 days of a quarter (the latest before a boundary
        // is Mar 20, 2024), so nobody is active at any boundary. Every other run has rows.
        #expect(empty == ["month/1/country", "month/1/cohort", "quarter/1/country", "quarter/1/cohort",
                          "quarter/7/country", "quarter/7/cohort"], "\(empty)")
    }

    /// customers_end = customers_start − lost + new + reactivated, and each period's end is
    /// the next period's start (per segment).
    func expectIdentity(_ r: AnalysisResult, allowEmpty: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let start = r.column("customers_start").map { Int($0 ?? "") ?? -1 }
        let lost = r.column("lost").map { Int($0 ?? "") ?? -1 }
        let new = r.column("new").map { Int($0 ?? "") ?? -1 }
        let reactivated = r.column("reactivated").map { Int($0 ?? "") ?? -1 }
        let end = r.column("customers_end").map { Int($0 ?? "") ?? -1 }
        let segment = r.column("segment")
        let period = r.column("period")
        // With --segment, periods without any count are not listed (a 1-day window can leave none).
        #expect(allowEmpty || !start.isEmpty, sourceLocation: sourceLocation)
        for i in start.indices {
            #expect(end[i] == start[i] - lost[i] + new[i] + reactivated[i],
                    "period \(period[i] ?? "?") segment \(segment[i] ?? "-")", sourceLocation: sourceLocation)
            // Without --segment every period is listed, so each end is the next start.
            if i + 1 < start.count, segment[i] == nil, segment[i + 1] == nil {
                #expect(end[i] == start[i + 1], "continuity at \(period[i] ?? "?")", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("window boundary: a purchase exactly at t − W is active at t, one exactly at t is not")
    func windowBoundary() throws {
        let w = try ScratchWarehouse()
        // W = 10 days. X buys Jan 22 00:00 = Feb 1 − 10 days: active at Feb 1.
        // Y buys Feb 1 00:00 exactly: not active at Feb 1 (it counts in February) and, ten
        // days later, not active at Mar 1 either.
        try w.expectLoaded(.purchases, "p.csv", """
            order_id,customer_id,ordered_at,amount,currency
            X1,X,2024-01-22T00:00:00Z,1,EUR
            Y1,Y,2024-02-01T00:00:00Z,1,EUR

            """)
        let r = AnalysisResult(try w.runner().collect("churn_rate", ["window": "10"]))
        // Jan: start 0, new {X} 1, end 1 (Y is not active at Feb 1).
        // Feb: start {X} 1, lost {X} 1, new 0 (Y not active at Mar 1), end 0.
        #expect(r.column("period") == ["2024-01-01", "2024-02-01"])
        #expect(r.column("customers_start") == ["0", "1"])
        #expect(r.column("new") == ["1", "0"])
        #expect(r.column("lost") == ["0", "1"])
        #expect(r.column("customers_end") == ["1", "0"])
        // One second earlier for X (Jan 21 23:59:59) would be outside the window:
        try w.expectLoaded(.purchases, "p2.csv", "order_id,customer_id,ordered_at,amount,currency\nX1,X,2024-01-21T23:59:59Z,1,EUR\n")
        let earlier = AnalysisResult(try w.runner().collect("churn_rate", ["window": "10"]))
        #expect(earlier.column("customers_end") == ["0", "0"])
    }

    @Test("the window counts local calendar days in --tz (23-hour day at the DST change)")
    func localDays() throws {
        let w = try ScratchWarehouse()
        // Europe/Berlin: the April period starts Apr 1 00:00 CEST = Mar 31 22:00 UTC. W = 1
        // local day reaches back to Mar 31 00:00 CET = Mar 30 23:00 UTC (23 hours, DST).
        // A purchase at Mar 30 22:30 UTC is before that, though within 24 elapsed hours: not
        // active at Apr 1. One at Mar 30 23:00 UTC is exactly at t − W: active.
        try w.expectLoaded(.purchases, "p.csv", """
            order_id,customer_id,ordered_at,amount,currency
            P1,P,2024-03-30T22:30:00Z,1,EUR
            Q1,Q,2024-03-30T23:00:00Z,1,EUR

            """)
        let r = AnalysisResult(try w.runner().collect("churn_rate", ["window": "1", "tz": "Europe/Berlin"]))
        #expect(r.column("period") == ["2024-03-01"])
        #expect(r.column("customers_end") == ["1"])
        #expect(r.column("new") == ["1"])
    }
}

/// The rows churn_rate lists for the shop, worked out from the fixture's CSV text (UTC, so a
/// local day is 24 hours), independently of the SQL. Active at instant t: a valid purchase in
/// [t − W days, t). Periods run from the one holding the first valid purchase to the one holding
/// the last. Without --segment every period is a row; with it, a (segment, period [s, e)) is a
/// row when some customer of the segment is active at s or at e (customers_start, lost, new,
/// reactivated and customers_end are then not all 0).
struct ExpectedChurnRows {
    var purchases: [String: [Date]] = [:]
    var countries: [String: String] = [:]
    let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    init(purchases files: [String], countries countryCSV: String) throws {
        let parse = ISO8601DateFormatter()
        for file in files {
            // order_id,customer_id,ordered_at,amount,currency,status
            for line in file.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard fields.count >= 6, fields[5] != "cancelled" else { continue }
                purchases[fields[1], default: []].append(try #require(parse.date(from: fields[2]), "\(line)"))
            }
        }
        for line in countryCSV.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",").map(String.init)
            countries[fields[0]] = fields[1]
        }
    }

    /// date_trunc(period, t) in UTC.
    func periodStart(_ period: String, _ t: Date) -> Date {
        switch period {
        case "day": return calendar.startOfDay(for: t)
        case "week":
            var iso = Calendar(identifier: .iso8601)
            iso.timeZone = calendar.timeZone
            return iso.date(from: iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: t))!
        case "month": return calendar.date(from: calendar.dateComponents([.year, .month], from: t))!
        default:
            let c = calendar.dateComponents([.year, .month], from: t)
            return calendar.date(from: DateComponents(year: c.year, month: (c.month! - 1) / 3 * 3 + 1))!
        }
    }

    func next(_ period: String, _ start: Date) -> Date {
        switch period {
        case "day": return calendar.date(byAdding: .day, value: 1, to: start)!
        case "week": return calendar.date(byAdding: .day, value: 7, to: start)!
        case "month": return calendar.date(byAdding: .month, value: 1, to: start)!
        default: return calendar.date(byAdding: .month, value: 3, to: start)!
        }
    }

    func rowCount(period: String, windowDays: Int, segment: String?) -> Int {
        let all = purchases.values.flatMap { $0 }
        guard let first = all.min(), let last = all.max() else { return 0 }
        var starts: [Date] = []
        var s = periodStart(period, first)
        while s <= last { starts.append(s); s = next(period, s) }
        if segment == nil { return starts.count }

        let window = TimeInterval(windowDays) * 86_400
        func active(_ customer: String, at t: Date) -> Bool {
            purchases[customer, default: []].contains { $0 >= t.addingTimeInterval(-window) && $0 < t }
        }
        func segmentOf(_ customer: String) -> String {
            segment == "cohort" ? "\(periodStart(period, purchases[customer]!.min()!))" : countries[customer] ?? "(unknown)"
        }
        let bySegment = Dictionary(grouping: purchases.keys, by: segmentOf)
        var rows = 0
        for (_, customers) in bySegment {
            for start in starts where customers.contains(where: { active($0, at: start) || active($0, at: next(period, start)) }) {
                rows += 1
            }
        }
        return rows
    }
}
