import PatronCore

/// The table named by `--into [SCHEMA.]TABLE`, read the way PostgreSQL reads a name in SQL:
/// an unquoted part is folded to lower case (`Reporting.Ret` is `reporting.ret`), a part in
/// double quotes is kept exactly (`"Reporting"."Ret"`, `""` for a quote inside). An unquoted
/// part must be a name PostgreSQL would not quote (ASCII letters, digits, `_`, not starting with
/// a digit), so what the user typed is what they will type in their own queries. A name longer
/// than 63 bytes is refused: PostgreSQL would silently cut it and name another table.
public struct IntoTarget: Equatable, Sendable, CustomStringConvertible {
    /// nil: the reports schema (see `AnalysisRunner.reportsSchema`).
    public var schema: String?
    public var table: String
    /// The parts given without quotes, already folded: the server checks they are not reserved
    /// words (which would need quoting too).
    public var unquoted: [String]

    public init(schema: String?, table: String, unquoted: [String] = []) {
        self.schema = schema
        self.table = table
        self.unquoted = unquoted
    }

    /// PostgreSQL's NAMEDATALEN - 1.
    public static let maximumNameBytes = 63

    public static func parse(_ text: String) throws -> IntoTarget {
        func refuse(_ reason: String) -> PatronError {
            PatronError.usage("--into takes [SCHEMA.]TABLE; '\(text)': \(reason)")
        }
        var parts: [(name: String, quoted: Bool)] = []
        var scalars = Substring(text).unicodeScalars[...]
        while true {
            var name = ""
            let quoted = scalars.first == "\""
            if quoted {
                scalars = scalars.dropFirst()
                var closed = false
                while let u = scalars.first {
                    scalars = scalars.dropFirst()
                    if u == "\"" {
                        if scalars.first == "\"" { name += "\""; scalars = scalars.dropFirst(); continue }
                        closed = true
                        break
                    }
                    name.unicodeScalars.append(u)
                }
                if !closed { throw refuse("a double quote is not closed") }
                if name.isEmpty { throw refuse("a quoted name is empty") }
            } else {
                while let u = scalars.first, u != "." {
                    name.unicodeScalars.append(u)
                    scalars = scalars.dropFirst()
                }
                if name.isEmpty { throw refuse("a name is empty") }
                guard isPlain(asciiLowercased(name)) else {
                    throw refuse("'\(name)' would need double quotes in SQL (letters, digits and _ only, not starting with a digit); quote it if you mean it: --into '\"\(name)\"'")
                }
                name = asciiLowercased(name)
            }
            if name.utf8.count > maximumNameBytes {
                throw refuse("'\(name)' is \(name.utf8.count) bytes long; PostgreSQL names hold at most \(maximumNameBytes)")
            }
            parts.append((name, quoted))
            guard let next = scalars.first else { break }
            guard next == "." else { throw refuse("text after the closing double quote") }
            scalars = scalars.dropFirst()
            if parts.count == 2 { throw refuse("more than two parts (a table in another database cannot be written)") }
        }
        return IntoTarget(schema: parts.count == 2 ? parts[0].name : nil, table: parts.last!.name,
                          unquoted: parts.filter { !$0.quoted }.map { $0.name })
    }

    /// The same target with the schema filled in when none was given.
    public func inSchema(default schema: String) -> IntoTarget {
        IntoTarget(schema: self.schema ?? schema, table: table, unquoted: unquoted)
    }

    /// As it would be written in SQL: plain names bare, others in double quotes.
    public var description: String {
        ([schema].compactMap { $0 } + [table]).map(Self.sqlName).joined(separator: ".")
    }

    static func sqlName(_ name: String) -> String {
        isPlain(name) ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A name PostgreSQL's `quote_ident` leaves bare, keywords aside: `[a-z_][a-z0-9_]*`.
    static func isPlain(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (97...122).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (97...122).contains($0) || (48...57).contains($0) }
    }

    /// PostgreSQL folds only ASCII letters of an unquoted name.
    static func asciiLowercased(_ name: String) -> String {
        String(decoding: name.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
