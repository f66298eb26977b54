import ArgumentParser
import PatronCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per entity: rows stored, their time span, and the last load with its counts."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format.")
    var format: ReportFormat = .table

    @Option(help: ArgumentHelp("Also list this many recent load runs.", valueName: "n"))
    var runs: Int = 0

    func validate() throws {
        if runs < 0 { throw ValidationError("--runs must be 0 or more") }
    }

    func run() throws {
        try reportingErrors {
            let logger = global.makeLogger("patron.status")
            let warehouse = try global.openUpToDateWarehouse(logger: logger)
            let status = WarehouseStatus(warehouse: warehouse)
            let render: (TextTable) -> String = { format == .csv ? $0.csv() : $0.aligned() }
            Terminal.output(render(try status.entities()))
            if format == .table {
                Terminal.output("\n" + render(try status.customers()))
            }
            if runs > 0 {
                Terminal.output("\n" + render(try status.recentRuns(limit: runs)))
            }
            return .success
        }
    }
}
