/// One parsed row. Reuse one value across calls to `RowReader.next(into:)` to avoid allocations.
///
/// The values are kept as UTF-8 bytes, back to back in one buffer (`valueBytes`, spans in
/// `valueSpans`), so reading a row allocates nothing; `value(at:)` and `values` make Strings.
public struct InputRow: Sendable {
    /// The physical line on which the record starts (1-based; CSV header = line 1; newlines
    /// inside quoted fields and skipped blank lines count; for gzip, lines of the decompressed text).
    public internal(set) var line: Int
    /// The values' UTF-8 bytes (valid UTF-8, no NUL), one span per requested column.
    public internal(set) var valueBytes: [UInt8]
    /// Per requested column, in `RowReader.columns` order: where its value is in `valueBytes`.
    /// An empty span is nil (see `values`).
    public internal(set) var valueSpans: [ValueSpan]
    /// Per requested column: whether the column was there for this row (CSV: in the header;
    /// JSON Lines: the key is in this object, even if its value is null).
    public internal(set) var present: [Bool]
    /// Set when the row is malformed as a whole; `values` are then all nil and meaningless.
    public internal(set) var rejection: RowRejection?

    public init(columnCount: Int) {
        line = 0
        valueBytes = []
        valueSpans = Array(repeating: ValueSpan(), count: columnCount)
        present = Array(repeating: false, count: columnCount)
        rejection = nil
    }

    /// One per requested column, in `RowReader.columns` order. nil = empty field, absent column
    /// or key, JSON null or JSON "". Otherwise the text exactly as given (not trimmed).
    public var values: [String?] { valueSpans.indices.map(value(at:)) }

    /// The value of requested column `i` (see `values`).
    public func value(at i: Int) -> String? {
        let span = valueSpans[i]
        if span.count == 0 { return nil }
        return valueBytes.withUnsafeBufferPointer { b in
            String(decoding: UnsafeBufferPointer(rebasing: b[span.start..<(span.start + span.count)]), as: UTF8.self)
        }
    }

    /// Makes the spans the right size (a row made for another reader can be passed in) and
    /// empties the byte buffer; the reader then sets every span.
    @inline(__always)
    mutating func prepare(columnCount: Int) {
        if valueSpans.count != columnCount {
            valueSpans = Array(repeating: ValueSpan(), count: columnCount)
            present = Array(repeating: false, count: columnCount)
        }
        valueBytes.removeAll(keepingCapacity: true)
        rejection = nil
    }

    @inline(__always)
    mutating func setNil(_ i: Int) { valueSpans[i] = ValueSpan() }

    /// Sets column `i` to `count` bytes at `p` (`count` 0: nil).
    @inline(__always)
    mutating func setValue(_ i: Int, _ p: UnsafePointer<UInt8>, count: Int) {
        valueSpans[i] = ValueSpan(start: valueBytes.count, count: count)
        if count > 0 { valueBytes.append(contentsOf: UnsafeBufferPointer(start: p, count: count)) }
    }

    /// Sets column `i` to a literal (JSON `true`/`false`).
    mutating func setValue(_ i: Int, _ literal: StaticString) {
        setValue(i, literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    /// Starts column `i`'s value at the end of `valueBytes`; append its bytes, then `endValue`.
    @inline(__always)
    mutating func beginValue(_ i: Int) { valueSpans[i] = ValueSpan(start: valueBytes.count, count: 0) }

    @inline(__always)
    mutating func endValue(_ i: Int) { valueSpans[i].count = valueBytes.count - valueSpans[i].start }

    mutating func reject(_ r: RowRejection) {
        rejection = r
        for i in valueSpans.indices { valueSpans[i] = ValueSpan() }
    }
}

/// Where one value of an `InputRow` is in its `valueBytes`; `count` 0 means nil.
public struct ValueSpan: Sendable, Equatable {
    public var start: Int = 0
    public var count: Int = 0
}

/// Reads rows of one input file.
public protocol RowReader: AnyObject {
    /// Requested columns (lower-case canonical names), in the order `InputRow.values` uses.
    var columns: [String] { get }
    /// Columns present in the file that were not requested, in their original spelling, for a
    /// one-time "ignored" report. CSV: from the header (complete after creation). JSON Lines:
    /// the keys seen so far (complete once `next(into:)` returned false).
    var unknownColumns: [String] { get }
    /// Fills `row` with the next record; false at the end of the input.
    /// Throws `InputError` for whole-file failures (the file must then not be loaded at all).
    func next(into row: inout InputRow) throws -> Bool
}

/// Makes a reader for `file`.
///
/// - Parameters:
///   - columns: the requested columns (canonical lower-case names); `InputRow.values` follows this order.
///   - required: columns that must be there: for CSV a header lacking one fails the file
///     (`InputError` naming all missing ones); for JSON Lines an object lacking one is a row rejection.
///     Must be a subset of `columns`.
///   - delimiter: the CSV field separator (ignored for JSON Lines); must not be `"`, CR or LF.
/// - Throws: `InputError` (CSV: empty file, bad header, unreadable header bytes).
public func makeRowReader(
    file: InputFile,
    format: InputFormat,
    columns: [String],
    required: Set<String>,
    delimiter: UInt8 = UInt8(ascii: ",")
) throws -> any RowReader {
    let canonical = columns.map { $0.lowercased() }
    let req = Set(required.map { $0.lowercased() })
    precondition(req.isSubset(of: Set(canonical)), "required columns must be among the requested columns")
    switch format {
    case .csv:
        precondition(delimiter != asciiQuote && delimiter != asciiCR && delimiter != asciiLF && delimiter < 0x80,
                     "the CSV delimiter must be an ASCII character other than '\"', CR and LF")
        return try CSVReader(file: file, columns: canonical, required: req, delimiter: delimiter)
    case .jsonl:
        return try JSONLReader(file: file, columns: canonical, required: req)
    }
}

/// Drops a UTF-8 byte order mark at the very start of the input.
func skipByteOrderMark(_ window: ByteWindow) throws {
    while window.pending < 3 && !window.eof { try window.fill(lineAtStart: 1) }
    if window.pending >= 3 {
        let p = window.base + window.start
        if p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { window.start += 3 }
    }
}

/// The rejection of a record longer than the file's `maxRecordBytes`; `value` is its start.
func tooLongRejection(limit: Int, value: String) -> RowRejection {
    RowRejection(value: value,
                 reason: "record longer than \(RecordLimit.describe(limit)), the most a record may hold; it was skipped "
                     + "(a file without line breaks, or a quote that is never closed? --max-record-bytes raises the limit)")
}

/// The length of a record's text from `start` to `end`, its line ending (LF or CRLF) not counted.
@inline(__always)
func recordLength(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
    var e = end
    if e > start && p[e - 1] == asciiLF {
        e -= 1
        if e > start && p[e - 1] == asciiCR { e -= 1 }
    }
    return e - start
}

/// The whole-file error for a NUL byte or invalid UTF-8 at `line`.
func byteProblemError(_ problem: ByteProblem, file: InputFile, line: Int, byte: UInt8) -> InputError {
    switch problem {
    case .nul:
        return InputError(file: file.displayName, line: line,
                          message: "contains a NUL byte (not a text file, or not UTF-8: save it as UTF-8 text)")
    case .invalidUTF8:
        let hex = String(byte, radix: 16, uppercase: true)
        return InputError(file: file.displayName, line: line,
                          message: "not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex)); re-export the file as UTF-8")
    }
}
