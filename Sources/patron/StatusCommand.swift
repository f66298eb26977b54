import Foundation
import ArgumentParser
import PatronAnalyses
import PatronCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per entity: rows stored, their time span, and the last load with its counts."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format (json and jsonl: one object holding every table).")
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
            if format == .json || format == .jsonl {
                // One JSON object: each table under its name. As JSON Lines it is that object on
                // one line, so a cron job can append one snapshot per run to a history file.
                var parts = ["\"entities\":" + OutputFormat.json.render(try status.entities()),
                             "\"customers\":" + OutputFormat.json.render(try status.customers())]
                if runs > 0 { parts.append("\"runs\":" + OutputFormat.json.render(try status.recentRuns(limit: runs))) }
                let object = "{" + parts.map { $0.trimmingCharacters(in: .newlines) }.joined(separator: ",\n") + "}"
                // JSON strings escape every line break, so the only ones left sit between values.
                Terminal.output((format == .jsonl ? object.replacingOccurrences(of: "\n", with: "") : object) + "\n")
                return .success
            }
            Terminal.output(format.render(try status.entities()))
            if format == .table || format == .markdown {
                Terminal.output("\n" + format.render(try status.customers()))
            }
            if runs > 0 {
                Terminal.output("\n" + format.render(try status.recentRuns(limit: runs)))
            }
            return .success
        }
    }
}
