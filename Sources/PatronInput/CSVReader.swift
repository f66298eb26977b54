#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 4180 CSV reader working on bytes.
///
/// Rules (see docs/inputs.md, "Files"):
/// - A header row is required; names are trimmed and matched case-insensitively (Unicode-aware).
///   An empty header name is allowed and ignored (so a trailing delimiter in every line is harmless);
///   any other duplicate name (after trim + lower-casing) fails the file, as does a header lacking a
///   required column, an empty file, or a header with text after a closing quote.
/// - Records end at LF or CRLF. A CR not followed by LF is an ordinary character (except right
///   before the end of the input). Empty lines are skipped, not returned, but counted for line numbers.
/// - A field that starts with `"` is quoted: it may contain delimiters, newlines and `""`.
///   A `"` anywhere else in an unquoted field is literal (`ab"c` → `ab"c`, ` "x"` → ` "x"`).
/// - Text between a closing quote and the next delimiter (`"ab"c`) rejects the row: it is not
///   clear what was meant. The rest of the line is then read as unquoted text to find the end of the record.
/// - An unterminated quoted field at the end of the input fails the file, naming the line where the
///   field started. A NUL byte or invalid UTF-8 anywhere fails the file, naming its line.
/// - A record longer than `InputFile.maxRecordBytes` (line ending not counted) is a row rejection;
///   the reader streams past the rest of it, following the quotes to find where it ends, without
///   keeping it. A header row longer than `RecordLimit.headerBytes` fails the file.
/// - A record with a different number of fields than the header is a row rejection.
/// - Values: an empty field (quoted or not) is nil; otherwise the exact text (not trimmed).
/// - A UTF-8 byte order mark at the start is dropped.
final class CSVReader: RowReader {
    let columns: [String]
    let unknownColumns: [String]

    private let file: InputFile
    private let window: ByteWindow
    private let delimiter: UInt8
    private var nextLine = 1
    private var fields: [FieldSpan] = []
    private var scratch: [UInt8] = []
    private let headerCount: Int
    /// Header names as written (trimmed), for rejections.
    private let headerNames: [String]
    /// Header index → index in `columns`, or -1 if not requested.
    private let map: [Int]
    /// Per requested column: is it in the header.
    private let presentInHeader: [Bool]

    struct FieldSpan {
        var start: Int
        var end: Int
        /// Quoted and contains `""` pairs to collapse.
        var escaped: Bool
    }

    struct Record {
        var start: Int
        var end: Int
        var line: Int
        /// Index of the first field with text after its closing quote.
        var badQuoteField: Int?
        /// Set (to its first bytes) for a record longer than the limit; its fields are not read.
        var tooLong: String? = nil
    }

    init(file: InputFile, columns: [String], required: Set<String>, delimiter: UInt8) throws {
        self.file = file
        self.columns = columns
        self.delimiter = delimiter
        self.window = ByteWindow(file: file)
        try skipByteOrderMark(window)

        var fields: [FieldSpan] = []
        guard let header = try CSVReader.nextRecord(window: window, delimiter: delimiter, fields: &fields,
                                                     nextLine: &nextLine, file: file,
                                                     limit: RecordLimit.headerBytes, skipTooLong: false) else {
            throw InputError(file: file.displayName, message: "empty CSV file: no header row")
        }
        if header.tooLong != nil {
            throw InputError(file: file.displayName, line: header.line,
                             message: "the header row is longer than \(RecordLimit.describe(RecordLimit.headerBytes)), "
                                 + "the most a CSV header may hold: is this a CSV file with line breaks?")
        }
        if header.badQuoteField != nil {
            throw InputError(file: file.displayName, line: header.line,
                             message: "malformed header: text after a closing quote")
        }
        var names: [String] = []
        var lowered: [String] = []
        var scratch: [UInt8] = []
        for f in fields {
            let raw = CSVReader.fieldString(window.base, f, scratch: &scratch) ?? ""
            let name = trimWhitespace(raw)
            names.append(name)
            lowered.append(name.lowercased())
        }
        var firstIndex: [String: Int] = [:]
        for (i, l) in lowered.enumerated() where !l.isEmpty {
            if let j = firstIndex[l] {
                throw InputError(file: file.displayName, line: header.line, column: names[i],
                                 message: "duplicate column name \"\(names[i])\" (columns \(j + 1) and \(i + 1))")
            }
            firstIndex[l] = i
        }
        let missing = columns.filter { required.contains($0) && firstIndex[$0] == nil }
        if !missing.isEmpty {
            let list = missing.joined(separator: ", ")
            throw InputError(file: file.displayName, line: header.line, column: list,
                             message: "missing required column\(missing.count > 1 ? "s" : ""): \(list)")
        }
        var map = [Int](repeating: -1, count: names.count)
        var present = [Bool](repeating: false, count: columns.count)
        for (k, c) in columns.enumerated() {
            if let i = firstIndex[c] {
                map[i] = k
                present[k] = true
            }
        }
        var unknown: [String] = []
        for (i, n) in names.enumerated() where map[i] < 0 && !n.isEmpty { unknown.append(n) }
        self.headerCount = names.count
        self.headerNames = names
        self.map = map
        self.presentInHeader = present
        self.unknownColumns = unknown
        self.fields = fields
        self.scratch = scratch
    }

    func next(into row: inout InputRow) throws -> Bool {
        var fields = self.fields
        self.fields = []
        defer { self.fields = fields }
        guard let rec = try CSVReader.nextRecord(window: window, delimiter: delimiter, fields: &fields,
                                                  nextLine: &nextLine, file: file,
                                                  limit: file.maxRecordBytes, skipTooLong: true) else {
            return false
        }
        let k = columns.count
        row.prepare(columnCount: k)
        row.line = rec.line
        for i in 0..<k where row.present[i] != presentInHeader[i] { row.present[i] = presentInHeader[i] }
        if let start = rec.tooLong {
            row.reject(tooLongRejection(limit: file.maxRecordBytes, value: start))
            return true
        }
        let base = UnsafePointer(window.base)
        if let bad = rec.badQuoteField {
            let f = fields[bad]
            row.reject(RowRejection(
                column: bad < headerCount ? headerNames[bad] : nil,
                value: excerpt(base, from: f.start, to: f.end),
                reason: "text after a closing quote; quote the whole field and double any quote inside it (\"\")"))
            return true
        }
        if fields.count != headerCount {
            row.reject(RowRejection(
                value: excerpt(base, from: rec.start, to: rec.end),
                reason: "expected \(headerCount) field\(headerCount == 1 ? "" : "s"), found \(fields.count)"))
            return true
        }
        for i in 0..<k where !presentInHeader[i] { row.setNil(i) }
        // The record's bytes in one copy; unescaped fields are spans of it, set through
        // pointers (one uniqueness check per row, not per field).
        row.valueBytes.append(contentsOf: UnsafeBufferPointer(start: base + rec.start, count: rec.end - rec.start))
        var anyEscaped = false
        fields.withUnsafeBufferPointer { fields in
            map.withUnsafeBufferPointer { map in
                row.valueSpans.withUnsafeMutableBufferPointer { spans in
                    for j in 0..<headerCount {
                        let target = map[j]
                        if target < 0 { continue }
                        let f = fields[j]
                        if f.escaped { anyEscaped = true; continue }
                        spans[target] = ValueSpan(start: f.start - rec.start, count: f.end - f.start)
                    }
                }
            }
        }
        if !anyEscaped { return true }
        for j in 0..<headerCount {
            let target = map[j]
            if target < 0 { continue }
            let f = fields[j]
            if f.escaped {
                // Collapse each `""` to `"`.
                row.beginValue(target)
                var i = f.start
                while i < f.end {
                    let b = base[i]
                    row.valueBytes.append(b)
                    i += b == asciiQuote ? 2 : 1
                }
                row.endValue(target)
            }
        }
        return true
    }

    // MARK: - Scanning

    @inline(__always)
    static func fieldString(_ p: UnsafePointer<UInt8>, _ f: FieldSpan, scratch: inout [UInt8]) -> String? {
        if f.start == f.end { return nil }
        if !f.escaped { return makeString(p, from: f.start, to: f.end) }
        scratch.removeAll(keepingCapacity: true)
        var i = f.start
        while i < f.end {
            let b = p[i]
            scratch.append(b)
            i += b == asciiQuote ? 2 : 1
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// The next non-blank record, its fields in `fields` (offsets into `window.base`, valid until
    /// the next call). nil at the end of the input.
    ///
    /// A record longer than `limit` bytes comes back with `tooLong` set and no fields; with
    /// `skipTooLong` the window is then past it, without it being kept, else still at its start.
    static func nextRecord(window: ByteWindow, delimiter: UInt8, fields: inout [FieldSpan],
                           nextLine: inout Int, file: InputFile, limit: Int, skipTooLong: Bool) throws -> Record? {
        while true {
            let outcome = scanRecord(UnsafePointer(window.base), from: window.start, to: window.end,
                                     eof: window.eof, delimiter: delimiter, fields: &fields)
            switch outcome {
            case .needMore:
                // Pending bytes hold no line ending but perhaps the CR of a CRLF.
                if window.pending > limit + 1 {
                    let line = nextLine
                    let start = excerpt(UnsafePointer(window.base), from: window.start, to: window.end)
                    if skipTooLong { try skipRecord(window: window, delimiter: delimiter, nextLine: &nextLine, file: file) }
                    return Record(start: 0, end: 0, line: line, badQuoteField: nil, tooLong: start)
                }
                try window.fill(lineAtStart: nextLine)
            case .endOfInput:
                return nil
            case .blank(let next):
                window.start = next
                nextLine += 1
            case .unterminated(let newlinesBeforeField):
                throw InputError(file: file.displayName, line: nextLine + newlinesBeforeField,
                                 message: "unterminated quoted field: the \" that opens it is never closed")
            case .record(let next, let newlines, let badQuote):
                let s = window.start
                let line = nextLine
                let p = UnsafePointer(window.base)
                if recordLength(p, from: s, to: next) > limit {
                    let start = excerpt(p, from: s, to: next)
                    if skipTooLong {
                        window.start = next
                        nextLine += newlines
                    }
                    return Record(start: 0, end: 0, line: line, badQuoteField: nil, tooLong: start)
                }
                window.start = next
                nextLine += newlines
                return Record(start: s, end: next, line: line, badQuoteField: badQuote)
            }
        }
    }

    /// Streams past the record at `window.start`, dropping its bytes as it goes, to just after
    /// its line ending (or the end of the input); `nextLine` then is the line after it.
    /// An unterminated quoted field fails the file as in `scanRecord`.
    static func skipRecord(window: ByteWindow, delimiter: UInt8, nextLine: inout Int, file: InputFile) throws {
        var skipper = RecordSkipper(delimiter: delimiter)
        let line = nextLine
        while true {
            if let next = skipper.scan(UnsafePointer(window.base), from: window.start, to: window.end) {
                window.start = next
                nextLine = line + skipper.newlines
                return
            }
            window.discardChecked()
            if !(try window.fill(lineAtStart: line + skipper.newlines)) {
                window.start = window.end  // what was kept is scanned already
                if skipper.state == .quoted {
                    throw InputError(file: file.displayName, line: line + skipper.newlinesBeforeQuote,
                                     message: "unterminated quoted field: the \" that opens it is never closed")
                }
                nextLine = line + skipper.newlines
                return
            }
        }
    }

    /// Where a record ends, found a buffer at a time with no more state than the quotes need
    /// (the same rules as `scanRecord`, without keeping fields).
    struct RecordSkipper {
        enum State {
            /// At the first byte of a field: a `"` there opens a quoted field.
            case fieldStart
            /// In an unquoted field (or the text after a closing quote).
            case unquoted
            case quoted
            /// Just after a `"` inside a quoted field: a second `"` is an escaped quote.
            case quoteInQuoted
        }

        let delimiter: UInt8
        var state = State.fieldStart
        /// LFs passed so far, the record's own terminator included once found.
        var newlines = 0
        /// `newlines` when the current quoted field opened.
        var newlinesBeforeQuote = 0

        init(delimiter: UInt8) { self.delimiter = delimiter }

        /// Scans `p[from..<to]`: the offset just after the record's LF, or nil if it goes on.
        mutating func scan(_ p: UnsafePointer<UInt8>, from: Int, to n: Int) -> Int? {
            var i = from
            // The next LF at or after `i` (n: none): found once per buffer, not once per field.
            var nextLF = -1
            while i < n {
                switch state {
                case .fieldStart:
                    if p[i] == asciiQuote {
                        state = .quoted
                        newlinesBeforeQuote = newlines
                        i += 1
                    } else {
                        state = .unquoted
                    }
                case .unquoted:
                    if nextLF < i {
                        nextLF = memchr(p + i, Int32(asciiLF), n - i).map { UnsafeRawPointer($0) - UnsafeRawPointer(p) } ?? n
                    }
                    if let d = memchr(p + i, Int32(delimiter), nextLF - i) {
                        i = UnsafeRawPointer(d) - UnsafeRawPointer(p) + 1
                        state = .fieldStart
                    } else if nextLF < n {
                        newlines += 1
                        return nextLF + 1
                    } else {
                        i = n
                    }
                case .quoted:
                    if let q = memchr(p + i, Int32(asciiQuote), n - i) {
                        let at = UnsafeRawPointer(q) - UnsafeRawPointer(p)
                        newlines += countNewlines(p, from: i, to: at)
                        i = at + 1
                        state = .quoteInQuoted
                    } else {
                        newlines += countNewlines(p, from: i, to: n)
                        i = n
                    }
                case .quoteInQuoted:
                    if p[i] == asciiQuote {
                        state = .quoted
                        i += 1
                    } else {
                        state = .unquoted
                    }
                }
            }
            return nil
        }
    }

    enum ScanOutcome {
        /// The record may continue past the bytes available.
        case needMore
        case endOfInput
        /// An empty line ending before `next`.
        case blank(next: Int)
        /// A quoted field that never closes; it starts this many newlines into the record.
        case unterminated(newlinesBeforeField: Int)
        /// A record ending before `next`, containing `newlines` LFs (its terminator included).
        case record(next: Int, newlines: Int, badQuoteField: Int?)
    }

    /// Scans one record starting at `s`. Pure function of the bytes; the hot loop of CSV parsing.
    @inline(__always)
    static func scanRecord(_ p: UnsafePointer<UInt8>, from s: Int, to n: Int, eof: Bool, delimiter: UInt8,
                           fields: inout [FieldSpan]) -> ScanOutcome {
        var i = s
        if i >= n { return eof ? .endOfInput : .needMore }
        let c0 = p[i]
        if c0 == asciiLF { return .blank(next: i + 1) }
        if c0 == asciiCR {
            if i + 1 < n {
                if p[i + 1] == asciiLF { return .blank(next: i + 2) }
            } else {
                return eof ? .blank(next: i + 1) : .needMore
            }
        }
        fields.removeAll(keepingCapacity: true)
        var newlines = 0
        var badQuote: Int? = nil
        while true {
            let fieldStart = i
            var unquotedFrom = i
            if i < n && p[i] == asciiQuote {
                let newlinesBefore = newlines
                i += 1
                let contentStart = i
                var escaped = false
                var closed = false
                while i < n {
                    let c = p[i]
                    if c == asciiQuote {
                        if i + 1 < n {
                            if p[i + 1] == asciiQuote {
                                escaped = true
                                i += 2
                                continue
                            }
                        } else if !eof {
                            return .needMore
                        }
                        closed = true
                        break
                    }
                    if c == asciiLF { newlines += 1 }
                    i += 1
                }
                if !closed {
                    return eof ? .unterminated(newlinesBeforeField: newlinesBefore) : .needMore
                }
                let contentEnd = i
                i += 1  // the closing quote
                if i >= n {
                    if !eof { return .needMore }
                    fields.append(FieldSpan(start: contentStart, end: contentEnd, escaped: escaped))
                    return .record(next: i, newlines: newlines, badQuoteField: badQuote)
                }
                let c = p[i]
                if c == delimiter {
                    fields.append(FieldSpan(start: contentStart, end: contentEnd, escaped: escaped))
                    i += 1
                    continue
                }
                if c == asciiLF {
                    fields.append(FieldSpan(start: contentStart, end: contentEnd, escaped: escaped))
                    return .record(next: i + 1, newlines: newlines + 1, badQuoteField: badQuote)
                }
                if c == asciiCR {
                    if i + 1 < n {
                        if p[i + 1] == asciiLF {
                            fields.append(FieldSpan(start: contentStart, end: contentEnd, escaped: escaped))
                            return .record(next: i + 2, newlines: newlines + 1, badQuoteField: badQuote)
                        }
                    } else if !eof {
                        return .needMore
                    } else {
                        fields.append(FieldSpan(start: contentStart, end: contentEnd, escaped: escaped))
                        return .record(next: i + 1, newlines: newlines, badQuoteField: badQuote)
                    }
                }
                // Text after the closing quote: the row is rejected; read on as unquoted text.
                if badQuote == nil { badQuote = fields.count }
                unquotedFrom = i
            }
            // Unquoted field (or the rest of a malformed quoted one) from `unquotedFrom`.
            i = unquotedFrom
            let delimiters = UInt64(delimiter) &* 0x0101_0101_0101_0101
            while true {
                // Eight bytes at a time while none is a delimiter, LF or CR.
                while i + 8 <= n {
                    let v = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                    let special = zeroBytes(v ^ delimiters) | zeroBytes(v ^ 0x0A0A_0A0A_0A0A_0A0A)
                        | zeroBytes(v ^ 0x0D0D_0D0D_0D0D_0D0D)
                    if special != 0 {
                        // The lowest flag is exact (a false flag can only follow a true one).
                        i += special.trailingZeroBitCount / 8
                        break
                    }
                    i += 8
                }
                while i < n {
                    let c = p[i]
                    if c == delimiter || c == asciiLF || c == asciiCR { break }
                    i += 1
                }
                if i >= n {
                    if !eof { return .needMore }
                    fields.append(FieldSpan(start: fieldStart, end: i, escaped: false))
                    return .record(next: i, newlines: newlines, badQuoteField: badQuote)
                }
                let c = p[i]
                if c == delimiter {
                    fields.append(FieldSpan(start: fieldStart, end: i, escaped: false))
                    i += 1
                    break
                }
                if c == asciiLF {
                    fields.append(FieldSpan(start: fieldStart, end: i, escaped: false))
                    return .record(next: i + 1, newlines: newlines + 1, badQuoteField: badQuote)
                }
                // CR
                if i + 1 < n {
                    if p[i + 1] == asciiLF {
                        fields.append(FieldSpan(start: fieldStart, end: i, escaped: false))
                        return .record(next: i + 2, newlines: newlines + 1, badQuoteField: badQuote)
                    }
                    i += 1  // a lone CR is an ordinary character
                    continue
                }
                if !eof { return .needMore }
                fields.append(FieldSpan(start: fieldStart, end: i, escaped: false))
                return .record(next: i + 1, newlines: newlines, badQuoteField: badQuote)
            }
        }
    }
}

/// The high bit of each byte of `v` that is zero (and possibly of bytes above a zero byte;
/// the lowest flag is always exact).
@inline(__always)
private func zeroBytes(_ v: UInt64) -> UInt64 {
    (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
}
