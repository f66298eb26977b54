import Foundation

/// One file of the vendor exports: bytes through a buffer into a plain (never gzipped) file, as
/// the vendor would hand it over. CSV records are quoted per RFC 4180; JSON comes from
/// `JSONSerialization` (sorted keys, so the bytes are reproducible), one object at a time, so
/// memory stays bounded whatever the number of customers.
final class VendorFile {
    let path: String
    /// Data rows (CSV) or records (JSON objects) written so far.
    var records = 0

    private var buffer: [UInt8] = []
    private var file: UnsafeMutablePointer<FILE>?

    init(directory: URL, name: String) throws {
        path = directory.appendingPathComponent(name).path
        file = fopen(path, "wb")
        if file == nil { throw DemoError.cannotWrite(path, String(cString: strerror(errno))) }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if let file { fclose(file) }
    }

    func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    func write(_ text: String) { write(text.utf8) }

    /// One CSV record (RFC 4180: a field with `,`, `"`, CR or LF is quoted, quotes doubled), LF-terminated.
    func writeCSV(_ fields: [String]) {
        appendCSVRecord(fields, to: &buffer)
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        guard !buffer.isEmpty, let file else { return }
        buffer.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, file) }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        guard let file else { return }
        var failed = ferror(file) != 0
        failed = fclose(file) != 0 || failed
        self.file = nil
        if failed { throw DemoError.cannotWrite(path, "write failed (disk full?)") }
    }
}

/// Appends one CSV record, RFC 4180 quoting (a field with `,`, `"`, CR or LF is quoted, quotes
/// doubled), LF line end. Shared with `DemoFileWriter`; one pass over each field's UTF-8.
func appendCSVRecord(_ fields: [String], to buffer: inout [UInt8]) {
    for (i, field) in fields.enumerated() {
        if i > 0 { buffer.append(UInt8(ascii: ",")) }
        if field.isEmpty { continue }
        var text = field
        text.withUTF8 { bytes in
            var needsQuotes = false
            for byte in bytes where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13 {
                needsQuotes = true
                break
            }
            guard needsQuotes else { return buffer.append(contentsOf: bytes) }
            buffer.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\""))
        }
    }
    buffer.append(10)
}

/// JSON through Foundation's `JSONEncoder`: `Encodable` structs whose field names are the
/// vendor's, keys sorted (reproducible bytes: without sorting, the encoder's key order changes
/// from run to run), slashes not escaped (URLs stay readable), compact. (`JSONSerialization`
/// with sorted keys was an order of magnitude slower here: it compares keys through ICU.)
enum VendorJSON {
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encode(_ value: some Encodable, with encoder: JSONEncoder) -> Data {
        // Only strings, integers, booleans, nulls, arrays and structs of those are encoded:
        // encoding cannot fail.
        try! encoder.encode(value)
    }
}

/// An optional that is written as JSON `null` when absent (the synthesized `Encodable` would
/// leave the key out): vendors' objects carry their null fields.
@propertyWrapper
struct Null<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// `{}`
struct EmptyObject: Encodable {}

/// A JSON document with one long array, written element by element: the envelope (every
/// other key) is encoded with the array empty, and the array key must sort last, so the
/// encoded envelope ends in `"key":[]}`; the elements go between its brackets, each encoded on
/// its own. A top-level array is the special case without envelope.
final class StreamedJSONArray {
    private let file: VendorFile
    private let encoder = VendorJSON.makeEncoder()
    private let closing: [UInt8]
    private var first = true

    /// `{…envelope…, "key": [ elements ]}`: `envelope` encoded with its array empty, whose key
    /// `arrayKey` sorts after every other key.
    init(file: VendorFile, envelope: some Encodable, arrayKey: String) {
        self.file = file
        let encoded = [UInt8](VendorJSON.encode(envelope, with: encoder))
        let tail = Array("\"\(arrayKey)\":[]}".utf8)
        precondition(encoded.count > tail.count && Array(encoded.suffix(tail.count)) == tail,
                     "the array must be empty and its key sort last in the envelope")
        file.write(encoded.dropLast(2))   // up to and including "["
        closing = Array("]}\n".utf8)
    }

    /// `[ elements ]`
    init(file: VendorFile) {
        self.file = file
        file.write("[")
        closing = Array("]\n".utf8)
    }

    func append(_ element: some Encodable) {
        file.write(first ? "\n" : ",\n")
        file.write(VendorJSON.encode(element, with: encoder))
        file.records += 1
        first = false
    }

    func finish() {
        if !first { file.write("\n") }
        file.write(closing)
    }
}
