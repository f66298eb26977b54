import Testing
@testable import PatronInput

@Suite("Value normalization")
struct NormalizeTests {
    // MARK: customer_id

    @Test("the ASCII shortcuts give the same answers as the Unicode properties")
    func asciiShortcutsAgreeWithUnicode() {
        for value in UInt8(0)...UInt8(127) {
            let u = Unicode.Scalar(value)
            #expect(Normalize.isWhitespace(u) == u.properties.isWhitespace, "U+\(value)")
            let category = u.properties.generalCategory
            let controlOrFormat = [.control, .format, .lineSeparator, .paragraphSeparator].contains(category)
            #expect(Normalize.isControlOrFormat(u) == controlOrFormat, "U+\(value)")
        }
    }

    @Test("customer_id is trimmed, empty is nil, otherwise compared exactly")
    func customerID() {
        #expect(Normalize.customerID("  C-001 ") == "C-001")
        #expect(Normalize.customerID("\u{00A0}abc\t") == "abc")
        #expect(Normalize.customerID("AbC 1") == "AbC 1")
        #expect(Normalize.customerID("   ") == nil)
        #expect(Normalize.customerID("") == nil)
    }

    // MARK: email

    @Test("email is trimmed and lower-cased (Unicode-aware), no plus- or dot-folding", arguments: [
        ("  John.Doe+Shop@Example.COM ", "john.doe+shop@example.com"),
        ("ÄNNE@BEISPIEL.DE", "änne@beispiel.de"),
        ("a@b", "a@b"),
        ("\u{00A0}X@Y.Z\u{2003}", "x@y.z"),
    ])
    func emailAccepted(_ input: String, _ expected: String) throws {
        #expect(try Normalize.email(input) == expected)
    }

    @Test("an email that does not normalize is rejected with a reason", arguments: [
        ("n/a", "no @"), ("john.example.com", "no @"), ("a@b@c", "more than one @"), ("@example.com", "nothing before"),
        ("john@", "nothing after"), ("john doe@x.org", "whitespace"), ("john@x\t.org", "whitespace"),
        ("jo\u{200B}hn@x.org", "control or invisible"), ("", "empty"), ("   ", "empty"),
    ])
    func emailRejected(_ input: String, _ reasonPart: String) {
        let reason = valueErrorReason { try Normalize.email(input) }
        #expect(reason?.contains(reasonPart) == true, "\(input): \(reason ?? "accepted")")
    }

    // MARK: phone

    @Test("phone: digits only, separators dropped, leading 00 dropped, no country code invented", arguments: [
        ("+49 30 1234567", "49301234567"),
        ("0049 (30) 123-45-67", "49301234567"),
        ("+0049 30 1234567", "49301234567"),  // "+00…": the 00 prefix is dropped after the '+'
        ("030/1234567", "0301234567"),         // a national number keeps its leading 0
        ("(555) 123.4567", "5551234567"),
        ("1234567", "1234567"),
        ("  +1 555 123 4567 ", "15551234567"),
        ("0012345678", "12345678"),
    ])
    func phoneAccepted(_ input: String, _ expected: String) throws {
        #expect(try Normalize.phone(input) == expected)
    }

    @Test("phone: letters, other characters and fewer than 7 digits are rejected", arguments: [
        ("n/a", "contains letters"), ("555-1234 ext 5", "contains letters"), ("call me", "contains letters"),
        ("+49 30 12345 #2", "unexpected character"), ("123456", "at least 7"), ("00 123 456", "at least 7"),
        ("---", "at least 7"), ("49+301234567", "only allowed at the start"), ("", "empty"),
        ("555١٢٣٤٥٦٧", "unexpected character"),
    ])
    func phoneRejected(_ input: String, _ reasonPart: String) {
        let reason = valueErrorReason { try Normalize.phone(input) }
        #expect(reason?.contains(reasonPart) == true, "\(input): \(reason ?? "accepted")")
    }

    // MARK: handle

    @Test("handle: platform:@name, trimmed and lower-cased; a bare @name takes the row's platform", arguments: [
        ("Twitter:@AcmeCo", nil, "twitter:@acmeco"),
        ("  instagram:@Zoë_Ö ", nil, "instagram:@zoë_ö"),
        ("@AcmeCo", "Twitter", "twitter:@acmeco"),
        ("@acme", " X ", "x:@acme"),
        ("mastodon:@user@mastodon.social", nil, "mastodon:@user@mastodon.social"),
        ("tiktok:@acme", "twitter", "tiktok:@acme"),
    ] as [(String, String?, String)])
    func handleAccepted(_ input: String, _ platform: String?, _ expected: String) throws {
        #expect(try Normalize.handle(input, defaultPlatform: platform) == expected)
    }

    @Test("handle: malformed handles are rejected; a bare @name without a platform (tickets) too", arguments: [
        ("@acme", nil, "needs its platform"), ("@acme", "  ", "needs its platform"), ("acme", "twitter", "expected platform:@name"),
        ("twitter:acme", nil, "must start with @"), (":@acme", nil, "no platform"), ("twitter:@", nil, "empty name"),
        ("twitter:@acme co", nil, "whitespace"), ("twit ter:@acme", nil, "one word"), ("", nil, "empty"),
    ] as [(String, String?, String)])
    func handleRejected(_ input: String, _ platform: String?, _ reasonPart: String) {
        let reason = valueErrorReason { try Normalize.handle(input, defaultPlatform: platform) }
        #expect(reason?.contains(reasonPart) == true, "\(input): \(reason ?? "accepted")")
    }

    // MARK: currency

    @Test("currency: three letters, any case, stored upper-case")
    func currency() throws {
        #expect(try Normalize.currency("usd") == "USD")
        #expect(try Normalize.currency(" Eur ") == "EUR")
        #expect(try Normalize.currency("GBP") == "GBP")
        for bad in ["US", "USDX", "U$D", "12A", "", "€", "ÜSD", "US D"] {
            #expect(valueErrorReason { try Normalize.currency(bad) }?.contains("currency code") == true, "\(bad)")
        }
    }

    // MARK: enumerations and flags

    @Test("enumerations are trimmed and case-insensitive; the reason lists the allowed values")
    func enumeration() throws {
        let allowed = ["email", "chat", "phone", "social", "web", "other"]
        #expect(try Normalize.enumeration(" Chat ", allowed: allowed) == "chat")
        #expect(try Normalize.enumeration("EMAIL", allowed: allowed) == "email")
        #expect(try Normalize.enumeration("ÉTÉ", allowed: ["été"]) == "été")
        #expect(valueErrorReason { try Normalize.enumeration("fax", allowed: allowed) }
                == "not one of: email, chat, phone, social, web, other")
        #expect(valueErrorReason { try Normalize.enumeration("", allowed: allowed) } != nil)
    }

    @Test("booleans: true/false, t/f, yes/no, 1/0, case-insensitive, trimmed", arguments: [
        ("true", true), ("TRUE", true), (" t ", true), ("Yes", true), ("1", true),
        ("false", false), ("F", false), ("no", false), ("NO", false), ("0", false),
    ])
    func booleanAccepted(_ input: String, _ expected: Bool) throws {
        #expect(try Normalize.boolean(input) == expected)
    }

    @Test("booleans: anything else is rejected", arguments: ["y", "n", "on", "off", "2", "", "tru", "-1", "1.0"])
    func booleanRejected(_ input: String) {
        #expect(valueErrorReason { try Normalize.boolean(input) }?.contains("not a boolean") == true)
    }

    // MARK: integers

    @Test("non-negative integers: digits only (items, counts, seconds)")
    func nonNegativeInteger() throws {
        #expect(try Normalize.nonNegativeInteger("0") == 0)
        #expect(try Normalize.nonNegativeInteger(" 42 ") == 42)
        #expect(try Normalize.nonNegativeInteger("007") == 7)
        #expect(try Normalize.nonNegativeInteger("9223372036854775807") == Int64.max)
        #expect(valueErrorReason { try Normalize.nonNegativeInteger("9223372036854775808") } == "number too large")
        #expect(valueErrorReason { try Normalize.nonNegativeInteger("-3") }?.contains("negative") == true)
        for bad in ["+3", "3.0", "3.5", "1e3", "1,000", "1 000", "three", "", "0x10", "٣"] {
            #expect(valueErrorReason { try Normalize.nonNegativeInteger(bad) } != nil, "\(bad)")
        }
    }

    @Test("scores are integer text within their range; 4.0 is rejected, not converted")
    func integerInRange() throws {
        #expect(try Normalize.integer("1", in: 1...5) == 1)
        #expect(try Normalize.integer(" 5 ", in: 1...5) == 5)
        #expect(try Normalize.integer("0", in: 0...10) == 0)
        #expect(try Normalize.integer("-2", in: -5...5) == -2)
        #expect(valueErrorReason { try Normalize.integer("6", in: 1...5) } == "6 is out of range (expected 1–5)")
        #expect(valueErrorReason { try Normalize.integer("0", in: 1...5) }?.contains("out of range") == true)
        #expect(valueErrorReason { try Normalize.integer("11", in: 0...10) }?.contains("out of range") == true)
        for bad in ["4.0", "4.5", "+4", "4e0", "four", "", "-", "99999999999999999999"] {
            #expect(valueErrorReason { try Normalize.integer(bad, in: 1...7) } != nil, "\(bad)")
        }
    }

    // MARK: sentiment

    @Test("sentiment: a number in -1..1 or a label; both may be mixed", arguments: [
        ("0.8", 0.8), ("-1", -1.0), ("1", 1.0), ("+0.25", 0.25), ("-0.5", -0.5), ("0", 0.0), (" 1.0 ", 1.0),
        ("positive", 1.0), ("Neutral", 0.0), ("NEGATIVE", -1.0), (" positive ", 1.0),
    ])
    func sentimentAccepted(_ input: String, _ expected: Double) throws {
        #expect(try Normalize.sentiment(input) == expected)
    }

    @Test("sentiment: out of range or not a plain decimal is rejected",
          arguments: ["1.5", "-1.01", "2", "nan", "inf", "1e-1", ".5", "5.", "good", "", "0,5", "--1"])
    func sentimentRejected(_ input: String) {
        #expect(valueErrorReason { try Normalize.sentiment(input) } != nil)
    }

    // MARK: money

    @Test("money: -?digits[.digits], at most 4 decimals, kept exactly as written", arguments: [
        ("12.50", "12.50"), ("0", "0"), (" 1999.9999 ", "1999.9999"), ("007.10", "007.10"), ("100", "100"),
        ("-0.00", "0.00"), ("-0", "0"), ("123456789012345678.5", "123456789012345678.5"),
    ])
    func moneyAccepted(_ input: String, _ expected: String) throws {
        #expect(try Normalize.money(input) == expected)
    }

    @Test("money: more than 4 decimals, negatives, exponents, symbols, separators are rejected", arguments: [
        ("12.34567", "more than 4 decimal places"), ("-5", "negative amount"), ("-0.01", "negative amount"),
        ("1e3", "exponent"), ("1.5E2", "exponent"), ("$12", "currency symbol"), ("12 EUR", "space"), ("12€", "currency symbol"),
        ("1,234.50", "thousands separator"), ("12,50", "decimal separator"), ("1 234", "spaces"), ("+5", "'+'"),
        (".5", "expected digits"), ("5.", "expected digits"), ("", "empty"), ("abc", "currency symbol or code"), ("1.2.3", "expected digits"),
    ])
    func moneyRejected(_ input: String, _ reasonPart: String) {
        let reason = valueErrorReason { try Normalize.money(input) }
        #expect(reason?.contains(reasonPart) == true, "\(input): \(reason ?? "accepted")")
    }
}
