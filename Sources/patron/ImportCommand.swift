import ArgumentParser
import Foundation
import PatronCore
import PatronImport
import PatronLoad

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a vendor's export files: Shopify, Zendesk, Intercom, Stripe, Meltwater, Delighted.",
        discussion: """
            Each vendor's files are recognized from their content, in any order. Every file is one \
            transaction across all the entities it yields (a Shopify orders export gives purchases \
            and returns): all of it or nothing, recorded in load_runs like any load, and a \
            re-import changes nothing. Records left out on purpose (deleted tickets, failed \
            charges …) are counted and listed by `patron rejects --skipped`. `--convert-to DIR` \
            writes the canonical rows instead, without touching the database.

            Exit codes as for `patron load`: 0 loaded; 2 loaded, some rows rejected; 3 a file \
            failed and changed nothing; 4 database error; 5 another load is running (--no-wait).
            """,
        subcommands: [ImportShopifyCommand.self, ImportZendeskCommand.self, ImportIntercomCommand.self,
                      ImportStripeCommand.self, ImportMeltwaterCommand.self, ImportDelightedCommand.self]
    )
}

/// What every `patron import VENDOR` takes besides its vendor's own options.
struct ImportCommonOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The export files, in any order.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("The system the files come from (default: the vendor's name); ids are unique per source.",
                               valueName: "name"))
    var source: String?

    @Option(name: .customLong("convert-to"), help: ArgumentHelp(
        "Write the canonical rows to DIR/ENTITY.csv (and DIR/skipped.csv) instead of loading: no database work.",
        valueName: "dir"))
    var convertTo: String?

    @OptionGroup var loading: LoadingOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one export file") }
        if files.contains("-") { throw ValidationError("imports read files, not standard input (a vendor's files are told apart by their content and read in order)") }
        if let source, source.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--source must not be empty") }
    }
}

/// One vendor's subcommand: its importer and how its options become settings.
protocol VendorImportCommand: ParsableCommand {
    associatedtype Importer: VendorImporter
    var common: ImportCommonOptions { get }
    /// The vendor's own options on top of the common ones.
    func vendorSettings(_ settings: inout ImportSettings) throws
}

extension VendorImportCommand {
    func run() throws {
        try reportingErrors {
            var settings = ImportSettings()
            settings.timeZone = common.loading.timeZone
            try vendorSettings(&settings)
            let importer = Importer(settings: settings)
            let source = (common.source ?? Importer.vendor).trimmingCharacters(in: .whitespaces)
            let log = LoadEventLog(format: common.loading.logFormat, quiet: common.global.quiet)
            if let directory = common.convertTo {
                return try convert(importer: importer, into: directory, log: log)
            }
            Terminal.logsAsJSON = common.loading.logFormat == .json
            let logger = common.global.makeLogger("patron.import")
            let warehouse = try common.global.openWarehouse(logger: logger)
            try warehouse.acquireLoadLock(wait: !common.loading.noWait) { message in
                if !common.global.quiet { Terminal.line("patron: \(message)") }
            }
            defer { try? warehouse.releaseLoadLock() }
            let applied = try Migrator(warehouse: warehouse).prepareForLoad(dryRun: common.loading.dryRun)
            for migration in applied { logger.info("applied migration \(migration.id)") }

            let loader = Loader(warehouse: warehouse, logger: logger)
            let progress = (Terminal.stderrIsTerminal && !common.global.quiet && common.loading.logFormat == .text)
                ? TerminalProgress() : nil
            loader.progress = progress
            let files: [(path: String, kind: VendorFileKind)]
            do { files = try importer.recognizeAll(common.files) } catch let error as InputError {
                throw PatronError.input(error)
            }
            var worst = ExitStatus.success
            var outcomes: [FileOutcome] = []
            for (path, kind) in files {
                let options = try common.loading.loadOptions(entity: kind.entities[0], source: source)
                let started = Date()
                do {
                    let report = try loader.importFile(path: path, kind: kind, importer: importer, options: options)
                    progress?.clear()
                    let outcome = FileOutcome(source: source, report: report, seconds: Date().timeIntervalSince(started))
                    log.file(outcome)
                    outcomes.append(outcome)
                    worst = max(worst, report.exitStatus)
                } catch let error as PatronError {
                    progress?.clear()
                    let outcome = FileOutcome(source: source, file: path, kind: kind.description, error: error,
                                              seconds: Date().timeIntervalSince(started))
                    log.file(outcome)
                    outcomes.append(outcome)
                    worst = max(worst, error.exitStatus)
                    if error.exitStatus != .loadFailed { break }
                }
            }
            log.summary(outcomes, exit: worst)
            return worst
        }
    }

    /// `--convert-to DIR`: every file's canonical rows into DIR, nothing loaded.
    private func convert(importer: Importer, into directory: String, log: LoadEventLog) throws -> ExitStatus {
        let files: [(path: String, kind: VendorFileKind)]
        do { files = try importer.recognizeAll(common.files) } catch let error as InputError { throw PatronError.input(error) }
        let writer = try CanonicalFileWriter(directory: URL(fileURLWithPath: directory, isDirectory: true), format: .csv,
                                             columns: { importer.filledColumns(for: $0) })
        for (path, kind) in files {
            do {
                let input = try InputFile(path: path)
                input.maxRecordBytes = common.loading.recordLimit
                writer.sourceFile = input.displayName
                try importer.convert(input, kind: kind, into: writer)
            } catch let error as InputError { throw PatronError.input(error) }
        }
        try writer.finish()
        if !common.global.quiet {
            for entity in writer.entitiesWritten {
                Terminal.line("\(writer.path(of: entity) ?? ""): \(writer.rowsWritten(entity)) rows")
            }
            let skipped = writer.skipCounts.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            if let path = writer.skippedPath { Terminal.line("\(path): \(skipped) records skipped on purpose") }
            if let path = writer.droppedPath {
                Terminal.line("\(path): \(writer.droppedCounts.values.reduce(0, +)) junk identifiers dropped (rows kept)")
            }
        }
        return .success
    }
}

import PatronInput
