import Foundation
import PatronCore

/// A support desk's business hours, read from a schedule file (`--schedule FILE`):
///
///     # Support desk, Berlin office
///     timezone = Europe/Berlin
///     mon = 09:00-17:00
///     tue = 09:00-12:00, 13:00-17:00
///     sat = closed
///     holidays = 2024-12-25, 2024-12-26
///     holidays = 2025-01-01
///
/// One `key = value` per line; `#` starts a comment; keys are case-insensitive. `timezone` (an
/// IANA name) is required. Weekdays `mon`…`sun` take comma-separated `HH:MM-HH:MM` ranges of
/// local wall-clock time (start before end, end at most `24:00`, ranges not overlapping), or
/// `closed`; a weekday not given is closed, and each may be given once. `holidays` lines
/// (several allowed) list local dates `YYYY-MM-DD` closed all day.
///
/// The analyses receive it as the canonical JSON bound to their parameter
/// (sql/models/business_calendar.sql and ticket_business_hours.sql), never as a path: the SQL turns the local hours
/// into instants day by day in the schedule's zone.
public struct BusinessSchedule: Sendable, Equatable {
    public var timeZone: String
    /// ISO weekday (1 = Monday … 7 = Sunday) → opening ranges in minutes after local midnight.
    public var hours: [Int: [ClosedRange<Int>]]
    public var holidays: [String]

    static let weekdays = ["mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]

    public static func load(path: String) throws -> BusinessSchedule {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PatronError.usage("--schedule: cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PatronError.usage("--schedule: \(path) is not UTF-8 text")
        }
        return try parse(text, name: path)
    }

    public static func parse(_ text: String, name: String = "schedule") throws -> BusinessSchedule {
        var timeZone: String?
        var hours: [Int: [ClosedRange<Int>]] = [:]
        var seenDays: Set<Int> = []
        var holidays: [String] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            func fail(_ message: String) -> PatronError {
                PatronError.usage("--schedule \(name), line \(offset + 1): \(message)")
            }
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r\u{FEFF}"))) } ?? ""
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "=") else { throw fail("expected `key = value`, got '\(line)'") }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "timezone", "tz":
                guard timeZone == nil else { throw fail("timezone is given twice") }
                guard TimeZone(identifier: value) != nil else { throw fail("unknown time zone '\(value)' (use an IANA name like Europe/Berlin)") }
                timeZone = value
            case "holidays", "holiday":
                for item in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                    guard ParameterValidator.isCalendarDate(item) else { throw fail("holiday '\(item)' is not a date YYYY-MM-DD") }
                    holidays.append(item)
                }
            default:
                guard let day = weekdays[String(key.prefix(3))], key.count == 3 || fullDayName(key) else {
                    throw fail("unknown key '\(key)' (timezone, mon … sun, holidays)")
                }
                guard seenDays.insert(day).inserted else { throw fail("\(key) is given twice") }
                if value.lowercased() == "closed" || value.isEmpty { continue }
                var ranges: [ClosedRange<Int>] = []
                for item in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    let ends = item.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
                    guard ends.count == 2, let start = minutes(ends[0]), let end = minutes(ends[1]) else {
                        throw fail("'\(item)' is not a range HH:MM-HH:MM")
                    }
                    guard start < end else { throw fail("'\(item)' ends before it starts (a range cannot pass midnight; split it over two days)") }
                    ranges.append(start...end)
                }
                ranges.sort { $0.lowerBound < $1.lowerBound }
                for (a, b) in zip(ranges, ranges.dropFirst()) where b.lowerBound < a.upperBound {
                    throw fail("ranges \(format(a)) and \(format(b)) overlap")
                }
                hours[day] = ranges
            }
        }
        guard let timeZone else { throw PatronError.usage("--schedule \(name): no `timezone = …` line") }
        return BusinessSchedule(timeZone: timeZone, hours: hours, holidays: Array(Set(holidays)).sorted())
    }

    /// The JSON the SQL reads (sql/models/business_calendar.sql).
    public var canonicalJSON: String {
        let object: [String: Any] = [
            "timezone": timeZone,
            "hours": Dictionary(uniqueKeysWithValues: hours.map { day, ranges in
                (String(day), ranges.map { [Self.clock($0.lowerBound), Self.clock($0.upperBound)] })
            }),
            "holidays": holidays,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private static func fullDayName(_ key: String) -> Bool {
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].contains(key)
    }

    /// `HH:MM` (00:00 … 24:00) as minutes after midnight.
    private static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...59).contains(minute), (0...23).contains(hour) || (hour == 24 && minute == 0) else { return nil }
        return hour * 60 + minute
    }

    private static func clock(_ minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    private static func format(_ range: ClosedRange<Int>) -> String {
        clock(range.lowerBound) + "-" + clock(range.upperBound)
    }
}
