import Foundation
import Testing
@testable import PatronAnalyses
import PatronCore
import PatronTestSupport

/// The `unique:` / `unique[QUERY]:` header keys (sql/analyses/README.md): parsed, checked
/// against the `column:` lines and the statements, and shown by `patron describe`.
@Suite("analysis files: the unique: header")
struct UniqueHeaderTests {
    static let sample = """
        -- analysis: sample
        -- summary: A sample analysis.
        -- grain: one row per period (per weekday × hour with --grid)
        -- unique: segment, period
        -- unique[grid]: segment,weekday ,  hour
        -- param: grid flag : The weekday × hour grid.
        -- column: segment text : The segment.
        -- column: period date : The period.
        -- column: weekday int : Weekday.
        -- column: hour int : Hour.
        -- query: grid when grid
        SELECT 1
        -- query: main
        SELECT 2
        -- step: helper
        SELECT 3

        """

    static func header(_ lines: String, queries: String = "-- query: main\nSELECT 1\n") -> String {
        "-- analysis: x\n-- summary: s.\n-- column: a int : A.\n-- column: b int : B.\n" + lines + "\n" + queries
    }

    @Test("unique: is the default key; unique[QUERY]: a statement's own")
    func parses() throws {
        let d = try AnalysisFileParser.parse(text: Self.sample, path: "sample.sql")
        #expect(d.unique == ["segment", "period"])
        #expect(d.uniqueByQuery == ["grid": ["segment", "weekday", "hour"]])
        let byName = Dictionary(uniqueKeysWithValues: d.queries.map { ($0.name, $0) })
        #expect(d.unique(for: try #require(byName["grid"])) == ["segment", "weekday", "hour"])
        #expect(d.unique(for: try #require(byName["main"])) == ["segment", "period"])
        // Without any unique: line, none (optional for an analysis of one's own).
        let plain = try AnalysisFileParser.parse(text: Self.header(""), path: "plain.sql")
        #expect(plain.unique == nil && plain.uniqueByQuery.isEmpty)
        #expect(plain.unique(for: plain.queries[0]) == nil)
        // A unique[QUERY] alone leaves the other statements without a key.
        let one = try AnalysisFileParser.parse(
            text: Self.header("-- unique[q]: a", queries: "-- query: q when f\nSELECT 1\n-- query: main\nSELECT 2\n")
                .replacingOccurrences(of: "-- column: a", with: "-- param: f flag : F.\n-- column: a"),
            path: "one.sql")
        #expect(one.unique(for: one.queries[0]) == ["a"])
        #expect(one.unique(for: one.queries[1]) == nil)
    }

    @Test("bad unique: lines are configuration errors that name the file and the line",
          arguments: [
            ("-- unique: a, c", "unique: column 'c' is not declared by a 'column:' line", 5),
            ("-- unique: A", "column 'A' is not declared", 5),
            ("-- unique[main]: b, nope", "unique[main]: column 'nope' is not declared", 5),
            ("-- unique:", "expected COLUMN[, COLUMN…]", 5),
            ("-- unique: a,, b", "expected COLUMN[, COLUMN…]", 5),
            ("-- unique: a b", "expected COLUMN[, COLUMN…]", 5),
            ("-- unique: a, a", "a column is listed twice", 5),
            ("-- unique: a\n-- unique: b", "unique is declared twice", 6),
            ("-- unique[main]: a\n-- unique[main]: b", "unique[main] is declared twice", 6),
            ("-- unique[other]: a", "unique[other]: the file has no query named 'other'", 5),
          ])
    func rejects(line: String, fragment: String, lineNumber: Int) throws {
        do {
            let d = try AnalysisFileParser.parse(text: Self.header(line), path: "bad.sql")
            Issue.record("accepted \(line): unique \(String(describing: d.unique)) \(d.uniqueByQuery)")
        } catch let error as PatronError {
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(error.description.hasPrefix("bad.sql:\(lineNumber): "), "\(error.description)")
            #expect(error.exitStatus == .configuration)
        }
    }

    @Test("unique[STEP]: a step is no output, so it has no key")
    func stepHasNoKey() throws {
        let text = Self.header("-- unique[helper]: a", queries: "-- query: main\nSELECT 1\n-- step: helper\nSELECT 2\n")
        #expect(throws: PatronError.self) { try AnalysisFileParser.parse(text: text, path: "step.sql") }
    }

    @Test("patron describe shows the key, and each statement's own")
    func describe() throws {
        let text = AnalysisHelp.describe(try AnalysisFileParser.parse(text: Self.sample, path: "sample.sql"))
        #expect(text.contains("\nGrain: one row per period (per weekday × hour with --grid)\nUnique: segment, period\n"), "\(text)")
        #expect(text.contains("\n  grid: when --grid (unique: segment, weekday, hour)\n  main: default\n"), "\(text)")
        // One statement: its key, whether declared as unique: or unique[main]:.
        for line in ["-- unique: b, a", "-- unique[main]: b, a"] {
            let single = AnalysisHelp.describe(try AnalysisFileParser.parse(text: Self.header(line), path: "x.sql"))
            #expect(single.contains("\nUnique: b, a\n"), "\(single)")
        }
        let none = AnalysisHelp.describe(try AnalysisFileParser.parse(text: Self.header(""), path: "x.sql"))
        #expect(!none.contains("Unique"), "\(none)")
    }
}
