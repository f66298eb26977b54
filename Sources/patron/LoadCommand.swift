import ArgumentParser
import Foundation
import PatronCore
import PatronLoad
import PatronInput

extension Entity: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load CSV or JSON Lines files of one entity into the warehouse.",
        discussion: """
            Each file is one transaction: all of its good rows, or nothing. A row whose id is \
            already stored (same --source) is updated; an identical reload changes nothing. Bad \
            rows are rejected with file, line, column and reason (see `patron rejects`) and the \
            good rows still load. Files may be gzip-compressed; `-` reads standard input. \
            Loads into one schema run one at a time (an advisory lock).

            Exit codes: 0 every row loaded; 2 loaded, but some rows were rejected; 3 a file \
            failed and changed nothing (unreadable, malformed, or over --max-rejects); \
            4 database error; 5 another load is running and --no-wait was given; 78 the schema \
            needs `patron migrate` by its owner (a dry run creates nothing), or the role lacks a \
            privilege (see `patron grant`).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("What the files hold: \(Entity.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "entity"))
    var entity: Entity

    @Argument(help: ArgumentHelp("Files to load, in order; `-` is standard input.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("The system the files come from; ids are unique per source.", valueName: "name"))
    var source = "default"

    @Option(help: ArgumentHelp("Input format (default: from the file name; required for `-`).", valueName: "csv|jsonl"))
    var format: InputFormat?

    @OptionGroup var loading: LoadingOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to load") }
        if source.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--source must not be empty") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if files.contains("-") && format == nil { throw ValidationError("reading standard input needs --format csv or --format jsonl") }
    }

    func run() throws {
        try reportingErrors {
            Terminal.logsAsJSON = loading.logFormat == .json
            let logger = global.makeLogger("patron.load")
            let warehouse = try global.openWarehouse(logger: logger)
            var options = try loading.loadOptions(entity: entity, source: source)
            options.format = format

            try warehouse.acquireLoadLock(wait: !loading.noWait) { message in
                if !global.quiet { Terminal.line("patron: \(message)") }
            }
            defer { try? warehouse.releaseLoadLock() }
            let applied = try Migrator(warehouse: warehouse).prepareForLoad(dryRun: loading.dryRun)
            for migration in applied { logger.info("applied migration \(migration.id)") }

            let loader = Loader(warehouse: warehouse, logger: logger)
            let progress = (Terminal.stderrIsTerminal && !global.quiet && loading.logFormat == .text) ? TerminalProgress() : nil
            let log = LoadEventLog(format: loading.logFormat, quiet: global.quiet)
            var outcomes: [FileOutcome] = []
            loader.progress = progress
            var worst = ExitStatus.success
            for file in files {
                let started = Date()
                do {
                    let report = try loader.load(path: file, options: options)
                    progress?.clear()
                    if loading.logFormat == .json {
                        let outcome = FileOutcome(source: options.source, report: report, seconds: Date().timeIntervalSince(started))
                        log.file(outcome)
                        outcomes.append(outcome)
                    } else if !global.quiet {
                        Terminal.line(summary(report))
                    }
                    worst = max(worst, report.exitStatus)
                } catch let error as PatronError {
                    progress?.clear()
                    let outcome = FileOutcome(source: options.source, file: file, kind: entity.rawValue, error: error,
                                              seconds: Date().timeIntervalSince(started))
                    log.file(outcome)
                    outcomes.append(outcome)
                    worst = max(worst, error.exitStatus)
                    // A lost connection or a broken setup will fail every later file too.
                    if error.exitStatus != .loadFailed { break }
                }
            }
            log.summary(outcomes, exit: worst)
            return worst
        }
    }

    private func summary(_ report: LoadReport) -> String {
        let c = report.counts
        let what = report.dryRun ? "dry run, nothing stored" : "run \(report.runID ?? 0)"
        var text = "\(report.file): \(c.read) read = \(c.inserted) inserted + \(c.updated) updated + \(c.unchanged) unchanged + \(c.superseded) superseded + \(c.rejected) rejected"
        // Which path the rows took: straight into their table, or through the staging table.
        let path = report.direct ? "direct" : "staged"
        text += String(format: " (%@, %@, %.2f s", what, path, report.readSeconds + report.mergeSeconds)
        if c.customersCreated > 0 || c.customersMerged > 0 {
            text += ", customers \(c.customersCreated) new, \(c.customersMerged) merged"
        }
        text += ")"
        if c.rejected > 0 && !report.dryRun {
            text += "\n  see the rejected rows with: patron rejects --run \(report.runID ?? 0)"
        }
        return text
    }
}
