import CivilCalendar
/// Instants in the demo are whole seconds since 1970-01-01 UTC. The generator formats them
/// itself (no Foundation date formatting: it is slow, and locale-free output is the point).
enum DemoTime {
    static let minute: Double = 60
    static let hour: Double = 3600
    static let day: Double = 86_400
    static let week: Double = 7 * 86_400

    /// Days since 1970-01-01 of a civil date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        Int(CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day)))
    }

    /// The civil date of a day number.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let date = CivilCalendar.date(days: Int64(days))
        return (Int(date.year), Int(date.month), Int(date.day))
    }

    /// Parses `YYYY-MM-DD` strictly (the date must exist); returns its day number.
    static func parseDate(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let n = days(year: y, month: m, day: d)
        let back = civil(days: n)
        return back == (y, m, d) ? n : nil
    }

    static func dayNumber(_ t: Double) -> Int { Int((t / day).rounded(.down)) }

    /// 0 = Monday … 6 = Sunday.
    static func weekday(_ t: Double) -> Int { ((dayNumber(t) + 3) % 7 + 7) % 7 }

    static func hourOfDay(_ t: Double) -> Int { Int((t - Double(dayNumber(t)) * day) / hour) }

    static func dayOfYear(_ dayNumber: Int) -> Int {
        let y = civil(days: dayNumber).year
        return dayNumber - days(year: y, month: 1, day: 1)
    }

    static func dateText(days n: Int) -> String {
        let (y, m, d) = civil(days: n)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        appendDigits(&bytes, y, 4); bytes.append(UInt8(ascii: "-"))
        appendDigits(&bytes, m, 2); bytes.append(UInt8(ascii: "-"))
        appendDigits(&bytes, d, 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The last `width` decimal digits of `value` (≥ 0), zero-padded, written in place (no
    /// temporary array: this runs for every timestamp the demo writes).
    static func appendDigits(_ bytes: inout [UInt8], _ value: Int, _ width: Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        var v = value
        var i = start + width - 1
        while i >= start {
            bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
    }
}

/// How each source system writes instants: every source has its own habit, and the loader
/// must read them all (docs/inputs.md, "Timestamps").
enum TimestampStyle {
    /// `2024-03-01T10:15:00Z` (the shop)
    case isoZulu
    /// `2024-03-01 10:15:00+00:00` (the help desk)
    case spaceOffset
    /// `2024-03-01T10:15:00+0000` (the social-listening tool)
    case compactOffset
    /// `2024-03-01T10:15Z` (the survey tool: no seconds)
    case minutesZulu

    func format(_ t: Double) -> String {
        let seconds = Int(t.rounded(.down))
        let dayNumber = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let within = seconds - dayNumber * 86_400
        let (y, m, d) = DemoTime.civil(days: dayNumber)
        var b: [UInt8] = []
        b.reserveCapacity(25)
        DemoTime.appendDigits(&b, y, 4); b.append(UInt8(ascii: "-"))
        DemoTime.appendDigits(&b, m, 2); b.append(UInt8(ascii: "-"))
        DemoTime.appendDigits(&b, d, 2)
        b.append(self == .spaceOffset ? UInt8(ascii: " ") : UInt8(ascii: "T"))
        DemoTime.appendDigits(&b, within / 3600, 2); b.append(UInt8(ascii: ":"))
        DemoTime.appendDigits(&b, within / 60 % 60, 2)
        if self != .minutesZulu {
            b.append(UInt8(ascii: ":"))
            DemoTime.appendDigits(&b, within % 60, 2)
        }
        switch self {
        case .isoZulu, .minutesZulu: b.append(UInt8(ascii: "Z"))
        case .spaceOffset: b.append(contentsOf: Array("+00:00".utf8))
        case .compactOffset: b.append(contentsOf: Array("+0000".utf8))
        }
        return String(decoding: b, as: UTF8.self)
    }
}

/// Money in cents, written as `12.34`.
func centsText(_ cents: Int) -> String {
    let sign = cents < 0 ? "-" : ""
    let c = abs(cents)
    let fraction = c % 100
    return "\(sign)\(c / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
