#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON Lines reader: one object per line, strict RFC 8259, parsed directly from bytes.
///
/// - Lines end at LF (a CR before it is dropped). Lines of only JSON whitespace are skipped, not
///   returned, but counted. A UTF-8 BOM at the start is dropped. An empty file is zero rows.
/// - A NUL byte or invalid UTF-8 anywhere fails the whole file (naming its line).
/// - A line longer than `InputFile.maxRecordBytes` (its line ending not counted) is a row
///   rejection; the reader streams past it to the next LF without keeping it.
/// - So does a first record that is a JSON array (`[` first) or an API envelope: an object whose
///   first member's value is an array of objects (`{"tickets": [{…}]}`) and which does not read
///   as a row (it spans lines, or lacks the required keys).
/// - Row rejections: a line that is not one JSON object, any syntax error (including in values of
///   keys that are not requested), a raw control character (< U+0020, e.g. a tab) inside a string,
///   a `\u0000` escape, an unpaired surrogate escape, a duplicate key (after Unicode lower-casing),
///   an array or object as the value of a requested key, a missing required key.
/// - Keys are matched case-insensitively (Unicode-aware), exactly as written otherwise (not trimmed).
/// - Scalars become text: strings their unescaped value ("" → nil), numbers their literal text as
///   written (`1001` → "1001", `1e3` → "1e3"), `true`/`false` → "true"/"false", null → nil.
///   `present` is true for a key that is there, even with null.
/// - Values of keys that are not requested are validated but ignored; the keys are reported in
///   `unknownColumns` (first spelling seen).
final class JSONLReader: RowReader {
    let columns: [String]
    private(set) var unknownColumns: [String] = []

    private let file: InputFile
    private let window: ByteWindow
    private var nextLine = 1
    /// Requested names, lower-case, as bytes (ASCII fast path for key matching).
    private let columnBytes: [[UInt8]]
    private let requiredIndices: [Int]
    private var scratch: [UInt8] = []
    private var unknownIndex: [String: Int] = [:]
    /// Per unknown key: the row serial it was last seen in (duplicate detection).
    private var unknownSeenIn: [Int] = []
    private var rowSerial = 0
    /// Whether the first non-blank line has been read (the whole-file shape checks run on it).
    private var sawFirstRecord = false
    /// Requested names by a hash of their bytes (`keySlot`), -1 for none: a key spelled exactly
    /// as a column (the usual case) is found with one comparison, before the general,
    /// case-insensitive look-up.
    private let exactKeys: [Int]
    /// `columnBytes` back to back, and where each starts.
    private let columnNames: UnsafeMutablePointer<UInt8>
    private let columnOffsets: [Int]
    private let columnLengths: [Int]

    static let maxDepth = 512

    init(file: InputFile, columns: [String], required: Set<String>) throws {
        self.file = file
        self.columns = columns
        self.columnBytes = columns.map { Array($0.utf8) }
        self.requiredIndices = columns.indices.filter { required.contains(columns[$0]) }
        let names = columnBytes.flatMap { $0 }
        columnNames = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, names.count))
        columnNames.initialize(from: names, count: names.count)
        var offsets: [Int] = []
        var offset = 0
        for c in columnBytes {
            offsets.append(offset)
            offset += c.count
        }
        columnOffsets = offsets
        columnLengths = columnBytes.map(\.count)
        var exact = [Int](repeating: -1, count: 256)
        for (t, c) in columnBytes.enumerated() where !c.isEmpty {
            let slot = c.withUnsafeBufferPointer { JSONLReader.keySlot($0.baseAddress!, c.count) }
            if exact[slot] < 0 { exact[slot] = t }  // on a collision the later column takes the general look-up
        }
        exactKeys = exact
        self.window = ByteWindow(file: file)
        try skipByteOrderMark(window)
    }

    deinit { columnNames.deallocate() }

    func next(into row: inout InputRow) throws -> Bool {
        while true {
            let s = window.start
            let e = window.end
            let p = UnsafePointer(window.base)
            var lineEnd: Int
            let next: Int
            if s < e, let hit = memchr(p + s, Int32(asciiLF), e - s) {
                lineEnd = s + (UnsafeRawPointer(hit) - UnsafeRawPointer(p + s))
                next = lineEnd + 1
            } else {
                if !window.eof {
                    // Pending bytes hold no LF but perhaps the CR before one.
                    if e - s > file.maxRecordBytes + 1 {
                        try skipTooLongLine(into: &row)
                        return true
                    }
                    try window.fill(lineAtStart: nextLine)
                    continue
                }
                if s >= e { return false }
                lineEnd = e
                next = e
            }
            let line = nextLine
            nextLine += 1
            window.start = next
            if lineEnd > s && p[lineEnd - 1] == asciiCR { lineEnd -= 1 }
            if lineEnd - s > file.maxRecordBytes {
                try rejectTooLong(line: line, p, from: s, to: lineEnd, into: &row)
                return true
            }
            var i = s
            while i < lineEnd && isJSONSpace(p[i]) { i += 1 }
            if i == lineEnd { continue }  // blank line

            // The first record tells a JSON array or an API envelope from JSON Lines: either
            // fails the whole file instead of loading part of it.
            var envelope: String? = nil
            if !sawFirstRecord {
                sawFirstRecord = true
                if p[i] == UInt8(ascii: "[") {
                    throw InputError(file: file.displayName, line: line,
                                     message: "holds a JSON array, not JSON Lines. " + JSONLReader.expectedShape)
                }
                if p[i] == UInt8(ascii: "{") { envelope = JSONLReader.envelopeKey(p, from: i + 1, to: e) }
            }

            let k = columns.count
            row.prepare(columnCount: k)
            row.line = line
            row.valueSpans.withUnsafeMutableBufferPointer { $0.update(repeating: ValueSpan()) }
            row.present.withUnsafeMutableBufferPointer { $0.update(repeating: false) }
            rowSerial += 1
            // The line's bytes in one copy; unescaped strings and numbers are spans of it.
            row.valueBytes.append(contentsOf: UnsafeBufferPointer(start: p + s, count: lineEnd - s))
            var scratch = self.scratch
            self.scratch = []
            defer { self.scratch = scratch }
            var cur = Cursor(p: p, begin: s, i: i, end: lineEnd)
            do throws(JSONFail) {
                try parseObject(&cur, row: &row, scratch: &scratch)
            } catch {
                row.reject(RowRejection(column: error.column,
                                        value: error.value ?? excerpt(p, from: s, to: lineEnd),
                                        reason: error.reason))
            }
            if let envelope, row.rejection != nil {
                throw InputError(file: file.displayName, line: line,
                                 message: "holds one JSON object with an array of records (\"\(envelope)\": [{…}]), not JSON Lines. "
                                     + JSONLReader.expectedShape)
            }
            return true
        }
    }

    /// Rejects the line at `window.start`, longer than the limit, and drops it a buffer at a time
    /// up to its LF (or the end of the input).
    private func skipTooLongLine(into row: inout InputRow) throws {
        let line = nextLine
        let p = UnsafePointer(window.base)
        try rejectTooLong(line: line, p, from: window.start, to: window.end, into: &row)
        nextLine += 1
        while true {
            let s = window.start
            let e = window.end
            if s < e, let hit = memchr(window.base + s, Int32(asciiLF), e - s) {
                window.start = UnsafeRawPointer(hit) - UnsafeRawPointer(window.base) + 1
                return
            }
            window.discardChecked()
            if !(try window.fill(lineAtStart: line)) {
                window.start = window.end  // what was kept is scanned already
                return
            }
        }
    }

    /// Fills `row` with the rejection of a line longer than the limit, of which `p[from..<to]`
    /// is the start; on the first record, a JSON array or an API envelope still fails the file.
    private func rejectTooLong(line: Int, _ p: UnsafePointer<UInt8>, from s: Int, to e: Int,
                               into row: inout InputRow) throws {
        var i = s
        while i < e && isJSONSpace(p[i]) { i += 1 }
        if !sawFirstRecord && i < e {
            sawFirstRecord = true
            if p[i] == UInt8(ascii: "[") {
                throw InputError(file: file.displayName, line: line,
                                 message: "holds a JSON array, not JSON Lines. " + JSONLReader.expectedShape)
            }
            if p[i] == UInt8(ascii: "{"), let envelope = JSONLReader.envelopeKey(p, from: i + 1, to: e) {
                throw InputError(file: file.displayName, line: line,
                                 message: "holds one JSON object with an array of records (\"\(envelope)\": [{…}]), not JSON Lines. "
                                     + JSONLReader.expectedShape)
            }
        }
        row.prepare(columnCount: columns.count)
        row.line = line
        row.present.withUnsafeMutableBufferPointer { $0.update(repeating: false) }
        row.reject(tooLongRejection(limit: file.maxRecordBytes, value: excerpt(p, from: s, to: e)))
    }

    static let expectedShape = "Patron expects JSON Lines: one JSON object per line. "
        + "A vendor's export (an array, or {\"tickets\": [...]}) is read by `patron import VENDOR` (see `patron import --help`)."

    /// For bytes after a record's opening `{` (across line ends, as far as the window holds):
    /// the first member's key if its value is an array whose first element is an object, the
    /// shape of an API envelope such as `{"tickets": [{…}, …]}`.
    static func envelopeKey(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) -> String? {
        var i = start
        func skipSpace() { while i < end && isJSONSpace(p[i]) { i += 1 } }
        skipSpace()
        guard i < end, p[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let keyStart = i
        while i < end && p[i] != UInt8(ascii: "\"") {
            if p[i] == UInt8(ascii: "\\") { i += 1 }
            i += 1
        }
        guard i < end else { return nil }
        let key = String(decoding: UnsafeBufferPointer(start: p + keyStart, count: min(i - keyStart, 200)), as: UTF8.self)
        i += 1
        skipSpace()
        guard i < end, p[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        skipSpace()
        guard i < end, p[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        skipSpace()
        guard i < end, p[i] == UInt8(ascii: "{") else { return nil }
        return key
    }

    // MARK: - Parsing

    struct JSONFail: Error {
        var reason: String
        var column: String? = nil
        var value: String? = nil
    }

    struct Cursor {
        let p: UnsafePointer<UInt8>
        /// Start of the line (for positions in messages).
        let begin: Int
        var i: Int
        let end: Int

        @inline(__always) var atEnd: Bool { i >= end }
        @inline(__always) var peek: UInt8 { i < end ? p[i] : 0 }
        @inline(__always) mutating func skipSpace() {
            while i < end && isJSONSpace(p[i]) { i += 1 }
        }
    }

    private func describeStart(_ b: UInt8) -> String {
        switch b {
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        default: return "something that is not JSON"
        }
    }

    private func parseObject(_ c: inout Cursor, row: inout InputRow, scratch: inout [UInt8]) throws(JSONFail) {
        guard c.peek == UInt8(ascii: "{") else {
            throw JSONFail(reason: "not a JSON object (found \(describeStart(c.peek))); each line must be one {…} object")
        }
        c.i += 1
        c.skipSpace()
        if c.peek == UInt8(ascii: "}") {
            c.i += 1
        } else {
            while true {
                guard c.peek == UInt8(ascii: "\"") else {
                    throw JSONFail(reason: "invalid JSON at byte \(c.i - c.begin + 1): expected a key in double quotes")
                }
                c.i += 1
                let keyTok = try scanString(&c, scratch: &scratch)
                let (target, unknownName): (Int, String?)
                if keyTok.escaped {
                    (target, unknownName) = scratch.withUnsafeBufferPointer { bp in
                        classifyKey(bp.baseAddress!, bp.count)
                    }
                } else if let exact = exactKey(c.p + keyTok.start, keyTok.end - keyTok.start) {
                    (target, unknownName) = (exact, nil)
                } else {
                    (target, unknownName) = classifyKey(c.p + keyTok.start, keyTok.end - keyTok.start)
                }
                // The key's name, for messages only (not made for every key of every row).
                @inline(__always) func name() -> String { target >= 0 ? columns[target] : unknownName ?? "" }
                if target >= 0 {
                    if row.present[target] {
                        let columnName = name()
                        throw JSONFail(reason: "duplicate key \"\(columnName)\" (keys are compared ignoring case)", column: columnName)
                    }
                    row.present[target] = true
                } else {
                    let original = unknownName ?? ""
                    let lowered = original.lowercased()
                    if let id = unknownIndex[lowered] {
                        if unknownSeenIn[id] == rowSerial {
                            throw JSONFail(reason: "duplicate key \"\(original)\" (keys are compared ignoring case)", column: original)
                        }
                        unknownSeenIn[id] = rowSerial
                    } else {
                        unknownIndex[lowered] = unknownSeenIn.count
                        unknownSeenIn.append(rowSerial)
                        unknownColumns.append(original)
                    }
                }
                c.skipSpace()
                guard c.peek == UInt8(ascii: ":") else {
                    throw JSONFail(reason: "invalid JSON at byte \(c.i - c.begin + 1): expected ':' after key \"\(name())\"")
                }
                c.i += 1
                c.skipSpace()
                let valueStart = c.i
                do throws(JSONFail) {
                    try parseValue(&c, into: target, row: &row, scratch: &scratch)
                } catch {
                    var e = error
                    if e.column == nil { e.column = name() }
                    if e.value == nil {
                        e.value = excerpt(c.p, from: valueStart, to: min(c.end, max(c.i + 1, valueStart)))
                    }
                    throw e
                }
                c.skipSpace()
                let b = c.peek
                if b == UInt8(ascii: ",") {
                    c.i += 1
                    c.skipSpace()
                    continue
                }
                if b == UInt8(ascii: "}") {
                    c.i += 1
                    break
                }
                throw JSONFail(reason: "invalid JSON at byte \(c.i - c.begin + 1): expected ',' or '}' after the value of \"\(name())\"")
            }
        }
        c.skipSpace()
        if !c.atEnd {
            throw JSONFail(reason: "unexpected text after the JSON object at byte \(c.i - c.begin + 1) (one object per line)")
        }
        for r in requiredIndices where !row.present[r] {
            throw JSONFail(reason: "missing required key \"\(columns[r])\"", column: columns[r], value: nil)
        }
    }

    @inline(__always)
    static func keySlot(_ k: UnsafePointer<UInt8>, _ n: Int) -> Int {
        (n &* 31 &+ Int(k[0]) &* 7 &+ Int(k[n - 1]) &+ Int(k[n / 2]) &* 3) & 255
    }

    /// The requested column whose name the key is, byte for byte (then the case-insensitive
    /// look-up would find it too: names are unique and lower-case); nil: look it up.
    @inline(__always)
    private func exactKey(_ k: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        if n == 0 { return nil }
        let t = exactKeys[Self.keySlot(k, n)]
        guard t >= 0, columnLengths[t] == n, memcmp(columnNames + columnOffsets[t], k, n) == 0 else { return nil }
        return t
    }

    /// Classifies a key: the index of the requested column it names, or -1 and its text.
    @inline(__always)
    private func classifyKey(_ k: UnsafePointer<UInt8>, _ n: Int) -> (Int, String?) {
        let t = resolveKey(k, n)
        return t >= 0 ? (t, nil) : (t, makeString(k, from: 0, to: n))
    }

    /// Index of the requested column matching the key (Unicode-aware, case-insensitive), or -1.
    @inline(__always)
    private func resolveKey(_ k: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var ascii = true
        for idx in columnBytes.indices {
            let col = columnBytes[idx]
            if col.count != n { continue }
            var same = true
            col.withUnsafeBufferPointer { cp in
                for j in 0..<n {
                    var b = k[j]
                    if b >= 0x80 { ascii = false; same = false; return }
                    if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b |= 0x20 }
                    if b != cp[j] { same = false; return }
                }
            }
            if same { return idx }
        }
        if ascii {
            // Make sure: a key with non-ASCII bytes may lower-case to an ASCII name (e.g. KELVIN SIGN).
            for j in 0..<n where k[j] >= 0x80 { ascii = false; break }
        }
        if ascii { return -1 }
        let lowered = makeString(k, from: 0, to: n).lowercased()
        return columns.firstIndex(of: lowered) ?? -1
    }

    /// Parses a value into column `target` of `row` (if `target` ≥ 0; null and "" stay nil).
    /// Throws for syntax errors and, if `target` ≥ 0, for arrays and objects.
    private func parseValue(_ c: inout Cursor, into target: Int, row: inout InputRow,
                            scratch: inout [UInt8]) throws(JSONFail) {
        let b = c.peek
        switch b {
        case UInt8(ascii: "\""):
            c.i += 1
            let tok = try scanString(&c, scratch: &scratch)
            if target < 0 { return }
            if tok.escaped {
                scratch.withUnsafeBufferPointer { row.setValue(target, $0.baseAddress!, count: $0.count) }
            } else {
                row.valueSpans[target] = ValueSpan(start: tok.start - c.begin, count: tok.end - tok.start)
            }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = c.i
            try skipNested(&c, depth: 0, scratch: &scratch)
            if target >= 0 {
                throw JSONFail(reason: "expected a single value (string, number, true, false or null), found \(b == UInt8(ascii: "{") ? "an object" : "an array")",
                               value: excerpt(c.p, from: start, to: c.i))
            }
        case UInt8(ascii: "t"):
            try literal(&c, "true")
            if target >= 0 { row.setValue(target, "true") }
        case UInt8(ascii: "f"):
            try literal(&c, "false")
            if target >= 0 { row.setValue(target, "false") }
        case UInt8(ascii: "n"):
            try literal(&c, "null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = c.i
            try scanNumber(&c)
            if target >= 0 { row.valueSpans[target] = ValueSpan(start: start - c.begin, count: c.i - start) }
        default:
            if c.atEnd { throw JSONFail(reason: "invalid JSON: the line ends where a value was expected") }
            throw JSONFail(reason: "invalid JSON value (strings need double quotes; literals are true, false, null)")
        }
    }

    private func literal(_ c: inout Cursor, _ word: StaticString) throws(JSONFail) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        if c.end - c.i < n { throw JSONFail(reason: "invalid JSON value (expected \(word))") }
        for j in 0..<n where c.p[c.i + j] != w[j] {
            throw JSONFail(reason: "invalid JSON value (expected \(word))")
        }
        c.i += n
    }

    /// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private func scanNumber(_ c: inout Cursor) throws(JSONFail) {
        @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if c.peek == UInt8(ascii: "-") { c.i += 1 }
        if c.peek == UInt8(ascii: "0") {
            c.i += 1
            if isDigit(c.peek) && !c.atEnd { throw JSONFail(reason: "invalid JSON number (no leading zeros; write ids with leading zeros as strings)") }
        } else if isDigit(c.peek) && !c.atEnd {
            while !c.atEnd && isDigit(c.peek) { c.i += 1 }
        } else {
            throw JSONFail(reason: "invalid JSON number")
        }
        if c.peek == UInt8(ascii: ".") && !c.atEnd {
            c.i += 1
            guard !c.atEnd && isDigit(c.peek) else { throw JSONFail(reason: "invalid JSON number (digits must follow '.')") }
            while !c.atEnd && isDigit(c.peek) { c.i += 1 }
        }
        if !c.atEnd && (c.peek == UInt8(ascii: "e") || c.peek == UInt8(ascii: "E")) {
            c.i += 1
            if !c.atEnd && (c.peek == UInt8(ascii: "+") || c.peek == UInt8(ascii: "-")) { c.i += 1 }
            guard !c.atEnd && isDigit(c.peek) else { throw JSONFail(reason: "invalid JSON number (digits must follow the exponent)") }
            while !c.atEnd && isDigit(c.peek) { c.i += 1 }
        }
    }

    /// Skips (and validates) an object or array.
    private func skipNested(_ c: inout Cursor, depth: Int, scratch: inout [UInt8]) throws(JSONFail) {
        if depth >= JSONLReader.maxDepth { throw JSONFail(reason: "JSON nested too deeply") }
        let open = c.peek
        let close: UInt8 = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        c.i += 1
        c.skipSpace()
        if c.peek == close && !c.atEnd {
            c.i += 1
            return
        }
        while true {
            if open == UInt8(ascii: "{") {
                guard c.peek == UInt8(ascii: "\"") && !c.atEnd else { throw JSONFail(reason: "invalid JSON: expected a key in double quotes") }
                c.i += 1
                _ = try scanString(&c, scratch: &scratch)
                c.skipSpace()
                guard c.peek == UInt8(ascii: ":") && !c.atEnd else { throw JSONFail(reason: "invalid JSON: expected ':'") }
                c.i += 1
                c.skipSpace()
            }
            let b = c.peek
            if (b == UInt8(ascii: "{") || b == UInt8(ascii: "[")) && !c.atEnd {
                try skipNested(&c, depth: depth + 1, scratch: &scratch)
            } else {
                var unused = InputRow(columnCount: 0)
                try parseValue(&c, into: -1, row: &unused, scratch: &scratch)
            }
            c.skipSpace()
            if c.peek == UInt8(ascii: ",") && !c.atEnd {
                c.i += 1
                c.skipSpace()
                continue
            }
            if c.peek == close && !c.atEnd {
                c.i += 1
                return
            }
            throw JSONFail(reason: "invalid JSON: expected ',' or '\(Character(Unicode.Scalar(close)))'")
        }
    }

    struct StringToken {
        var start: Int
        var end: Int
        /// The decoded bytes are in `scratch` (not in `start..<end`).
        var escaped: Bool
    }

    /// Scans a string whose opening quote has been consumed. Without escapes, the content is
    /// `start..<end` of the line; with escapes, the decoded bytes are in `scratch`.
    @inline(__always)
    private func scanString(_ c: inout Cursor, scratch: inout [UInt8]) throws(JSONFail) -> StringToken {
        let start = c.i
        let p = c.p
        // Fast path: no escapes.
        var i = c.i
        while i < c.end {
            let b = p[i]
            if b == asciiQuote {
                c.i = i + 1
                return StringToken(start: start, end: i, escaped: false)
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            i += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start))
        while true {
            guard i < c.end else {
                c.i = i
                throw JSONFail(reason: "invalid JSON: unterminated string")
            }
            let b = p[i]
            if b == asciiQuote {
                c.i = i + 1
                return StringToken(start: start, end: i, escaped: true)
            }
            if b < 0x20 {
                c.i = i
                let hex = String(b, radix: 16, uppercase: true)
                throw JSONFail(reason: "raw control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex) inside a string; it must be escaped (\\t, \\n, \\uXXXX)")
            }
            if b != UInt8(ascii: "\\") {
                scratch.append(b)
                i += 1
                continue
            }
            guard i + 1 < c.end else {
                c.i = i
                throw JSONFail(reason: "invalid JSON: unterminated string")
            }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): scratch.append(asciiQuote)
            case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                c.i = i - 2
                var scalar = try hex4(p, at: i, end: c.end)
                i += 4
                if scalar == 0 {
                    throw JSONFail(reason: "\\u0000 (NUL) is not allowed in a string")
                }
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard i + 6 <= c.end && p[i] == UInt8(ascii: "\\") && p[i + 1] == UInt8(ascii: "u") else {
                        throw JSONFail(reason: "invalid \\u escape: a high surrogate must be followed by a low surrogate \\uDC00–\\uDFFF")
                    }
                    let low = try hex4(p, at: i + 2, end: c.end)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw JSONFail(reason: "invalid \\u escape: a high surrogate must be followed by a low surrogate \\uDC00–\\uDFFF")
                    }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw JSONFail(reason: "invalid \\u escape: unpaired low surrogate")
                }
                appendUTF8(scalar, to: &scratch)
            default:
                c.i = i - 2
                throw JSONFail(reason: "invalid escape \\\(Character(Unicode.Scalar(e))) in a string")
            }
        }
    }

    @inline(__always)
    private func hex4(_ p: UnsafePointer<UInt8>, at i: Int, end: Int) throws(JSONFail) -> UInt32 {
        guard i + 4 <= end else { throw JSONFail(reason: "invalid \\u escape (needs 4 hex digits)") }
        var v: UInt32 = 0
        for j in 0..<4 {
            let b = p[i + j]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw JSONFail(reason: "invalid \\u escape (needs 4 hex digits)")
            }
            v = v << 4 | d
        }
        return v
    }
}

@inline(__always)
func isJSONSpace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
}

@inline(__always)
func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
    if v < 0x80 {
        out.append(UInt8(v))
    } else if v < 0x800 {
        out.append(UInt8(0xC0 | (v >> 6)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    } else if v < 0x10000 {
        out.append(UInt8(0xE0 | (v >> 12)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (v >> 18)))
        out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    }
}
