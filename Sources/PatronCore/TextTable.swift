import Foundation

/// A small result table for Patron's own reports (status, rejects): rows of optional text.
public struct TextTable: Sendable {
    public var columns: [String]
    public var rows: [[String?]]

    public init(columns: [String], rows: [[String?]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// Columns aligned for a terminal; numbers right-aligned; NULL shown as empty. Control
    /// characters in values are shown escaped (`\n`, `\u{1B}`): a value from a file (a rejected
    /// row, a file name) must not move the cursor, clear the screen or break the layout.
    public func aligned() -> String {
        let rows = self.rows.map { $0.map { $0.map(Self.escapingControlCharacters) } }
        var widths = columns.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], (cell ?? "").count)
            }
        }
        let numeric = columns.indices.map { i in
            rows.contains { $0[i] != nil } && rows.allSatisfy { row in row[i].map { Double($0) != nil } ?? true }
        }
        func pad(_ text: String, _ i: Int) -> String {
            let fill = String(repeating: " ", count: widths[i] - text.count)
            return numeric[i] ? fill + text : text + fill
        }
        var lines = [columns.indices.map { pad(columns[$0], $0) }.joined(separator: "  ")]
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for row in rows {
            lines.append(row.indices.map { pad(row[$0] ?? "", $0) }.joined(separator: "  "))
        }
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
            .joined(separator: "\n") + "\n"
    }

    /// `\n`, `\r` and `\t` spelled out; any other control character (C0, DEL, C1) as `\u{…}`.
    /// Text without one is returned as is.
    public static func escapingControlCharacters(_ text: String) -> String {
        func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (0x7F...0x9F).contains(u.value) }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(u): out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A JSON array with one object per row, keys in column order; NULL as `null`; a column
    /// whose values are all numbers gives JSON numbers, every other value a string.
    public func json() -> String {
        "[" + jsonObjects().joined(separator: ",\n") + "]\n"
    }

    /// JSON Lines: the objects of `json()`, one per line (nothing for no rows).
    public func jsonLines() -> String {
        jsonObjects().map { $0 + "\n" }.joined()
    }

    private func jsonObjects() -> [String] {
        let numeric = columns.indices.map { i in
            rows.allSatisfy { row in row[i].map(Self.isJSONNumber) ?? true }
        }
        return rows.map { row in
            "{" + columns.indices.map { i in
                let value: String
                if let text = row[i] { value = numeric[i] ? text : Self.jsonString(text) } else { value = "null" }
                return Self.jsonString(columns[i]) + ":" + value
            }.joined(separator: ",") + "}"
        }
    }

    /// A GitHub-flavoured Markdown table: numeric columns right-aligned, `|` escaped, control
    /// characters escaped as in `aligned()`, NULL empty.
    public func markdown() -> String {
        let rows = self.rows.map { $0.map { ($0.map(Self.escapingControlCharacters) ?? "").replacingOccurrences(of: "|", with: "\\|") } }
        let header = columns.map { $0.replacingOccurrences(of: "|", with: "\\|") }
        var widths = header.map { max($0.count, 3) }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        let numeric = columns.indices.map { i in
            self.rows.contains { $0[i] != nil } && self.rows.allSatisfy { row in row[i].map { Double($0) != nil } ?? true }
        }
        func line(_ cells: [String]) -> String {
            "| " + cells.indices.map { i in
                let fill = String(repeating: " ", count: widths[i] - cells[i].count)
                return numeric[i] ? fill + cells[i] : cells[i] + fill
            }.joined(separator: " | ") + " |\n"
        }
        let rule = "|" + widths.indices.map { i in
            numeric[i] ? " " + String(repeating: "-", count: widths[i] - 1) + ": " : " " + String(repeating: "-", count: widths[i]) + " "
        }.joined(separator: "|") + "|\n"
        return line(header) + rule + rows.map(line).joined()
    }

    /// `-?digits[.digits]` (what PostgreSQL prints for integers and numerics).
    static func isJSONNumber(_ text: String) -> Bool {
        var u = Substring(text).utf8[...]
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        let parts = u.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              !(whole.count > 1 && whole.first == 48) else { return false }
        if parts.count == 2 { return !parts[1].isEmpty && parts[1].allSatisfy { $0 >= 48 && $0 <= 57 } }
        return true
    }

    /// A JSON string literal (RFC 8259 escaping): the one escaper Patron's JSON writers share.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// RFC 4180 CSV with a header; NULL as an empty field.
    public func csv() -> String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var out = columns.map(field).joined(separator: ",") + "\n"
        for row in rows { out += row.map { field($0 ?? "") }.joined(separator: ",") + "\n" }
        return out
    }
}
