/// The demo shop's time zone, America/New_York, for Shopify's store-local `Created at`
/// (`2024-11-03 01:30:00 -0400`). The offset follows the US rule in force since 2007 (daylight
/// time from the second Sunday of March, 02:00 local, to the first Sunday of November, 02:00
/// local), computed here rather than read from the system's tz database, so that the bytes do
/// not depend on the machine (tests check it against Foundation's `TimeZone`). Histories that
/// start before 2007 get the 2007 rule for those years too.
enum StoreTime {
    static let zone = "America/New_York"
    static let standardOffset = -5 * 3600
    static let daylightOffset = -4 * 3600

    /// Seconds east of UTC at the instant `t` (unix seconds).
    static func offset(at t: Int) -> Int {
        let year = DemoTime.civil(days: floorDivide(t, 86_400)).year
        // 02:00 EST = 07:00 UTC on the second Sunday of March; 02:00 EDT = 06:00 UTC on the first Sunday of November.
        let begins = sunday(year: year, month: 3, nth: 2) * 86_400 + 7 * 3600
        let ends = sunday(year: year, month: 11, nth: 1) * 86_400 + 6 * 3600
        return t >= begins && t < ends ? daylightOffset : standardOffset
    }

    /// `YYYY-MM-DD HH:MM:SS ±HHMM` in the store's zone.
    static func format(_ t: Int) -> String {
        let offset = offset(at: t)
        let local = t + offset
        let day = floorDivide(local, 86_400)
        let within = local - day * 86_400
        let (y, m, d) = DemoTime.civil(days: day)
        var b: [UInt8] = []
        b.reserveCapacity(25)
        DemoTime.appendDigits(&b, y, 4); b.append(UInt8(ascii: "-"))
        DemoTime.appendDigits(&b, m, 2); b.append(UInt8(ascii: "-"))
        DemoTime.appendDigits(&b, d, 2); b.append(UInt8(ascii: " "))
        DemoTime.appendDigits(&b, within / 3600, 2); b.append(UInt8(ascii: ":"))
        DemoTime.appendDigits(&b, within / 60 % 60, 2); b.append(UInt8(ascii: ":"))
        DemoTime.appendDigits(&b, within % 60, 2); b.append(UInt8(ascii: " "))
        b.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        DemoTime.appendDigits(&b, abs(offset) / 3600, 2)
        DemoTime.appendDigits(&b, abs(offset) / 60 % 60, 2)
        return String(decoding: b, as: UTF8.self)
    }

    /// Day number of the `nth` Sunday of a month.
    private static func sunday(year: Int, month: Int, nth: Int) -> Int {
        let first = DemoTime.days(year: year, month: month, day: 1)
        let weekday = ((first + 3) % 7 + 7) % 7          // 0 = Monday … 6 = Sunday
        return first + (6 - weekday) + 7 * (nth - 1)
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : (a - b + 1) / b }
}

/// Instants as the vendor exports write them, from whole unix seconds.
enum VendorTime {
    /// `2024-11-04T14:02:11Z` (Zendesk)
    static func iso(_ t: Int) -> String { TimestampStyle.isoZulu.format(Double(t)) }
}
