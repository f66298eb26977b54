import ArgumentParser
import Foundation
import PatronAnalyses
import PatronCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a named analysis and print or export its result.",
        discussion: """
            The analysis' own options (e.g. --period week) come after its name; \
            `patron run NAME --help` lists them. Output: an aligned table on a terminal, CSV \
            with a header otherwise; --format chooses (json, jsonl, markdown too). Rows stream: \
            a large result never sits whole in memory. --into [SCHEMA.]TABLE writes the result \
            into a PostgreSQL table instead (default schema patron_reports, or <schema>_reports; \
            never a schema holding a Patron warehouse). Exit codes: 64 bad option or value, 78 bad \
            analysis file or setup, 4 database error. With --pivot, the table format is a heatmap: \
            rates as percentages (41.3%), a colour scale on a colour terminal (--color; off with \
            NO_COLOR set, or when output is not a terminal), periods not over yet marked `*`, and \
            the cohort columns kept on the left while later periods that do not fit the terminal's \
            width are left out (named on stderr).
            """,
        // `patron run NAME --help` describes the analysis, so the command handles --help itself.
        helpNames: []
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var analyses: AnalysesOptions

    @Option(help: ArgumentHelp("Output format (default: table on a terminal, else csv; with --output, from its extension).", valueName: "format"))
    var format: OutputFormat?

    @Option(help: ArgumentHelp("Colour the --pivot heatmap: auto (on a terminal, unless NO_COLOR is set), always, never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Option(help: ArgumentHelp("Write to this file instead of standard output (replaced only when the run succeeds). Its extension names the format (.csv .json .jsonl .ndjson .md .markdown .txt) unless --format is given.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Write the result into this PostgreSQL table (server-side); without SCHEMA, in <schema>_reports (patron_reports). Unquoted names fold to lower case, as in SQL.", valueName: "[schema.]table"))
    var into: String?

    @Flag(help: "With --into: drop and recreate the table if it exists.")
    var replace = false

    @Flag(help: "With --into: add the rows to the table if it exists.")
    var append = false

    @Flag(help: "Print the SQL that would run, with its bound values, and stop.")
    var sql = false

    @Flag(name: [.short, .long], help: "Show help (with a name: that analysis' options).")
    var help = false

    @Argument(help: ArgumentHelp("The analysis (see `patron list`).", valueName: "name"))
    var name: String?

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The analysis' options, e.g. --period week.", valueName: "options"))
    var parameters: [String] = []

    func validate() throws {
        if replace && append { throw ValidationError("--replace and --append exclude each other") }
        if (replace || append) && into == nil { throw ValidationError("--replace and --append go with --into") }
        if into != nil && (output != nil || format != nil) { throw ValidationError("--into writes to the database; drop --output/--format") }
        do {
            if let into { _ = try IntoTarget.parse(into) }
            if let output { _ = try OutputFormat.forOutput(output, explicit: format) }
        } catch let error as PatronError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        guard let name else {
            if help { Terminal.output(RunCommand.helpMessage() + "\n"); return }
            throw ValidationError("name the analysis to run (see `patron list`)")
        }
        try reportingErrors {
            let catalog = try analyses.catalog()
            let definition = try catalog.analysis(named: name)
            if help {
                Terminal.output(AnalysisHelp.runHelp(definition))
                return .success
            }
            let given = try AnalysisArguments.parseOptions(parameters, for: definition)
            let prepared = try AnalysisRunner.prepare(definition, given)
            if sql {
                Terminal.output(prepared.listing)
                return .success
            }
            let logger = global.makeLogger("patron.run")
            let warehouse = try global.openUpToDateWarehouse(logger: logger)
            let runner = AnalysisRunner(warehouse: warehouse, catalog: catalog)
            if let into {
                let mode: IntoMode = replace ? .replace : append ? .append : .create
                // Resolved by `into` itself: an unqualified name is checked against Patron's tables.
                let target = try IntoTarget.parse(into)
                let rows = try runner.into(prepared, table: target, mode: mode)
                if !global.quiet { Terminal.line("patron: wrote \(rows) row(s) of \(name) into \(try runner.resolve(target))") }
                return .success
            }
            guard let output else {
                let terminal = isatty(STDOUT_FILENO) == 1
                let chosen = format ?? (terminal ? .table : .csv)
                let sink = OutputSink(handle: .standardOutput)
                try runner.write(prepared, to: writer(chosen, prepared, sink: sink, terminal: terminal))
                return .success
            }
            let chosen = try OutputFormat.forOutput(output, explicit: format)
            // A temporary file renamed over --output's only once the whole result is written.
            let file = try AtomicOutputFile(path: output)
            defer { file.discard() }
            try runner.write(prepared, to: writer(chosen, prepared, sink: OutputSink(atomic: file), terminal: false))
            try file.commit()
            return .success
        }
    }

    /// The pivot's table is the heatmap (sized to the terminal when `terminal`); any other
    /// result or format, the ordinary writer.
    private func writer(_ chosen: OutputFormat, _ prepared: PreparedAnalysis, sink: OutputSink, terminal: Bool) -> any ResultWriter {
        guard chosen == .table, prepared.isSet("pivot"), let spec = prepared.definition.pivot else {
            return ResultWriters.make(chosen, sink: sink)
        }
        let environment = ProcessInfo.processInfo.environment
        return HeatmapWriter(
            sink: sink, spec: spec,
            depth: color.depth(environment: environment, isTerminal: terminal),
            width: TerminalWidth.resolve(isTerminal: terminal, environment: environment, windowColumns: Terminal.outputWindowColumns()),
            note: { Terminal.line("patron: " + $0) })
    }
}

extension ColorChoice: ExpressibleByArgument {}
