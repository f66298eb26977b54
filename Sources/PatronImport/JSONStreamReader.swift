import PatronInput

/// A JSON value as vendors send it. Numbers keep their text: ids of 19 digits must not pass
/// through a Double.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(_ key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// A string's text, or a number's text; nil for anything else (null included).
    public var text: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        default: return nil
        }
    }

    public var isNull: Bool { self == .null }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var object: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// An integral number (or a string holding one), else nil.
    public var int64: Int64? {
        switch self {
        case .number(let n), .string(let n): return Int64(n)
        default: return nil
        }
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// How the value reads in a message: its text, or its JSON kind.
    public var shown: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return s
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// An object's members in file order (vendor objects are small: a linear search beats hashing).
public struct JSONObject: Sendable, Equatable {
    public var keys: [String] = []
    public var values: [JSONValue] = []

    public subscript(_ key: String) -> JSONValue? {
        guard let i = keys.firstIndex(of: key) else { return nil }
        return values[i]
    }
}

/// Reads JSON from a file as a stream: one top-level document after another (pages
/// concatenated, or one object per line), and inside a document the members of an object or
/// the elements of an array one at a time, so memory is bounded by the largest record the
/// caller asks for as a whole (`readValue`), never by the file.
public final class JSONStreamReader {
    private let file: InputFile
    // Touched for every byte: runtime exclusivity checks on these (a class's stored properties)
    // cost more than the parsing; the reader is used from one place at a time by contract.
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    @exclusivity(unchecked) private var position = 0
    @exclusivity(unchecked) private var atEnd = false
    /// The physical line of the next unread byte (1-based).
    @exclusivity(unchecked) public private(set) var line = 1
    /// The longest text a single value may hold; more fails the file (a corrupt or hostile file).
    public var maxValueBytes = 16 << 20
    /// The most bytes one value read whole (`readValue`: a vendor record) may span; more fails
    /// the file instead of building a tree of that size. Pages are streamed, not read whole, so
    /// this bounds one record, never a page. From `InputFile.maxRecordBytes`.
    public var maxRecordBytes: Int
    /// Bytes dropped from the front of `buffer` so far: `dropped + position` is the input offset.
    @exclusivity(unchecked) private var dropped = 0
    /// Where the value being read whole started (input offset, line).
    private var recordStart = 0
    private var recordLine = 1

    public var displayName: String { file.displayName }

    public init(file: InputFile) throws {
        self.file = file
        maxRecordBytes = file.maxRecordBytes
        try fill()
        // A UTF-8 byte order mark is tolerated.
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
    }

    // MARK: bytes

    private func fill() throws {
        guard !atEnd else { return }
        if position > 0 {
            buffer.removeSubrange(0..<position)
            dropped += position
            position = 0
        }
        if let chunk = try file.nextChunk() { buffer.append(contentsOf: chunk) } else { atEnd = true }
    }

    @inline(__always)
    private func peek() throws -> UInt8? {
        while position >= buffer.count {
            if atEnd { return nil }
            try fill()
        }
        return buffer[position]
    }

    @inline(__always)
    private func advance() {
        if buffer[position] == 0x0A { line += 1 }
        position += 1
    }

    private func skipWhitespace() throws -> UInt8? {
        while let b = try peek() {
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D: advance()
            default: return b
            }
        }
        return nil
    }

    func error(_ message: String) -> InputError {
        InputError(file: file.displayName, line: line, message: message)
    }

    private func expect(_ byte: UInt8, _ what: String) throws {
        guard let b = try skipWhitespace() else { throw error("the JSON ends early (truncated file?): expected \(what)") }
        guard b == byte else { throw error("expected \(what), found '\(printable(b))'") }
        advance()
    }

    /// At the opening quote of a member name; the end of the input there is a truncated file.
    private func expectMemberName() throws {
        guard let b = try skipWhitespace() else { throw error("the JSON ends early (truncated file?): expected a member name") }
        guard b == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes, found '\(printable(b))'") }
    }

    private func printable(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "byte 0x" + String(b, radix: 16)
    }

    // MARK: structure

    /// Starts the next top-level document: returns `{` or `[` (consumed), or nil at the end of
    /// the input. Any other value at the top level fails the file.
    public func beginDocument() throws -> UInt8? {
        guard let b = try skipWhitespace() else { return nil }
        guard b == UInt8(ascii: "{") || b == UInt8(ascii: "[") else {
            throw error("expected a JSON object or array, found '\(printable(b))'")
        }
        advance()
        firstMember = true
        return b
    }

    private var firstMember = true

    /// Inside an object just begun (or after a member was read): the next key, consuming the
    /// `:`; nil after consuming the closing `}`.
    public func nextKey() throws -> String? {
        guard let b = try skipWhitespace() else { throw error("the JSON ends early (truncated file?): an object is not closed") }
        if b == UInt8(ascii: "}") {
            advance()
            firstMember = false
            return nil
        }
        if !firstMember {
            guard b == UInt8(ascii: ",") else { throw error("expected ',' or '}' after an object member, found '\(printable(b))'") }
            advance()
        }
        firstMember = false
        try expectMemberName()
        let key = try readString()
        try expect(UInt8(ascii: ":"), "':' after a member name")
        return key
    }

    /// Inside an array just begun (or after an element was read): true when another element
    /// follows (ready to be read), false after consuming the closing `]`.
    public func nextElement() throws -> Bool {
        guard let b = try skipWhitespace() else { throw error("the JSON ends early (truncated file?): an array is not closed") }
        if b == UInt8(ascii: "]") {
            advance()
            firstMember = false
            return false
        }
        if !firstMember {
            guard b == UInt8(ascii: ",") else { throw error("expected ',' or ']' after an array element, found '\(printable(b))'") }
            advance()
        }
        firstMember = false
        return true
    }

    /// Consumes `[` (after a key): its elements follow, read with `nextElement`.
    public func beginArray() throws -> Bool {
        guard let b = try skipWhitespace() else { throw error("the JSON ends early (truncated file?)") }
        if b == UInt8(ascii: "n") {
            _ = try readValue()  // null: an empty list
            return false
        }
        guard b == UInt8(ascii: "[") else { throw error("expected an array, found '\(printable(b))'") }
        advance()
        firstMember = true
        return true
    }

    /// Whether the next value (after a key or at an element) is an array, without consuming it.
    public func nextIsArray() throws -> Bool { try skipWhitespace() == UInt8(ascii: "[") }

    /// The line on which the next value starts.
    public func lineOfNextValue() throws -> Int {
        _ = try skipWhitespace()
        return line
    }

    /// Reads one whole value.
    public func readValue(depth: Int = 0) throws -> JSONValue {
        guard depth < 256 else { throw error("JSON nested more than 256 levels deep") }
        guard let b = try skipWhitespace() else { throw error("the JSON ends early (truncated file?): expected a value") }
        if depth == 0 { beginRecord() }
        switch b {
        case UInt8(ascii: "{"):
            return .object(try readObject(depth: depth, keeping: nil))
        case UInt8(ascii: "["):
            advance()
            var items: [JSONValue] = []
            var first = true
            while true {
                guard let c = try skipWhitespace() else { throw error("the JSON ends early (truncated file?): an array is not closed") }
                if c == UInt8(ascii: "]") { advance(); break }
                if !first {
                    guard c == UInt8(ascii: ",") else { throw error("expected ',' or ']' in an array, found '\(printable(c))'") }
                    advance()
                }
                first = false
                try checkRecordLength()
                items.append(try readValue(depth: depth + 1))
            }
            return .array(items)
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try readNumber())
        default:
            throw error("unexpected '\(printable(b))' where a JSON value should be")
        }
    }

    /// Reads one whole value; when it is an object, only the members named in `keeping` are
    /// built (the others are skipped without allocating). Vendor records carry many members an
    /// importer never reads (descriptions, custom field lists, URLs).
    public func readValue(keeping: Set<String>?) throws -> JSONValue {
        guard let keeping, try skipWhitespace() == UInt8(ascii: "{") else { return try readValue() }
        beginRecord()
        return .object(try readObject(depth: 0, keeping: keeping))
    }

    private func beginRecord() {
        recordStart = dropped + position
        recordLine = line
    }

    /// Fails the file when the value being read whole has grown past `maxRecordBytes`
    /// (checked per member and element: each of those is bounded on its own).
    @inline(__always)
    private func checkRecordLength() throws {
        if dropped + position - recordStart > maxRecordBytes {
            throw InputError(file: file.displayName, line: recordLine,
                             message: "a JSON record longer than \(RecordLimit.describe(maxRecordBytes)), the most a record may hold "
                                 + "(--max-record-bytes raises the limit)")
        }
    }

    /// Reads an object at its `{`: every member, or (with `keeping`) only the named ones.
    private func readObject(depth: Int, keeping: Set<String>?) throws -> JSONObject {
        advance()
        var object = JSONObject()
        var first = true
        while true {
            guard let c = try skipWhitespace() else { throw error("the JSON ends early (truncated file?): an object is not closed") }
            if c == UInt8(ascii: "}") { advance(); break }
            if !first {
                guard c == UInt8(ascii: ",") else { throw error("expected ',' or '}' in an object, found '\(printable(c))'") }
                advance()
            }
            first = false
            try checkRecordLength()
            try expectMemberName()
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            if keeping?.contains(key) ?? true {
                object.keys.append(key)
                object.values.append(try readValue(depth: depth + 1))
            } else {
                try skipValue()
            }
        }
        if depth == 0 { try checkRecordLength() }
        return object
    }

    /// Skips one value without building it.
    public func skipValue() throws {
        guard let b = try skipWhitespace() else { throw error("the JSON ends early (truncated file?): expected a value") }
        switch b {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // Scanned a buffer at a time, not a byte per call: vendor records are mostly members
            // nobody reads. Strings are only tracked (a bracket inside one does not count).
            var depth = 0
            var inString = false
            var escaped = false
            while true {
                if position >= buffer.count {
                    if atEnd { break }
                    try fill()
                    continue
                }
                let start = position
                let (end, done, newlines) = buffer.withUnsafeBufferPointer { p -> (Int, Bool, Int) in
                    var i = start
                    var newlines = 0
                    while i < p.count {
                        let c = p[i]
                        i += 1
                        if c == 0x0A { newlines += 1 }
                        if inString {
                            if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                            continue
                        }
                        switch c {
                        case 0x22: inString = true
                        case 0x7B, 0x5B: depth += 1
                        case 0x7D, 0x5D:
                            depth -= 1
                            if depth == 0 { return (i, true, newlines) }
                        default: break
                        }
                    }
                    return (i, false, newlines)
                }
                position = end
                line += newlines
                if done { return }
            }
            throw error("the JSON ends early (truncated file?): an object or array is not closed")
        default:
            _ = try readValue()
        }
    }

    private func literal(_ word: StaticString) throws {
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in bytes {
            guard let b = try peek() else { throw error("the JSON ends early (truncated file?)") }
            guard b == expected else { throw error("unexpected '\(printable(b))' in '\(word)'") }
            advance()
        }
    }

    private func readNumber() throws -> String {
        // The common case: the number ends inside the buffer; read it without a copy per byte.
        let start = position
        let end = buffer.withUnsafeBufferPointer { p -> Int in
            var i = start
            while i < p.count {
                switch p[i] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                     UInt8(ascii: "e"), UInt8(ascii: "E"):
                    i += 1
                default:
                    return i
                }
            }
            return i
        }
        if end < buffer.count {
            position = end
            return try validatedNumber(Array(buffer[start..<end]))
        }
        var bytes: [UInt8] = []
        while let b = try peek() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                bytes.append(b)
                advance()
                if bytes.count > maxValueBytes { throw error("a JSON number longer than \(maxValueBytes >> 20) MiB") }
            default:
                return try validatedNumber(bytes)
            }
        }
        return try validatedNumber(bytes)
    }

    private func validatedNumber(_ bytes: [UInt8]) throws -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        // JSON's grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
        var i = 0
        func digits() -> Int { let s = i; while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }; return i - s }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let n = digits()
        var ok = n > 0 && !(n > 1 && bytes[intStart] == UInt8(ascii: "0"))
        if ok, i < bytes.count, bytes[i] == UInt8(ascii: ".") { i += 1; ok = digits() > 0 }
        if ok, i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            ok = digits() > 0
        }
        guard ok, i == bytes.count else { throw error("'\(text)' is not a JSON number") }
        return text
    }

    /// Reads a string starting at its opening quote.
    private func readString(keep: Bool = true) throws -> String {
        advance()  // the opening quote
        let startLine = line
        // The common case: the whole string is in the buffer with no escape: one String, made
        // straight from the buffer.
        let direct = plainRun()
        if direct.upperBound < buffer.count, buffer[direct.upperBound] == UInt8(ascii: "\"") {
            position = direct.upperBound + 1
            if !keep { return "" }
            guard let s = buffer.withUnsafeBufferPointer({ p in
                String(validating: UnsafeBufferPointer(rebasing: p[direct]), as: UTF8.self)
            }) else {
                throw InputError(file: file.displayName, line: startLine, message: "a JSON string is not valid UTF-8")
            }
            return s
        }
        var bytes: [UInt8] = []
        while true {
            // A run of plain bytes (no quote, backslash or control character, so no line end)
            // is taken from the buffer at once; the byte that ends it goes the long way below.
            let run = plainRun()
            if run.lowerBound < run.upperBound {
                if keep {
                    bytes.append(contentsOf: buffer[run])
                    if bytes.count > maxValueBytes {
                        throw InputError(file: file.displayName, line: startLine,
                                         message: "a JSON string longer than \(maxValueBytes >> 20) MiB")
                    }
                }
                position = run.upperBound
            }
            guard let b = try peek() else {
                throw InputError(file: file.displayName, line: startLine,
                                 message: "the JSON ends early (truncated file?): a string is not closed")
            }
            advance()
            switch b {
            case UInt8(ascii: "\""):
                guard let s = String(validating: bytes, as: UTF8.self) else {
                    throw InputError(file: file.displayName, line: startLine, message: "a JSON string is not valid UTF-8")
                }
                return s
            case UInt8(ascii: "\\"):
                guard let e = try peek() else { continue }
                advance()
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): if keep { bytes.append(e) }
                case UInt8(ascii: "b"): if keep { bytes.append(0x08) }
                case UInt8(ascii: "f"): if keep { bytes.append(0x0C) }
                case UInt8(ascii: "n"): if keep { bytes.append(0x0A) }
                case UInt8(ascii: "r"): if keep { bytes.append(0x0D) }
                case UInt8(ascii: "t"): if keep { bytes.append(0x09) }
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // A surrogate pair: the low half must follow as another \u escape.
                        guard try peek() == UInt8(ascii: "\\") else { throw error("a lone UTF-16 surrogate in a JSON string") }
                        advance()
                        guard try peek() == UInt8(ascii: "u") else { throw error("a lone UTF-16 surrogate in a JSON string") }
                        advance()
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw error("a lone UTF-16 surrogate in a JSON string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw error("a lone UTF-16 surrogate in a JSON string")
                    }
                    if scalar == 0 { throw error("a JSON string contains a NUL character (\\u0000)") }
                    if keep, let u = Unicode.Scalar(scalar) { bytes.append(contentsOf: Array(String(Character(u)).utf8)) }
                default:
                    throw error("invalid escape '\\\(printable(e))' in a JSON string")
                }
            case 0x00:
                throw error("contains a NUL byte (not a JSON text file)")
            case 0x01...0x1F:
                throw error("a control character (byte 0x\(String(b, radix: 16))) inside a JSON string")
            default:
                if keep {
                    bytes.append(b)
                    if bytes.count > maxValueBytes {
                        throw InputError(file: file.displayName, line: startLine,
                                         message: "a JSON string longer than \(maxValueBytes >> 20) MiB")
                    }
                }
            }
        }
    }

    /// The buffered bytes from `position` up to the first quote, backslash or control character.
    private func plainRun() -> Range<Int> {
        let start = position
        let end = buffer.withUnsafeBufferPointer { p -> Int in
            var i = start
            while i < p.count {
                let b = p[i]
                if b == 0x22 || b == 0x5C || b < 0x20 { break }
                i += 1
            }
            return i
        }
        return start..<end
    }

    private func hex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let h = try peek() else { throw error("the JSON ends early (truncated file?)") }
            advance()
            let d: UInt32
            switch h {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(h - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(h - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(h - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape in a JSON string")
            }
            v = v << 4 | d
        }
        return v
    }
}
