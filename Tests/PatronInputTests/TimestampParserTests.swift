import CivilCalendar
import Foundation
import Testing
@testable import PatronInput

@Suite("Timestamps")
struct TimestampParserTests {
    let utc = TimestampParser(timeZone: TimeZone(identifier: "UTC")!)
    let berlin = TimestampParser(timeZone: TimeZone(identifier: "Europe/Berlin")!)
    let newYork = TimestampParser(timeZone: TimeZone(identifier: "America/New_York")!)

    static let base: Int64 = 1_709_288_100_000_000  // 2024-03-01T10:15:00Z
    static let hour: Int64 = 3_600_000_000

    @Test("accepted forms: a date; date and time joined by T or a space; seconds, fractions and offsets optional",
          arguments: [
        ("2024-03-01T10:15:00Z", base),
        ("2024-03-01 10:15:00Z", base),
        ("2024-03-01t10:15:00z", base),
        ("2024-03-01T10:15Z", base),
        ("2024-03-01T10:15", base),                       // no offset: read in the zone (UTC here)
        ("2024-03-01 10:15:00", base),
        ("2024-03-01T12:15:00+02:00", base),
        ("2024-03-01T12:15:00+0200", base),
        ("2024-03-01T12:15:00+02", base),
        ("2024-03-01T12:15+02:00", base),
        ("2024-03-01T04:45:00-05:30", base),
        ("2024-03-01T10:15:00-00:00", base),
        ("2024-03-01T10:15:00.5Z", base + 500_000),
        ("2024-03-01T10:15:00.123456Z", base + 123_456),
        ("2024-03-01T10:15:00.000001+00:00", base + 1),
        ("2024-03-01T12:15:00.25+02", base + 250_000),
        ("  2024-03-01T10:15:00Z ", base),
        ("2024-03-01", 1_709_251_200_000_000),
        ("2024-02-29T23:59:59.999999Z", 1_709_251_199_999_999),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.5Z", -500_000),
        ("0001-01-01", -62_135_596_800_000_000),
        ("9999-12-31T23:59:59Z", 253_402_300_799_000_000),
        ("2000-02-29", 951_782_400_000_000),
    ])
    func accepted(_ text: String, _ micros: Int64) throws {
        #expect(try utc.parse(text) == micros)
    }

    @Test("rejected: invalid dates, 24:00, leap seconds, comma fractions, >6 fraction digits, words, epoch numbers, other shapes",
          arguments: [
        ("2024-02-30", "does not exist"), ("2023-02-29", "does not exist"), ("2024-04-31", "does not exist"),
        ("2024-13-01", "month"), ("2024-00-10", "month"), ("1900-02-29", "does not exist"), ("0000-01-01", "year"),
        ("2024-03-01T24:00:00Z", "24:00"), ("2024-03-01T24:00", "24:00"), ("2024-03-01T23:59:60Z", "leap"),
        ("2024-03-01T10:60Z", "minute"), ("2024-03-01T10:15:00,5Z", "','"),
        ("2024-03-01T10:15:00.1234567Z", "more than 6"), ("yesterday", "not a timestamp"),
        ("1709288100", "epoch"), ("1709288100000", "epoch"), ("-1", "epoch"), ("", "empty"),
        ("2024-03-01T10", "not a timestamp"), ("2024-03-01T10:15:00.Z", "not a timestamp"),
        ("2024-03-01T10:15.5Z", "not a timestamp"), ("2024-03-01Z", "not a timestamp"),
        ("2024-03-01T10:15:00 Z", "not a timestamp"), ("2024-03-01T10:15:00 +02:00", "not a timestamp"),
        ("2024-03-01T10:15:00+2", "not a timestamp"), ("2024-03-01T10:15:00+02:0", "not a timestamp"),
        ("2024-03-01T10:15:00+02:00Z", "not a timestamp"), ("2024-03-01T10:15:00+19:00", "offset"),
        ("2024-03-01T10:15:00+05:75", "offset"), ("2024/03/01", "not a timestamp"), ("24-03-01", "not a timestamp"),
        ("2024-3-1", "not a timestamp"), ("01.03.2024", "not a timestamp"), ("03/01/2024 10:15", "not a timestamp"),
        ("2024-03-01T10:15:00ZZ", "not a timestamp"), ("2024-03-01_10:15", "not a timestamp"),
        ("2024-03-01T1:15", "not a timestamp"), ("Fri, 01 Mar 2024 10:15:00 GMT", "not a timestamp"),
        ("2024-03-01  10:15", "not a timestamp"), ("２０２４-03-01", "not a timestamp"),
    ])
    func rejected(_ text: String, _ reasonPart: String) {
        let reason = valueErrorReason { try utc.parse(text) }
        #expect(reason?.contains(reasonPart) == true, "\(text): \(reason ?? "accepted")")
    }

    @Test("without an offset, a timestamp or a bare date is read in the load's time zone")
    func localTimeZone() throws {
        // Berlin: +01:00 in winter, +02:00 in summer.
        #expect(try berlin.parse("2024-03-01T11:15:00") == Self.base)
        #expect(try berlin.parse("2024-07-01 12:00") == (try utc.parse("2024-07-01T10:00Z")))
        #expect(try berlin.parse("2024-03-01") == (try utc.parse("2024-02-29T23:00Z")))
        #expect(try newYork.parse("2024-03-01") == (try utc.parse("2024-03-01T05:00Z")))
        #expect(try newYork.parse("2024-07-04T09:30:00.5") == (try utc.parse("2024-07-04T13:30:00.5Z")))
        // An explicit offset wins over the zone.
        #expect(try berlin.parse("2024-03-01T10:15:00Z") == Self.base)
        #expect(try newYork.parse("2024-03-01T12:15:00+02:00") == Self.base)
        // A fixed-offset zone.
        let plus530 = TimestampParser(timeZone: TimeZone(secondsFromGMT: 5 * 3600 + 1800)!)
        #expect(try plus530.parse("2024-03-01T15:45") == Self.base)
    }

    @Test("a local time in a DST gap is rejected (Europe/Berlin, America/New_York)", arguments: [
        "2024-03-31T02:30", "2024-03-31 02:00:00", "2024-03-31T02:59:59.999999",
    ])
    func dstGapBerlin(_ text: String) {
        let reason = valueErrorReason { try berlin.parse(text) }
        #expect(reason?.contains("does not exist in Europe/Berlin") == true, "\(reason ?? "accepted")")
    }

    @Test("a local time in a DST gap is rejected (America/New_York)")
    func dstGapNewYork() {
        #expect(valueErrorReason { try newYork.parse("2024-03-10T02:30") }?.contains("does not exist") == true)
        #expect(valueErrorReason { try newYork.parse("2024-03-10 02:00") }?.contains("does not exist") == true)
    }

    @Test("times around a DST gap resolve normally")
    func dstGapEdges() throws {
        #expect(try berlin.parse("2024-03-31T01:59:59") == (try utc.parse("2024-03-31T00:59:59Z")))
        #expect(try berlin.parse("2024-03-31T03:00") == (try utc.parse("2024-03-31T01:00Z")))
        #expect(try berlin.parse("2024-03-31T03:30") == (try utc.parse("2024-03-31T01:30Z")))
        #expect(try berlin.parse("2024-03-31") == (try utc.parse("2024-03-30T23:00Z")))
        // With an explicit offset the "missing" wall time is fine.
        #expect(try berlin.parse("2024-03-31T02:30+01:00") == (try utc.parse("2024-03-31T01:30Z")))
    }

    @Test("an ambiguous local time (DST overlap) takes the earlier instant")
    func dstOverlap() throws {
        #expect(try berlin.parse("2024-10-27T02:30") == (try utc.parse("2024-10-27T00:30Z")))
        #expect(try berlin.parse("2024-10-27 02:00:00") == (try utc.parse("2024-10-27T00:00Z")))
        #expect(try berlin.parse("2024-10-27T02:59:59") == (try utc.parse("2024-10-27T00:59:59Z")))
        #expect(try berlin.parse("2024-10-27T03:00") == (try utc.parse("2024-10-27T02:00Z")))
        #expect(try berlin.parse("2024-10-27T01:59") == (try utc.parse("2024-10-26T23:59Z")))
        #expect(try newYork.parse("2024-11-03T01:30") == (try utc.parse("2024-11-03T05:30Z")))
        #expect(try newYork.parse("2024-11-03T02:00") == (try utc.parse("2024-11-03T07:00Z")))
    }

    @Test("cached local-time conversion agrees with the time zone for every half hour of a year")
    func cacheAgreesWithFoundation() throws {
        for zoneName in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"] {
            let tz = TimeZone(identifier: zoneName)!
            let parser = TimestampParser(timeZone: tz)
            var t: Int64 = 1_704_067_200  // 2024-01-01T00:00Z, walked in UTC steps of 30 min
            var checked = 0
            while t < 1_735_689_600 {
                let offset = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))))
                let local = t + offset
                let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
                let secs = local - days * 86_400
                let text = civil(days) + String(format: "T%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60, secs % 60)
                let parsed = try parser.parse(text)
                // Same local time; for an ambiguous one, the earlier instant.
                let earlier = t - 3600
                let earlierLocal = earlier + Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(earlier))))
                let earlier30 = t - 1800
                let earlier30Local = earlier30 + Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(earlier30))))
                if earlierLocal == local {
                    #expect(parsed == earlier * 1_000_000, "\(zoneName) \(text)")
                } else if earlier30Local == local {
                    #expect(parsed == earlier30 * 1_000_000, "\(zoneName) \(text)")
                } else {
                    #expect(parsed == t * 1_000_000, "\(zoneName) \(text)")
                }
                checked += 1
                t += 1800
            }
            #expect(checked > 17_000)
        }
    }

    /// YYYY-MM-DD of a day number.
    func civil(_ days: Int64) -> String {
        let date = CivilCalendar.date(days: days)
        return String(format: "%04lld-%02lld-%02lld", date.year, date.month, date.day)
    }

    @Test("the parser is Sendable and safe to share between tasks")
    func concurrentUse() async throws {
        let parser = berlin
        let results = try await withThrowingTaskGroup(of: Int64.self) { group in
            for day in 1...28 {
                group.addTask {
                    var sum: Int64 = 0
                    for h in 0..<24 {
                        let text = "2024-02-" + (day < 10 ? "0\(day)" : "\(day)") + "T" + (h < 10 ? "0\(h)" : "\(h)") + ":00"
                        sum &+= try parser.parse(text)
                    }
                    return sum
                }
            }
            var all: [Int64] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 28)
    }

    /// `parse` tries the commonest shape first on a fast path; wherever that path answers, it
    /// must give `parseGeneral`'s instant (and it must leave every value it is unsure of,
    /// including every invalid one, to `parseGeneral`).
    @Test("the fast path for YYYY-MM-DDTHH:MM:SS with Z, ±HHMM or ±HH:MM agrees with the general parser, valid or not")
    func fastPathAgrees() throws {
        let parser = TimestampParser(timeZone: TimeZone(identifier: "Europe/Berlin")!)
        var candidates: [String] = []
        for year in ["0000", "0001", "1900", "1970", "2000", "2023", "2024", "2100", "9999"] {
            for month in ["00", "01", "02", "04", "12", "13"] {
                for day in ["00", "01", "28", "29", "30", "31", "32"] {
                    candidates.append("\(year)-\(month)-\(day)T12:34:56Z")
                }
            }
        }
        for time in ["00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "99:99:99"] {
            for separator in ["T", "t", " ", "x", "_"] {
                for zone in ["Z", "z", "X", "+", "0"] {
                    candidates.append("2024-03-31\(separator)\(time)\(zone)")
                }
            }
        }
        for offset in ["+0000", "-0000", "+0530", "-0930", "+1800", "-1800", "+1801", "+1900", "+0060", "+05:30",
                       "-12:45", "+18:00", "+18:01", "+05-30", "+0a30", "05:30", "+5:30", "+05:3", "+053", "+05"] {
            candidates.append("2024-01-01T00:30:00\(offset)")
            candidates.append("2024-12-31 23:59:59\(offset)")
        }
        // Every single-byte change of valid values.
        for valid in ["2024-02-29T01:02:03Z", "2023-03-26T02:30:00+0100", "2023-10-29t02:30:00-01:30"] {
            let base = Array(valid.utf8)
            for position in base.indices {
                for replacement in Array("0129:-Tt Zz/a.+".utf8) + [0x80, 0x2F, 0x3A] {
                    var bytes = base
                    bytes[position] = replacement
                    candidates.append(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        var fast = 0
        for text in candidates {
            var text = text
            let (quick, general) = text.withUTF8 { b in
                (TimestampParser.parseUTCSeconds(b), try? parser.parseGeneral(bytes: b))
            }
            if let quick {
                fast += 1
                #expect(quick == general, "\(text)")
            }
            #expect((try? parser.parse(text)) == general, "\(text)")
        }
        #expect(fast > 100)  // the fast path does answer for the valid ones
        #expect(TimestampParser.parseUTCSeconds(UnsafeBufferPointer(start: nil, count: 0)) == nil)
    }
}
