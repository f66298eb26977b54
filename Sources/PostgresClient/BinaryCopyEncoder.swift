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
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage.base, count: length)) }

    // Hot paths are @inlinable so the loader's loop can inline them across the module boundary.
    // The buffer is copied on write (value semantics), checked once per value, not per byte.
    // Base and capacity are constants of the buffer, the length a field of this struct: the hot
    // paths then touch no class property that needs a run-time exclusivity check.
    @usableFromInline var storage: ByteBuffer
    @usableFromInline var length = 0

    /// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
    @usableFromInline static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000
    /// Days from 1970-01-01 to 2000-01-01.
    @usableFromInline static let postgresEpochDays: Int32 = 10957

    /// Starts a stream with the header: signature, flags and header-extension length.
    public init(reservingCapacity capacity: Int = 512 * 1024) {
        storage = ByteBuffer(capacity: max(capacity, 64))
        // "PGCOPY\n\377\r\n\0"
        for byte: UInt8 in [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00] { appendRaw(byte) }
        appendRaw(Int32(0)) // flags: no OIDs
        appendRaw(Int32(0)) // header extension length
    }

    /// Number of bytes buffered.
    public var count: Int { length }

    /// The buffered bytes from `offset` on (say, the row just appended), valid during `body`.
    public func withUnsafeBytes<R>(from offset: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(offset >= 0 && offset <= length)
        return try body(UnsafeRawBufferPointer(start: storage.base + offset, count: length - offset))
    }

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
        text.withUTF8 { utf8 in append(utf8: UnsafeRawBufferPointer(utf8)) }
    }

    /// A text value given as UTF-8 bytes (also fine for any type whose binary form is its bytes, like bytea).
    public mutating func append(utf8: UnsafeRawBufferPointer) {
        let p = reserve(4 + utf8.count)
        Self.store(Int32(truncatingIfNeeded: utf8.count), at: p)
        if let source = utf8.baseAddress { (p + 4).update(from: source.assumingMemoryBound(to: UInt8.self), count: utf8.count) }
        length += 4 + utf8.count
    }

    /// A text value of `count` UTF-8 bytes that `fill` writes in place (to transform bytes on
    /// the way in without a buffer in between). `fill` must write exactly `count` bytes.
    @inlinable
    public mutating func appendText(count: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Void) {
        let p = reserve(4 + count)
        Self.store(Int32(truncatingIfNeeded: count), at: p)
        fill(p + 4)
        length += 4 + count
    }

    /// A text value given as UTF-8 bytes.
    public mutating func append(utf8: some Collection<UInt8>) {
        appendRaw(Int32(truncatingIfNeeded: utf8.count))
        for byte in utf8 { appendRaw(byte) }
    }

    /// An int2 / smallint value.
    @inlinable
    public mutating func append(int16 value: Int16) {
        appendRaw(UInt64(2) << 16 | UInt64(UInt16(bitPattern: value)), bytes: 6)
    }

    /// An int4 / integer value.
    @inlinable
    public mutating func append(int32 value: Int32) {
        appendRaw(UInt64(4) << 32 | UInt64(UInt32(bitPattern: value)), bytes: 8)
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
        appendRaw(UInt64(1) << 8 | (value ? 1 : 0), bytes: 5)
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
        guard length > threshold else { return }
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
        precondition(count >= 0 && count <= length)
        length = count
    }

    /// Overwrites one byte already written, e.g. a bool value decided after the rest of its row.
    public mutating func overwrite(byte: UInt8, at offset: Int) {
        precondition(offset >= 0 && offset < length)
        makeUnique()
        storage.base[offset] = byte
    }

    /// `flushIfLarger(than:into:)` for any consumer of the bytes (a file, a checksum).
    public mutating func drain(ifLargerThan threshold: Int, into sink: (UnsafeRawBufferPointer) -> Void) {
        guard length > threshold else { return }
        sink(UnsafeRawBufferPointer(start: storage.base, count: length))
        length = 0
    }

    /// `finish(into:)` for any consumer of the bytes: the trailer, then everything buffered.
    public mutating func drainFinishing(into sink: (UnsafeRawBufferPointer) -> Void) {
        appendRaw(Int16(-1))
        sink(UnsafeRawBufferPointer(start: storage.base, count: length))
        length = 0
    }

    private mutating func write(into stream: CopyInStream) throws {
        try stream.write(UnsafeRawBufferPointer(start: storage.base, count: length))
        length = 0
    }

    @inlinable @inline(__always)
    mutating func appendRaw<T: FixedWidthInteger>(_ value: T) {
        let p = reserve(T.bitWidth / 8)
        Self.store(value, at: p)
        length += T.bitWidth / 8
    }

    /// Appends the low `bytes` bytes of `value`, big-endian (a length word and a small value in one go).
    @inlinable @inline(__always)
    mutating func appendRaw(_ value: UInt64, bytes: Int) {
        let p = reserve(8)
        Self.store(value << UInt64(64 - 8 * bytes), at: p)
        length += bytes
    }

    /// Makes room for `extra` more bytes in a buffer of our own; returns where they go.
    @inlinable @inline(__always)
    mutating func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&storage) || length + extra > storage.capacity {
            storage = storage.copy(length, reserving: extra)
        }
        return storage.base + length
    }

    @inlinable
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy(length, reserving: 0) }
    }

    /// Stores `value` big-endian at `p`.
    @inlinable @inline(__always)
    static func store<T: FixedWidthInteger>(_ value: T, at p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value.bigEndian, as: T.self)
    }

    /// Overwrites a big-endian Int16 at `offset` (used to patch numeric headers).
    @inline(__always)
    mutating func store(_ value: Int16, at offset: Int) {
        makeUnique()
        Self.store(value, at: storage.base + offset)
    }

    /// Overwrites a big-endian UInt32 at `offset`.
    @inline(__always)
    mutating func store(_ value: UInt32, at offset: Int) {
        makeUnique()
        Self.store(value, at: storage.base + offset)
    }

    /// Drops the last `count` bytes.
    @inline(__always)
    mutating func removeLast(_ count: Int) {
        length -= count
    }
}

/// The memory of an encoder's bytes, shared by copies of an encoder until one of them writes.
@usableFromInline
final class ByteBuffer {
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    @usableFromInline let capacity: Int

    @usableFromInline
    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// A buffer holding the first `length` bytes of this one, with room for `extra` more
    /// (at least doubling when it has to grow).
    @usableFromInline @inline(never)
    func copy(_ length: Int, reserving extra: Int) -> ByteBuffer {
        var newCapacity = capacity
        while length + extra > newCapacity { newCapacity *= 2 }
        let copy = ByteBuffer(capacity: newCapacity)
        copy.base.update(from: base, count: length)
        return copy
    }
}
