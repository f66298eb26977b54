import PatronAnalyses
import PatronCore
import Testing

/// `--into` names read as PostgreSQL reads them (no database).
@Suite struct IntoTargetTests {
    @Test("unquoted parts fold to lower case; quoted parts keep case, dots and doubled quotes")
    func parsing() throws {
        #expect(try IntoTarget.parse("Reporting.Ret") == IntoTarget(schema: "reporting", table: "ret", unquoted: ["reporting", "ret"]))
        #expect(try IntoTarget.parse("ret") == IntoTarget(schema: nil, table: "ret", unquoted: ["ret"]))
        #expect(try IntoTarget.parse("\"Reporting\".\"Ret\"") == IntoTarget(schema: "Reporting", table: "Ret", unquoted: []))
        #expect(try IntoTarget.parse("\"my.schema\".\"a\"\"b\"") == IntoTarget(schema: "my.schema", table: "a\"b", unquoted: []))
        #expect(try IntoTarget.parse("_x9.\"Order\"") == IntoTarget(schema: "_x9", table: "Order", unquoted: ["_x9"]))
        #expect(try IntoTarget.parse(String(repeating: "A", count: 63)).table == String(repeating: "a", count: 63))
    }

    @Test("names that would need quoting, empty parts, more than two parts and over 63 bytes are usage errors",
          arguments: ["my-table", "2024", "a b", "Café", "\u{212A}", "a.b.c", "a.", ".b", "", "\"\"", "\"open", "\"a\"b", "a\"b",
                      String(repeating: "t", count: 64), "\"" + String(repeating: "é", count: 32) + "\""])
    func refused(_ text: String) {
        #expect(throws: PatronError.self) { try IntoTarget.parse(text) }
    }

    @Test("shown as SQL would spell it, with the default schema filled in")
    func description() throws {
        #expect(try IntoTarget.parse("Ret").inSchema(default: "patron_reports").description == "patron_reports.ret")
        #expect(try IntoTarget.parse("\"Rep\".\"a\"\"b\"").inSchema(default: "x").description == "\"Rep\".\"a\"\"b\"")
    }
}
