import ArgumentParser
import Foundation
import PatronCore
import PatronImport
import PatronInput
import PatronLoad
import PatronSync

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "The nightly load in one command: every file of every source in a config file.",
        discussion: """
            Reads the config (default ./patron.toml; `patron sync --init` writes an example), checks \
            all of it before loading anything, then loads every matching file, canonical files and \
            vendor exports alike, under one advisory lock: sources in the order of the file, \
            customers before facts within a source, each file its own transaction. A file already \
            loaded under the same source and kind (same SHA-256) is skipped, so running twice \
            changes nothing. Ends with one summary table (stdout) and one exit code, the most \
            serious outcome of any file.

            Exit codes: 0 everything loaded or skipped; 2 loaded, but some rows were rejected; 3 a \
            file failed and changed nothing; 4 database error; 5 another load is running \
            (--no-wait); 78 a bad config (nothing was loaded).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config = "patron.toml"

    @Flag(name: .customLong("init"), help: "Write a commented example configuration to --config (never overwrites) and stop.")
    var initialize = false

    @Flag(help: "Validate and report what would change, then roll back: nothing is stored.")
    var dryRun = false

    @Flag(help: "Fail at once (exit 5) instead of waiting when another load is running.")
    var noWait = false

    @Option(name: .customLong("log-format"), help: ArgumentHelp(
        "How to report on stderr: text, or json (one JSON object per file and a final summary) for schedulers.",
        valueName: "text|json"))
    var logFormat: LogFormat = .text

    func run() throws {
        try reportingErrors {
            if initialize { return try writeExample() }
            let plan: SyncConfig
            do { plan = try SyncConfig.load(path: config) } catch let error as SyncConfigError {
                throw PatronError.configuration(error.description)
            }
            Terminal.logsAsJSON = logFormat == .json
            let logger = global.makeLogger("patron.sync")
            var options = global
            if let schema = plan.schema, global.schema == Warehouse.defaultSchema { options.schema = schema }
            let warehouse = try options.openWarehouse(logger: logger)
            try warehouse.acquireLoadLock(wait: !noWait) { message in
                if !global.quiet { Terminal.line("patron: \(message)") }
            }
            defer { try? warehouse.releaseLoadLock() }
            let applied = try Migrator(warehouse: warehouse).prepareForLoad(dryRun: dryRun)
            for migration in applied { logger.info("applied migration \(migration.id)") }

            let loader = Loader(warehouse: warehouse, logger: logger)
            let progress = (Terminal.stderrIsTerminal && !global.quiet && logFormat == .text) ? TerminalProgress() : nil
            loader.progress = progress
            let log = LoadEventLog(format: logFormat, quiet: global.quiet)
            var run = SyncRun(loader: loader, warehouse: warehouse, log: log, progress: progress, dryRun: dryRun)
            for source in Self.loadOrder(plan.sources) {
                try run.sync(source)
                if run.stopped { break }
            }
            log.summary(run.outcomes, exit: run.worst)
            if logFormat == .text { Terminal.output(Self.summaryTable(run.outcomes).aligned()) }
            return run.worst
        }
    }

    /// Sources in the order of the file, except that all entries of one source name run together,
    /// its customers first: customers before facts within a source.
    static func loadOrder(_ sources: [SyncConfig.SyncSource]) -> [SyncConfig.SyncSource] {
        var names: [String] = []
        for s in sources where !names.contains(s.name) { names.append(s.name) }
        return names.flatMap { name in
            let group = sources.filter { $0.name == name }
            return group.filter { $0.kind == .entity(.customers) } + group.filter { $0.kind != .entity(.customers) }
        }
    }

    static func summaryTable(_ outcomes: [FileOutcome]) -> TextTable {
        TextTable(columns: ["source", "file", "kind", "status", "read", "inserted", "updated", "unchanged", "rejected",
                            "skipped", "seconds"],
                  rows: outcomes.map { o in
                      [o.source, o.file, o.kind, o.status.rawValue, String(o.read), String(o.inserted), String(o.updated),
                       String(o.unchanged), String(o.rejected), String(o.skipped), String(format: "%.2f", o.seconds)]
                  })
    }

    private func writeExample() throws -> ExitStatus {
        if FileManager.default.fileExists(atPath: config) {
            throw PatronError.configuration("\(config) exists already; remove it or name another with --config")
        }
        guard FileManager.default.createFile(atPath: config, contents: Data(SyncConfig.example.utf8)) else {
            throw PatronError.configuration("cannot write \(config)")
        }
        if !global.quiet { Terminal.line("wrote \(config): edit its sources, then run `patron sync --config \(config)`") }
        return .success
    }
}

/// One sync's progress through its sources: the outcomes so far and the worst exit status.
private struct SyncRun {
    let loader: Loader
    let warehouse: Warehouse
    let log: LoadEventLog
    let progress: TerminalProgress?
    let dryRun: Bool
    var outcomes: [FileOutcome] = []
    var worst = ExitStatus.success
    /// Set after an error that will fail every later file too (a lost connection).
    var stopped = false

    init(loader: Loader, warehouse: Warehouse, log: LoadEventLog, progress: TerminalProgress?, dryRun: Bool) {
        self.loader = loader
        self.warehouse = warehouse
        self.log = log
        self.progress = progress
        self.dryRun = dryRun
    }

    mutating func sync(_ source: SyncConfig.SyncSource) throws {
        switch source.kind {
        case .entity(let entity):
            for path in source.files {
                if stopped { return }
                let started = Date()
                do {
                    var options = try loadOptions(source, entity: entity)
                    if let format = source.options["format"] { options.format = InputFormat(rawValue: format) }
                    if try alreadyLoaded(path, source: source.name, kind: entity.rawValue) {
                        record(FileOutcome(alreadyLoadedFile: path, source: source.name, kind: entity.rawValue))
                        continue
                    }
                    let report = try loader.load(path: path, options: options)
                    progress?.clear()
                    record(FileOutcome(source: source.name, report: report, seconds: Date().timeIntervalSince(started)))
                } catch let error as PatronError {
                    fail(error, source: source.name, file: path, kind: entity.rawValue, started: started)
                }
            }
        case .vendor(let vendor):
            guard let type = Vendors.named(vendor) else { return }
            var settings = ImportSettings()
            settings.timeZone = TimeZone(identifier: source.options["tz"] ?? "UTC") ?? settings.timeZone
            settings.categoryField = source.options["category-field"]
            settings.handleTimeField = source.options["handle-time-field"]
            settings.ticketProperty = source.options["ticket-property"]
            settings.ticketSource = source.options["ticket-source"]
            let importer = type.init(settings: settings)
            var files: [(path: String, kind: VendorFileKind, loaded: Bool)] = []
            for path in source.files {
                do {
                    guard let (recognized, kind) = try importer.recognizeAll([path]).first else { continue }
                    files.append((recognized, kind, try alreadyLoaded(path, source: source.name, kind: kind.description)))
                } catch let error as InputError {
                    fail(.input(error), source: source.name, file: path, kind: vendor, started: Date())
                } catch let error as PatronError {
                    fail(error, source: source.name, file: path, kind: vendor, started: Date())
                }
            }
            files.sort { $0.kind.readOrder < $1.kind.readOrder }
            for (index, file) in files.enumerated() {
                if stopped { return }
                let started = Date()
                do {
                    if file.loaded {
                        // A skipped file whose lookups a later new file needs (Zendesk users for
                        // tickets) is still read, into nowhere.
                        if files[(index + 1)...].contains(where: { !$0.loaded && $0.kind.readOrder > file.kind.readOrder }) {
                            let input = try InputFile(path: file.path)
                            input.maxRecordBytes = try loadOptions(source, entity: file.kind.entities[0]).maxRecordBytes
                            try importer.convert(input, kind: file.kind, into: DiscardingSink())
                        }
                        record(FileOutcome(alreadyLoadedFile: file.path, source: source.name, kind: file.kind.description))
                        continue
                    }
                    let options = try loadOptions(source, entity: file.kind.entities[0])
                    let report = try loader.importFile(path: file.path, kind: file.kind, importer: importer, options: options)
                    progress?.clear()
                    record(FileOutcome(source: source.name, report: report, seconds: Date().timeIntervalSince(started)))
                } catch let error as InputError {
                    fail(.input(error), source: source.name, file: file.path, kind: file.kind.description, started: started)
                } catch let error as PatronError {
                    fail(error, source: source.name, file: file.path, kind: file.kind.description, started: started)
                }
            }
        }
    }

    private func loadOptions(_ source: SyncConfig.SyncSource, entity: Entity) throws -> LoadOptions {
        var options = LoadOptions(entity: entity)
        options.source = source.name
        options.timeZone = TimeZone(identifier: source.options["tz"] ?? "UTC") ?? options.timeZone
        options.dryRun = dryRun
        options.maxRejects = source.options["max-rejects"].flatMap(RejectLimit.init)
        options.maxRecordBytes = source.options["max-record-bytes"].flatMap(RecordLimit.parse) ?? RecordLimit.defaultBytes
        options.defaultCurrency = try Normalize.currency(source.options["currency"]
            ?? ProcessInfo.processInfo.environment["PATRON_CURRENCY"] ?? "USD")
        return options
    }

    /// Whether this exact file (by SHA-256) was loaded before under the source and kind.
    private func alreadyLoaded(_ path: String, source: String, kind: String) throws -> Bool {
        let checksum: String
        do {
            let input = try InputFile(path: path)
            while try input.nextChunk() != nil {}
            checksum = input.sha256Hex()
        } catch let error as InputError { throw PatronError.input(error) }
        let common = try warehouse.sql.queries("load/common.sql")
        return try warehouse.connection.execute(try common["already_loaded"], [source, kind, checksum]).bool(0, 0) ?? false
    }

    private mutating func record(_ outcome: FileOutcome) {
        log.file(outcome)
        outcomes.append(outcome)
        worst = max(worst, ExitStatus(rawValue: outcome.exitCode) ?? .internalError)
    }

    private mutating func fail(_ error: PatronError, source: String, file: String, kind: String, started: Date) {
        progress?.clear()
        record(FileOutcome(source: source, file: file, kind: kind, error: error, seconds: Date().timeIntervalSince(started)))
        if error.exitStatus != .loadFailed { stopped = true }
    }
}

/// Takes an importer's rows and forgets them (a file read only for its lookups).
private final class DiscardingSink: ImportSink {
    func emit(_ row: ImportRow) throws {}
    func skip(_ entity: Entity, _ record: SourceRecord, reason: String) {}
    func dropIdentifier(_ entity: Entity, _ record: SourceRecord, column: String, value: String, reason: String) {}
}
