import Foundation
import Testing
@testable import PatronInput

@Suite("JSON Lines reader")
struct JSONLReaderTests {
    let cols = ["id", "email", "name", "vip"]

    func one(_ line: String, required: Set<String> = []) throws -> ReadRow {
        let r = try read(line + "\n", .jsonl, columns: cols, required: required)
        try #require(r.rows.count == 1)
        return r.rows[0]
    }

    @Test("scalars become text; keys are matched case-insensitively; null is nil but present")
    func scalars() throws {
        let row = try one(#"{"ID": 1001, "Email": "a@x.org", "name": null, "VIP": true}"#)
        #expect(row == ReadRow(line: 1, values: ["1001", "a@x.org", nil, "true"], present: [true, true, true, true], rejection: nil))
        let row2 = try one(#"{"vip":false,"id":"A-1"}"#)
        #expect(row2.values == ["A-1", nil, nil, "false"])
        #expect(row2.present == [true, false, false, true])
    }

    @Test("ids given as JSON numbers become their decimal text, exactly as written", arguments: [
        ("1001", "1001"), ("0", "0"), ("-7", "-7"), ("12.50", "12.50"), ("1e3", "1e3"),
        ("1.5E-3", "1.5E-3"), ("-0", "-0"), ("123456789012345678901234567890", "123456789012345678901234567890"),
    ])
    func numbersAsText(_ literal: String, _ expected: String) throws {
        #expect(try one(#"{"id": \#(literal)}"#).values[0] == expected)
    }

    @Test("an empty string is nil (like an empty CSV field); whitespace is kept exactly")
    func emptyString() throws {
        #expect(try one(#"{"id":"","name":"  x "}"#).values == [nil, nil, "  x ", nil])
    }

    @Test("all JSON escapes are decoded")
    func escapes() throws {
        let row = try one(#"{"name": "q\" b\\ s\/ \b\f\n\r\t \u00e9\u4E2D end"}"#)
        #expect(row.values[2] == "q\" b\\ s/ \u{8}\u{C}\n\r\t é中 end")
    }

    @Test("surrogate pairs decode to one character; unpaired surrogates reject the row")
    func surrogatePairs() throws {
        #expect(try one(#"{"name": "smile \ud83d\ude00!"}"#).values[2] == "smile 😀!")
        #expect(try one(#"{"name": "\uD834\uDD1E"}"#).values[2] == "𝄞")
        for bad in [#"{"name": "\ud83d"}"#, #"{"name": "\ud83d x"}"#, #"{"name": "\ude00"}"#, #"{"name": "\ud83d\u0041"}"#] {
            let row = try one(bad)
            #expect(row.rejection?.reason.contains("surrogate") == true, "\(bad)")
            #expect(row.rejection?.column == "name")
        }
    }

    @Test("a raw tab (or any control character) inside a string rejects the row")
    func rawTab() throws {
        let r = try read("{\"id\":\"1\",\"name\":\"a\tb\"}\n{\"id\":\"2\"}\n{\"id\":\"3\",\"zzz\":\"a\u{1}\"}\n", .jsonl, columns: cols)
        #expect(r.rows.count == 3)
        #expect(r.rows[0].rejection?.reason.contains("control character U+0009") == true)
        #expect(r.rows[0].rejection?.column == "name")
        #expect(r.rows[0].values == [nil, nil, nil, nil])
        #expect(r.rows[1].rejection == nil)
        #expect(r.rows[2].rejection?.reason.contains("U+0001") == true)
    }

    @Test("a tab between tokens is JSON whitespace, not a rejection")
    func tabAsWhitespace() throws {
        #expect(try one("{\t\"id\" :\t1 }\t").values[0] == "1")
    }

    @Test("\\u0000 in a string rejects the row")
    func escapedNul() throws {
        let row = try one(#"{"id": "1", "name": "a\u0000b"}"#)
        #expect(row.rejection?.reason.contains("\\u0000") == true)
        #expect(row.rejection?.column == "name")
        // Also in an ignored key and in a key.
        #expect(try one(#"{"id": "1", "other": "\u0000"}"#).rejection != nil)
        #expect(try one(#"{"id\u0000": "1"}"#).rejection != nil)
    }

    @Test("an array or object as the value of a requested key rejects the row")
    func nestedValue() throws {
        let row = try one(#"{"id": "1", "name": {"first": "A"}}"#)
        #expect(row.rejection?.column == "name")
        #expect(row.rejection?.reason.contains("found an object") == true)
        #expect(row.rejection?.value == #"{"first": "A"}"#)
        #expect(try one(#"{"id": [1,2]}"#).rejection?.reason.contains("found an array") == true)
    }

    @Test("nested values of keys that are not requested are ignored (and the keys reported)")
    func nestedIgnored() throws {
        let r = try read(#"{"id": 1, "Meta": {"a": [1, {"b": null}], "c": "d"}, "tags": []}"# + "\n" + #"{"id": 2, "meta": {}, "more": 1}"#, .jsonl, columns: cols)
        #expect(r.rows.map(\.values) == [["1", nil, nil, nil], ["2", nil, nil, nil]])
        #expect(r.rows.allSatisfy { $0.rejection == nil })
        #expect(r.unknownColumns == ["Meta", "tags", "more"])
    }

    @Test("a line that is not a JSON object rejects that row only", arguments: [
        "[1, 2]", "42", "\"text\"", "null", "true", "id,name",
    ])
    func notAnObject(_ line: String) throws {
        // (Not the first line: a first line opening with `[` is a JSON array, which fails the file.)
        let r = try read("{\"id\": 5}\n" + line + "\n", .jsonl, columns: cols)
        #expect(r.rows.count == 2)
        #expect(r.rows[1].rejection?.reason.hasPrefix("not a JSON object") == true)
        #expect(r.rows[1].rejection?.value == line)
        #expect(r.rows[0] == ReadRow(line: 1, values: ["5", nil, nil, nil], present: [true, false, false, false], rejection: nil))
    }

    @Test("a JSON array fails the whole file, saying JSON Lines is expected and which command reads exports", arguments: [
        "[{\"id\": 1}, {\"id\": 2}]\n",
        "\n  [\n  {\"id\": 1},\n  {\"id\": 2}\n]\n",
        "\u{FEFF}[]",
    ])
    func jsonArray(_ text: String) throws {
        let error = try #require(inputError(text, .jsonl, columns: cols, required: ["id"]))
        #expect(error.message.contains("JSON array"))
        #expect(error.message.contains("JSON Lines: one JSON object per line"))
        #expect(error.message.contains("patron import VENDOR"))
    }

    @Test("an API envelope ({\"tickets\": [{…}]}) fails the whole file, on one line or pretty-printed", arguments: [
        "{\"tickets\": [{\"id\": 1}, {\"id\": 2}], \"next_page\": null}\n",
        "{\n  \"tickets\" : [\n    {\"id\": 1},\n    {\"id\": 2}\n  ]\n}\n",
    ])
    func apiEnvelope(_ text: String) throws {
        let error = try #require(inputError(text, .jsonl, columns: cols, required: ["id"]))
        #expect(error.line == 1)
        #expect(error.message.contains("\"tickets\": [{…}]"))
        #expect(error.message.contains("one JSON object per line"))
        #expect(error.message.contains("patron import VENDOR"))
    }

    @Test("a JSON Lines record whose first member is an array of objects still reads, if it is a row")
    func leadingArrayMemberInARow() throws {
        let r = try read("{\"items\": [{\"sku\": \"A\"}], \"id\": 7}\n{\"id\": 8}\n", .jsonl, columns: cols, required: ["id"])
        #expect(r.rows.map(\.values[0]) == ["7", "8"])
        #expect(r.rows.allSatisfy { $0.rejection == nil })
    }

    @Test("JSON Lines are strict RFC 8259: syntax errors reject the row", arguments: [
        #"{"id": 1,}"#, #"{'id': 1}"#, #"{id: 1}"#, #"{"id": 1} x"#, #"{"id": 1}{"id": 2}"#, #"{"id": NaN}"#,
        #"{"id": 01}"#, #"{"id": 1.}"#, #"{"id": .5}"#, #"{"id": +1}"#, #"{"id": 1e}"#, #"{"id": tru}"#,
        #"{"id": "1"#, #"{"id" 1}"#, #"{"id": 1"#, #"{"id": "\x"}"#, #"{"id": "\u12"}"#, #"{"other": [1,]}"#,
        #"{"other": {"a" 1}}"#, #"{"id": True}"#, #"{"id": -}"#, #"{"#,
    ])
    func strictSyntax(_ line: String) throws {
        let row = try one(line)
        #expect(row.rejection != nil, "\(line) should be rejected")
    }

    @Test("a missing required key rejects the row, naming the key; null still counts as present")
    func missingRequiredKey() throws {
        let row = try one(#"{"name": "x"}"#, required: ["id", "email"])
        #expect(row.rejection?.column == "id")
        #expect(row.rejection?.reason == "missing required key \"id\"")
        let present = try one(#"{"id": null, "email": "a@b"}"#, required: ["id", "email"])
        #expect(present.rejection == nil)
        #expect(present.present[0] == true)
    }

    @Test("a duplicate key (after lower-casing) rejects the row")
    func duplicateKey() throws {
        let row = try one(#"{"id": 1, "name": "a", "NAME": "b"}"#)
        #expect(row.rejection?.reason.contains("duplicate key") == true)
        #expect(row.rejection?.column == "name")
        // Duplicates of ignored keys too, but the same ignored key in another row is fine.
        let r = try read(#"{"id": 1, "x": 1, "X": 2}"# + "\n" + #"{"id": 2, "x": 1}"# + "\n", .jsonl, columns: cols)
        #expect(r.rows[0].rejection?.reason.contains("duplicate key") == true)
        #expect(r.rows[1].rejection == nil)
    }

    @Test("keys match with Unicode-aware lower-casing")
    func unicodeKeys() throws {
        let r = try read("{\"ÉTAT\": \"ok\", \"\\u0049D\": 3}\n", .jsonl, columns: ["état", "id"])
        #expect(r.rows.map(\.values) == [["ok", "3"]])
    }

    @Test("an empty JSON Lines file is a valid load of zero rows", arguments: ["", "\n", "  \n\t\n", "\r\n", "\u{FEFF}"])
    func emptyFile(_ text: String) throws {
        let r = try read(text, .jsonl, columns: cols, required: ["id"])
        #expect(r.rows.isEmpty)
    }

    @Test("blank lines are skipped and not counted as rows, but count for line numbers")
    func blankLines() throws {
        let r = try read("\n{\"id\":1}\n   \n\t\n{\"id\":2}\n\n", .jsonl, columns: cols)
        #expect(r.rows.map(\.line) == [2, 5])
    }

    @Test("CRLF line ends are accepted; the last line may lack a line end")
    func crlf() throws {
        let r = try read("{\"id\":1}\r\n{\"id\":\"a\\r\\n\"}\r\n{\"id\":3}", .jsonl, columns: cols)
        #expect(r.rows.map(\.values) == [["1", nil, nil, nil], ["a\r\n", nil, nil, nil], ["3", nil, nil, nil]])
        #expect(r.rows.allSatisfy { $0.rejection == nil })
    }

    @Test("a UTF-8 byte order mark at the start is dropped")
    func byteOrderMark() throws {
        let r = try read([0xEF, 0xBB, 0xBF] + Array("{\"id\":1}\n".utf8), .jsonl, columns: cols)
        #expect(r.rows.map(\.values) == [["1", nil, nil, nil]])
    }

    @Test("a NUL byte fails the whole file, naming its line")
    func nulByte() throws {
        let e = inputError(Array("{\"id\":1}\n\n{\"id\":\"a".utf8) + [0] + Array("\"}\n".utf8), .jsonl, columns: cols)
        #expect(e?.line == 3)
        #expect(e?.message.contains("NUL") == true)
    }

    @Test("bytes that are not UTF-8 fail the whole file, naming the line")
    func invalidUTF8() throws {
        let e = inputError(Array("{\"id\":1}\n{\"id\":\"caf".utf8) + [0xE9] + Array("\"}\n".utf8), .jsonl, columns: cols)
        #expect(e?.line == 2)
        #expect(e?.message.contains("UTF-8") == true)
    }

    @Test("non-ASCII text passes through unchanged")
    func unicodeValues() throws {
        #expect(try one(#"{"name": "Zoë 北京 😀 é"}"#).values[2] == "Zoë 北京 😀 é")
    }

    @Test("long lines and many lines across chunk boundaries")
    func largeInput() throws {
        var text = ""
        let n = 40_000
        for i in 0..<n { text += "{\"id\": \(i), \"email\": \"user\(i)@example.com\", \"name\": \"N\\u00e9 \(i)\"}\n" }
        let big = String(repeating: "y", count: 3 << 20)
        text += "{\"id\": \"big\", \"name\": \"\(big)\"}\n"
        let r = try read(text, .jsonl, columns: cols)
        #expect(r.rows.count == n + 1)
        #expect(r.rows.allSatisfy { $0.rejection == nil })
        #expect(r.rows[31_337].values == ["31337", "user31337@example.com", "Né 31337", nil])
        #expect(r.rows[31_337].line == 31_338)
        #expect(r.rows[n].values[2]?.utf8.count == 3 << 20)
    }

    /// Keys spelled exactly like a column are found through a hash of their bytes; everything
    /// else must still go through the case-insensitive look-up, and near misses must not match.
    @Test("exact, upper-case, escaped and near-miss keys; every column of a wide entity")
    func keyLookUp() throws {
        let r = try read(#"""
            {"id":"1","EMAIL":"a@b","n\u0061me":"x","vip":true}
            {"iD":"2","email ":"no","nam":"no","vipp":"no","d":"no","name":"y"}
            {"\u0069d":"3","emaiL":"c@d","Name":"z","VIP":false}

            """#, .jsonl, columns: cols)
        #expect(r.rows.map(\.values) == [["1", "a@b", "x", "true"], ["2", nil, "y", nil], ["3", "c@d", "z", "false"]])
        #expect(r.unknownColumns == ["email ", "nam", "vipp", "d"])

        // Many columns (more chances of two names sharing a hash slot): each key finds its own.
        let wide = (0..<40).map { "column_\($0)" } + ["a", "b", "ab", "ba", "created_at", "resolved_at", "first_response_at"]
        let line = "{" + wide.enumerated().map { "\"\($1)\":\"\($0)\"" }.joined(separator: ",") + "}\n"
        let upper = "{" + wide.enumerated().map { "\"\($1.uppercased())\":\"\($0)\"" }.joined(separator: ",") + "}\n"
        let w = try read(line + upper, .jsonl, columns: wide)
        #expect(w.rows.count == 2)
        for row in w.rows { #expect(row.values == wide.indices.map { "\($0)" }) }
        #expect(w.unknownColumns.isEmpty)
    }
}
