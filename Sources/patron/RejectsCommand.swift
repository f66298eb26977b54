import ArgumentParser
import PatronCore

struct RejectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects",
        abstract: "List rejected rows: file, line, column, value and reason.",
        discussion: "Without --run, shows the latest load run that rejected rows."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("run"), help: ArgumentHelp("The load run (see `patron status --runs 10`).", valueName: "id"))
    var runID: Int64?

    @Option(help: "Output format.")
    var format: ReportFormat = .table

    func run() throws {
        try reportingErrors {
            let logger = global.makeLogger("patron.rejects")
            let warehouse = try global.openWarehouse(logger: logger)
            let table = try WarehouseStatus(warehouse: warehouse).rejects(run: runID)
            Terminal.output(format == .csv ? table.csv() : table.aligned())
            return .success
        }
    }
}
