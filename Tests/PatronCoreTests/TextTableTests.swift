import Testing
import PatronCore

/// What `patron status` and `patron rejects` print on a terminal.
@Suite struct TextTableTests {
    @Test func controlCharactersInValuesAreShownEscaped() {
        // A rejected value from a hostile file: an escape sequence that would clear the screen,
        // a line break that would forge a row, a bell, a tab, a C1 control.
        let table = TextTable(columns: ["line", "value"], rows: [
            ["3", "\u{1B}[2Jgone\nline 4,forged\u{07}\tx\u{9B}"],
            ["5", "plain café"],
        ])
        let printed = table.aligned()
        #expect(printed == """
            line  value
            ----  ------------------------------------------
               3  \\u{1B}[2Jgone\\nline 4,forged\\u{7}\\tx\\u{9B}
               5  plain café

            """)
        #expect(!printed.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        // CSV is data for programs: values stay exactly as stored.
        #expect(table.csv().contains("\u{1B}[2Jgone\nline 4"))
    }
}

/// The formats status, rejects and list share with `run`.
@Suite struct TextTableFormatTests {
    let table = TextTable(columns: ["line", "value"], rows: [["3", "a|b\nc"], ["12", nil]])

    @Test func markdownAlignsNumbersRightAndEscapesPipesAndControls() {
        #expect(table.markdown() == """
            | line | value   |
            | ---: | ------- |
            |    3 | a\\|b\\nc |
            |   12 |         |

            """)
    }

    @Test func jsonLinesHoldsOneObjectPerRow() {
        #expect(table.jsonLines() == "{\"line\":3,\"value\":\"a|b\\nc\"}\n{\"line\":12,\"value\":null}\n")
        #expect(TextTable(columns: ["a"]).jsonLines() == "")
    }
}
