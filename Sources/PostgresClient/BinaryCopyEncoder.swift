/// Builds PostgreSQL's binary COPY format, for `COPY t FROM STDIN (FORMAT binary)`.
///
/// The bytes gather in an internal buffer; hand them to the stream when it grows large:
///
/// ```swift
/// try connection.copyIn("COPY t (id, name) FROM STDIN (FORMAT binary)") { stream in
///     var encoder = BinaryCopyEncoder()
///     for person in people {
///         encoder.beginRow(fieldCount: 2)
///         encoder.append(int64: person.id)
///         encoder.append(text: person.name)
///         try encoder.flushIfLarger(than: 256 * 1024, into: stream)
///     }
///     try encoder.finish(into: stream)
/// }
/// ```
///
/// Built for tens of millions of fields: no formatters, no allocation per field beyond
/// growing the one buffer. Each value must match its column's type exactly (int4 for an
/// `integer` column, int8 for `bigint`, …): binary COPY does no conversion.
/// All integers are big-endian, as the format says.
public struct BinaryCopyEncoder {
    /// The encoded bytes not yet written to a stream.
    public var bytes: [UInt8] { storage }

    // Hot paths are @inlinable so the loader's loop can inline them across the module boundary.
    @usableFromInline var storage: [UInt8] = []

    /// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
    @usableFromInline static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000
    /// Days from 1970-01-01 to 2000-01-01.
    @usableFromInline static let postgresEpochDays: Int32 = 10957

    /// Starts a stream with the header: signature, flags and header-extension length.
    public init(reservingCapacity capacity: Int = 512 * 1024) {
        storage.reserveCapacity(capacity)
        // "PGCOPY\n\377\r\n\0"
        storage.append(contentsOf: [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00])
        appendRaw(Int32(0)) // flags: no OIDs
        appendRaw(Int32(0)) // header extension length
    }

    /// Number of bytes buffered.
    public var count: Int { storage.count }

    /// Starts a row of `fieldCount` fields; then append exactly that many values.
    @inlinable
    public mutating func beginRow(fieldCount: Int) {
        appendRaw(Int16(truncatingIfNeeded: fieldCount))
    }

    @inlinable
    public mutating func appendNull() {
        appendRaw(Int32(-1))
    }

    /// A text / varchar value.
    public mutating func append(text: String) {
        var text = text
        text.withUTF8 { utf8 in
            appendRaw(Int32(truncatingIfNeeded: utf8.count))
            storage.append(contentsOf: utf8)
        }
    }

    /// A text value given as UTF-8 bytes (also fine for any type whose binary form is its bytes, like bytea).
    public mutating func append(utf8: UnsafeRawBufferPointer) {
        appendRaw(Int32(truncatingIfNeeded: utf8.count))
        storage.append(contentsOf: utf8)
    }

    /// A text value given as UTF-8 bytes.
    public mutating func append(utf8: some Collection<UInt8>) {
        appendRaw(Int32(truncatingIfNeeded: utf8.count))
        storage.append(contentsOf: utf8)
    }

    /// An int2 / smallint value.
    @inlinable
    public mutating func append(int16 value: Int16) {
        appendRaw(Int32(2))
        appendRaw(value)
    }

    /// An int4 / integer value.
    @inlinable
    public mutating func append(int32 value: Int32) {
        appendRaw(Int32(4))
        appendRaw(value)
    }

    /// An int8 / bigint value.
    @inlinable
    public mutating func append(int64 value: Int64) {
        appendRaw(Int32(8))
        appendRaw(value)
    }

    /// A float8 / double precision value (IEEE 754 bits).
    @inlinable
    public mutating func append(float64 value: Double) {
        appendRaw(Int32(8))
        appendRaw(value.bitPattern)
    }

    /// A bool value.
    @inlinable
    public mutating func append(bool value: Bool) {
        appendRaw(Int32(1))
        storage.append(value ? 1 : 0)
    }

    /// A timestamptz (or timestamp) value: PostgreSQL stores microseconds since 2000-01-01 UTC.
    @inlinable
    public mutating func append(timestampMicrosecondsSinceUnixEpoch micros: Int64) {
        appendRaw(Int32(8))
        appendRaw(micros &- Self.postgresEpochMicroseconds)
    }

    /// A date value: PostgreSQL stores days since 2000-01-01.
    @inlinable
    public mutating func append(dateDaysSinceUnixEpoch days: Int32) {
        appendRaw(Int32(4))
        appendRaw(days &- Self.postgresEpochDays)
    }

    /// Writes the buffered bytes to `stream` if there are more than `threshold`, then empties the buffer.
    public mutating func flushIfLarger(than threshold: Int, into stream: CopyInStream) throws {
        guard storage.count > threshold else { return }
        try write(into: stream)
    }

    /// Writes the trailer (field count -1), then everything buffered, and flushes the stream.
    /// The encoder is spent afterwards: start a new one for another COPY.
    public mutating func finish(into stream: CopyInStream) throws {
        appendRaw(Int16(-1))
        try write(into: stream)
        try stream.flush()
    }

    /// Drops everything after the first `count` bytes (to take back a row begun but not finished).
    public mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= storage.count)
        storage.removeSubrange(count...)
    }

    /// Overwrites one byte already written, e.g. a bool value decided after the rest of its row.
    public mutating func overwrite(byte: UInt8, at offset: Int) {
        storage[offset] = byte
    }

    /// `flushIfLarger(than:into:)` for any consumer of the bytes (a file, a checksum).
    public mutating func drain(ifLargerThan threshold: Int, into sink: (UnsafeRawBufferPointer) -> Void) {
        guard storage.count > threshold else { return }
        storage.withUnsafeBytes { sink($0) }
        storage.removeAll(keepingCapacity: true)
    }

    /// `finish(into:)` for any consumer of the bytes: the trailer, then everything buffered.
    public mutating func drainFinishing(into sink: (UnsafeRawBufferPointer) -> Void) {
        appendRaw(Int16(-1))
        storage.withUnsafeBytes { sink($0) }
        storage.removeAll(keepingCapacity: true)
    }

    private mutating func write(into stream: CopyInStream) throws {
        try storage.withUnsafeBytes { try stream.write($0) }
        storage.removeAll(keepingCapacity: true)
    }

    @inlinable @inline(__always)
    mutating func appendRaw<T: FixedWidthInteger>(_ value: T) {
        // Byte by byte: the optimizer turns this into a few stores, where
        // append(contentsOf:) of a raw buffer goes through a generic copy.
        var shift = T.bitWidth - 8
        while shift >= 0 {
            storage.append(UInt8(truncatingIfNeeded: value >> shift))
            shift -= 8
        }
    }

    /// Overwrites a big-endian Int16 at `offset` (used to patch numeric headers).
    @inline(__always)
    mutating func store(_ value: Int16, at offset: Int) {
        let bits = UInt16(bitPattern: value)
        storage[offset] = UInt8(truncatingIfNeeded: bits >> 8)
        storage[offset + 1] = UInt8(truncatingIfNeeded: bits)
    }
}
