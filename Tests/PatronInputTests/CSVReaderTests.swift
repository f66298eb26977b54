import Foundation
import Testing
@testable import PatronInput

@Suite("CSV reader")
struct CSVReaderTests {
    let cols = ["id", "email", "name"]

    @Test("header names are trimmed and matched case-insensitively; values follow the requested order")
    func headerMatching() throws {
        let r = try read(" NAME ,Id,\tEmail\n Ann ,1,a@x.org\n", .csv, columns: cols)
        #expect(r.rows == [ReadRow(line: 2, values: ["1", "a@x.org", " Ann "], present: [true, true, true], rejection: nil)])
        #expect(r.unknownColumns.isEmpty)
    }

    @Test("header matching is Unicode-aware (lower-casing of non-ASCII names)")
    func unicodeHeader() throws {
        let r = try read("ÉTAT,ID\nok,1\n", .csv, columns: ["id", "état"])
        #expect(r.rows.map(\.values) == [["1", "ok"]])
    }

    @Test("unknown columns are ignored and reported once, in their original spelling")
    func unknownColumns() throws {
        let r = try read("id,Favourite Colour,email,extra\n1,blue,a@x.org,z\n2,red,,y\n", .csv, columns: cols)
        #expect(r.unknownColumns == ["Favourite Colour", "extra"])
        #expect(r.rows.map(\.values) == [["1", "a@x.org", nil], ["2", nil, nil]])
        #expect(r.rows[0].present == [true, true, false])
    }

    @Test("an empty field, quoted or not, is nil; other values are kept exactly (not trimmed)")
    func emptyAndExactValues() throws {
        let r = try read("id,email,name\n,\"\",  spaced  \n\" 1 \",x@y, \n", .csv, columns: cols)
        #expect(r.rows.map(\.values) == [[nil, nil, "  spaced  "], [" 1 ", "x@y", " "]])
    }

    @Test("a UTF-8 byte order mark at the start is dropped")
    func byteOrderMark() throws {
        let r = try read([0xEF, 0xBB, 0xBF] + Array("id,name\n1,Zoë\n".utf8), .csv, columns: cols)
        #expect(r.rows == [ReadRow(line: 2, values: ["1", nil, "Zoë"], present: [true, false, true], rejection: nil)])
    }

    @Test("CRLF line ends are accepted (and not part of values)")
    func crlf() throws {
        let r = try read("id,name\r\n1,Ann\r\n2,\"B\r\nob\"\r\n3,\r\n", .csv, columns: cols)
        #expect(r.rows.map(\.values) == [["1", nil, "Ann"], ["2", nil, "B\r\nob"], ["3", nil, nil]])
        #expect(r.rows.map(\.line) == [2, 3, 5])
    }

    @Test("a quoted field may hold delimiters, newlines and doubled quotes")
    func quotedFields() throws {
        let r = try read("id,name\n1,\"Doe, \"\"JD\"\" John\"\n2,\"two\nlines\"\n", .csv, columns: cols)
        #expect(r.rows.map(\.values) == [["1", nil, "Doe, \"JD\" John"], ["2", nil, "two\nlines"]])
    }

    @Test("line numbers: the physical line a record starts on; quoted newlines count")
    func lineNumbersWithQuotedNewlines() throws {
        let text = "id,name\n1,\"a\nb\nc\"\n2,x\n3,\"\n\"\n4,y"
        let r = try read(text, .csv, columns: cols)
        #expect(r.rows.map(\.line) == [2, 5, 6, 8])
        #expect(r.rows.map { $0.values[0] } == ["1", "2", "3", "4"])
    }

    @Test("blank lines are skipped, not returned as rows, but counted in line numbers")
    func blankLines() throws {
        let r = try read("\nid,name\n\n1,a\n\r\n\n2,b\n\n", .csv, columns: cols)
        #expect(r.rows.map(\.line) == [4, 7])
        #expect(r.rows.map { $0.values[0] } == ["1", "2"])
    }

    @Test("a line of only delimiters is not blank: it is a row of empty values")
    func delimitersOnlyIsARow() throws {
        let r = try read("id,email,name\n,,\n", .csv, columns: cols)
        #expect(r.rows == [ReadRow(line: 2, values: [nil, nil, nil], present: [true, true, true], rejection: nil)])
    }

    @Test("a stray quote inside an unquoted field is literal")
    func strayQuote() throws {
        let r = try read("id,name\n1,ab\"c\n2,5\" screen\n3, \"x\"\n4,a\"\"b\n", .csv, columns: cols)
        #expect(r.rows.map { $0.values[2] } == ["ab\"c", "5\" screen", " \"x\"", "a\"\"b"])
        #expect(r.rows.allSatisfy { $0.rejection == nil })
    }

    @Test("text after a closing quote rejects the row (naming the column); reading goes on")
    func textAfterClosingQuote() throws {
        let r = try read("id,name\n1,\"ab\"c\n2,\"ok\"\n3,\"x\"\"y\"z,\n", .csv, columns: cols)
        #expect(r.rows.count == 3)
        #expect(r.rows[0].rejection?.column == "name")
        #expect(r.rows[0].rejection?.value == "\"ab\"c")
        #expect(r.rows[0].rejection?.reason.contains("after a closing quote") == true)
        #expect(r.rows[0].values == [nil, nil, nil])
        #expect(r.rows[1] == ReadRow(line: 3, values: ["2", nil, "ok"], present: [true, false, true], rejection: nil))
        #expect(r.rows[2].rejection != nil)
    }

    @Test("an unterminated quote fails the file, naming the line where the field started")
    func unterminatedQuote() throws {
        let e = inputError("id,name\n1,ok\n\n2,\"abc\ndef\n3,x\n", .csv, columns: cols)
        #expect(e?.line == 4)
        #expect(e?.message.contains("unterminated") == true)
        // The field may start after newlines inside the same record.
        let e2 = inputError("id,name,x\n1,\"a\nb\",\"open\n", .csv, columns: cols)
        #expect(e2?.line == 3)
    }

    @Test("a NUL byte anywhere fails the file, naming its line")
    func nulByte() throws {
        let bytes = Array("id,name\n1,a\n2,\"x\ny\"\n3,b".utf8) + [0] + Array("c\n".utf8)
        let e = inputError(bytes, .csv, columns: cols)
        #expect(e?.line == 5)
        #expect(e?.message.contains("NUL") == true)
        // Also in a column that is not requested.
        let e2 = inputError(Array("id,other\n1,a".utf8) + [0] + [0x0A], .csv, columns: ["id"])
        #expect(e2?.line == 2)
    }

    @Test("bytes that are not UTF-8 fail the file, naming the line", arguments: [
        [0xFF],                 // never valid
        [0xC3],                 // truncated sequence at the end of the field
        [0xC0, 0x80],           // overlong
        [0xED, 0xA0, 0x80],     // surrogate
        [0xF4, 0x90, 0x80, 0x80], // beyond U+10FFFF
        [0xE9, 0x74, 0xE9],     // Latin-1 "été"
    ] as [[UInt8]])
    func invalidUTF8(_ bad: [UInt8]) throws {
        let bytes = Array("id,name\n1,ok\n2,".utf8) + bad + Array("\n3,fine\n".utf8)
        let e = inputError(bytes, .csv, columns: cols)
        #expect(e?.line == 3)
        #expect(e?.message.contains("UTF-8") == true)
        // In the header, and in an ignored column, too.
        #expect(inputError([0x69, 0x64, 0x2C] + bad + [0x0A], .csv, columns: ["id"])?.line == 1)
        #expect(inputError(Array("id,zz\n1,".utf8) + bad + [0x0A], .csv, columns: ["id"])?.line == 2)
    }

    @Test("valid multi-byte UTF-8 passes (2-, 3- and 4-byte sequences, long runs)")
    func validUTF8() throws {
        let name = "Zoë Ångström 北京 😀 " + String(repeating: "añb", count: 50)
        let r = try read("id,name\n1,\(name)\n", .csv, columns: cols)
        #expect(r.rows[0].values[2] == name)
    }

    @Test("a duplicate column name (after trimming and lower-casing) fails the file")
    func duplicateHeader() throws {
        let e = inputError("id,Email,name, email \n1,a,b,c\n", .csv, columns: cols)
        #expect(e?.line == 1)
        #expect(e?.message.contains("duplicate column name") == true)
        // Duplicates of ignored columns fail too.
        #expect(inputError("id,foo,FOO\n", .csv, columns: cols) != nil)
    }

    @Test("empty header names are allowed and ignored (trailing delimiter)")
    func emptyHeaderNames() throws {
        let r = try read("id,name,,\n1,a,,\n", .csv, columns: cols)
        #expect(r.rows.map(\.values) == [["1", nil, "a"]])
        #expect(r.unknownColumns.isEmpty)
    }

    @Test("a header missing a required column fails the file, naming the missing column(s)")
    func missingRequiredHeader() throws {
        let e = inputError("name\nx\n", .csv, columns: cols, required: ["id", "email"])
        #expect(e?.message == "missing required columns: id, email")
        #expect(e?.column == "id, email")
        #expect(e?.line == 1)
        let e1 = inputError("name,email\nx,y\n", .csv, columns: cols, required: ["id", "email"])
        #expect(e1?.message == "missing required column: id")
        // Present required columns are fine.
        #expect(try read("ID,email\n", .csv, columns: cols, required: ["id", "email"]).rows.isEmpty)
    }

    @Test("an empty CSV (no header row) fails the file", arguments: ["", "\n\n", "\r\n", "\u{FEFF}"])
    func emptyCSV(_ text: String) throws {
        let e = inputError(text, .csv, columns: cols)
        #expect(e?.message.contains("no header") == true)
    }

    @Test("a header alone is a valid file of zero rows")
    func headerOnly() throws {
        #expect(try read("id,name", .csv, columns: cols).rows.isEmpty)
        #expect(try read("id,name\n\n", .csv, columns: cols).rows.isEmpty)
    }

    @Test("a row with a different number of fields than the header is rejected; others load")
    func fieldCountMismatch() throws {
        let r = try read("id,email,name\n1,a\n2,b,c\n3,b,c,d\n", .csv, columns: cols)
        #expect(r.rows.count == 3)
        #expect(r.rows[0].rejection?.reason == "expected 3 fields, found 2")
        #expect(r.rows[0].rejection?.value == "1,a")  // the record, without its line ending
        #expect(r.rows[0].line == 2)
        #expect(r.rows[1].rejection == nil)
        #expect(r.rows[1].values == ["2", "b", "c"])
        #expect(r.rows[2].rejection?.reason == "expected 3 fields, found 4")
    }

    @Test("the last record may lack a line end; a trailing CR ends it")
    func lastLineWithoutNewline() throws {
        #expect(try read("id,name\n1,a", .csv, columns: cols).rows.map(\.values) == [["1", nil, "a"]])
        #expect(try read("id,name\n1,a\r", .csv, columns: cols).rows.map(\.values) == [["1", nil, "a"]])
        #expect(try read("id,name\n1,\"a\"", .csv, columns: cols).rows.map(\.values) == [["1", nil, "a"]])
        #expect(try read("id,name\n1,", .csv, columns: cols).rows.map(\.values) == [["1", nil, nil]])
    }

    @Test("a lone CR (not before LF) is an ordinary character")
    func loneCR() throws {
        let r = try read("id,name\n1,a\rb\n", .csv, columns: cols)
        #expect(r.rows.map(\.values) == [["1", nil, "a\rb"]])
    }

    @Test("another delimiter can be chosen")
    func semicolonDelimiter() throws {
        let r = try read("id;name\n1;\"a;b\"\n2;c,d\n", .csv, columns: cols, delimiter: UInt8(ascii: ";"))
        #expect(r.rows.map(\.values) == [["1", nil, "a;b"], ["2", nil, "c,d"]])
    }

    @Test("records across chunk boundaries, and a field larger than a chunk, read correctly")
    func largeInput() throws {
        var text = "id,email,name\n"
        let n = 60_000
        for i in 0..<n { text += "\(i),user\(i)@example.com,\"Name, \"\"\(i)\"\"\nsecond line\"\n" }
        let big = String(repeating: "x", count: 3 << 20)
        text += "big,,\"\(big)\"\n"
        text += "last,,end"
        let r = try read(text, .csv, columns: cols)
        #expect(r.rows.count == n + 2)
        #expect(r.rows.allSatisfy { $0.rejection == nil })
        #expect(r.rows[12_345].values == ["12345", "user12345@example.com", "Name, \"12345\"\nsecond line"])
        #expect(r.rows[12_345].line == 2 + 12_345 * 2)
        #expect(r.rows[n].values[2]?.utf8.count == 3 << 20)
        #expect(r.rows[n].line == 2 + n * 2)
        #expect(r.rows[n + 1] == ReadRow(line: 3 + n * 2, values: ["last", nil, "end"], present: [true, true, true], rejection: nil))
    }

    @Test("a row value reused between calls does not leak values of earlier rows")
    func rowReuse() throws {
        let r = try read("id,email,name\n1,a,b\n2,,\n3,x\n4,,c\n", .csv, columns: cols)
        #expect(r.rows.map(\.values) == [["1", "a", "b"], ["2", nil, nil], [nil, nil, nil], ["4", nil, "c"]])
    }

    /// The unquoted-field scan looks at eight bytes at a time: every position of a delimiter,
    /// CR, CRLF or LF within and across those words must end the field exactly there, and a lone
    /// CR must stay in the value. Reference: the same fields split by hand.
    @Test("unquoted fields of every length up to 20, ended at every offset by , CRLF or LF; lone CRs kept")
    func wordAtATimeScan() throws {
        for length in 0...20 {
            for terminator in ["\n", "\r\n"] {
                for lead in 0...9 {
                    let a = String(repeating: "a", count: lead)
                    let b = String((0..<length).map { Character(UnicodeScalar(UInt8(0x62 + $0 % 20))) })
                    let c = length % 3 == 0 ? "x\ry" : "z"
                    let text = "id,email,name\n" + a + "," + b + "," + c + terminator + b + ",," + a + terminator
                    let r = try read(text, .csv, columns: cols)
                    #expect(r.rows.map(\.values) == [[a.isEmpty ? nil : a, b.isEmpty ? nil : b, c],
                                                    [b.isEmpty ? nil : b, nil, a.isEmpty ? nil : a]],
                            "length \(length), lead \(lead), terminator \(terminator.debugDescription)")
                    #expect(r.rows.allSatisfy { $0.rejection == nil })
                }
            }
        }
    }

    @Test("a semicolon delimiter is found eight bytes at a time too; commas are then text")
    func wordAtATimeOtherDelimiter() throws {
        let r = try read("id;email;name\n0123456789abcdef,x;a,b,c,d,e,f,g,h,i;\n", .csv, columns: cols,
                         delimiter: UInt8(ascii: ";"))
        #expect(r.rows.map(\.values) == [["0123456789abcdef,x", "a,b,c,d,e,f,g,h,i", nil]])
    }
}
