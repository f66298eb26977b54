import Foundation
import Testing
@testable import PatronInput

/// UTF-16 LE (with its byte order mark) read as UTF-8, the opt-in of vendor imports such as
/// Meltwater's; canonical loads never opt in and keep refusing anything but UTF-8.
@Suite("Input files: UTF-16 transcoding")
struct InputFileTranscodingTests {
    static let sample = "id\tnote\r\nA1\tcafé 10 € 😍\r\nA2\t\"🚀\nx\"\r\n"

    static func utf16LE(_ text: String, mark: Bool = true) -> [UInt8] {
        (mark ? [0xFF, 0xFE] : []) + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static func opened(_ bytes: [UInt8]) throws -> (InputFile, String) {
        let path = try Fixture.file(bytes)
        return (try InputFile(path: path, transcodingUTF16: true), path)
    }

    @Test("the transcoder gives the same UTF-8 wherever the input is cut into two chunks")
    func everySplit() throws {
        let bytes = Self.utf16LE(Self.sample, mark: false)
        for split in 0...bytes.count {
            var transcoder = UTF16LETranscoder()
            var out: [UInt8] = []
            try bytes[..<split].withUnsafeBufferPointer { try transcoder.transcode($0, into: &out) }
            try bytes[split...].withUnsafeBufferPointer { try transcoder.transcode($0, into: &out) }
            try transcoder.finish()
            #expect(out == Array(Self.sample.utf8), "split at \(split)")
        }
        // One byte at a time.
        var transcoder = UTF16LETranscoder()
        var out: [UInt8] = []
        for b in bytes { try [b].withUnsafeBufferPointer { try transcoder.transcode($0, into: &out) } }
        try transcoder.finish()
        #expect(out == Array(Self.sample.utf8))
    }

    @Test("UTF-16 LE with its mark is read as UTF-8; the checksum stays that of the raw bytes")
    func utf16File() throws {
        let bytes = Self.utf16LE(Self.sample)
        let (file, path) = try Self.opened(bytes)
        defer { Fixture.remove(path) }
        #expect(try drain(file) == Array(Self.sample.utf8))
        #expect(file.textEncoding == .utf16LittleEndian)
        let plain = try InputFile(path: path)
        #expect(try drain(plain) == bytes)
        #expect(file.sha256Hex() == plain.sha256Hex())
        #expect(file.rawBytesRead == Int64(bytes.count))
    }

    @Test("UTF-8, with or without its mark, passes through unchanged; so does an empty file")
    func utf8Passes() throws {
        for bytes in [Array(Self.sample.utf8), [0xEF, 0xBB, 0xBF] + Array(Self.sample.utf8), [], [0x41]] {
            let (file, path) = try Self.opened(bytes)
            defer { Fixture.remove(path) }
            #expect(try drain(file) == bytes)
            #expect(file.textEncoding == .utf8)
        }
        // Just the mark: an empty text.
        let (file, path) = try Self.opened([0xFF, 0xFE])
        defer { Fixture.remove(path) }
        #expect(try drain(file) == [])
    }

    @Test("characters cut by the 1 MiB chunk boundary, plain and gzip, read back whole; a CSV reader reads the rows")
    func chunkBoundaries() throws {
        // 😍 starts 2 bytes before the first 1 MiB chunk ends (its halves in two chunks); é, a
        // 2-byte UTF-8 character, sits right after the second chunk's start.
        let target = InputFile.chunkSize
        let header = "id\tnote\n"
        let before = (target - 2 - 2) / 2 - header.utf16.count - 3  // the mark; "A1\t"
        let text = header + "A1\t" + String(repeating: "x", count: before) + "😍é\n" + "A2\t" + String(repeating: "🚀", count: 300_000) + "\n"
        let bytes = Self.utf16LE(text)
        #expect(Array(bytes[(target - 2)..<(target + 4)]) == [0x3D, 0xD8, 0x0D, 0xDE, 0xE9, 0x00])
        for raw in [bytes, try Fixture.gzip(bytes)] {
            let (file, path) = try Self.opened(raw)
            defer { Fixture.remove(path) }
            let out = try drain(file)
            #expect(out == Array(text.utf8))

            let again = try InputFile(path: path, transcodingUTF16: true)
            let reader = try makeRowReader(file: again, format: .csv, columns: ["id", "note"], required: ["id"],
                                           delimiter: UInt8(ascii: "\t"))
            var row = InputRow(columnCount: 2)
            var ids: [String] = []
            var notes: [String] = []
            while try reader.next(into: &row) {
                ids.append(row.values[0] ?? "")
                notes.append(row.values[1] ?? "")
            }
            #expect(ids == ["A1", "A2"])
            #expect(notes.first?.hasSuffix("x😍é") == true && notes.last?.count == 300_000)
        }
    }

    @Test("an unpaired surrogate, or a file ending inside a character, fails naming the line")
    func brokenUTF16() throws {
        func failure(_ units: [UInt16], extra: [UInt8] = []) throws -> InputError? {
            let bytes: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + extra
            let (file, path) = try Self.opened(bytes)
            defer { Fixture.remove(path) }
            do { _ = try drain(file) } catch let error as InputError { return error }
            return nil
        }
        let twoLines = Array("a\nb\n".utf16)
        // A lone low half on line 3.
        let low = try failure(twoLines + [0xDE0D, 0x41])
        #expect(low?.line == 3 && low?.message.contains("unpaired surrogate (0xDE0D)") == true)
        // A high half followed by an ordinary character, on line 2.
        let high = try failure(Array("a\n".utf16) + [0xD83D, 0x41])
        #expect(high?.line == 2 && high?.message.contains("unpaired surrogate (0xD83D)") == true)
        // A high half at the very end.
        let end = try failure(twoLines + [0xD83D])
        #expect(end?.line == 3 && end?.message.contains("at the end of the file") == true)
        // An odd number of bytes.
        let odd = try failure(twoLines, extra: [0x41])
        #expect(odd?.line == 3 && odd?.message.contains("odd number of bytes") == true)
    }

    @Test("UTF-16 big-endian, UTF-16 without its mark and UTF-32 are refused, saying what is read")
    func otherEncodings() throws {
        let bigEndian: [UInt8] = [0xFE, 0xFF] + Self.sample.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let utf32: [UInt8] = [0xFF, 0xFE, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00]
        let cases: [([UInt8], String)] = [
            (bigEndian, "is UTF-16 big-endian"),
            (Self.utf16LE(Self.sample, mark: false), "looks like UTF-16 without a byte order mark"),
            (Array(bigEndian.dropFirst(2)), "looks like UTF-16 big-endian"),
            (utf32, "is UTF-32"),
        ]
        for (bytes, start) in cases {
            let (file, path) = try Self.opened(bytes)
            defer { Fixture.remove(path) }
            #expect {
                _ = try drain(file)
            } throws: { error in
                let message = (error as? InputError)?.message ?? ""
                return message.hasPrefix(start)
                    && message.hasSuffix("expected a text file in UTF-16 little-endian with a byte order mark, or in UTF-8")
            }
        }
    }

    @Test("without the opt-in a UTF-16 file still fails a CSV read (canonical loads are UTF-8 only)")
    func canonicalReadsRefuseUTF16() throws {
        let error = inputError(Self.utf16LE(Self.sample), .csv, columns: ["id"])
        #expect(error?.message.contains("not valid UTF-8") == true || error?.message.contains("NUL byte") == true)
    }
}
