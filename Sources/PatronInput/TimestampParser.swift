import CivilCalendar
import Foundation

/// Timestamp parsing per docs/inputs.md, "Timestamps".
///
/// Accepted (outer spaces/tabs trimmed):
/// - a date `YYYY-MM-DD` (years 0001–9999), read as 00:00 local time;
/// - a date and a time joined by `T` (or `t`) or one space: `HH:MM`, optional `:SS`, optional
///   `.f` with 1–6 digits (only after seconds), then an optional offset: `Z` (or `z`), `±HH:MM`,
///   `±HHMM` or `±HH` (at most ±18:00), directly after the time.
///
/// Rejected: invalid dates (`2024-02-30`), hour 24, leap second `:60`, comma fractions, more than
/// 6 fraction digits, epoch numbers, words (`yesterday`), anything else.
///
/// Without an offset the local time is read in `timeZone`: a local time that does not exist there
/// (DST gap) is rejected; an ambiguous one (DST overlap) takes the earlier instant.
///
/// Explicit offsets and fixed-offset zones (UTC) are pure arithmetic. For other zones the UTC offset
/// is cached per local hour (thread-safe), so Foundation is only consulted once per distinct hour,
/// plus per value within a day of an offset change.
public struct TimestampParser: Sendable {
    public let timeZone: TimeZone
    private let fixedOffset: Int64?
    private let cache: LocalOffsetCache?

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        // A zone with no transition since year 1 has a fixed offset.
        let probe = timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: -62_135_596_800))
        if probe == nil && timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: -62_135_596_800))
            == timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 4_102_444_800)) {
            fixedOffset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)))
            cache = nil
        } else {
            fixedOffset = nil
            cache = LocalOffsetCache(timeZone)
        }
    }

    /// Microseconds since 1970-01-01T00:00:00Z.
    public func parse(_ s: String) throws -> Int64 {
        var s = s
        return try s.withUTF8 { try parse(bytes: $0) }
    }

    private static let example = "expected e.g. 2024-03-01, 2024-03-01T10:15:00Z or 2024-03-01 10:15:00+02:00"

    /// `parse(_:)` for text given as UTF-8 bytes.
    @inline(__always)
    public func parse(bytes b: UnsafeBufferPointer<UInt8>) throws -> Int64 {
        if let t = Self.parseUTCSeconds(b) { return t }
        return try parseGeneral(bytes: b)
    }

    /// The commonest shapes, `YYYY-MM-DDTHH:MM:SS` (also `t` or a space) then `Z` (or `z`),
    /// `±HHMM` or `±HH:MM`, valid: the instant, as `parseGeneral` would give it. nil for anything
    /// else, even if valid: then `parseGeneral` decides (and words any error).
    @inline(__always)
    static func parseUTCSeconds(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 20 || b.count == 24 || b.count == 25, let p = b.baseAddress else { return nil }
        var bad: UInt8 = 0
        @inline(__always) func digit(_ i: Int) -> Int64 {
            let d = p[i] &- 0x30
            bad |= d >= 10 ? 1 : 0
            return Int64(d)
        }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let month = digit(5) * 10 + digit(6)
        let day = digit(8) * 10 + digit(9)
        let hour = digit(11) * 10 + digit(12)
        let minute = digit(14) * 10 + digit(15)
        let second = digit(17) * 10 + digit(18)
        let separator = p[10]
        guard bad == 0, p[4] == 0x2D, p[7] == 0x2D, p[13] == 0x3A, p[16] == 0x3A,
              separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20,
              year >= 1, month >= 1, month <= 12, day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var offset: Int64 = 0
        if b.count == 20 {
            guard p[19] | 0x20 == UInt8(ascii: "z") else { return nil }
        } else {
            let sign = p[19]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
            let minutesAt = b.count == 24 ? 22 : 23
            if b.count == 25 { guard p[22] == 0x3A else { return nil } }
            let oh = digit(20) * 10 + digit(21)
            let om = digit(minutesAt) * 10 + digit(minutesAt + 1)
            guard bad == 0, om <= 59, oh * 60 + om <= 18 * 60 else { return nil }
            offset = (sign == UInt8(ascii: "-") ? -1 : 1) * (oh * 3600 + om * 60)
        }
        return (CivilCalendar.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset) * 1_000_000
    }

    /// Any accepted shape (see the type's documentation), or the reason it is not a timestamp.
    func parseGeneral(bytes b: UnsafeBufferPointer<UInt8>) throws -> Int64 {
        var lo = 0
        var hi = b.count
        while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
        if lo == hi { throw ValueError("empty timestamp") }

        @inline(__always) func digit(_ i: Int) -> Int64? {
            guard i < hi else { return nil }
            let c = b[i]
            return c >= 0x30 && c <= 0x39 ? Int64(c - 0x30) : nil
        }
        @inline(__always) func two(_ i: Int) -> Int64? {
            guard let a = digit(i), let c = digit(i + 1) else { return nil }
            return a * 10 + c
        }
        func notATimestamp() -> ValueError {
            var allDigits = true
            var hasDigit = false
            for i in lo..<hi {
                let c = b[i]
                if c >= 0x30 && c <= 0x39 { hasDigit = true } else if !(c == 0x2D || c == 0x2E) || i != lo && c == 0x2D { allDigits = false }
            }
            if allDigits && hasDigit {
                return ValueError("not a timestamp (epoch numbers are not accepted; \(Self.example))")
            }
            return ValueError("not a timestamp (\(Self.example))")
        }

        // Date
        guard hi - lo >= 10,
              let y1 = two(lo), let y2 = two(lo + 2), b[lo + 4] == 0x2D,
              let month = two(lo + 5), b[lo + 7] == 0x2D,
              let day = two(lo + 8)
        else { throw notATimestamp() }
        let year = y1 * 100 + y2
        if year < 1 { throw ValueError("invalid date (year 0000)") }
        if month < 1 || month > 12 { throw ValueError("invalid date (month \(month) does not exist)") }
        if day < 1 || day > CivilCalendar.daysInMonth(year: year, month: month) {
            throw ValueError("invalid date (\(String(decoding: UnsafeBufferPointer(rebasing: b[lo..<(lo + 10)]), as: UTF8.self)) does not exist)")
        }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        var pos = lo + 10
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, micros: Int64 = 0
        var offset: Int64? = nil

        if pos < hi {
            let sep = b[pos]
            guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == 0x20 else { throw notATimestamp() }
            pos += 1
            guard let h = two(pos), pos + 2 < hi, b[pos + 2] == UInt8(ascii: ":"), let mi = two(pos + 3) else {
                throw notATimestamp()
            }
            hour = h
            minute = mi
            pos += 5
            if pos < hi && b[pos] == UInt8(ascii: ":") {
                guard let sec = two(pos + 1) else { throw notATimestamp() }
                second = sec
                pos += 3
                if pos < hi && b[pos] == UInt8(ascii: ",") {
                    throw ValueError("not a timestamp (use '.' for fractions of a second, not ',')")
                }
                if pos < hi && b[pos] == UInt8(ascii: ".") {
                    pos += 1
                    var n = 0
                    var frac: Int64 = 0
                    while let d = digit(pos) {
                        n += 1
                        if n > 6 { throw ValueError("not a timestamp (more than 6 digits of fractional seconds)") }
                        frac = frac * 10 + d
                        pos += 1
                    }
                    if n == 0 { throw notATimestamp() }
                    for _ in n..<6 { frac *= 10 }
                    micros = frac
                }
            }
            if hour > 23 { throw ValueError("invalid time (hour \(hour); 24:00 is not accepted, use 00:00 of the next day)") }
            if minute > 59 { throw ValueError("invalid time (minute \(minute))") }
            if second > 59 {
                throw ValueError(second == 60 ? "invalid time (leap seconds are not accepted)" : "invalid time (second \(second))")
            }
            if pos < hi {
                let c = b[pos]
                if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                    guard pos + 1 == hi else { throw notATimestamp() }
                    offset = 0
                } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                    let sign: Int64 = c == UInt8(ascii: "-") ? -1 : 1
                    guard let oh = two(pos + 1) else { throw notATimestamp() }
                    var om: Int64 = 0
                    let rest = hi - (pos + 3)
                    if rest == 0 {
                    } else if rest == 3 && b[pos + 3] == UInt8(ascii: ":"), let m = two(pos + 4) {
                        om = m
                    } else if rest == 2, let m = two(pos + 3) {
                        om = m
                    } else {
                        throw notATimestamp()
                    }
                    if om > 59 || oh * 60 + om > 18 * 60 {
                        throw ValueError("invalid UTC offset (at most ±18:00)")
                    }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    throw notATimestamp()
                }
            }
        }

        let local = days * 86_400 + hour * 3600 + minute * 60 + second
        let utc: Int64
        if let offset {
            utc = local - offset
        } else if let fixedOffset {
            utc = local - fixedOffset
        } else if let t = cache!.instant(forLocal: local) {
            utc = t
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
            throw ValueError("local time \(text) does not exist in \(timeZone.identifier) (skipped by a daylight-saving change); give an explicit UTC offset")
        }
        return utc * 1_000_000 + micros
    }
}

/// UTC offsets of a time zone, cached per local hour.
///
/// An hour is "simple" if the zone has one offset throughout the instants from a day before to a
/// day after it (offsets are within ±18h, so every candidate instant lies in that window): then
/// instant = local − offset. Otherwise (near a transition) each value is resolved exactly: every
/// offset in effect around it is tried, instants whose offset matches are valid; none → DST gap
/// (nil); two → DST overlap, the earlier one is taken.
final class LocalOffsetCache: @unchecked Sendable {
    private let tz: TimeZone
    private let lock = NSLock()
    private var hours: [Int64: Int32] = [:]
    private static let nearTransition = Int32.min
    private static let maxEntries = 500_000

    init(_ tz: TimeZone) { self.tz = tz }

    @inline(__always)
    private func offset(at instant: Int64) -> Int64 {
        Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
    }

    func instant(forLocal local: Int64) -> Int64? {
        let hour = local >= 0 ? local / 3600 : (local - 3599) / 3600
        lock.lock()
        let cached = hours[hour]
        lock.unlock()
        let code: Int32
        if let cached {
            code = cached
        } else {
            let lo = hour * 3600 - 86_400 - 3600
            let hi = (hour + 1) * 3600 + 86_400 + 3600
            let oLo = offset(at: lo)
            let oHi = offset(at: hi)
            var simple = oLo == oHi
            if simple, let next = tz.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(lo))),
               next.timeIntervalSince1970 <= Double(hi) {
                simple = false
            }
            code = simple ? Int32(oLo) : LocalOffsetCache.nearTransition
            lock.lock()
            if hours.count >= LocalOffsetCache.maxEntries { hours.removeAll(keepingCapacity: true) }
            hours[hour] = code
            lock.unlock()
        }
        if code != LocalOffsetCache.nearTransition { return local - Int64(code) }
        var candidates = [offset(at: local - 86_400), offset(at: local), offset(at: local + 86_400)]
        candidates.sort()
        var best: Int64? = nil
        for (i, o) in candidates.enumerated() where i == 0 || candidates[i - 1] != o {
            let t = local - o
            if offset(at: t) == o { best = min(best ?? t, t) }
        }
        return best
    }
}
