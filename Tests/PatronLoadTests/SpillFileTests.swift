import Foundation
import Testing
import PatronCore
@testable import PatronLoad

/// `SpillFile`: what a direct load writes aside while its COPY runs (rejected rows, first-seen
/// identifiers) and reads back afterwards. Pure: no database.
@Suite("SpillFile: written aside, read back exactly")
struct SpillFileTests {
    /// Everything `readAll` hands over, joined, and the size of each chunk.
    static func readBack(_ spill: SpillFile) throws -> (bytes: [UInt8], chunks: [Int]) {
        var bytes: [UInt8] = []
        var chunks: [Int] = []
        try spill.readAll { chunk in
            bytes.append(contentsOf: chunk)
            chunks.append(chunk.count)
        }
        return (bytes, chunks)
    }

    /// Compares without printing megabytes: the sizes and the first difference.
    static func expectSame(_ actual: [UInt8], _ expected: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        guard actual != expected else { return }
        let first = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, expected.count)
        func around(_ bytes: [UInt8]) -> [UInt8] { Array(bytes[min(first, bytes.count)..<min(first + 16, bytes.count)]) }
        Issue.record("read back \(actual.count) bytes, wrote \(expected.count); first difference at byte \(first): \(around(actual)) vs \(around(expected))",
                     sourceLocation: sourceLocation)
    }

    static func append(_ spill: SpillFile, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try spill.append($0) }
    }

    @Test("nothing written: isEmpty, and nothing is read back")
    func empty() throws {
        let spill = try SpillFile()
        #expect(spill.isEmpty)
        let back = try Self.readBack(spill)
        #expect(back.bytes.isEmpty)
        #expect(back.chunks.isEmpty)
    }

    @Test("values, single bytes and little-endian integers come back in the order written")
    func mixedValues() throws {
        let spill = try SpillFile()
        var expected: [UInt8] = []
        let values = ["", "plain", "zoë ünïcödé — 東京 🎉", "", "a\u{0}b\n\r\"',;", String(repeating: "x", count: 5000)]
        for (i, value) in values.enumerated() {
            // The loader's identifier record: node (Int32), kind (byte), length (UInt32), bytes.
            let bytes = Array(value.utf8)
            spill.append(integer: Int32(i) - 2)
            spill.append(byte: UInt8(i))
            spill.append(integer: UInt32(bytes.count))
            try Self.append(spill, bytes)
            withUnsafeBytes(of: (Int32(i) - 2).littleEndian) { expected.append(contentsOf: $0) }
            expected.append(UInt8(i))
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { expected.append(contentsOf: $0) }
            expected.append(contentsOf: bytes)
        }
        spill.append(integer: UInt64(0x0102_0304_0506_0708))
        spill.append(integer: Int16(-2))
        expected += [8, 7, 6, 5, 4, 3, 2, 1, 0xFE, 0xFF]
        #expect(!spill.isEmpty)
        Self.expectSame(try Self.readBack(spill).bytes, expected)
    }

    @Test("an empty value alone marks the file as written, and reads back as nothing")
    func emptyValue() throws {
        let spill = try SpillFile()
        try Self.append(spill, [])
        #expect(!spill.isEmpty)
        #expect(try Self.readBack(spill).bytes == [])
    }

    @Test("more than the 1 MiB buffer, in uneven pieces: every byte back, in order, in chunks of at most 1 MiB",
          arguments: [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 5 * (1 << 20) + 12_345])
    func large(size: Int) throws {
        let spill = try SpillFile()
        // A pattern that shifts by one every 251 bytes, so a lost, repeated or reordered piece shows.
        var expected = [UInt8](repeating: 0, count: size)
        for i in 0..<size { expected[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i / 251) }
        var offset = 0
        var piece = 1
        while offset < size {
            let end = min(size, offset + piece)
            try Self.append(spill, Array(expected[offset..<end]))
            offset = end
            piece = piece * 7 % 300_007 + 1   // from 1 byte to ~300 kB
        }
        let back = try Self.readBack(spill)
        Self.expectSame(back.bytes, expected)
        #expect(back.chunks.allSatisfy { $0 > 0 && $0 <= 1 << 20 }, "\(back.chunks)")
    }

    @Test("a single value larger than the buffer reads back whole")
    func oneLargeValue() throws {
        let spill = try SpillFile()
        let value = Array(String(repeating: "Grüße, ", count: 400_000).utf8)   // 3.6 MB
        spill.append(byte: 1)
        try Self.append(spill, value)
        spill.append(byte: 2)
        Self.expectSame(try Self.readBack(spill).bytes, [1] + value + [2])
    }

    @Test("it has no name in the file system, and its descriptor is closed when it goes away")
    func cleansUp() throws {
        // A marker no other test writes, to tell this spill file from any other open file.
        let marker = Array("spill-file-test-\(UUID().uuidString)".utf8)
        var spill: SpillFile? = try SpillFile()
        try Self.append(spill!, marker)
        _ = try Self.readBack(spill!)   // flushed to the file
        let open = Self.openFiles(containing: marker)
        #expect(open.count == 1, "\(open)")
        for file in open {
            // tmpfile(3): unlinked from the start, so nothing is left behind even if the process dies.
            #expect(file.target.hasSuffix(" (deleted)") || file.target.hasPrefix("/tmp/#"), "\(file)")
        }
        spill = nil
        let after = Self.openFiles(containing: marker)
        #expect(after.isEmpty, "still open: \(after)")
    }

    /// This process's open regular files (Linux: /proc/self/fd) whose contents start with `marker`.
    static func openFiles(containing marker: [UInt8]) -> [(fd: String, target: String)] {
        let directory = "/proc/self/fd"
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            Issue.record("cannot list \(directory)")
            return []
        }
        var found: [(String, String)] = []
        for fd in fds {
            let path = directory + "/" + fd
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path),
                  target.hasPrefix("/"), !target.hasPrefix("/proc"), !target.hasPrefix("/dev") else { continue }
            // Reopening through /proc reads the file even after it was unlinked.
            guard let handle = FileHandle(forReadingAtPath: path) else { continue }
            let head = (try? handle.read(upToCount: marker.count)) ?? nil
            try? handle.close()
            if let head, Array(head) == marker { found.append((fd, target)) }
        }
        return found
    }
}
