#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import Crypto

/// A file (or `-` for standard input) read in chunks.
///
/// Gzip is detected by its magic bytes (`1f 8b`), for files and for standard input alike, whatever
/// the name, and inflated transparently; concatenated (multi-member) gzip streams are supported.
/// A truncated or corrupt gzip stream, or anything after the last member that is not another gzip
/// member, is an `InputError`. The SHA-256 is computed over the raw bytes as read (for gzip: the
/// compressed bytes), and `rawBytesRead` counts them for progress reports.
///
/// Vendor imports may opt in to reading UTF-16 LE (with its byte order mark) as UTF-8
/// (`transcodeUTF16()`); canonical loads never do, so for them anything but UTF-8 stays an error.
///
/// Memory use is bounded by the chunk size (1 MiB raw in, 1 MiB out), whatever the file size.
/// Not thread-safe: use one `InputFile` from one task at a time.
public final class InputFile {
    /// The path as given (`-` for standard input).
    public let path: String
    /// The name to show people: the path, or "standard input" for `-`.
    public let displayName: String
    /// The raw size if the input is a regular file (also when stdin is redirected from one).
    public let sizeInBytes: Int64?
    /// Raw (possibly compressed) bytes read so far.
    public private(set) var rawBytesRead: Int64 = 0
    /// Whether the input starts with the gzip magic bytes.
    public let isGzip: Bool
    /// The longest record (CSV record, JSON line, vendor JSON record) readers of this file
    /// accept, in bytes; a longer one is rejected and streamed past (see `RecordLimit`).
    public var maxRecordBytes = RecordLimit.defaultBytes

    /// Size of raw reads and of decompressed chunks.
    static let chunkSize = 1 << 20

    private let fd: Int32
    private let ownsFD: Bool
    private var hasher = SHA256()
    private var raw: [UInt8]
    /// Raw bytes read during detection, not yet handed out (plain) or inflated (gzip).
    private var pendingCount = 0
    private var rawEOF = false
    private var finished = false

    // gzip state
    private var stream: UnsafeMutablePointer<z_stream>?
    private var inflated: UnsafeMutablePointer<UInt8>?
    private var memberEnded = false
    private var membersDone = 0
    private var memberProducedOutput = false

    /// Opens `path` (`-`: standard input) and reads its first bytes to detect gzip.
    /// Throws `InputError` if it cannot be opened or read, or is a directory.
    public init(path: String) throws {
        self.path = path
        let isStdin = path == "-"
        let display = isStdin ? "standard input" : path
        self.displayName = display
        let fd: Int32
        if isStdin {
            fd = 0
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                throw InputError(file: display, message: "cannot open: \(InputFile.errnoText(errno))")
            }
        }
        self.fd = fd
        self.ownsFD = !isStdin

        var st = stat()
        var size: Int64? = nil
        if fstat(fd, &st) == 0 {
            let kind = st.st_mode & S_IFMT
            if kind == S_IFDIR {
                if !isStdin { close(fd) }
                throw InputError(file: display, message: "cannot read: is a directory")
            }
            if kind == S_IFREG { size = Int64(st.st_size) }
        }
        self.sizeInBytes = size
        var raw = [UInt8](repeating: 0, count: InputFile.chunkSize)

        // Read until we have two bytes (or end of input) to look for the gzip magic.
        var have = 0
        var eof = false
        do {
            while have < 2 {
                let n = try InputFile.readFD(fd, into: &raw, at: have, file: display)
                if n == 0 { eof = true; break }
                have += n
            }
        } catch {
            if ownsFD { close(fd) }
            throw error
        }
        var hasher = SHA256()
        if have > 0 {
            raw.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<have])) }
        }
        self.hasher = hasher
        self.rawBytesRead = Int64(have)
        self.pendingCount = have
        self.rawEOF = eof
        self.isGzip = have >= 2 && raw[0] == 0x1f && raw[1] == 0x8b
        self.raw = raw

        if isGzip {
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            let rc = patron_inflate_init_gzip(s)
            if rc != Z_OK {
                s.deinitialize(count: 1)
                s.deallocate()
                if ownsFD { close(fd) }
                throw InputError(file: display, message: "cannot initialize gzip decompression (zlib error \(rc))")
            }
            stream = s
            inflated = UnsafeMutablePointer<UInt8>.allocate(capacity: InputFile.chunkSize)
        }
    }

    deinit {
        if let s = stream {
            inflateEnd(s)
            s.deinitialize(count: 1)
            s.deallocate()
        }
        inflated?.deallocate()
        if ownsFD { close(fd) }
    }

    /// Opens `path` as `init(path:)` does; with `transcodingUTF16`, see `transcodeUTF16()`.
    public convenience init(path: String, transcodingUTF16: Bool) throws {
        try self.init(path: path)
        if transcodingUTF16 { transcodeUTF16() }
    }

    /// Opt-in for exports written in UTF-16 (Meltwater's mentions export), to be called before
    /// the first chunk is read: input (after gzip) that starts with the UTF-16 little-endian byte
    /// order mark (`FF FE`) is handed out as UTF-8 without the mark, converted a chunk at a time
    /// (memory stays bounded; a character cut by a chunk boundary is carried over). Other input
    /// is handed out unchanged, so a file re-saved as UTF-8 (with or without its mark) reads as
    /// before. UTF-16 big-endian, or UTF-16 without a byte order mark, fails naming what is
    /// read; so does an unpaired surrogate or a file that ends inside a character, naming the
    /// line. The SHA-256 and `rawBytesRead` stay those of the raw bytes.
    ///
    /// Canonical loads never call this: they read UTF-8 only.
    public func transcodeUTF16() {
        precondition(!handedOut, "transcodeUTF16() must be called before the first chunk is read")
        transcoding = .undecided
    }

    /// What the UTF-16 opt-in found: nil when it is off or nothing has been read yet.
    public var textEncoding: TextEncoding? {
        switch transcoding {
        case .off, .undecided: return nil
        case .utf8: return .utf8
        case .utf16LE: return .utf16LittleEndian
        }
    }

    public enum TextEncoding: Sendable, Equatable {
        case utf8
        case utf16LittleEndian
    }

    private enum Transcoding {
        case off
        /// Opted in, nothing read yet.
        case undecided
        /// Opted in; no UTF-16 byte order mark: bytes pass through.
        case utf8
        case utf16LE
    }

    private var transcoding = Transcoding.off
    private var transcoder = UTF16LETranscoder()
    private var transcoded: [UInt8] = []
    private var handedOut = false

    /// The next chunk of (decompressed) bytes, at most 1 MiB (UTF-16 converted to UTF-8: at
    /// most 1.5 MiB); nil at the end of the input.
    ///
    /// The slice is backed by a buffer that is reused for the next chunk: drop it before calling
    /// again to avoid a copy (keeping it is safe, it is then copied on write).
    public func nextChunk() throws -> ArraySlice<UInt8>? {
        handedOut = true
        switch transcoding {
        case .off, .utf8: return try nextDecodedChunk()
        case .undecided: return try firstTranscodingChunk()
        case .utf16LE: return try nextTranscodedChunk()
        }
    }

    private func nextDecodedChunk() throws -> ArraySlice<UInt8>? {
        if finished { return nil }
        return isGzip ? try nextInflatedChunk() : try nextPlainChunk()
    }

    /// Looks at the first bytes to tell UTF-16 LE (with its mark) from UTF-8.
    private func firstTranscodingChunk() throws -> ArraySlice<UInt8>? {
        var head: [UInt8] = []
        while head.count < 4, let chunk = try nextDecodedChunk() { head.append(contentsOf: chunk) }
        let expected = "a text file in UTF-16 little-endian with a byte order mark, or in UTF-8"
        if head.count >= 2 && head[0] == 0xFE && head[1] == 0xFF {
            throw InputError(file: displayName, line: 1,
                             message: "is UTF-16 big-endian, which is not read; expected \(expected)")
        }
        if head.count >= 2 && head[0] == 0xFF && head[1] == 0xFE {
            if head.count >= 4 && head[2] == 0 && head[3] == 0 {
                throw InputError(file: displayName, line: 1, message: "is UTF-32, which is not read; expected \(expected)")
            }
            transcoding = .utf16LE
            let out = try transcode(head[2...])
            return out.isEmpty ? try nextTranscodedChunk() : out
        }
        if head.count >= 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0 {
            throw InputError(file: displayName, line: 1,
                             message: "looks like UTF-16 without a byte order mark, which is not read; expected \(expected)")
        }
        if head.count >= 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0 {
            throw InputError(file: displayName, line: 1,
                             message: "looks like UTF-16 big-endian, which is not read; expected \(expected)")
        }
        transcoding = .utf8
        return head.isEmpty ? nil : head[...]
    }

    private func nextTranscodedChunk() throws -> ArraySlice<UInt8>? {
        while true {
            guard let chunk = try nextDecodedChunk() else {
                try finishTranscoding()
                return nil
            }
            let out = try transcode(chunk)
            if !out.isEmpty { return out }
        }
    }

    private func transcode(_ bytes: ArraySlice<UInt8>) throws -> ArraySlice<UInt8> {
        transcoded.removeAll(keepingCapacity: true)
        do {
            try bytes.withUnsafeBufferPointer { try transcoder.transcode($0, into: &transcoded) }
        } catch let problem as UTF16LETranscoder.Problem {
            throw InputError(file: displayName, line: problem.line, message: problem.message)
        }
        return transcoded[...]
    }

    private func finishTranscoding() throws {
        do { try transcoder.finish() } catch let problem as UTF16LETranscoder.Problem {
            throw InputError(file: displayName, line: problem.line, message: problem.message)
        }
    }

    /// Lower-case hex SHA-256 of the raw bytes read so far: the whole file's once the input is exhausted.
    public func sha256Hex() -> String {
        let digest = hasher.finalize()
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Reading

    private static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// One read(2) into `buffer[at...]`, retrying on EINTR. Returns 0 at end of input.
    private static func readFD(_ fd: Int32, into buffer: inout [UInt8], at offset: Int, file: String) throws -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { p in
                read(fd, p.baseAddress! + offset, p.count - offset)
            }
            if n >= 0 { return n }
            let e = errno
            if e == EINTR { continue }
            throw InputError(file: file, message: "cannot read: \(errnoText(e))")
        }
    }

    /// Reads the next raw chunk into `raw`, hashing and counting it. Returns 0 at end of input.
    private func readRaw() throws -> Int {
        if rawEOF { return 0 }
        let n = try InputFile.readFD(fd, into: &raw, at: 0, file: displayName)
        if n == 0 {
            rawEOF = true
            return 0
        }
        raw.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        rawBytesRead += Int64(n)
        return n
    }

    private func nextPlainChunk() throws -> ArraySlice<UInt8>? {
        if pendingCount > 0 {
            let n = pendingCount
            pendingCount = 0
            return raw[0..<n]
        }
        let n = try readRaw()
        if n == 0 {
            finished = true
            return nil
        }
        return raw[0..<n]
    }

    private func gzipError(_ message: String) -> InputError {
        InputError(file: displayName, message: message)
    }

    private func nextInflatedChunk() throws -> ArraySlice<UInt8>? {
        guard let s = stream, let out = inflated else { return nil }
        let capacity = InputFile.chunkSize
        var produced = 0
        // `raw` must stay pinned while zlib holds `next_in` into it: we work inside one
        // withUnsafeMutableBytes per refill and never let next_in outlive it.
        while produced < capacity {
            if pendingCount == 0 && s.pointee.avail_in == 0 {
                let n = try readRaw()
                if n == 0 {
                    if memberEnded { finished = true; break }
                    throw gzipError("truncated gzip data (the compressed stream ends early; was the file cut off?)")
                }
                pendingCount = n
            }
            if memberEnded {
                inflateReset(s)
                memberEnded = false
                memberProducedOutput = false
            }
            // Feed the pending raw bytes (those not yet consumed by zlib).
            let rc: Int32 = raw.withUnsafeMutableBytes { rp in
                let base = rp.baseAddress!.assumingMemoryBound(to: UInt8.self)
                if pendingCount > 0 {
                    // Fresh bytes at the start of `raw`.
                    s.pointee.next_in = base
                    s.pointee.avail_in = UInt32(pendingCount)
                    pendingCount = 0
                    consumedOffset = 0
                } else {
                    s.pointee.next_in = base + consumedOffset
                }
                s.pointee.next_out = out + produced
                s.pointee.avail_out = UInt32(capacity - produced)
                let before = Int(s.pointee.avail_in)
                let rc = inflate(s, Z_NO_FLUSH)
                consumedOffset += before - Int(s.pointee.avail_in)
                s.pointee.next_in = nil
                return rc
            }
            let now = capacity - Int(s.pointee.avail_out)
            if now > produced { memberProducedOutput = true }
            produced = now
            switch rc {
            case Z_OK:
                continue
            case Z_STREAM_END:
                memberEnded = true
                membersDone += 1
                continue
            case Z_BUF_ERROR:
                // No progress possible: needs more input (handled at the loop top) or more output space.
                if s.pointee.avail_in != 0 && s.pointee.avail_out != 0 {
                    throw gzipError("corrupt gzip data")
                }
                continue
            case Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR:
                let detail = s.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                if membersDone > 0 && !memberProducedOutput {
                    throw gzipError("unexpected data after the end of the gzip stream (\(detail))")
                }
                throw gzipError("corrupt gzip data (\(detail))")
            case Z_MEM_ERROR:
                throw gzipError("out of memory while decompressing gzip data")
            default:
                throw gzipError("gzip decompression failed (zlib error \(rc))")
            }
        }
        if produced == 0 { return nil }
        return ArraySlice(UnsafeBufferPointer(start: out, count: produced))
    }

    /// Offset in `raw` of the next byte zlib has not consumed.
    private var consumedOffset = 0
}
