import Foundation
import PatronInput
import PostgresClient

/// What became of one row in `RowStager.add`.
package struct StagedRow {
    package var rejected = false
    /// Valid, and an earlier valid row may have had the same id (see `RepeatFilter`).
    package var repeated = false
    /// The id's `RepeatFilter.hash` (valid rows, when repeats are tracked).
    package var idHash: UInt64 = 0
}

/// Validates rows and writes them straight into the staging table's binary COPY stream: the
/// loader's client side, one call per row.
///
/// It gives exactly the bytes of `RowValidator.validate` + `StageEncoder.appendAccepted` /
/// `appendRejected`, faster: values are checked and written from the row's UTF-8 bytes, with
/// no String per value. Every fast path handles only the common shape of its kind (ASCII,
/// nothing to reject); anything else — non-ASCII at a trimmed edge, a value to reject — goes
/// to `RowValidator.stage`, the one definition of the rules, which also words the rejection.
/// A row rejected half-way is taken back out of the stream and written as a rejected row.
package struct RowStager {
    package let spec: EntitySpec
    package let validator: RowValidator
    package var encoder: StageEncoder
    private var seenIDs: RepeatFilter
    private var values: [StagedValue]
    private let fast: [FastKind]
    private let required: [Bool]
    /// The allowed values of all `.enumeration` columns, one after the other: spellings, and
    /// lower-cased ASCII bytes packed big-endian into two words (options are at most 16 bytes)
    /// with their length. Flat arrays of plain values: reading one retains nothing.
    private let enumSpellings: [String]
    private let enumPacked: [(UInt64, UInt64, Int)]
    private let fieldCount: Int16

    /// How a column's fast path works; `.slow`: always through `RowValidator.stage`.
    /// No payload that needs reference counting: it is read for every value.
    enum FastKind {
        case trimmedID, text, email, phone, handle, timestamp, money, currency, lowercasedName, sentiment
        /// The options' range in `enumSpellings` and `enumPacked`.
        case enumeration(Int, Int)
        case count, bigCount, score(Int64, Int64), boolean
        case slow

        /// Ids and identifiers: index keys, with a length limit.
        var isKey: Bool {
            switch self {
            case .trimmedID, .email, .phone, .handle: return true
            default: return false
            }
        }
    }

    /// Whether `add` tells repeated ids.
    private let tracksRepeats: Bool

    /// `expectedBytes`: the input's size, to size the repeat filter (see `RepeatFilter`), of at
    /// most `maxFilterBits` bits.
    package init(spec: EntitySpec, timeZone: TimeZone, expectedBytes: Int64?, tracksRepeats: Bool = true,
                 maxFilterBits: Int = RepeatFilter.defaultMaxBits) {
        self.tracksRepeats = tracksRepeats
        self.spec = spec
        validator = RowValidator(spec: spec, timeZone: timeZone)
        encoder = StageEncoder(spec: spec)
        seenIDs = tracksRepeats ? RepeatFilter(expectedBytes: expectedBytes, maxBits: maxFilterBits) : RepeatFilter(bits: 512)
        values = [StagedValue](repeating: .null, count: spec.columns.count)
        fieldCount = Int16(encoder.fieldCount)
        required = spec.columns.map(\.required)
        var enumSpellings: [String] = []
        var enumPacked: [(UInt64, UInt64, Int)] = []
        fast = spec.columns.map { column in
            switch column.kind {
            case .sourceID, .customerID: return .trimmedID
            case .text: return .text
            case .email: return .email
            case .phone: return .phone
            case .handle: return .handle
            case .timestamp: return .timestamp
            case .money: return .money
            case .currency: return .currency
            case .enumeration(let allowed):
                guard allowed.allSatisfy({ $0.utf8.count <= 16 && $0.utf8.allSatisfy { $0 < 0x80 } }) else { return .slow }
                let packed = allowed.map { spelling in
                    Array(spelling.lowercased().utf8).withUnsafeBufferPointer { packASCII($0.baseAddress!, 0, $0.count) }
                }
                let first = enumPacked.count
                enumSpellings += allowed
                enumPacked += packed.map { ($0!.0, $0!.1, $0!.2) }
                return .enumeration(first, enumPacked.count)
            case .count: return .count
            case .bigCount: return .bigCount
            case .score(let range): return .score(range.lowerBound, range.upperBound)
            case .boolean: return .boolean
            case .lowercasedName: return .lowercasedName
            case .sentiment: return .sentiment
            }
        }
        self.enumSpellings = enumSpellings
        self.enumPacked = enumPacked
    }

    /// Validates `row` and appends it to the stream, accepted or rejected.
    /// Throws only what `StageEncoder.appendAccepted` throws (a numeric beyond the format's limits).
    package mutating func add(_ row: InputRow) throws -> StagedRow {
        if let rejection = row.rejection {
            encoder.appendRejected(line: row.line, rejection: rejection)
            return StagedRow(rejected: true)
        }
        let rowStart = encoder.encoder.count
        encoder.encoder.beginRow(fieldCount: Int(fieldCount))
        encoder.encoder.append(int64: Int64(row.line))
        let repeatedOffset = encoder.encoder.count + 4
        encoder.encoder.append(bool: false)
        encoder.encoder.appendNull()
        encoder.encoder.appendNull()
        encoder.encoder.appendNull()

        var rejection: RowRejection? = nil
        // An encoding error counts only if the row is not rejected (as in `appendAccepted`).
        var encodingError: Error? = nil
        var idHash: UInt64? = nil
        // Taken out of `self` for the loop, to write it through a pointer (no check per write).
        var values = self.values
        self.values = []
        defer { self.values = values }
        values.withUnsafeMutableBufferPointer { values in
        row.valueBytes.withUnsafeBufferPointer { bytes in
            for i in 0..<values.count {
                let span = row.valueSpans[i]
                if span.count == 0 {
                    if required[i] {
                        let name = spec.columns[i].name
                        rejection = RowRejection(column: name, value: nil, reason: "\(name) is required but empty")
                        return
                    }
                    values[i] = .null
                    encoder.encoder.appendNull()
                    continue
                }
                let p = bytes.baseAddress! + span.start
                let n = span.count
                // An id or identifier longer than an index entry can hold is worded by the slow path.
                if n <= RowValidator.maxIdentifierBytes || !fast[i].isKey,
                   let value = appendFast(fast[i], p, n, encodingError: &encodingError) {
                    values[i] = value
                    if i == 0, tracksRepeats, case .trimmedID = fast[0], let (lo, hi) = asciiTrim(p, n) {
                        // Hash the id now and start loading its filter block, needed at the row's end.
                        idHash = RepeatFilter.hash(UnsafeBufferPointer(start: p + lo, count: hi - lo))
                        seenIDs.prefetch(hash: idHash!)
                    }
                    continue
                }
                // The slow path: `RowValidator.validate`'s body for one column.
                let column = spec.columns[i]
                let raw = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
                let value: StagedValue
                do {
                    value = try validator.stage(raw, as: column.kind,
                                                platform: validator.platformIndex.flatMap { values[$0].text })
                } catch let error as ValueError {
                    rejection = RowRejection(column: column.name, value: raw, reason: error.reason)
                    return
                } catch {
                    rejection = RowRejection(column: column.name, value: raw, reason: "\(error)")
                    return
                }
                if column.required, value.isNull {
                    rejection = RowRejection(column: column.name, value: raw, reason: "\(column.name) is required but empty")
                    return
                }
                values[i] = value
                do { try encoder.encoder.append(staged: value) } catch {
                    if encodingError == nil { encodingError = error }
                    encoder.encoder.appendNull()
                }
            }
        }
        }
        if rejection == nil { rejection = validator.crossColumnRejection(row, values) }
        if let rejection {
            encoder.encoder.truncate(to: rowStart)
            encoder.appendRejected(line: row.line, rejection: rejection)
            return StagedRow(rejected: true)
        }
        if let encodingError { throw encodingError }
        for i in encoder.optionalIndexes { encoder.encoder.append(bool: row.present[i]) }

        guard tracksRepeats else { return StagedRow() }
        if idHash == nil, var id = values[0].text {
            // Column 0 is the row's id, required, so never NULL here.
            idHash = id.withUTF8 { RepeatFilter.hash($0) }
        }
        guard let idHash else { return StagedRow() }
        let repeated = seenIDs.insert(hash: idHash)
        if repeated { encoder.encoder.overwrite(byte: 1, at: repeatedOffset) }
        return StagedRow(repeated: repeated, idHash: idHash)
    }

    // MARK: - Fast paths

    /// Appends a value from `p[0..<n]` (not empty) and returns it as staged (`.encoded` for
    /// text), or returns nil having appended nothing: the value needs the slow path.
    @inline(__always)
    private mutating func appendFast(_ kind: FastKind, _ p: UnsafePointer<UInt8>, _ n: Int,
                                     encodingError: inout Error?) -> StagedValue? {
        switch kind {
        case .text:
            encoder.encoder.append(utf8: UnsafeRawBufferPointer(start: p, count: n))
            return .encoded
        case .trimmedID:
            guard let (lo, hi) = asciiTrim(p, n) else { return nil }
            if lo == hi { return nil }  // empty: null, or required but empty
            encoder.encoder.append(utf8: UnsafeRawBufferPointer(start: p + lo, count: hi - lo))
            return .encoded
        case .email:
            guard let (lo, hi) = asciiTrim(p, n), lo < hi else { return nil }
            var ats = 0, beforeAt = 0, afterAt = 0
            for k in lo..<hi {
                let b = p[k]
                if b == UInt8(ascii: "@") { ats += 1; continue }
                if b >= 0x80 || b <= 0x20 || b == 0x7F { return nil }
                if ats == 0 { beforeAt += 1 } else { afterAt += 1 }
            }
            guard ats == 1, beforeAt > 0, afterAt > 0 else { return nil }
            appendLowercased(p + lo, hi - lo)
        case .phone:
            guard let (lo, hi) = asciiTrim(p, n), lo < hi else { return nil }
            var digits = 0
            var firstDigits: UInt16 = 0  // the first two digits, to spot a leading 00
            for k in lo..<hi {
                let b = p[k]
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if digits < 2 { firstDigits = firstDigits << 8 | UInt16(b) }
                    digits += 1
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."),
                     UInt8(ascii: "/"), 0x09...0x0D:
                    continue
                case UInt8(ascii: "+"):
                    if k != lo { return nil }
                default:
                    return nil
                }
            }
            let skip = digits >= 2 && firstDigits == 0x3030 ? 2 : 0
            if digits - skip < 7 { return nil }
            encoder.encoder.appendText(count: digits - skip) { out in
                var skipped = 0, o = 0
                for k in lo..<hi where p[k] &- UInt8(ascii: "0") < 10 {
                    if skipped < skip { skipped += 1; continue }
                    out[o] = p[k]
                    o += 1
                }
            }
        case .handle:
            guard let (lo, hi) = asciiTrim(p, n), lo < hi, p[lo] != UInt8(ascii: "@") else { return nil }
            // platform:@name, all ASCII: the result is the trimmed text lower-cased.
            var colon = -1
            for k in lo..<hi {
                let b = p[k]
                if b >= 0x80 || b <= 0x20 || b == 0x7F { return nil }
                if colon < 0 {
                    if b == UInt8(ascii: ":") { colon = k } else if b == UInt8(ascii: "@") { return nil }
                }
            }
            guard colon > lo, colon + 2 < hi, p[colon + 1] == UInt8(ascii: "@") else { return nil }
            appendLowercased(p + lo, hi - lo)
        case .timestamp:
            guard let t = try? validator.timestamps.parse(bytes: UnsafeBufferPointer(start: p, count: n)) else { return nil }
            encoder.encoder.append(timestampMicrosecondsSinceUnixEpoch: t)
            return .timestamp(t)
        case .money:
            guard let (lo, hi) = asciiTrim(p, n), lo < hi else { return nil }
            var k = lo
            let negative = p[k] == UInt8(ascii: "-")
            if negative { k += 1 }
            let intStart = k
            var allZero = true
            while k < hi, p[k] &- UInt8(ascii: "0") < 10 {
                if p[k] != UInt8(ascii: "0") { allZero = false }
                k += 1
            }
            if k == intStart { return nil }
            if k < hi {
                guard p[k] == UInt8(ascii: ".") else { return nil }
                k += 1
                let fracStart = k
                while k < hi, p[k] &- UInt8(ascii: "0") < 10 {
                    if p[k] != UInt8(ascii: "0") { allZero = false }
                    k += 1
                }
                let decimals = k - fracStart
                guard k == hi, decimals > 0, decimals <= 4 else { return nil }
            }
            if negative && !allZero { return nil }
            let from = negative ? lo + 1 : lo
            do {
                try encoder.encoder.append(numericUTF8: UnsafeBufferPointer(start: p + from, count: hi - from))
            } catch {
                if encodingError == nil { encodingError = error }
                encoder.encoder.appendNull()
            }
        case .currency:
            guard let (lo, hi) = asciiTrim(p, n), hi - lo == 3 else { return nil }
            for k in lo..<hi {
                let b = p[k] | 0x20
                guard b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") else { return nil }
            }
            encoder.encoder.appendText(count: 3) { out in
                for k in 0..<3 { out[k] = p[lo + k] & ~0x20 }
            }
        case .enumeration(let first, let end):
            guard let (lo, hi) = asciiTrim(p, n), let (w0, w1, count) = packASCII(p, lo, hi) else { return nil }
            for a in first..<end {
                let option = enumPacked[a]
                if option.0 == w0 && option.1 == w1 && option.2 == count {
                    let spelling = enumSpellings[a]
                    encoder.encoder.append(text: spelling)
                    return .text(spelling)
                }
            }
            return nil
        case .count, .bigCount:
            guard let v = digitsValue(p, n) else { return nil }
            if case .count = kind {
                guard v <= Int64(Int32.max) else { return nil }
                encoder.encoder.append(int32: Int32(v))
                return .integer(Int32(v))
            } else {
                encoder.encoder.append(int64: v)
                return .bigint(v)
            }
        case .score(let low, let high):
            guard let v = digitsValue(p, n), v >= low && v <= high else { return nil }
            encoder.encoder.append(int16: Int16(v))
            return .smallint(Int16(v))
        case .boolean:
            guard let (lo, hi) = asciiTrim(p, n), lo < hi, hi - lo <= 5 else { return nil }
            var word: UInt64 = 0
            for k in lo..<hi { word = word << 8 | UInt64(asciiLower(p[k])) }
            let value: Bool
            switch word {
            case 0x74_72_75_65, 0x74, 0x79_65_73, 0x31: value = true            // true t yes 1
            case 0x66_61_6C_73_65, 0x66, 0x6E_6F, 0x30: value = false           // false f no 0
            default: return nil
            }
            encoder.encoder.append(bool: value)
            return .boolean(value)
        case .lowercasedName:
            // Trimmed of spaces and tabs only (the rule trims Foundation's `.whitespaces`, not
            // line breaks) and lower-cased; kept as text too (a mention's handle may need it).
            var lo = 0, hi = n
            while lo < hi && (p[lo] == 0x20 || p[lo] == 0x09) { lo += 1 }
            while hi > lo && (p[hi - 1] == 0x20 || p[hi - 1] == 0x09) { hi -= 1 }
            guard lo < hi else { return nil }
            for k in lo..<hi where p[k] >= 0x80 { return nil }
            var lowered = ""
            encoder.encoder.appendText(count: hi - lo) { out in
                for k in 0..<(hi - lo) { out[k] = asciiLower(p[lo + k]) }
                lowered = String(decoding: UnsafeBufferPointer(start: out, count: hi - lo), as: UTF8.self)
            }
            return .text(lowered)
        case .sentiment:
            // `[+-]digits[.digits]` within -1…1; the words and anything else take the slow path.
            guard let (lo, hi) = asciiTrim(p, n), lo < hi, hi - lo <= 32 else { return nil }
            var k = lo
            if p[k] == UInt8(ascii: "+") || p[k] == UInt8(ascii: "-") { k += 1 }
            let intStart = k
            while k < hi, p[k] &- UInt8(ascii: "0") < 10 { k += 1 }
            if k == intStart { return nil }
            if k < hi {
                guard p[k] == UInt8(ascii: ".") else { return nil }
                k += 1
                let fracStart = k
                while k < hi, p[k] &- UInt8(ascii: "0") < 10 { k += 1 }
                guard k == hi, k > fracStart else { return nil }
            }
            // The same conversion as the slow path (Double of the trimmed text).
            guard let v = Double(String(decoding: UnsafeBufferPointer(start: p + lo, count: hi - lo), as: UTF8.self)),
                  v >= -1 && v <= 1 else { return nil }
            encoder.encoder.append(float64: v)
            return .double(v)
        case .slow:
            return nil
        }
        return .encoded
    }

    @inline(__always)
    private mutating func appendLowercased(_ p: UnsafePointer<UInt8>, _ n: Int) {
        encoder.encoder.appendText(count: n) { out in
            for k in 0..<n { out[k] = asciiLower(p[k]) }
        }
    }
}

@inline(__always)
private func asciiLower(_ b: UInt8) -> UInt8 {
    b &- UInt8(ascii: "A") < 26 ? b | 0x20 : b
}

@inline(__always)
private func isASCIIWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

/// `trimWhitespace`'s bounds for `p[0..<n]`, or nil if an edge left after trimming ASCII
/// whitespace is not ASCII (it might be Unicode whitespace: the slow path decides).
@inline(__always)
private func asciiTrim(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int, Int)? {
    var lo = 0
    var hi = n
    while lo < hi && isASCIIWhitespace(p[lo]) { lo += 1 }
    while hi > lo && isASCIIWhitespace(p[hi - 1]) { hi -= 1 }
    if lo < hi && (p[lo] >= 0x80 || p[hi - 1] >= 0x80) { return nil }
    return (lo, hi)
}

/// The bytes `p[lo..<hi]`, ASCII lower-cased, packed big-endian into two words, with their
/// count; nil if there are more than 16 or one is not ASCII.
@inline(__always)
private func packASCII(_ p: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int) -> (UInt64, UInt64, Int)? {
    guard hi - lo <= 16 else { return nil }
    var w0: UInt64 = 0, w1: UInt64 = 0
    for k in lo..<hi {
        let b = p[k]
        if b >= 0x80 { return nil }
        if k - lo < 8 { w0 = w0 << 8 | UInt64(asciiLower(b)) } else { w1 = w1 << 8 | UInt64(asciiLower(b)) }
    }
    return (w0, w1, hi - lo)
}

/// A non-negative integer written as ASCII digits with optional outer ASCII whitespace; nil for
/// anything else, or beyond Int64.
@inline(__always)
private func digitsValue(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
    guard let (lo, hi) = asciiTrim(p, n), lo < hi else { return nil }
    var v: Int64 = 0
    for k in lo..<hi {
        let d = p[k] &- UInt8(ascii: "0")
        guard d < 10 else { return nil }
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(Int64(d))
        if o1 || o2 { return nil }
        v = a
    }
    return v
}
