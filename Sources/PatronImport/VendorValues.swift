import CivilCalendar
import Foundation
import PatronCore
import PatronInput

/// Conversions every importer needs: vendor times to canonical instants, minor units to
/// decimals, junk identifiers dropped. A value that cannot be converted is passed on as
/// written, so the loader rejects its row naming the column, the value and the reason.
public enum VendorValues {
    /// An instant as canonical text: `2024-11-04T14:02:11Z` (fraction only when there is one).
    public static func iso8601(microseconds t: Int64) -> String {
        var seconds = t / 1_000_000
        var micros = t % 1_000_000
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (y, m, d) = CivilCalendar.date(days: days)
        guard (0...9999).contains(y) else { return String(y) + "-?" }
        // Written digit by digit: this runs for every time of every imported row.
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int64, _ at: Int, _ width: Int) {
            var v = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                bytes[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(y, 0, 4); bytes[4] = 0x2D; put(m, 5, 2); bytes[7] = 0x2D; put(d, 8, 2); bytes[10] = 0x54
        put(secondOfDay / 3600, 11, 2); bytes[13] = 0x3A; put(secondOfDay / 60 % 60, 14, 2); bytes[16] = 0x3A
        put(secondOfDay % 60, 17, 2); bytes[19] = 0x5A
        if micros != 0 {
            var fraction = [UInt8](repeating: 0, count: 6)
            var v = micros
            for i in stride(from: 5, through: 0, by: -1) { fraction[i] = UInt8(48 + v % 10); v /= 10 }
            while fraction.last == 48 { fraction.removeLast() }
            bytes.insert(contentsOf: [0x2E] + fraction, at: 19)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let utc = TimestampParser(timeZone: TimeZone(identifier: "UTC")!)

    /// Unix seconds (a JSON number or its text) → instant; nil stays nil.
    public static func unixSeconds(_ value: JSONValue?) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.text else { return value.shown }
        guard let seconds = Int64(text), abs(seconds) < 253_402_300_800 else { return text }
        return iso8601(microseconds: seconds * 1_000_000)
    }

    /// An ISO 8601 time with its offset (Zendesk's `…Z`) → the same instant in canonical form.
    public static func instant(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard let t = try? utc.parse(text) else { return text }
        return iso8601(microseconds: t)
    }

    /// `YYYY-MM-DD HH:MM:SS` that is UTC only by its column's name (Stripe's `Created date (UTC)`).
    public static func utcByColumnName(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        let trimmed = trimWhitespace(text)
        guard trimmed.count == 19, let t = try? utc.parse(trimmed + "Z") else { return text }
        return iso8601(microseconds: t)
    }

    /// An instant plus a whole number of seconds.
    public static func adding(seconds: Int64, to instantText: String) -> String? {
        guard let t = try? utc.parse(instantText) else { return nil }
        return iso8601(microseconds: t + seconds * 1_000_000)
    }

    /// Minor units (Stripe's `amount`) → a decimal in major units of `currency`.
    public static func majorUnits(minor text: String, currency: String) -> String {
        guard let minor = Int64(text) else { return text }
        let exponent = minorUnitExponent(currency)
        if exponent == 0 { return String(minor) }
        let negative = minor < 0
        let digits = String(abs(minor))
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -exponent)
        return (negative ? "-" : "") + padded[..<split] + "." + padded[split...]
    }

    /// ISO 4217 decimals of the currencies that do not have two (Stripe's list of zero- and
    /// three-decimal currencies); every other currency has two.
    public static func minorUnitExponent(_ currency: String) -> Int {
        let code = currency.uppercased()
        if zeroDecimal.contains(code) { return 0 }
        if threeDecimal.contains(code) { return 3 }
        return 2
    }

    static let zeroDecimal: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    ]
    static let threeDecimal: Set<String> = ["BHD", "JOD", "KWD", "OMR", "TND"]

    /// Leading and trailing white space removed; nil when nothing is left.
    public static func trimmed(_ text: String?) -> String? {
        guard let text else { return nil }
        let t = trimWhitespace(text)
        guard !t.isEmpty else { return nil }
        return t
    }
}

extension ImportSink {
    /// Hands on a row after the vendors' rule for junk identifiers: an optional identifier
    /// (`email`, `phone`) that fails the identifier rules is dropped with a warning when the
    /// row keeps another identifier; a row with no good identifier left keeps the bad value, so
    /// the loader rejects it as it would any row without an identifier.
    public func emitDroppingJunkIdentifiers(_ row: ImportRow) throws {
        var row = row
        var bad: [(column: String, value: String, reason: String)] = []
        var good = 0
        for column in ["customer_id", "email", "phone", "handle"] {
            guard let value = row.value(column) else { continue }
            do {
                switch column {
                case "email": _ = try Normalize.email(value)
                case "phone": _ = try Normalize.phone(value)
                case "handle": _ = try Normalize.handle(value, defaultPlatform: nil)
                default: if Normalize.customerID(value) == nil { continue }
                }
                good += 1
            } catch let error as ValueError {
                if column == "email" || column == "phone" { bad.append((column, value, error.reason)) }
            } catch {
                continue
            }
        }
        if good > 0 {
            for b in bad {
                row.unset(b.column)
                dropIdentifier(row.entity, row.record, column: b.column, value: b.value, reason: b.reason)
            }
        }
        try emit(row)
    }
}

extension ImportRow {
    /// Makes a column absent again (the stored value is kept on re-import).
    public mutating func unset(_ column: String) {
        if let i = columns.firstIndex(of: column) { cells[i] = .absent }
    }
}
