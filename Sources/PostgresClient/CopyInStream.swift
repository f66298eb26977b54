import CLibPQ

/// The data side of ``Connection/copyIn(_:_:_:)``: write the COPY data (text, CSV or binary
/// format, as the COPY statement says) and it is sent to the server in chunks of ~256 KiB.
///
/// Valid only inside the `copyIn` body; writing afterwards throws a `.client` error.
public final class CopyInStream {
    /// Bytes per PQputCopyData call: big enough to amortize the call, small enough to stream.
    static let chunkSize = 256 * 1024

    /// Borrowed from the connection for the duration of `copyIn`; not owned, never freed here.
    private var connection: OpaquePointer?
    private var buffer: [UInt8] = []
    private let statement: String

    /// Bytes handed to libpq so far (what is still buffered not included).
    public private(set) var bytesSent: Int64 = 0

    /// Set when PQputCopyData failed: the connection left COPY mode (usually because the
    /// server rejected the data), so `copyIn` reports the server's error instead.
    private(set) var sendFailed = false

    init(connection: OpaquePointer, statement: String) {
        self.connection = connection
        self.statement = statement
        buffer.reserveCapacity(Self.chunkSize)
    }

    /// Called when `copyIn` is over: the borrowed connection must not be used any more.
    func invalidate() {
        connection = nil
        buffer = []
    }

    /// Appends bytes to the stream; sends a chunk whenever ~256 KiB have gathered.
    /// Large writes go to libpq directly, without being copied into the buffer.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if buffer.count + bytes.count < Self.chunkSize {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count < Self.chunkSize {
            buffer.append(contentsOf: bytes)
            return
        }
        var offset = 0
        while offset < bytes.count {
            let length = min(Self.chunkSize, bytes.count - offset)
            try send(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
            offset += length
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Writes the string's UTF-8 bytes.
    public func write(_ string: String) throws {
        var string = string
        try string.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Sends whatever is buffered now.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try send($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func send(_ bytes: UnsafeRawBufferPointer) throws {
        guard let connection else {
            throw PostgresError(kind: .client, message: "CopyInStream used after copyIn returned", statement: statement)
        }
        guard !sendFailed else {
            throw PostgresError(kind: .copy, message: "an earlier write to the COPY failed", statement: statement)
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        // 1 = queued; 0 = would block (nonblocking mode only); -1 = error, e.g. COPY no longer in progress.
        let status = PQputCopyData(connection, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        guard status == 1 else {
            sendFailed = true
            throw PostgresError(connection: connection, fallbackKind: .copy, statement: statement)
        }
        bytesSent += Int64(bytes.count)
    }
}
