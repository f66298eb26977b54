import Foundation
import Testing
@testable import PatronInput

/// Records longer than `InputFile.maxRecordBytes` (1 KiB here) are rejected and streamed past;
/// the bytes are checked as they are read.
@Suite("Record limit")
struct RecordLimitTests {
    static let limit = 1024

    /// Reads `bytes` with a record limit of 1 KiB.
    func readLimited(_ bytes: [UInt8], _ format: InputFormat, columns: [String]) throws -> [ReadRow] {
        let path = try Fixture.file(bytes, name: format == .csv ? "input.csv" : "input.jsonl")
        defer { Fixture.remove(path) }
        let file = try InputFile(path: path)
        file.maxRecordBytes = Self.limit
        let reader = try makeRowReader(file: file, format: format, columns: columns, required: [])
        var row = InputRow(columnCount: columns.count)
        var rows: [ReadRow] = []
        while try reader.next(into: &row) {
            rows.append(ReadRow(line: row.line, values: row.values, present: row.present, rejection: row.rejection))
        }
        return rows
    }

    func readLimited(_ text: String, _ format: InputFormat, columns: [String]) throws -> [ReadRow] {
        try readLimited(Array(text.utf8), format, columns: columns)
    }

    func limitError(_ text: String, _ format: InputFormat, columns: [String]) -> InputError? {
        do {
            _ = try readLimited(Array(text.utf8), format, columns: columns)
            return nil
        } catch {
            return error as? InputError
        }
    }

    @Test("CSV: a record over the limit is rejected with its start and reason; the next records read on, lines counted")
    func csvLongUnquotedRecord() throws {
        let long = String(repeating: "x", count: 3000)
        let rows = try readLimited("id,name\n1,a\n2,\(long),z\n3,c\n", .csv, columns: ["id", "name"])
        #expect(rows.map(\.line) == [2, 3, 4])
        #expect(rows[0].values == ["1", "a"] && rows[2].values == ["3", "c"])
        let rejection = try #require(rows[1].rejection)
        #expect(rejection.reason.contains("longer than 1 KiB"))
        #expect(rejection.value?.hasPrefix("2,xxxx") == true)
        #expect(rows[1].values == [nil, nil])
    }

    @Test("CSV: the skipped record's quoted fields may hold newlines, delimiters, doubled quotes and CRLF")
    func csvLongQuotedMultiLineRecord() throws {
        // Each piece would end the record if the quotes were not followed: LF, CRLF, `"` + LF
        // written as `""` then LF, a delimiter.
        let piece = "ab\ncd\r\n\"\"\nef,"
        let quoted = "\"" + String(repeating: piece, count: 200) + "\""
        let newlines = 3 * 200
        let text = "id,name\n1,a\n2,\(quoted)\r\n3,\"\"\"q\"\"\"\n" + "4,\(quoted),x\n5,e"
        let rows = try readLimited(text, .csv, columns: ["id", "name"])
        #expect(rows.map(\.line) == [2, 3, 4 + newlines, 5 + newlines, 6 + 2 * newlines])
        #expect(rows.map { $0.rejection == nil } == [true, false, true, false, true])
        #expect(rows[2].values == ["3", "\"q\""])
        #expect(rows[4].values == ["5", "e"])
    }

    @Test("CSV: a record of several megabytes (many buffer refills) is streamed past")
    func csvRecordOverManyChunks() throws {
        let quoted = "\"" + String(repeating: "line \"\" with, quote\n", count: 200_000) + "\""
        let rows = try readLimited("id,name\n1,\(quoted)\n2,b\n", .csv, columns: ["id", "name"])
        #expect(rows.count == 2)
        #expect(rows[0].rejection?.reason.contains("longer than 1 KiB") == true)
        #expect(rows[1].line == 2 + 200_000 + 1)
        #expect(rows[1].values == ["2", "b"])
    }

    @Test("CSV: a record of exactly the limit is read; the line ending does not count")
    func csvRecordAtTheLimit() throws {
        let value = String(repeating: "v", count: Self.limit - 2)  // "1," + value: 1024 bytes
        let rows = try readLimited("id,name\r\n1,\(value)\r\n1,\(value)v\r\n", .csv, columns: ["id", "name"])
        #expect(rows.count == 2)
        #expect(rows[0].rejection == nil)
        #expect(rows[0].values == ["1", value])
        #expect(rows[1].rejection != nil)
    }

    @Test("CSV: an unterminated quote in a skipped record fails the file, naming the line it opens on")
    func csvUnterminatedQuoteInLongRecord() {
        let text = "id,name\n1,a\n2,x\n\"" + String(repeating: "z\n", count: 1000)
        let error = limitError(text, .csv, columns: ["id", "name"])
        #expect(error?.line == 4)
        #expect(error?.message.contains("unterminated quoted field") == true)
    }

    @Test("CSV: a header longer than 1 MiB fails the file at once")
    func csvHeaderTooLong() {
        let text = "id," + String(repeating: "h", count: (1 << 20) + 10) + "\n1,a\n"
        let error = limitError(text, .csv, columns: ["id"])
        #expect(error?.line == 1)
        #expect(error?.message.contains("the header row is longer than 1 MiB") == true)
    }

    @Test("JSON Lines: a line over the limit is rejected; the reader goes on at the next line")
    func jsonlLongLine() throws {
        let long = "{\"id\": \"" + String(repeating: "j", count: 3 << 20) + "\"}"
        let rows = try readLimited("{\"id\": 1}\n\(long)\r\n{\"id\": 3}\n\(long)", .jsonl, columns: ["id"])
        #expect(rows.map(\.line) == [1, 2, 3, 4])
        #expect(rows.map { $0.rejection == nil } == [true, false, true, false])
        #expect(rows[1].rejection?.reason.contains("longer than 1 KiB") == true)
        #expect(rows[1].rejection?.value?.hasPrefix("{\"id\": \"jjj") == true)
        #expect(rows[2].values == ["3"])
    }

    @Test("JSON Lines: a first line that is an over-long JSON array still fails the file as one")
    func jsonlLongArray() {
        let text = "[" + String(repeating: "{\"id\": 1},", count: 500) + "{\"id\": 1}]\n"
        let error = limitError(text, .jsonl, columns: ["id"])
        #expect(error?.line == 1)
        #expect(error?.message.contains("holds a JSON array") == true)
    }

    @Test("bytes are checked as they are read: a NUL inside a skipped record still fails the file, naming its line")
    func nulInsideSkippedRecord() {
        for format in [InputFormat.csv, .jsonl] {
            let head = format == .csv ? "id\n1\n" : "{\"id\": 1}\n"
            let line = format == .csv ? 3 : 2
            // Past the first buffer: the NUL comes in while the record is being skipped.
            let text = head + String(repeating: "x", count: 3 << 20) + "\u{0}" + "\n"
            let error = limitError(text, format, columns: ["id"])
            #expect(error?.line == line, "\(format)")
            #expect(error?.message.contains("NUL") == true, "\(format)")
        }
    }

    @Test("bytes are checked as they are read: megabytes of zeros fail on line 1 from the first buffer")
    func zerosFailOnFirstRefill() throws {
        let path = try Fixture.file([UInt8](repeating: 0, count: 64 << 20), name: "zeros")
        defer { Fixture.remove(path) }
        for format in [InputFormat.csv, .jsonl] {
            let file = try InputFile(path: path)
            var error: InputError?
            do {
                let reader = try makeRowReader(file: file, format: format, columns: ["id"], required: [])
                var row = InputRow(columnCount: 1)
                while try reader.next(into: &row) {}
            } catch let e as InputError {
                error = e
            }
            #expect(error?.line == 1, "\(format)")
            #expect(error?.message.contains("NUL") == true, "\(format)")
            // One buffer (1 MiB) was read before failing, not the whole file.
            #expect(file.rawBytesRead <= 2 << 20, "\(format)")
        }
    }

    @Test("a character cut by a buffer boundary is read whole")
    func characterAcrossBufferBoundary() throws {
        // "é" (2 bytes) and "€" (3 bytes) straddle the 1 MiB chunk boundary at each cut.
        for shift in 0..<4 {
            let pad = String(repeating: "p", count: (1 << 20) - 11 - shift)
            let text = "id,name\n1,\(pad)é€x\n2,b\n"
            let r = try read(text, .csv, columns: ["id", "name"])
            #expect(r.rows.count == 2)
            #expect(r.rows[0].values[1]?.hasSuffix("é€x") == true)
        }
    }

    @Test("a skipped record whose characters are cut by buffer boundaries: no false UTF-8 error, nothing left over")
    func skippedRecordWithCharactersAcrossBuffers() throws {
        // 3 MiB of "€" (3 bytes): with 0, 1 or 2 bytes before it, the 1 MiB boundaries cut
        // characters at every position; the record ends the file or is followed by another.
        let euros = String(repeating: "€", count: 1 << 20)
        for shift in 0..<3 {
            let pad = String(repeating: "p", count: shift)
            for tail in ["", "\n"] {
                let csv = try readLimited("id,name\n1,\(pad)\(euros)\(tail)", .csv, columns: ["id", "name"])
                #expect(csv.count == 1 && csv[0].rejection?.reason.contains("longer than 1 KiB") == true, "csv \(shift) \(tail.count)")
                let followed = try readLimited("id,name\n1,\(pad)\(euros)\n2,b\(tail)", .csv, columns: ["id", "name"])
                #expect(followed.map(\.values) == [[nil, nil], ["2", "b"]], "csv \(shift) \(tail.count)")
                let jsonl = try readLimited("{\"id\": \"\(pad)\(euros)\"}\(tail)", .jsonl, columns: ["id"])
                #expect(jsonl.count == 1 && jsonl[0].rejection?.reason.contains("longer than 1 KiB") == true, "jsonl \(shift) \(tail.count)")
                let next = try readLimited("{\"id\": \"\(pad)\(euros)\"}\n{\"id\": 2}\(tail)", .jsonl, columns: ["id"])
                #expect(next.map(\.values) == [[nil], ["2"]], "jsonl \(shift) \(tail.count)")
            }
        }
    }

    @Test("sizes: bytes or binary units, within 1 KiB and 1 GiB; described as people read them")
    func parseAndDescribe() {
        #expect(RecordLimit.parse("16MiB") == 16 << 20)
        #expect(RecordLimit.parse("64m") == 64 << 20)
        #expect(RecordLimit.parse("1048576") == 1 << 20)
        #expect(RecordLimit.parse("1 GiB") == 1 << 30)
        #expect(RecordLimit.parse("2GiB") == nil)
        #expect(RecordLimit.parse("100") == nil)
        #expect(RecordLimit.parse("lots") == nil)
        #expect(RecordLimit.describe(16 << 20) == "16 MiB")
        #expect(RecordLimit.describe(1500) == "1500 bytes")
    }
}
