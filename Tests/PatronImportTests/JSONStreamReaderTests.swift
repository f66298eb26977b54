import Foundation
import Testing
import PatronImport
import PatronInput

/// The streaming JSON reader's strings: plain runs are taken from the buffer at once, escapes and
/// control characters the long way; both must give the same text and the same errors.
@Suite struct JSONStreamReaderTests {
    static func read(_ text: String) throws -> JSONValue {
        let folder = try FixtureFolder()
        let reader = try JSONStreamReader(file: try InputFile(path: try folder.write("v.json", text)))
        return try reader.readValue()
    }

    @Test func escapesBetweenPlainRuns() throws {
        #expect(try Self.read(#""a\"b\\c\/d\ne\tf\u00e9g\ud83d\ude00h""#) == .string("a\"b\\c/d\ne\tf\u{e9}g\u{1F600}h"))
        #expect(try Self.read(#""""#) == .string(""))
        #expect(try Self.read(#""\n""#) == .string("\n"))
        #expect(try Self.read("\"Zoë – 東京\"") == .string("Zoë – 東京"))
    }

    @Test func aStringAcrossChunksAndMultiByteCharactersSplitByThem() throws {
        // 1 MiB chunks: a 3 MiB string of 3-byte characters, with an escape now and then.
        var text = ""
        for i in 0..<350_000 { text += i % 1000 == 0 ? "\\\"東" : "東" }
        let value = try Self.read("{\"k\": \"" + text + "\", \"n\": 1}")
        let expected = text.replacingOccurrences(of: "\\\"", with: "\"")
        #expect(value["k"] == .string(expected))
        #expect(value["n"] == .number("1"))
    }

    @Test func controlCharactersAndTruncationStillFail() throws {
        #expect { try Self.read("\"a\tb\"") } throws: { "\($0)".contains("control character") }
        #expect { try Self.read("\"a\nb\"") } throws: { "\($0)".contains("control character") }
        #expect { try Self.read("{\"k\": \"abc") } throws: { "\($0)".contains("truncated") }
        #expect { try Self.read("\"a\\u0000b\"") } throws: { "\($0)".contains("NUL") }
    }

    /// A page of records, one read whole at a time, with the input's record limit at 1 KiB.
    static func readRecords(_ text: String) throws -> [JSONValue] {
        let folder = try FixtureFolder()
        let file = try InputFile(path: try folder.write("page.json", text))
        file.maxRecordBytes = 1024
        let reader = try JSONStreamReader(file: file)
        var records: [JSONValue] = []
        guard try reader.beginDocument() == UInt8(ascii: "[") else { return records }
        while try reader.nextElement() { records.append(try reader.readValue()) }
        return records
    }

    @Test func aRecordLongerThanTheLimitFailsTheFileNamingItsLine() throws {
        // The page is far over the limit; each record is under it.
        let small = Array(repeating: #"{"id": 1, "tags": ["a", "b"], "note": "short"}"#, count: 500)
        #expect(try Self.readRecords("[" + small.joined(separator: ",\n") + "]").count == 500)
        // A record of many small members and elements (no one value is long).
        let big = "{\"id\": 2, \"tags\": [" + Array(repeating: "\"t\"", count: 2000).joined(separator: ",") + "]}"
        #expect { _ = try Self.readRecords("[\n{\"id\": 1},\n" + big + "\n]") } throws: { error in
            let e = error as? InputError
            return e?.line == 3 && e?.message.contains("a JSON record longer than 1 KiB") == true
        }
        let wide = "{" + (0..<500).map { "\"k\($0)\": \($0)" }.joined(separator: ", ") + "}"
        #expect { _ = try Self.readRecords("[" + wide + "]") } throws: { "\($0)".contains("longer than 1 KiB") }
    }
}
