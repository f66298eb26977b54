@testable import PatronAnalyses
import Testing

/// The terminal heatmap of `--pivot --format table` (no database): the retention pivot's
/// columns, rendered with and without colour and width.
@Suite("--pivot table: the terminal heatmap")
struct HeatmapWriterTests {
    static let spec = PivotSpec(rowKeys: ["segment", "cohort", "cohort_size"], columnKey: "period_offset",
                                valueColumn: "retention_rate", completeColumn: "complete", percent: true)

    static func columns(offsets: Int) -> [ResultColumn] {
        [ResultColumn(name: "segment", kind: .text), ResultColumn(name: "cohort", kind: .text),
         ResultColumn(name: "cohort_size", kind: .integer), ResultColumn(name: "complete_through", kind: .text)]
            + (0..<offsets).map { ResultColumn(name: "period_offset_\($0)", kind: .decimal) }
    }

    /// Jan: complete through k2, k3 partial (0); Feb: through k1 (k1 a complete 0, k2 a partial 0);
    /// Mar: empty cohort; Apr: nothing complete.
    static let rows: [[String?]] = [
        [nil, "2024-01-01", "2", "2", "1", "0.41256", "0.5", "0"],
        [nil, "2024-02-01", "3", "1", "1", "0", "0", nil],
        [nil, "2024-03-01", "0", "0", nil, nil, nil, nil],
        [nil, "2024-04-01", "1", nil, "1", nil, nil, nil],
    ]

    static func render(_ rows: [[String?]] = rows, offsets: Int = 4, depth: ColorDepth = .none, width: Int? = nil,
                       spec: PivotSpec = spec) throws -> (text: String, notes: [String]) {
        var bytes: [UInt8] = []
        var notes: [String] = []
        let writer = HeatmapWriter(sink: OutputSink(emit: { bytes += $0 }), spec: spec, depth: depth, width: width,
                                   note: { notes.append($0) })
        try writer.begin(columns: columns(offsets: offsets))
        for row in rows { try writer.row(row) }
        try writer.end()
        return (String(decoding: bytes, as: UTF8.self), notes)
    }

    @Test("fractions as percentages with one decimal, rounded half away from zero; a non-percent pivot keeps its numbers")
    func percentages() throws {
        #expect(HeatmapWriter.percentage("0.41256") == "41.3%")
        #expect(HeatmapWriter.percentage("0.41249") == "41.2%")
        #expect(HeatmapWriter.percentage("0.4125") == "41.3%")
        #expect(HeatmapWriter.percentage("1") == "100.0%")
        #expect(HeatmapWriter.percentage("0") == "0.0%")
        #expect(HeatmapWriter.percentage("0.3333333333") == "33.3%")
        #expect(HeatmapWriter.percentage("NaN") == "NaN")
        let (text, _) = try Self.render()
        #expect(text.contains("100.0%"))
        #expect(text.contains("41.3%"))
        #expect(!text.contains("0.4126"))
        var plain = Self.spec
        plain.percent = false
        let (numbers, _) = try Self.render(spec: plain)
        #expect(numbers.contains("0.4126"))
        #expect(!numbers.contains("%"))
    }

    @Test("without colour: frozen keys (the empty segment left out), no escape codes, incomplete cells marked, never a bare 0")
    func plainLayout() throws {
        let (text, notes) = try Self.render()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(!text.contains("\u{1B}"))
        #expect(notes.isEmpty)
        #expect(lines[0] == "cohort      cohort_size       0      1      2     3")
        #expect(lines[1] == "----------  -----------  ------  -----  -----  ----")
        // Jan k3 is 0 so far in a period not over: shown with its mark, not as a fall to 0.0%.
        #expect(lines[2] == "2024-01-01            2  100.0%  41.3%  50.0%  0.0%*")
        #expect(lines[3] == "2024-02-01            3  100.0%   0.0%   0.0%*")
        #expect(lines[4] == "2024-03-01            0")
        #expect(lines[5] == "2024-04-01            1  100.0%*")
        #expect(lines[6].contains("* period not over yet"))
        #expect(!lines[2].hasSuffix(" 0.0%"))
    }

    @Test("with colour: complete cells on the viridis scale (palette or truecolor), incomplete ones dim and uncoloured")
    func colours() throws {
        let (text, _) = try Self.render(depth: .palette256)
        let lines = text.split(separator: "\n").map(String.init)
        // 100% is the scale's top (yellow, black text); 41.3% a middle step; 0% the darkest (white text).
        #expect(lines[2].contains("\u{1B}[48;5;220;38;5;16m 100.0% \u{1B}[0m"))
        #expect(lines[2].contains("\u{1B}[48;5;30;38;5;231m 41.3% \u{1B}[0m"))
        #expect(lines[3].contains("\u{1B}[48;5;53;38;5;231m  0.0% \u{1B}[0m"))
        #expect(lines[2].contains("\u{1B}[2m 0.0%*\u{1B}[0m"))
        #expect(lines[3].contains("\u{1B}[2m  0.0%*\u{1B}[0m"))
        #expect(lines[5].contains("\u{1B}[2m 100.0%*\u{1B}[0m"))
        #expect(!lines[0].contains("\u{1B}"))
        let (truecolor, _) = try Self.render(depth: .truecolor)
        #expect(truecolor.contains("\u{1B}[48;2;253;231;37;38;2;0;0;0m 100.0% \u{1B}[0m"))
        // Same text once the codes are stripped, whatever the depth.
        #expect(Self.stripped(truecolor) == Self.stripped(text))
        #expect(Self.stripped(text) == (try Self.render()).text)
        #expect(!text.contains(" \n"))
    }

    @Test("scale steps rise with the value and stay in range")
    func scale() {
        #expect(HeatScale.step(0) == 0)
        #expect(HeatScale.step(1) == HeatScale.steps.count - 1)
        #expect(HeatScale.step(0.5) == 4)
        #expect((0...100).map { HeatScale.step(Double($0) / 100) } == (0...100).map { HeatScale.step(Double($0) / 100) }.sorted())
    }

    @Test("a width keeps the keys and the value columns that fit, and names the cut ones")
    func width() throws {
        let row: [String?] = [nil, "2024-01-01", "100", "35"] + (0..<36).map { _ in "0.5" as String? }
        let (all, none) = try Self.render([row], offsets: 36)
        #expect(none.isEmpty)
        #expect(all.split(separator: "\n")[0].hasSuffix(" 35"))
        let (text, notes) = try Self.render([row], offsets: 36, width: 80)
        let lines = text.split(separator: "\n").map(String.init)
        // Frozen "2024-01-01  cohort_size " (24 columns), then 8 cells of " 50.0% " (7 each) = 80.
        #expect(lines[0] == "cohort      cohort_size      0      1      2      3      4      5      6      7")
        #expect(lines.dropLast().allSatisfy { $0.count <= 80 })
        #expect(lines[2].hasPrefix("2024-01-01          100  50.0%"))
        #expect(notes == ["period_offset 8–35 not shown (80 columns wide): widen the terminal or use --format csv"])
        // The mark's legend only when a shown cell carries the mark.
        var partial = row
        partial[3] = "34"
        let (cutPartial, _) = try Self.render([partial], offsets: 36, width: 80)
        #expect(!cutPartial.contains("not over yet"))
        let (allPartial, _) = try Self.render([partial], offsets: 36)
        #expect(allPartial.contains("not over yet"))
        // Too narrow for any: one value column still shows.
        let (narrow, narrowNotes) = try Self.render([row], offsets: 36, width: 10)
        #expect(narrow.split(separator: "\n")[0].hasSuffix(" 0"))
        #expect(narrowNotes == ["period_offset 1–35 not shown (10 columns wide): widen the terminal or use --format csv"])
        // One column cut is named alone.
        let (_, oneNote) = try Self.render([Array(row.prefix(4 + 9))], offsets: 9, width: 80)
        #expect(oneNote == ["period_offset 8 not shown (80 columns wide): widen the terminal or use --format csv"])
    }

    @Test("--color and the environment: auto only on a terminal without NO_COLOR; always and never win")
    func colorChoice() {
        #expect(ColorChoice.auto.depth(environment: [:], isTerminal: true) == .palette256)
        #expect(ColorChoice.auto.depth(environment: [:], isTerminal: false) == .none)
        #expect(ColorChoice.auto.depth(environment: ["NO_COLOR": "1"], isTerminal: true) == .none)
        #expect(ColorChoice.auto.depth(environment: ["NO_COLOR": "0"], isTerminal: true) == .none)
        #expect(ColorChoice.auto.depth(environment: ["NO_COLOR": ""], isTerminal: true) == .palette256)
        #expect(ColorChoice.auto.depth(environment: ["TERM": "dumb"], isTerminal: true) == .none)
        #expect(ColorChoice.auto.depth(environment: ["COLORTERM": "truecolor"], isTerminal: true) == .truecolor)
        #expect(ColorChoice.always.depth(environment: ["NO_COLOR": "1"], isTerminal: false) == .palette256)
        #expect(ColorChoice.never.depth(environment: [:], isTerminal: true) == .none)
        #expect(TerminalWidth.resolve(isTerminal: false, environment: ["COLUMNS": "100"], windowColumns: 120) == nil)
        #expect(TerminalWidth.resolve(isTerminal: true, environment: ["COLUMNS": "100"], windowColumns: 120) == 100)
        #expect(TerminalWidth.resolve(isTerminal: true, environment: ["COLUMNS": "x"], windowColumns: 120) == 120)
        #expect(TerminalWidth.resolve(isTerminal: true, environment: [:], windowColumns: nil) == 80)
    }

    static func stripped(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }
}
