import Foundation
import PatronCore
import PatronInput
@testable import PatronLoad
import PatronTestSupport
import Testing

/// `RowStager` (fast paths on bytes) must write exactly what `RowValidator.validate` +
/// `StageEncoder` (the rules on Strings) write, for every value: accepted or rejected, the same
/// normalized value, the same rejection. Each test writes rows where one column at a time takes a
/// tricky value (the others valid), reads them with the real CSV or JSON Lines reader, and
/// compares the two encoded COPY streams byte for byte, row by row.
@Suite("Row stager: fast paths agree with the validator")
struct RowStagerTests {
    /// Values that probe the edges of the fast paths: outer ASCII and Unicode whitespace, case,
    /// non-ASCII letters whose lower-case form differs, signs, lengths, limits.
    static let common = [
        "x", " x ", "\tx\t", "x\n", "\rx\r", "\u{0B}x\u{0C}", "\r\n x \r\n", "\u{00A0}x", "x\u{00A0}", "\u{2003}x\u{2003}", "\u{0085}x", " \u{00A0} ", "   ",
        "ÄBC", "İx", "K", "\u{212A}", "x\u{0301}", "\u{7F}", "a\u{1}b", "😀",
    ]

    static let byKind: [String: [String]] = [
        "id": ["O1", " O1 ", "O 1", "\u{00A0}O1\u{00A0}", "Ö1", "o1", "O1", " ", "\u{3000}"],
        "email": [
            "Anna@Example.COM", " anna@example.com ", "anna@@example.com", "@example.com", "anna@", "anna",
            "an na@example.com", "anna@exa\tmple.com", "JÖRG@Example.com", "İ@example.com", "anna@example.com\u{200B}",
            "a@b", "A\u{7F}@b", "\u{00A0}a@b", "a@b\u{00A0}", "a@b\u{2028}",
        ],
        "phone": [
            "+49 30 1234567", "0049 (30) 123-4567", "+0049 30 1234567", "123456", "1234567", "00123456", "001234567",
            "n/a", "12345ext67", "1234567+", "++1234567", " +1234567 ", "12\t34567", "1234567\u{00A0}8", "١٢٣٤٥٦٧",
            "123.456/7", "1234567x", "12_34567", "\u{2003}1234567",
        ],
        "handle": [
            "twitter:@acme", "Twitter:@Acme", " twitter:@acme ", "@acme", "twitter:acme", ":@acme", "twitter:@",
            "tw itter:@acme", "tw@x:@acme", "twitter:@ac me", "twitter:@a:b@c", "x:@y", "twitter::@acme", "İnsta:@x",
            "twitter:@\u{212A}", "twitter:@a\u{7F}", "acme", "twitter:@acme\u{00A0}",
        ],
        "timestamp": [
            "2024-03-01", "2024-03-01T10:15:00Z", "2024-03-01 10:15:00+02:00", " 2024-03-01T10:15 ", "2024-02-30",
            "2024-03-01T24:00:00", "2024-03-01T10:15:60", "2024-03-01T10:15:00,5", "2024-03-01T10:15:00.1234567Z",
            "1709288100", "yesterday", "2024-03-01T10:15:00.123456-0530", "2024-03-01t10:15:00z", "\u{00A0}2024-03-01",
            "2024-03-01T10:15:00+19:00", "0000-01-01",
        ],
        "money": [
            "12.50", "0", "-0.00", "-0", "-1", "-1.50", "1.23456", "1.2345", "1,5", "1,000.00", " 12 ", "\u{00A0}12",
            "+1", "1e5", "0.0000", "00012.3400", ".5", "5.", "€5", "5 EUR", "12 50", "100000000000000000000.0001",
            "0.0001", "9999", "10000", "-", "1.2.3",
            String(repeating: "9", count: 140_000),
        ],
        "currency": ["EUR", "eur", "Eu", "EURO", " usd ", "€UR", "E1R", "\u{00A0}usd", "ÄBC", "e u"],
        "enumeration": [
            "completed", "Completed", " CANCELLED ", "cancel", "completed\u{00A0}", "new", "open", "pending",
            "solved", "closed", "SOLVED", "email", "chat", "phone", "social", "web", "other", "nps", "csat", "ces", "NPS",
        ],
        "count": [
            "0", "007", "-1", "-0", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808",
            "99999999999999999999", "1.0", " 5 ", "+5", "5e2", "٣", "\u{00A0}5",
        ],
        "score": ["0", "1", "5", "7", "10", "11", "-1", "-0", "3.0", " 4 ", "+4", "004", "99999999999999999999"],
        "boolean": ["true", "TRUE", "t", "yes", "Yes", "1", "false", "f", "no", "0", " no ", "tru", "ja", "2", "truee", "nö"],
        "sentiment": ["0.5", "-1", "1.0", "1.5", "positive", "NEUTRAL", "Negative", "+0.25", ".5", "1e-1", "abc"],
        "platform": ["Twitter", " INSTAGRAM ", "\u{00A0}x\u{00A0}", "İnsta"],
    ]

    static func kindKey(_ kind: ValueKind) -> String {
        switch kind {
        case .sourceID, .customerID: return "id"
        case .email: return "email"
        case .phone: return "phone"
        case .handle: return "handle"
        case .timestamp: return "timestamp"
        case .money: return "money"
        case .currency: return "currency"
        case .enumeration: return "enumeration"
        case .count, .bigCount: return "count"
        case .score: return "score"
        case .boolean: return "boolean"
        case .sentiment: return "sentiment"
        case .lowercasedName: return "platform"
        case .text: return "text"
        }
    }

    /// A valid row of `spec` (so that a rejection is the tricky value's).
    static func validRow(_ spec: EntitySpec, line: Int) -> [String] {
        spec.columns.map { column in
            switch column.name {
            case "kind": return "nps"
            case "status": return spec.entity == .tickets ? "open" : "completed"
            case "channel": return spec.entity == .tickets ? "chat" : "web"
            case "platform": return "twitter"
            default: break
            }
            switch column.kind {
            case .sourceID, .customerID: return "ID\(line)"
            case .email: return "c\(line)@example.com"
            case .phone: return "+49 30 \(1_000_000 + line)"
            case .handle: return "twitter:@c\(line)"
            case .timestamp: return "2024-03-01T10:15:00Z"
            case .money: return "12.50"
            case .currency: return "EUR"
            case .enumeration(let allowed): return allowed[0]
            case .count, .bigCount: return "3"
            case .score: return "4"
            case .boolean: return "true"
            case .sentiment: return "0.5"
            case .text, .lowercasedName: return "text \(line)"
            }
        }
    }

    /// Rows with one tricky value each (plus empty values, repeated ids and valid rows).
    static func rows(_ spec: EntitySpec) -> [[String]] {
        var rows: [[String]] = []
        for (i, column) in spec.columns.enumerated() {
            let key = kindKey(column.kind)
            for value in (byKind[key] ?? []) + common + [""] {
                var row = validRow(spec, line: rows.count)
                row[i] = value
                rows.append(row)
            }
        }
        rows.append(validRow(spec, line: 1))  // a repeated id
        rows.append(validRow(spec, line: 1))
        return rows
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func jsonString(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    /// Both paths over `path`; returns the number of rows compared.
    static func compare(_ spec: EntitySpec, path: String, timeZone: TimeZone) throws -> Int {
        let input = try InputFile(path: path)
        let reader = try makeRowReader(file: input, format: InputFormat.guess(fromPath: path)!,
                                       columns: spec.columnNames, required: spec.requiredNames)
        let validator = RowValidator(spec: spec, timeZone: timeZone)
        var old = StageEncoder(spec: spec)
        var oldSeen = RepeatFilter(bits: 1 << 12)
        var stager = RowStager(spec: spec, timeZone: timeZone, expectedBytes: nil)
        var values = [StagedValue](repeating: .null, count: spec.columns.count)
        var row = InputRow(columnCount: spec.columns.count)
        var compared = 0
        while try reader.next(into: &row) {
            var oldError: Error? = nil
            if let rejection = validator.validate(row, into: &values) {
                old.appendRejected(line: row.line, rejection: rejection)
            } else {
                let repeated = values[0].text.map { oldSeen.insert($0) } ?? false
                do { try old.appendAccepted(line: row.line, repeated: repeated, values: values, present: row.present) } catch {
                    oldError = error
                }
            }
            var newError: Error? = nil
            do { _ = try stager.add(row) } catch { newError = error }
            #expect((oldError == nil) == (newError == nil), "line \(row.line): \(row.values)")
            if oldError != nil {
                // The old encoder leaves a half-written row behind; both loads fail anyway.
                old = StageEncoder(spec: spec)
                stager.encoder = StageEncoder(spec: spec)
                continue
            }
            // This row's bytes only (then both are emptied), so a failure shows one row.
            let a = old.encoder.bytes, b = stager.encoder.encoder.bytes
            #expect(a == b, "line \(row.line) differs: \(row.values)")
            if a != b { return compared }
            old.drain(ifLargerThan: -1) { _ in }
            stager.encoder.drain(ifLargerThan: -1) { _ in }
            compared += 1
        }
        return compared
    }

    static func write(_ spec: EntitySpec, csv: Bool) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stager-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let names = spec.columnNames
        var text = ""
        if csv {
            text = names.joined(separator: ",") + "\n"
            for row in rows(spec) { text += row.map(csvField).joined(separator: ",") + "\n" }
        } else {
            for row in rows(spec) {
                // Empty values as JSON null, numbers-looking values also as JSON numbers now and then.
                let members = zip(names, row).enumerated().map { k, pair in
                    let (name, value) = pair
                    if value.isEmpty { return "\"\(name)\":null" }
                    if k % 2 == 0, value.count < 30,
                       value.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"#, options: .regularExpression) != nil {
                        return "\"\(name)\":\(value)"
                    }
                    return "\"\(name)\":\(jsonString(value))"
                }
                text += "{" + members.joined(separator: ",") + "}\n"
            }
        }
        let path = dir.appendingPathComponent("\(spec.entity.rawValue).\(csv ? "csv" : "jsonl")").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("CSV: every entity, every tricky value, UTC", arguments: Entity.allCases)
    func csvAgrees(_ entity: Entity) throws {
        let spec = EntitySpec.of(entity)
        let path = try Self.write(spec, csv: true)
        let compared = try Self.compare(spec, path: path, timeZone: TimeZone(identifier: "UTC")!)
        #expect(compared >= Self.rows(spec).count - 1)
    }

    @Test("JSON Lines: every entity, every tricky value, a zone with daylight saving", arguments: Entity.allCases)
    func jsonLinesAgrees(_ entity: Entity) throws {
        let spec = EntitySpec.of(entity)
        let path = try Self.write(spec, csv: false)
        let compared = try Self.compare(spec, path: path, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(compared >= Self.rows(spec).count - 1)
    }
}
