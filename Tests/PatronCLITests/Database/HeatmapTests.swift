import Foundation
import PatronTestSupport
import Testing

/// `patron run retention --pivot --format table` as a heatmap, through the real executable
/// (issue 12, item 2): colour by --color, NO_COLOR and the terminal; percentages; incomplete
/// cells marked; columns cut to the terminal's width.
@Suite("retention --pivot as a terminal heatmap")
struct HeatmapTests {
    static func warehouse() throws -> ScratchWarehouse { try RetentionFixture.warehouse() }

    static let escape = "\u{1B}["

    @Test("percentages with one decimal, incomplete cells marked; CSV keeps the fractions")
    func values() throws {
        let w = try Self.warehouse()
        let table = try PatronProcess.run(["run", "retention", "--pivot", "--format", "table", "--schema", w.schema], url: w.url)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count >= 6, "\(table.stdout)")
        #expect(lines[0].hasPrefix("cohort      cohort_size"), "\(table.stdout)")
        #expect(lines[2] == "2024-01-01            2  100.0%  50.0%  50.0%  50.0%*", "\(table.stdout)")
        #expect(lines[3] == "2024-02-01            1  100.0%   0.0%   0.0%*", "\(table.stdout)")
        #expect(table.stdout.contains("* period not over yet"))
        #expect(!table.stdout.contains(Self.escape), "a pipe gets no colour")

        let csv = try PatronProcess.run(["run", "retention", "--pivot", "--format", "csv", "--schema", w.schema], url: w.url)
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.contains(",2024-01-01,2,2,1,0.5,0.5,0.5\n"), "\(csv.stdout)")
        #expect(!csv.stdout.contains("%"))
    }

    @Test("--color always colours even a pipe, also with NO_COLOR set; --color never and NO_COLOR keep a terminal plain")
    func colour() throws {
        let w = try Self.warehouse()
        let run = ["run", "retention", "--pivot", "--format", "table", "--schema", w.schema]
        let always = try PatronProcess.run(run + ["--color", "always"], url: w.url)
        #expect(always.status == 0, "\(always.stderr)")
        #expect(always.stdout.contains("\u{1B}[48;5;220;38;5;16m 100.0% \u{1B}[0m"), "\(always.stdout)")
        let alwaysOverNoColor = try TerminalProcess.run(run + ["--color", "always"], url: w.url, columns: 120, environment: ["NO_COLOR": "1", "COLORTERM": nil])
        #expect(alwaysOverNoColor.stdout.contains("\u{1B}[48;5;220;38;5;16m 100.0% \u{1B}[0m"), "\(alwaysOverNoColor.stdout)")

        // On a terminal, auto colours, unless NO_COLOR is set or --color never is given.
        let terminal = try TerminalProcess.run(run, url: w.url, columns: 120, environment: ["NO_COLOR": nil, "TERM": "xterm-256color", "COLORTERM": nil])
        #expect(terminal.status == 0, "\(terminal.stderr)")
        #expect(terminal.stdout.contains("\u{1B}[48;5;"), "\(terminal.stdout)")
        let noColor = try TerminalProcess.run(run, url: w.url, columns: 120, environment: ["NO_COLOR": "1", "TERM": "xterm-256color"])
        #expect(noColor.status == 0, "\(noColor.stderr)")
        #expect(noColor.stdout.contains("100.0%"), "\(noColor.stdout)")
        #expect(!noColor.stdout.contains(Self.escape), "\(noColor.stdout)")
        let never = try TerminalProcess.run(run + ["--color", "never"], url: w.url, columns: 120, environment: ["NO_COLOR": nil, "TERM": "xterm-256color"])
        #expect(never.status == 0, "\(never.stderr)")
        #expect(!never.stdout.contains(Self.escape), "\(never.stdout)")
        // The default format on a terminal is the table, so the heatmap too.
        #expect(terminal.stdout.contains("* period not over yet"))
    }

    @Test("a narrow terminal (its window size, or COLUMNS) keeps cohort and size and names the cut periods; a pipe gets all")
    func width() throws {
        let w = try Self.warehouse()
        // Weekly: cohorts from the week of 1 January to that of 15 April, 16 offsets.
        let run = ["run", "retention", "--pivot", "--period", "week", "--format", "table", "--color", "never", "--schema", w.schema]
        let narrow = try TerminalProcess.run(run, url: w.url, columns: 60, environment: ["COLUMNS": nil])
        #expect(narrow.status == 0, "\(narrow.stderr)")
        let lines = narrow.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count > 3, "\(narrow.stdout)")
        #expect(lines.dropLast().allSatisfy { $0.count <= 60 }, "\(narrow.stdout)")
        #expect(lines[0].hasPrefix("cohort      cohort_size"), "\(narrow.stdout)")
        #expect(lines[0].hasSuffix(" 4"), "\(narrow.stdout)")
        #expect(narrow.stderr.contains("period_offset 5–15 not shown (60 columns wide): widen the terminal or use --format csv"), "\(narrow.stderr)")

        let byEnvironment = try TerminalProcess.run(run, url: w.url, columns: 200, environment: ["COLUMNS": "60"])
        #expect(byEnvironment.stdout == narrow.stdout)

        let piped = try PatronProcess.run(run, url: w.url)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.split(separator: "\n")[0].hasSuffix(" 15"), "\(piped.stdout)")
        #expect(!piped.stderr.contains("not shown"))
    }
}
