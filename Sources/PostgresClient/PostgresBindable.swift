import CivilCalendar
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A value that can be bound to a statement parameter (`$1`, `$2`, …) in PostgreSQL's text format.
///
/// Parameters are always sent separately from the SQL, never spliced into it; `nil` binds SQL NULL.
/// The server converts the text to the parameter's type, so `"42"` binds to an int column as well.
public protocol PostgresBindable {
    /// The value in the text format PostgreSQL's input functions accept.
    var postgresText: String { get }
}

extension String: PostgresBindable {
    public var postgresText: String { self }
}

extension Substring: PostgresBindable {
    public var postgresText: String { String(self) }
}

extension Int: PostgresBindable {
    public var postgresText: String { String(self) }
}

extension Int32: PostgresBindable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresBindable {
    public var postgresText: String { String(self) }
}

extension Double: PostgresBindable {
    /// Shortest text that round-trips exactly (Swift's `description`), with the
    /// special values spelled as PostgreSQL spells them.
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }
}

extension Bool: PostgresBindable {
    public var postgresText: String { self ? "t" : "f" }
}

extension Date: PostgresBindable {
    /// ISO 8601 in UTC with microseconds, e.g. "2024-03-01 10:15:00.123456+00", for timestamptz.
    public var postgresText: String {
        let micros = (timeIntervalSince1970 * 1_000_000).rounded()
        // Far beyond PostgreSQL's range (or NaN): let the server reject "infinity"-like input clearly.
        guard micros.isFinite, abs(micros) < 9.0e18 else { return micros < 0 ? "-infinity" : "infinity" }
        return formatTimestampUTC(microsecondsSinceUnixEpoch: Int64(micros))
    }
}

/// "YYYY-MM-DD HH:MM:SS.ffffff+00" (with " BC" for years before 1), computed by hand:
/// no formatter, no calendar, no locale.
func formatTimestampUTC(microsecondsSinceUnixEpoch micros: Int64) -> String {
    let microsPerDay: Int64 = 86_400_000_000
    var days = micros / microsPerDay
    var rest = micros % microsPerDay
    if rest < 0 {
        rest += microsPerDay
        days -= 1
    }
    let (year, month, day) = CivilCalendar.date(days: days)
    let seconds = rest / 1_000_000
    let fraction = rest % 1_000_000

    var text = ""
    text.reserveCapacity(32)
    let bc = year <= 0
    append(&text, bc ? 1 - year : year, width: 4)
    text += "-"
    append(&text, month, width: 2)
    text += "-"
    append(&text, day, width: 2)
    text += " "
    append(&text, seconds / 3600, width: 2)
    text += ":"
    append(&text, seconds / 60 % 60, width: 2)
    text += ":"
    append(&text, seconds % 60, width: 2)
    text += "."
    append(&text, fraction, width: 6)
    text += "+00"
    if bc { text += " BC" }
    return text
}

private func append(_ text: inout String, _ value: Int64, width: Int) {
    let digits = String(value)
    if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
    text += digits
}
