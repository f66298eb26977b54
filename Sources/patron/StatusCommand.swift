import ArgumentParser
import PatronCore

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv
}

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
            let warehouse = try global.openWarehouse(logger: logger)
            try Migrator(warehouse: warehouse).requireUpToDate()
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
