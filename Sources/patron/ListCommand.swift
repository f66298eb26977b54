import ArgumentParser
import PatronAnalyses
import PatronCore

/// `--analyses DIR`, shared by list, describe and run.
struct AnalysesOptions: ParsableArguments {
    @Option(name: .customLong("analyses"), help: ArgumentHelp(
        "A directory of your own analyses (same header format); repeatable. Also $PATRON_ANALYSES_DIR (colon-separated).",
        valueName: "dir"))
    var directories: [String] = []

    func catalog() throws -> AnalysisCatalog {
        try AnalysisCatalog.load(sql: try SQLDirectory.locate(), extra: directories)
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the named analyses (built-in and your own) with a one-line summary."
    )

    @OptionGroup var analyses: AnalysesOptions

    @Option(help: "Output format.")
    var format: ReportFormat = .table

    func run() throws {
        try reportingErrors {
            let table = AnalysisHelp.list(try analyses.catalog())
            Terminal.output(format == .csv ? table.csv() : table.aligned())
            return .success
        }
    }
}
