import Foundation
import PatronCore

/// An anonymous temporary file (tmpfile(3): removed when closed, even if the process dies),
/// written through a buffer and read back once. It keeps what a load must send after the COPY
/// it is in the middle of, without holding it in memory.
final class SpillFile {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    private(set) var isEmpty = true

    init() throws {
        guard let file = tmpfile() else {
            throw PatronError.configuration("cannot create a temporary file: \(String(cString: strerror(errno))) (set TMPDIR?)")
        }
        self.file = file
        buffer.reserveCapacity(bufferLimit)
    }

    deinit { fclose(file) }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        isEmpty = false
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { try flush() }
    }

    func append(byte: UInt8) { isEmpty = false; buffer.append(byte) }

    func append<T: FixedWidthInteger>(integer value: T) {
        isEmpty = false
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == buffer.count else {
            throw PatronError.configuration("cannot write a temporary file: \(String(cString: strerror(errno)))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads everything written so far, in chunks of whole megabytes, from the start; more may
    /// be appended afterwards.
    func readAll(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try flush()
        fflush(file)
        rewind(file)
        var chunk = [UInt8](repeating: 0, count: bufferLimit)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { try chunk.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
            if n < chunk.count { break }
        }
        guard ferror(file) == 0 else {
            throw PatronError.configuration("cannot read a temporary file back: \(String(cString: strerror(errno)))")
        }
        // Writing may go on after a read (C requires a seek between the two).
        fseek(file, 0, SEEK_END)
    }
}
