import ArgumentParser
import PatronAnalyses
import PatronCore

struct RejectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects",
        abstract: "List rejected rows: file, line, column, value and reason.",
        discussion: """
            Without --run, shows the latest load run that rejected rows. For an imported vendor \
            file the line is the vendor file's. --skipped lists instead what an import left out \
            on purpose (deleted tickets, failed charges …) and the junk identifiers it dropped \
            from rows it kept, each with its reason. --run with a run that does not exist is \
            a usage error (exit 64: "no load run N").
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("run"), help: ArgumentHelp("The load run (see `patron status --runs 10`).", valueName: "id"))
    var runID: Int64?

    @Flag(help: "List the records an import skipped on purpose and the identifiers it dropped.")
    var skipped = false

    @Option(help: "Output format.")
    var format: ReportFormat = .table

    func run() throws {
        try reportingErrors {
            let logger = global.makeLogger("patron.rejects")
            let warehouse = try global.openWarehouse(logger: logger)
            let status = WarehouseStatus(warehouse: warehouse)
            if let runID, try !status.runExists(runID) {
                throw PatronError.usage("no load run \(runID) (see `patron status --runs 10`)")
            }
            let table = skipped ? try status.skipped(run: runID) : try status.rejects(run: runID)
            Terminal.output(format.render(table))
            return .success
        }
    }
}
