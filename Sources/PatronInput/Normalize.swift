/// Value normalization: pure functions, one per kind of value. Each rejects with a `ValueError`
/// whose reason a person can act on. Outer whitespace (Unicode White_Space) is trimmed first;
/// nothing is guessed: a value that does not fit the rule is rejected, never repaired.
public enum Normalize {
    /// Trimmed; nil if empty. Compared exactly afterwards (case and inner spacing kept).
    public static func customerID(_ s: String) -> String? {
        let t = trimWhitespace(s)
        return t.isEmpty ? nil : t
    }

    /// Trimmed and Unicode lower-cased. Exactly one `@`, something before and after it, no
    /// whitespace, control or invisible format characters. No plus- or dot-folding, and no check
    /// of the domain beyond that (`user@localhost` is accepted).
    public static func email(_ s: String) throws -> String {
        let t = trimWhitespace(s)
        if t.isEmpty { throw ValueError("empty email address") }
        var ats = 0
        var beforeAt = 0
        var afterAt = 0
        for u in t.unicodeScalars {
            if u == "@" {
                ats += 1
                continue
            }
            if isWhitespace(u) { throw ValueError("not an email address (contains whitespace)") }
            if isControlOrFormat(u) { throw ValueError("not an email address (contains a control or invisible character)") }
            if ats == 0 { beforeAt += 1 } else { afterAt += 1 }
        }
        if ats == 0 { throw ValueError("not an email address (no @)") }
        if ats > 1 { throw ValueError("not an email address (more than one @)") }
        if beforeAt == 0 { throw ValueError("not an email address (nothing before the @)") }
        if afterAt == 0 { throw ValueError("not an email address (nothing after the @)") }
        return t.lowercased()
    }

    /// Digits only. Allowed besides ASCII digits: spaces (any Unicode space), `-`, `(`, `)`, `.`,
    /// `/`, and `+` as the first character. Any letter → "contains letters" (so "n/a", "ext. 12",
    /// "call me" are not phones). A leading `00` international prefix is dropped from the digits,
    /// also after a `+` (`+0049 30 1234567` → `49301234567`); a `+` is otherwise just dropped, and no
    /// country code is ever added. Fewer than 7 digits (after dropping `00`) is not a phone.
    public static func phone(_ s: String) throws -> String {
        let t = trimWhitespace(s)
        if t.isEmpty { throw ValueError("empty phone number") }
        var digits: [UInt8] = []
        digits.reserveCapacity(t.utf8.count)
        var first = true
        for u in t.unicodeScalars {
            defer { first = false }
            switch u {
            case "0"..."9":
                digits.append(UInt8(u.value))
            case " ", "-", "(", ")", ".", "/":
                continue
            case "+":
                if !first { throw ValueError("not a phone ('+' is only allowed at the start)") }
            default:
                if u.properties.isAlphabetic { throw ValueError("not a phone (contains letters)") }
                if u.properties.isWhitespace { continue }
                throw ValueError("not a phone (unexpected character '\(u.escaped(asASCII: false))')")
            }
        }
        var body = digits[...]
        if body.count >= 2 && body[0] == UInt8(ascii: "0") && body[1] == UInt8(ascii: "0") {
            body = body.dropFirst(2)
        }
        if body.count < 7 {
            throw ValueError("not a phone (\(body.count) digit\(body.count == 1 ? "" : "s"); at least 7 needed)")
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// `platform:@name`, trimmed and Unicode lower-cased. A bare `@name` takes `defaultPlatform`
    /// (mentions pass the row's platform); with no default (tickets) it is rejected. The platform
    /// must be non-empty without whitespace or `@`; the name non-empty without whitespace.
    /// `platform:name` (no `@`) and a bare `name` are rejected, not guessed at.
    public static func handle(_ s: String, defaultPlatform: String?) throws -> String {
        let t = trimWhitespace(s).lowercased()
        if t.isEmpty { throw ValueError("empty handle") }
        let platform: Substring
        let name: Substring
        if t.hasPrefix("@") {
            let dp = defaultPlatform.map { trimWhitespace($0).lowercased() } ?? ""
            if dp.isEmpty {
                throw ValueError("not a handle (a bare @name needs its platform: write platform:@name, e.g. twitter:@acme)")
            }
            platform = Substring(dp)
            name = t.dropFirst()
        } else {
            guard let colon = t.firstIndex(of: ":") else {
                throw ValueError("not a handle (expected platform:@name, e.g. twitter:@acme)")
            }
            platform = t[..<colon]
            let rest = t[t.index(after: colon)...]
            guard rest.hasPrefix("@") else {
                throw ValueError("not a handle (expected platform:@name; the name must start with @)")
            }
            name = rest.dropFirst()
        }
        if platform.isEmpty { throw ValueError("not a handle (no platform before ':')") }
        for u in platform.unicodeScalars {
            if isWhitespace(u) || isControlOrFormat(u) || u == "@" {
                throw ValueError("not a handle (the platform must be one word, e.g. twitter:@acme)")
            }
        }
        if name.isEmpty { throw ValueError("not a handle (empty name after @)") }
        for u in name.unicodeScalars where isWhitespace(u) || isControlOrFormat(u) {
            throw ValueError("not a handle (the name contains whitespace or a control character)")
        }
        return "\(platform):@\(name)"
    }

    /// Three ASCII letters, any case, returned upper-case (`eur` → `EUR`). Not checked against
    /// the ISO 4217 list.
    public static func currency(_ s: String) throws -> String {
        let t = trimWhitespace(s)
        let u = Array(t.utf8)
        guard u.count == 3, u.allSatisfy({ ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }) else {
            throw ValueError("not a currency code (expected three letters, like USD or eur)")
        }
        return String(decoding: u.map { $0 & ~0x20 }, as: UTF8.self)
    }

    /// Trimmed, compared case-insensitively (Unicode-aware); returns the allowed spelling.
    public static func enumeration(_ s: String, allowed: [String]) throws -> String {
        let t = trimWhitespace(s).lowercased()
        for a in allowed where a.lowercased() == t { return a }
        throw ValueError("not one of: \(allowed.joined(separator: ", "))")
    }

    /// `true/false`, `t/f`, `yes/no`, `1/0`; trimmed, case-insensitive.
    public static func boolean(_ s: String) throws -> Bool {
        switch trimWhitespace(s).lowercased() {
        case "true", "t", "yes", "1": return true
        case "false", "f", "no", "0": return false
        default: throw ValueError("not a boolean (use true/false, t/f, yes/no or 1/0)")
        }
    }

    /// Trimmed; ASCII digits only (no sign, fraction, exponent or separators); leading zeros are
    /// fine; a value beyond Int64 is rejected.
    public static func nonNegativeInteger(_ s: String) throws -> Int64 {
        let t = trimWhitespace(s)
        let u = Array(t.utf8)
        if u.isEmpty { throw ValueError("empty number") }
        if u.first == UInt8(ascii: "-"), u.count > 1, u.dropFirst().allSatisfy(isASCIIDigit) {
            throw ValueError("negative number (must be 0 or more)")
        }
        return try parseDigits(u[...], what: "not a whole number ≥ 0 (digits only)")
    }

    /// Trimmed; integer text only: an optional `-` and ASCII digits. `4.0`, `+4`, `4e0` are rejected
    /// rather than converted (a score written as 4.0 may be a different scale). Outside `range` → rejected.
    public static func integer(_ s: String, in range: ClosedRange<Int64>) throws -> Int64 {
        let t = trimWhitespace(s)
        let u = Array(t.utf8)
        if u.isEmpty { throw ValueError("empty number") }
        let negative = u.first == UInt8(ascii: "-")
        let magnitude = try parseDigits(negative ? u.dropFirst() : u[...],
                                        what: "not a whole number (expected \(range.lowerBound)–\(range.upperBound))")
        let v = negative ? -magnitude : magnitude
        guard range.contains(v) else {
            throw ValueError("\(t) is out of range (expected \(range.lowerBound)–\(range.upperBound))")
        }
        return v
    }

    /// A plain decimal in −1…1 (`[+-]digits[.digits]`), or `positive`/`neutral`/`negative`
    /// (case-insensitive) → +1 / 0 / −1.
    public static func sentiment(_ s: String) throws -> Double {
        let t = trimWhitespace(s)
        switch t.lowercased() {
        case "positive": return 1
        case "neutral": return 0
        case "negative": return -1
        default: break
        }
        let u = Array(t.utf8)
        var i = 0
        if i < u.count && (u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-")) { i += 1 }
        let intStart = i
        while i < u.count && isASCIIDigit(u[i]) { i += 1 }
        var ok = i > intStart
        if ok && i < u.count && u[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < u.count && isASCIIDigit(u[i]) { i += 1 }
            ok = i > fracStart
        }
        guard ok && i == u.count, let v = Double(t) else {
            throw ValueError("not a sentiment (a number from -1 to 1, or positive, neutral, negative)")
        }
        guard v >= -1 && v <= 1 else {
            throw ValueError("sentiment \(t) is out of range (must be from -1 to 1)")
        }
        return v
    }

    /// `-?digits[.digits]` with at most 4 decimals, trimmed. More decimals are rejected (never
    /// rounded); no `+`, exponent, currency symbol, thousands separator or inner space. Negative
    /// amounts are rejected; a negative zero (`-0.00`) is accepted as zero. Returns the text as
    /// written (minus outer whitespace and the sign of a negative zero), suitable for `numeric`.
    public static func money(_ s: String) throws -> String {
        let t = trimWhitespace(s)
        let u = Array(t.utf8)
        if u.isEmpty { throw ValueError("empty amount") }
        var i = 0
        let negative = u[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let intStart = i
        var allZero = true
        while i < u.count && isASCIIDigit(u[i]) {
            if u[i] != UInt8(ascii: "0") { allZero = false }
            i += 1
        }
        var ok = i > intStart
        var decimals = 0
        if ok && i < u.count && u[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < u.count && isASCIIDigit(u[i]) {
                if u[i] != UInt8(ascii: "0") { allZero = false }
                i += 1
            }
            decimals = i - fracStart
            ok = decimals > 0
        }
        guard ok && i == u.count else { throw ValueError(moneyReason(t, u)) }
        if decimals > 4 {
            throw ValueError("more than 4 decimal places (amounts are never rounded)")
        }
        if negative {
            if allZero { return String(t.dropFirst()) }
            throw ValueError("negative amount (amounts must be 0 or more)")
        }
        return t
    }

    // MARK: - Helpers

    private static func moneyReason(_ t: String, _ u: [UInt8]) -> String {
        if u.first == UInt8(ascii: "+") { return "not an amount (no '+' sign)" }
        if u.contains(UInt8(ascii: ",")) {
            return "not an amount (use '.' as the decimal separator and no thousands separator)"
        }
        if u.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
           u.allSatisfy({ isASCIIDigit($0) || "eE.+-".utf8.contains($0) }) {
            return "not an amount (no exponent notation)"
        }
        if u.contains(where: { $0 == 0x20 || $0 == 0x09 }) || t.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            return "not an amount (no spaces inside)"
        }
        if t.unicodeScalars.contains(where: { $0.properties.generalCategory == .currencySymbol || $0.properties.isAlphabetic }) {
            return "not an amount (no currency symbol or code; put the code in the currency column)"
        }
        return "not an amount (expected digits with an optional '.' and up to 4 decimals, e.g. 12.50)"
    }

    @inline(__always)
    static func isASCIIDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func parseDigits(_ u: ArraySlice<UInt8>, what: String) throws -> Int64 {
        guard !u.isEmpty, u.allSatisfy(isASCIIDigit) else { throw ValueError(what) }
        var v: Int64 = 0
        for b in u {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(b - 0x30))
            if o1 || o2 { throw ValueError("number too large") }
            v = a
        }
        return v
    }

    // The Unicode property look-ups are table searches; ASCII, nearly every character of an
    // email or handle, is answered directly (same answers: White_Space in ASCII is TAB…CR and
    // space; Cc is 0x00–0x1F and DEL; no ASCII character is Cf, Zl or Zp).

    @inline(__always)
    static func isWhitespace(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x80 { return u.value == 0x20 || (u.value >= 0x09 && u.value <= 0x0D) }
        return u.properties.isWhitespace
    }

    @inline(__always)
    static func isControlOrFormat(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x80 { return u.value < 0x20 || u.value == 0x7F }
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
