import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("analysis files: header parser, catalog, parameters")
struct AnalysisFileParserTests {
    static let sample = """
        -- analysis: sample
        -- summary: A sample analysis.
        -- description: First line
        --   continued here.
        -- grain: one row per thing
        -- A free comment line is ignored.
        -- param: $1 from date : First day.
        -- param: $2 period choice(day, week) = week : Period length.
        -- param: $3 limit int(1..100) = 10 : How many.
        -- param: $4 note text = a = b : Text with an equals sign.
        -- param: verbose_rows flag : More rows.
        -- column: n bigint : A count : with a colon.
        -- pivot: a, b by k value v percent complete c
        -- query: detailed when verbose_rows, period=day
        SELECT 1 AS n;
        -- query: main
        -- a comment inside the SQL stays
        SELECT $1::date AS d, $3::int AS n
        -- step: helper
        SELECT 2

        """

    @Test("reads every header key, continuation lines, queries and steps")
    func parsesSample() throws {
        let d = try AnalysisFileParser.parse(text: Self.sample, path: "sample.sql")
        #expect(d.name == "sample")
        #expect(d.summary == "A sample analysis.")
        #expect(d.description == "First line continued here.")
        #expect(d.grain == "one row per thing")
        #expect(d.parameters.map(\.name) == ["from", "period", "limit", "note", "verbose_rows"])
        #expect(d.parameters.map(\.position) == [1, 2, 3, 4, nil])
        #expect(d.parameters[1].type == .choice(["day", "week"]))
        #expect(d.parameters[1].defaultValue == "week")
        #expect(d.parameters[2].type == .boundedInt(min: 1, max: 100))
        #expect(d.parameters[3].defaultValue == "a = b")
        #expect(d.parameters[4].type == .flag)
        #expect(d.parameters[4].optionName == "--verbose-rows")
        #expect(d.columns == [AnalysisColumn(name: "n", type: "bigint", help: "A count : with a colon.")])
        #expect(d.pivot == PivotSpec(rowKeys: ["a", "b"], columnKey: "k", valueColumn: "v", completeColumn: "c", percent: true))
        #expect(d.queries.map(\.name) == ["detailed", "main", "helper"])
        #expect(d.queries[0].conditions == [.flag("verbose_rows"), .equals("period", "day")])
        #expect(d.queries[0].sql == "SELECT 1 AS n")
        #expect(d.queries[1].sql.hasPrefix("-- a comment inside the SQL stays\nSELECT"))
        #expect(d.queries[2].isStep)
        // Statement choice: the first whose conditions hold; a step never.
        #expect(d.query(for: ["verbose_rows": "true", "period": "day"])?.name == "detailed")
        #expect(d.query(for: ["verbose_rows": "true", "period": "week"])?.name == "main")
        #expect(d.query(for: [:])?.name == "main")
    }

    @Test("prepare: KIND from STEP when COND — what the engine does before a statement, declared by the file")
    func preparations() throws {
        let d = try AnalysisFileParser.parse(text: """
            -- analysis: value
            -- summary: Value.
            -- param: $1 method choice(simple,predictive) = simple : How.
            -- prepare: predictive_clv from inputs when method=predictive
            -- query: main
            SELECT 1
            -- step: inputs
            SELECT 2
            """, path: "value.sql")
        #expect(d.preparations == [AnalysisPreparation(kind: .predictiveCLV, step: "inputs",
                                                       conditions: [.equals("method", "predictive")])])
        #expect(d.preparations[0].applies(to: ["method": "predictive"]))
        #expect(!d.preparations[0].applies(to: ["method": "simple"]))
        // The built-in clv declares its model fit this way (the engine knows no analysis by name).
        let clv = try AnalysisFileParser.parse(contentsOf: repositoryRoot.appendingPathComponent("sql/analyses/clv.sql"))
        #expect(clv.preparations == [AnalysisPreparation(kind: .predictiveCLV, step: "rfm_summary",
                                                         conditions: [.equals("method", "predictive")])])
    }

    @Test("column[QUERY]: a statement of another shape declares its own columns")
    func columnsPerStatement() throws {
        let d = try AnalysisFileParser.parse(text: """
            -- analysis: shapes
            -- summary: Two shapes.
            -- param: by choice(period,reason) = period : How.
            -- unique: period
            -- unique[by_reason]: reason
            -- column: period date : The period.
            -- column[by_reason]: reason text : The reason.
            -- column[by_reason]: returns bigint : Its returns.
            -- query: by_reason when by=reason
            SELECT 'x' AS reason, 1 AS returns
            -- query: main
            SELECT current_date AS period
            """, path: "shapes.sql")
        let byReason = try #require(d.queries.first { $0.name == "by_reason" })
        let main = try #require(d.queries.first { $0.name == "main" })
        #expect(d.columns(for: byReason).map(\.name) == ["reason", "returns"])
        #expect(d.columns(for: main).map(\.name) == ["period"])
        let described = AnalysisHelp.describe(d)
        #expect(described.contains("Columns of by_reason:\n  reason text"))
        // unique[QUERY] names the statement's own columns, not the file's.
        #expect(throws: PatronError.self) {
            try AnalysisFileParser.parse(text: "-- analysis: x\n-- summary: s\n-- param: b flag : B.\n-- column: a int : A.\n-- column[q]: c int : C.\n-- unique[q]: a\n-- query: q when b\nSELECT 1 AS c\n-- query: main\nSELECT 1 AS a", path: "x.sql")
        }
    }

    @Test("a file without query lines is one statement, main")
    func implicitMain() throws {
        let d = try AnalysisFileParser.parse(text: "-- analysis: tiny\n-- summary: Tiny.\n\nSELECT 1 AS one\n", path: "tiny.sql")
        #expect(d.queries.map(\.name) == ["main"])
        #expect(d.queries[0].sql == "SELECT 1 AS one")
    }

    @Test("bad headers are configuration errors that name the file and line",
          arguments: [
            ("-- summary: no name\nSELECT 1", "analysis: NAME"),
            ("-- analysis: x\nSELECT 1", "summary"),
            ("-- analysis: x\n-- summary: s\n-- param: $1 a date\nSELECT 1", "HELP"),
            ("-- analysis: x\n-- summary: s\n-- param: $1 a datetime : h\nSELECT 1", "unknown type"),
            ("-- analysis: x\n-- summary: s\n-- param: $2 a date : h\nSELECT 1", "without gaps"),
            ("-- analysis: x\n-- summary: s\n-- param: $1 a date : h\n-- param: $1 b date : h\nSELECT 1", "used by two"),
            ("-- analysis: x\n-- summary: s\n-- param: $1 format text : h\nSELECT 1", "clashes"),
            ("-- analysis: x\n-- summary: s\n-- param: $1 n int = many : h\nSELECT 1", "default of param n"),
            ("-- analysis: x\n-- summary: s\n-- query: q when nothing\nSELECT 1", "unknown param"),
            ("-- analysis: x\n-- summary: s\n-- query: q\n", "no SQL"),
            ("-- analysis: x\n-- summary: s\n-- column[nope]: a int : A.\n-- query: q\nSELECT 1", "no query named 'nope'"),
            ("-- analysis: x\n-- summary: s\n-- column[q]: a int : A.\n-- column[q]: a int : A.\n-- query: q\nSELECT 1", "declared twice"),
            ("-- analysis: x\n-- summary: s\n-- prepare: crystal_ball from q\n-- query: q\nSELECT 1", "KIND: predictive_clv"),
            ("-- analysis: x\n-- summary: s\n-- prepare: predictive_clv q\n-- query: q\nSELECT 1", "expected KIND from STEP"),
            ("-- analysis: x\n-- summary: s\n-- prepare: predictive_clv from rfm\n-- query: q\nSELECT 1", "no '-- step: rfm'"),
            ("-- analysis: x\n-- summary: s\n-- prepare: predictive_clv from rfm when m=p\n-- query: q\nSELECT 1\n-- step: rfm\nSELECT 2",
             "condition on unknown param 'm'"),
          ])
    func badHeaders(text: String, fragment: String) throws {
        do {
            _ = try AnalysisFileParser.parse(text: text, path: "bad.sql")
            Issue.record("accepted: \(text)")
        } catch let error as PatronError {
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(error.description.hasPrefix("bad.sql:"))
            #expect(error.exitStatus == .configuration)
        }
    }

    @Test("values are validated and normalized; errors name the option and the value (exit 64)")
    func validation() throws {
        let d = try AnalysisFileParser.parse(text: Self.sample, path: "sample.sql")
        let ok = try AnalysisArguments(d, ["from": "2024-02-29", "limit": "100"])
        #expect(ok.values == ["from": "2024-02-29", "period": "week", "limit": "100", "note": "a = b", "verbose_rows": "false"])
        #expect(ok.bindings(d) == ["2024-02-29", "week", "100", "a = b"])
        for (given, message) in [
            (["from": "2023-02-29"], "--from takes a date YYYY-MM-DD, not '2023-02-29'"),
            (["period": "month"], "--period takes one of day, week, not 'month'"),
            (["limit": "0"], "--limit takes a whole number from 1 to 100, not '0'"),
            (["limit": "ten"], "--limit takes a whole number from 1 to 100, not 'ten'"),
            (["nope": "1"], "has no parameter --nope"),
        ] {
            do {
                _ = try AnalysisArguments(d, given)
                Issue.record("accepted \(given)")
            } catch let error as PatronError {
                #expect(error.description.contains(message), "\(error.description)")
                #expect(error.exitStatus == .usage)
            }
        }
    }

    @Test("command-line options: --name value, --name=value, dashes, flags")
    func options() throws {
        let d = try AnalysisFileParser.parse(text: Self.sample, path: "sample.sql")
        let given = try AnalysisArguments.parseOptions(["--from", "2024-01-01", "--period=day", "--verbose-rows", "--note", "--x"], for: d)
        #expect(given == ["from": "2024-01-01", "period": "day", "verbose_rows": "true", "note": "--x"])
        #expect(throws: PatronError.self) { try AnalysisArguments.parseOptions(["--from"], for: d) }
        #expect(throws: PatronError.self) { try AnalysisArguments.parseOptions(["stray"], for: d) }
        #expect(throws: PatronError.self) { try AnalysisArguments.parseOptions(["--from", "a", "--from", "b"], for: d) }
    }

    @Test("the built-in catalog parses, and a user directory adds and overrides analyses")
    func catalog() throws {
        let builtIn = try AnalysisCatalog(directories: [sqlDirectory.file("analyses")])
        let names = builtIn.analyses.map(\.name)
        for name in ["retention", "churn_rate", "clv", "loyal_customer_rate"] { #expect(names.contains(name)) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patron-analyses-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "-- analysis: mine\n-- summary: Mine.\nSELECT 1 AS one\n".write(to: dir.appendingPathComponent("mine.sql"), atomically: true, encoding: .utf8)
        try "-- analysis: retention\n-- summary: My retention.\nSELECT 2 AS two\n".write(to: dir.appendingPathComponent("r.sql"), atomically: true, encoding: .utf8)
        let catalog = try AnalysisCatalog.load(sql: sqlDirectory, extra: [dir.path], environment: [:])
        #expect(try catalog.analysis(named: "mine").summary == "Mine.")
        #expect(try catalog.analysis(named: "retention").summary == "My retention.")
        #expect(throws: PatronError.self) { try catalog.analysis(named: "nothing") }
        #expect(throws: PatronError.self) { try AnalysisCatalog.load(sql: sqlDirectory, extra: ["/nonexistent"], environment: [:]) }
    }

    @Test("display rounding: at most 4 decimals, only in table and Markdown output")
    func rounding() {
        #expect(roundedForDisplay("0.33333333333333331") == "0.3333")
        #expect(roundedForDisplay("2.66666") == "2.6667")
        #expect(roundedForDisplay("12.50") == "12.5")
        #expect(roundedForDisplay("107.24990000") == "107.2499")
        #expect(roundedForDisplay("-0.00001") == "0")
        #expect(roundedForDisplay("42") == "42")
        #expect(roundedForDisplay("1e-05") == "1e-05")
    }
}
