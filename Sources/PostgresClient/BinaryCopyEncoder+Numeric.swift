extension BinaryCopyEncoder {
    /// A numeric value from its plain decimal text: digits, an optional leading `-` (or `+`),
    /// an optional `.` and fraction: "-12.3400", "0", "1000000.5". No exponent.
    /// "NaN", "Infinity" and "-Infinity" are accepted too (numeric infinities need PostgreSQL 14+).
    ///
    /// The display scale is the number of fraction digits as written, so "0.0000" reads back
    /// as "0.0000" and "-12.3400" as "-12.3400".
    ///
    /// Binary numeric: int16 ndigits, int16 weight (of the first digit, in powers of 10000),
    /// int16 sign (0x0000, 0x4000 negative, 0xC000 NaN, 0xD000 +inf, 0xF000 -inf), int16 dscale,
    /// then ndigits base-10000 digits, with no leading or trailing zero digits.
    ///
    /// - Throws: a `.client` `PostgresError` for text that is not such a number; nothing is appended then.
    public mutating func append(numeric decimalText: String) throws {
        var text = decimalText
        let parsed = text.withUTF8 { DecimalText(parsing: $0) }
        guard let parsed else {
            if let special = Self.specialNumericSign(decimalText) {
                appendRaw(Int32(8))
                appendRaw(Int16(0)) // ndigits
                appendRaw(Int16(0)) // weight
                appendRaw(special)
                appendRaw(Int16(0)) // dscale
                return
            }
            throw PostgresError(kind: .client, message: "not a plain decimal number for numeric: \"\(decimalText.prefix(100))\"")
        }
        text.withUTF8 { appendNumeric(parsed, $0) }
    }

    /// `append(numeric:)` for text given as UTF-8 bytes.
    public mutating func append(numericUTF8 utf8: UnsafeBufferPointer<UInt8>) throws {
        if let parsed = DecimalText(parsing: utf8) {
            appendNumeric(parsed, utf8)
        } else {
            try append(numeric: String(decoding: utf8, as: UTF8.self))
        }
    }

    private static func specialNumericSign(_ text: String) -> UInt16? {
        switch text {
        case "NaN": return 0xC000
        case "Infinity", "+Infinity": return 0xD000
        case "-Infinity": return 0xF000
        default: return nil
        }
    }

    private mutating func appendNumeric(_ number: DecimalText, _ utf8: UnsafeBufferPointer<UInt8>) {
        let start = length
        appendRaw(Int32(0))   // length, patched below
        appendRaw(Int16(0))   // ndigits, patched
        appendRaw(Int16(0))   // weight, patched
        appendRaw(UInt16(number.negative ? 0x4000 : 0x0000))
        appendRaw(Int16(truncatingIfNeeded: number.fractionEnd - number.fractionStart))

        // Integer digits group from the right, so the first group may be short.
        let integerLength = number.integerEnd - number.integerStart
        let integerGroups = (integerLength + 3) / 4
        var weight = integerGroups - 1
        var written = 0         // groups appended
        var significant = 0     // groups up to and including the last non-zero one

        var index = number.integerStart
        var groupLength = integerLength - (integerGroups - 1) * 4
        while index < number.integerEnd {
            var group = 0
            for _ in 0..<groupLength {
                group = group * 10 + Int(utf8[index] &- UInt8(ascii: "0"))
                index += 1
            }
            appendRaw(Int16(group))
            written += 1
            if group != 0 { significant = written }
            groupLength = 4
        }

        // Fraction digits group from the left, the last group padded with zeros on the right.
        index = number.fractionStart
        while index < number.fractionSignificantEnd {
            var group = 0
            for position in 0..<4 {
                let digit = index + position < number.fractionSignificantEnd ? Int(utf8[index + position] &- UInt8(ascii: "0")) : 0
                group = group * 10 + digit
            }
            index += 4
            if written == 0 && group == 0 {
                // Leading zero group of a number below 1: fold it into the weight.
                weight -= 1
                continue
            }
            appendRaw(Int16(group))
            written += 1
            if group != 0 { significant = written }
        }

        // Trailing zero groups (e.g. the "0000" of 10000) are implied by the weight.
        removeLast((written - significant) * 2)
        if significant == 0 {
            weight = 0
            store(Int16(0), at: start + 8) // sign: PostgreSQL has no negative zero
        }
        let length = length - start - 4
        store(UInt32(truncatingIfNeeded: length), at: start)
        store(Int16(truncatingIfNeeded: significant), at: start + 4)
        store(Int16(truncatingIfNeeded: weight), at: start + 6)
    }
}

/// Where the parts of a decimal string are; validated, so encoding cannot fail half-way.
private struct DecimalText {
    var negative = false
    /// Integer digits without leading zeros.
    var integerStart = 0
    var integerEnd = 0
    /// Fraction digits as written (their count is the display scale).
    var fractionStart = 0
    var fractionEnd = 0
    /// End of the fraction without its trailing zeros.
    var fractionSignificantEnd = 0

    init?(parsing utf8: UnsafeBufferPointer<UInt8>) {
        var index = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
            negative = utf8[index] == UInt8(ascii: "-")
            index += 1
        }
        let digitsStart = index
        while index < utf8.count, utf8[index] == UInt8(ascii: "0") { index += 1 }
        integerStart = index
        while index < utf8.count, utf8[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        integerEnd = index
        var sawDigit = integerEnd > digitsStart
        fractionStart = index
        fractionEnd = index
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            fractionStart = index
            while index < utf8.count, utf8[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            fractionEnd = index
            sawDigit = sawDigit || fractionEnd > fractionStart
        }
        guard sawDigit, index == utf8.count else { return nil }
        fractionSignificantEnd = fractionEnd
        while fractionSignificantEnd > fractionStart, utf8[fractionSignificantEnd - 1] == UInt8(ascii: "0") {
            fractionSignificantEnd -= 1
        }
        // The format's limits: weight and digit count are int16, dscale at most 0x3FFF.
        guard (integerEnd - integerStart + 3) / 4 + (fractionEnd - fractionStart + 3) / 4 <= 32767,
              fractionEnd - fractionStart <= 0x3FFF
        else { return nil }
    }
}
