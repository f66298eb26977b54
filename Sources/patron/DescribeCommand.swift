import ArgumentParser
import PatronAnalyses
import PatronCore

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show an analysis: its definition, parameters (options of `patron run`) and output columns."
    )

    @OptionGroup var analyses: AnalysesOptions

    @Argument(help: ArgumentHelp("The analysis (see `patron list`).", valueName: "name"))
    var name: String

    func run() throws {
        try reportingErrors {
            Terminal.output(AnalysisHelp.describe(try analyses.catalog().analysis(named: name)))
            return .success
        }
    }
}
