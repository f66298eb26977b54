import Foundation
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
            if format == .json {
                // One JSON object: each table under its name.
                var parts = ["\"entities\":" + format.render(try status.entities()), "\"customers\":" + format.render(try status.customers())]
                if runs > 0 { parts.append("\"runs\":" + format.render(try status.recentRuns(limit: runs))) }
                Terminal.output("{" + parts.map { $0.trimmingCharacters(in: .newlines) }.joined(separator: ",\n") + "}\n")
                return .success
            }
            Terminal.output(format.render(try status.entities()))
            if format == .table {
                Terminal.output("\n" + format.render(try status.customers()))
            }
            if runs > 0 {
                Terminal.output("\n" + format.render(try status.recentRuns(limit: runs)))
            }
            return .success
        }
    }
}
