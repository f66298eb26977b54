import PatronInput

/// A vendor's JSON export read as a stream of records, whichever way it was saved: API list
/// pages (`{"users": […], "next_page": …}`) one after another (one document per page, or the
/// pages concatenated), one record object per line (or any white space between them), or an
/// array of records. Memory holds one record at a time (plus whatever the caller keeps of a
/// page), never the file.
struct VendorJSONPages {
    let reader: JSONStreamReader
    /// The member of a page that holds its records: `tickets`, `users`, `conversations`, `data`.
    let recordsKey: String
    /// Members only a page has (pagination, side-loads): meeting one tells a page from a record.
    let pageKeys: Set<String>
    /// The members of a record the importer reads (nil: all); the others are skipped unbuilt.
    var recordKeys: Set<String>? = nil

    /// Reads the whole file.
    /// - Parameters:
    ///   - record: each record object with the line it starts on, in file order, and whether it
    ///     came from a page's records array (a page's side-loads may still follow) or stands
    ///     alone (a bare object, an element of a top-level array).
    ///   - member: a page member of `pageKeys` other than the records: reads or skips its value and
    ///     returns true, or returns false to have it skipped.
    ///   - pageEnd: after each page (not after bare records).
    func forEach(record: (_ value: JSONValue, _ line: Int, _ inPage: Bool) throws -> Void,
                 member: (String) throws -> Bool = { _ in false },
                 pageEnd: () throws -> Void = {}) throws {
        while let open = try reader.beginDocument() {
            let documentLine = reader.line
            if open == UInt8(ascii: "[") {
                while try reader.nextElement() {
                    let line = try reader.lineOfNextValue()
                    try record(try reader.readValue(keeping: recordKeys), line, false)
                }
                continue
            }
            // An object: a page or a bare record; its members are kept until one says which.
            var isPage = false
            var loose = JSONObject()
            while let key = try reader.nextKey() {
                if key == recordsKey {
                    isPage = true
                    guard try reader.beginArray() else { continue }
                    while try reader.nextElement() {
                        let line = try reader.lineOfNextValue()
                        try record(try reader.readValue(keeping: recordKeys), line, true)
                    }
                } else if pageKeys.contains(key) {
                    isPage = true
                    if try !member(key) { try reader.skipValue() }
                } else if isPage || recordKeys.map({ !$0.contains(key) }) == true {
                    try reader.skipValue()
                } else {
                    loose.keys.append(key)
                    loose.values.append(try reader.readValue())
                }
            }
            if isPage { try pageEnd() } else { try record(.object(loose), documentLine, false) }
        }
    }

    /// Calls `body` with each element of the array that follows a key just read (`null` is an
    /// empty list).
    static func forEachElement(_ reader: JSONStreamReader, _ body: (JSONValue) throws -> Void) throws {
        guard try reader.beginArray() else { return }
        while try reader.nextElement() { try body(try reader.readValue()) }
    }

    /// What the start of a file shows, for recognizing its kind.
    enum Shape {
        /// A page with this records key, and its first record (nil when the list is empty).
        case list(key: String, first: JSONValue?)
        /// A bare record (or the first element of a top-level array).
        case record(JSONObject)
        /// Not JSON, empty, or nothing this vendor writes.
        case unknown
    }

    /// Reads the start of `file`: up to the first records key of a page (`listKeys`), or the
    /// first whole record. A file that does not start like JSON is `.unknown`; a JSON error
    /// after that fails as usual.
    static func shape(of file: InputFile, listKeys: Set<String>, pageKeys: Set<String>) throws -> Shape {
        let reader = try JSONStreamReader(file: file)
        let open: UInt8?
        do { open = try reader.beginDocument() } catch is InputError { return .unknown }
        guard let open else { return .unknown }
        if open == UInt8(ascii: "[") {
            guard try reader.nextElement(), case .object(let first) = try reader.readValue() else { return .unknown }
            return .record(first)
        }
        var isPage = false
        var loose = JSONObject()
        while let key = try reader.nextKey() {
            if listKeys.contains(key) {
                guard try reader.beginArray(), try reader.nextElement() else { return .list(key: key, first: nil) }
                return .list(key: key, first: try reader.readValue())
            } else if pageKeys.contains(key) || isPage {
                isPage = true
                try reader.skipValue()
            } else {
                loose.keys.append(key)
                loose.values.append(try reader.readValue())
            }
        }
        return isPage ? .unknown : .record(loose)
    }
}

extension JSONValue {
    /// An id as vendors write it, a JSON number or string, as decimal text; nil when missing,
    /// null, empty or not a number or string.
    var idText: String? {
        guard let t = text, !t.isEmpty else { return nil }
        return t
    }

    /// A field value as text: a string or number as written, `true`/`false`, the items of a
    /// list joined by ", " (multi-select fields); nil for null.
    var fieldText: String? {
        switch self {
        case .null: return nil
        case .string(let s), .number(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .array(let items): return items.compactMap(\.fieldText).joined(separator: ", ")
        case .object: return shown
        }
    }
}

/// Contact details by person id (Zendesk end-users, Intercom contacts) for the tickets that
/// name only the id: the e-mail and phone of each person packed into one byte buffer, so a
/// million people take tens of megabytes, not hundreds.
struct ContactBook {
    private var numeric: [Int64: Int] = [:]
    private var other: [String: Int] = [:]
    private var bytes: [UInt8] = []

    var isEmpty: Bool { numeric.isEmpty && other.isEmpty }

    /// Records (or replaces) a person's e-mail and phone; nil or "" is "none".
    mutating func set(_ id: String, email: String?, phone: String?) {
        let offset = bytes.count
        for value in [email, phone] {
            let utf8 = Array((value ?? "").utf8)
            var n = utf8.count
            repeat {  // the length as LEB128
                bytes.append(UInt8(n & 0x7F) | (n >= 0x80 ? 0x80 : 0))
                n >>= 7
            } while n > 0
            bytes.append(contentsOf: utf8)
        }
        if let key = Self.numericKey(id) { numeric[key] = offset } else { other[id] = offset }
    }

    /// Gives back the buffer's growth room once a file of people has been read (it doubles as
    /// it grows: up to half of it is empty).
    mutating func compact() {
        bytes = Array(bytes)
    }

    mutating func remove(_ id: String) {
        if let key = Self.numericKey(id) { numeric[key] = nil } else { other[id] = nil }
    }

    /// The person's e-mail and phone (each nil when none), or nil for an unknown id.
    func lookup(_ id: String) -> (email: String?, phone: String?)? {
        guard var i = Self.numericKey(id).flatMap({ numeric[$0] }) ?? other[id] else { return nil }
        func next() -> String? {
            var n = 0
            var shift = 0
            while true {
                let b = bytes[i]
                i += 1
                n |= Int(b & 0x7F) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            }
            defer { i += n }
            return n == 0 ? nil : String(decoding: bytes[i..<i + n], as: UTF8.self)
        }
        let email = next()
        return (email, next())
    }

    /// Decimal ids (Zendesk's) are kept as integers; the text must be the number's own spelling.
    private static func numericKey(_ id: String) -> Int64? {
        guard let n = Int64(id), String(n) == id else { return nil }
        return n
    }
}
