import ArgumentParser
import PatronAnalyses
import PatronCore

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
            Terminal.output(format.render(table))
            return .success
        }
    }
}
