import Foundation
import Logging
import PatronCore
import PatronInput
import PostgresClient

/// What `patron load` was asked to do with each file.
public struct LoadOptions: Sendable {
    public var entity: Entity
    /// The system the file comes from (docs/inputs.md, "Source").
    public var source: String = "default"
    /// nil: guessed from the file name.
    public var format: InputFormat?
    /// Time zone for timestamps without an offset.
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    /// Validate and report what would change, then roll back.
    public var dryRun = false
    public var maxRejects: RejectLimit?
    /// The longest record the file may hold (`InputFile.maxRecordBytes`); longer ones are rejected.
    public var maxRecordBytes = RecordLimit.defaultBytes
    /// Currency of money columns whose `currency` is missing or empty.
    public var defaultCurrency = "USD"
    /// Whether the first load of a source may write straight into its table (Loader+Direct.swift).
    /// The result is the same either way; tests compare both paths.
    public var directPath = true
    /// Distinct identifiers a direct load joins in memory (at most 24 MiB, see IdentityGraph)
    /// before it gives way to the staging path.
    public var directIdentifierLimit = 700_000
    /// Rows a direct load copies past a possibly repeated id before it checks (`RepeatConfirmer`):
    /// what a repeat can cost at most, in rows written and rolled back.
    public var directRepeatCheckRows: Int64 = 1 << 16

    public init(entity: Entity) { self.entity = entity }
}

/// `--max-rejects N` or `--max-rejects P%`: more rejected rows than this fails the file.
public enum RejectLimit: Sendable, CustomStringConvertible, Equatable {
    case count(Int64)
    case percent(Double)

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let p = Double(trimmed.dropLast()), p >= 0, p <= 100 else { return nil }
            self = .percent(p)
        } else {
            guard let n = Int64(trimmed), n >= 0 else { return nil }
            self = .count(n)
        }
    }

    public func isExceeded(rejected: Int64, read: Int64) -> Bool {
        switch self {
        case .count(let n): return rejected > n
        case .percent(let p): return read > 0 && Double(rejected) * 100 > p * Double(read)
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return "\(n)"
        case .percent(let p): return "\(p.formatted())%"
        }
    }
}

/// How every row of one file was accounted for:
/// read = inserted + updated + unchanged + superseded + rejected.
public struct LoadCounts: Sendable, Equatable, Codable {
    public var read: Int64 = 0
    public var inserted: Int64 = 0
    public var updated: Int64 = 0
    public var unchanged: Int64 = 0
    public var superseded: Int64 = 0
    public var rejected: Int64 = 0
    public var customersCreated: Int64 = 0
    public var customersMerged: Int64 = 0

    public init() {}

    public var reconciles: Bool { read == inserted + updated + unchanged + superseded + rejected }
}

public struct LoadReport: Sendable {
    public let file: String
    public let entity: Entity
    /// nil for a dry run (its run was rolled back with everything else).
    public let runID: Int64?
    public let dryRun: Bool
    public let counts: LoadCounts
    public let unknownColumns: [String]
    public let checksum: String
    public let readSeconds: Double
    public let mergeSeconds: Double
    /// Whether the rows went straight into their table (the first load of a source,
    /// Loader+Direct.swift) rather than through the staging table.
    public var direct = false

    public var exitStatus: ExitStatus { counts.rejected > 0 ? .rowsRejected : .success }
}

/// Receives progress while a file loads (the CLI draws it on a terminal).
public protocol LoadProgress: AnyObject {
    func rowsRead(_ rows: Int64, bytesRead: Int64, totalBytes: Int64?)
    func phase(_ description: String)
}

/// Loads files into the warehouse, one transaction per file: all of a file's good rows or
/// nothing. Rows are read, validated and normalized here (the client reads every row anyway),
/// streamed into a temporary staging table with binary COPY, and merged set-based in SQL:
/// last occurrence wins, identities resolved, changed rows updated, new rows inserted.
public final class Loader {
    let warehouse: Warehouse
    let logger: Logger
    public weak var progress: LoadProgress?
    /// Whether `session_settings` ran on this connection (it must precede any temporary table).
    var sessionConfigured = false

    /// Rows between progress callbacks, and encoded bytes between COPY writes.
    let progressEvery: Int64 = 16_384
    let copyChunkBytes = 1 << 20

    public init(warehouse: Warehouse, logger: Logger = Logger(label: "patron.load")) {
        self.warehouse = warehouse
        self.logger = logger
    }

    /// Loads one file (or "-" for standard input). Throws `PatronError` when the file changed
    /// nothing; a failed load is still recorded in `load_runs` (unless dry run).
    public func load(path: String, options: LoadOptions) throws -> LoadReport {
        let started = Date()
        let format = options.format ?? InputFormat.guess(fromPath: path)
        var context = FailureContext(path: path, format: format)
        do {
            let input: InputFile
            do { input = try InputFile(path: path) } catch let error as InputError { throw PatronError.input(error) }
            input.maxRecordBytes = options.maxRecordBytes
            context.input = input
            guard let format else {
                throw PatronError.configuration(
                    "cannot tell the format of \(input.displayName): name it *.csv or *.jsonl (optionally .gz), or pass --format csv|jsonl")
            }
            return try loadInTransaction(input: input, format: format, options: options, started: started, context: &context)
        } catch let error as PatronError {
            if !options.dryRun { recordFailure(error, options: options, started: started, context: context) }
            throw error
        } catch let error as InputError {
            if !options.dryRun { recordFailure(.input(error), options: options, started: started, context: context) }
            throw PatronError.input(error)
        } catch let error as PostgresError {
            if !options.dryRun { recordFailure(.database(error), options: options, started: started, context: context) }
            throw PatronError.database(error)
        }
    }

    /// What is known about a file when its load fails, for the failed run's record.
    struct FailureContext {
        let path: String
        let format: InputFormat?
        var input: InputFile?
        var rowsRead: Int64 = 0
        var rowsRejected: Int64 = 0
    }

    private func loadInTransaction(input: InputFile, format: InputFormat, options: LoadOptions, started: Date,
                                   context: inout FailureContext) throws -> LoadReport {
        let connection = warehouse.connection
        let reader = try makeReader(input, format: format, entity: options.entity)
        try configureSession()
        try connection.execute("BEGIN")
        do {
            try beginDistributedLoad()
            let runID = try beginRun(entity: options.entity, options: options, file: input.displayName,
                                     format: format.rawValue, started: started)
            var input = input
            let outcome = try loadRows(input: &input, reader: reader, format: format, options: options, runID: runID,
                                       started: started, context: &context)
            let finished = Date()
            let checksum = input.sha256Hex()
            try finishRun(runID, outcome: outcome, checksum: checksum, bytesRead: input.rawBytesRead, started: started,
                          finished: finished)
            try connection.execute(options.dryRun ? "ROLLBACK" : "COMMIT")
            logger.debug("\(input.displayName): finish+commit \(String(format: "%.3f", Date().timeIntervalSince(finished))) s")
            return report(file: input.displayName, options: options, runID: runID, outcome: outcome, checksum: checksum,
                          started: started, finished: finished)
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    func makeReader(_ input: InputFile, format: InputFormat, entity: Entity) throws -> RowReader {
        let spec = entity.spec
        do {
            return try makeRowReader(file: input, format: format, columns: spec.columnNames, required: spec.requiredNames)
        } catch let error as InputError { throw PatronError.input(error) }
    }

    /// `session_settings` must precede the connection's first temporary table.
    func configureSession() throws {
        guard !sessionConfigured else { return }
        try warehouse.connection.execute(try warehouse.sql.queries("load/common.sql")["session_settings"])
        sessionConfigured = true
    }

    /// The run's row, written inside the caller's transaction.
    /// First in a file's transaction: on Citus, makes every worker the load writes to take part
    /// in the two-phase commit (sql/models/citus_distribution.sql, begin_distributed_load).
    func beginDistributedLoad() throws {
        let common = try warehouse.sql.queries("load/common.sql")
        try warehouse.connection.execute(try common["begin_distributed_load"])
    }

    func beginRun(entity: Entity, options: LoadOptions, file: String, format: String, started: Date) throws -> Int64 {
        let common = try warehouse.sql.queries("load/common.sql")
        return try warehouse.connection.execute(try common["begin_run"], [
            entity.rawValue, options.source, file, format, started,
        ]).int64(0, 0) ?? 0
    }

    func finishRun(_ runID: Int64, outcome: LoadOutcome, checksum: String, bytesRead: Int64, started: Date,
                   finished: Date) throws {
        let common = try warehouse.sql.queries("load/common.sql")
        let counts = outcome.counts
        try warehouse.connection.execute(try common["finish_run"], [
            runID, counts.rejected > 0 ? "loaded_with_rejects" : "loaded", checksum, bytesRead,
            outcome.readDone.timeIntervalSince(started), finished.timeIntervalSince(outcome.readDone),
            counts.read, counts.inserted, counts.updated, counts.unchanged, counts.superseded, counts.rejected,
            counts.customersCreated, counts.customersMerged, postgresTextArray(outcome.unknownColumns),
        ])
    }

    func report(file: String, options: LoadOptions, runID: Int64, outcome: LoadOutcome, checksum: String,
                started: Date, finished: Date) -> LoadReport {
        var report = LoadReport(
            file: file, entity: options.entity, runID: options.dryRun ? nil : runID,
            dryRun: options.dryRun, counts: outcome.counts, unknownColumns: outcome.unknownColumns, checksum: checksum,
            readSeconds: outcome.readDone.timeIntervalSince(started), mergeSeconds: finished.timeIntervalSince(outcome.readDone))
        report.direct = outcome.direct
        return report
    }

    /// Loads one file's rows into the entity's table inside the caller's transaction: the
    /// direct path for a source's first load when it applies, else the staging path. `input`
    /// is replaced when the direct path gives way and the file is read again.
    /// Then the summaries of the customers the file touched are brought up to date
    /// (sql/models/customer_summaries.sql): here, so that the run's merge time includes them
    /// (the commit would do it anyway).
    func loadRows(input: inout InputFile, reader: RowReader, format: InputFormat, options: LoadOptions, runID: Int64,
                  started: Date, context: inout FailureContext) throws -> LoadOutcome {
        let outcome = try loadRowsByPath(input: &input, reader: reader, format: format, options: options, runID: runID,
                                         started: started, context: &context)
        if !options.dryRun {
            var phases = PhaseClock(logger: logger, file: input.displayName)
            let refreshed = try warehouse.connection.execute(
                try warehouse.sql.queries("load/common.sql")["refresh_summaries"]).int64(0, 0) ?? 0
            phases.lap("summaries of \(refreshed) customers")
        }
        return outcome
    }

    private func loadRowsByPath(input: inout InputFile, reader: RowReader, format: InputFormat, options: LoadOptions,
                                runID: Int64, started: Date, context: inout FailureContext) throws -> LoadOutcome {
        let common = try warehouse.sql.queries("load/common.sql")
        let connection = warehouse.connection
        try connection.execute(try common["load_settings"])
        try connection.execute(try common["load_index_settings"])
        try connection.execute(try common["load_jit_settings"])
        try connection.execute(try common["load_cost_settings"])

        var reader = reader
        // Asked once: the identity work of either path writes no row of this entity's table.
        let sourceIsNew = try connection.execute(try common["source_is_new"], [
            options.entity.rawValue, options.entity.table, options.source,
        ]).bool(0, 0) ?? false
        if sourceIsNew, directPathApplies(input: input, options: options) {
            if let outcome = try loadDirect(reader: reader, input: input, format: format, options: options, runID: runID,
                                            started: started, context: &context) {
                return outcome
            }
            // Read the file again, from the start, through the staging table.
            do { input = try InputFile(path: input.path) } catch let error as InputError { throw PatronError.input(error) }
            input.maxRecordBytes = options.maxRecordBytes
            reader = try makeReader(input, format: format, entity: options.entity)
            context.input = input
        }
        return try loadStaged(reader: reader, input: input, format: format, options: options, runID: runID,
                              sourceIsNew: sourceIsNew, started: started, context: &context)
    }

    /// The staging path: every row into a temporary table, then merged set-based in SQL
    /// (superseded rows dropped, identities resolved, changed rows updated, new rows inserted).
    private func loadStaged(reader: RowReader, input: InputFile, format: InputFormat, options: LoadOptions, runID: Int64,
                            sourceIsNew: Bool, started: Date, context: inout FailureContext) throws -> LoadOutcome {
        let spec = options.entity.spec
        let queries = try warehouse.sql.queries(options.entity.loadSQLFile)
        let common = try warehouse.sql.queries("load/common.sql")
        let connection = warehouse.connection
        try connection.execute(try queries["create_stage"])
        try checkStageColumns(spec: spec)

        progress?.phase("reading \(input.displayName)")
        var counts = LoadCounts()
        let staged = try stage(reader: reader, input: input, format: format, spec: spec, options: options,
                               copySQL: try common["copy_stage"], counts: &counts)
        context.rowsRead = counts.read
        context.rowsRejected = counts.rejected
        let readDone = Date()
        let unknown = try checkRead(reader: reader, input: input, options: options, counts: counts)
        var phases = PhaseClock(logger: logger, file: input.displayName)
        phases.lap("read+copy", since: started)
        try connection.execute(try common["analyze_stage"])
        phases.lap("analyze_stage")
        if counts.rejected > 0 {
            try connection.execute(try common["record_rejects"], [runID])
            phases.lap("record_rejects")
        }
        if staged.repeatedRows > 0 {
            counts.superseded = try connection.execute(try common["drop_superseded"], [options.entity.idColumn]).int64(0, 0) ?? 0
            phases.lap("drop_superseded")
        }
        let winners = counts.read - counts.rejected - counts.superseded
        if spec.resolvesCustomers {
            try connection.execute(try common["identity_sets"], [spec.index(of: "handle") != nil])
            phases.lap("identity_sets")
            let resolved = try connection.execute(try common["resolve_identities"], [options.source, runID])
            counts.customersCreated = resolved.int64(0, 0) ?? 0
            counts.customersMerged = resolved.int64(0, 1) ?? 0
            phases.lap("resolve_identities")
        }
        var parameters: [PostgresBindable?] = [options.source, runID]
        if spec.usesDefaultCurrency { parameters.append(options.defaultCurrency) }
        // Which rows are stored already, and those whose customer changed moved (the insert
        // leaves out the first; see sql/models/load_match_stored_rows.sql).
        // Mentions: the same, with handle_key in the place of the customer (a mention whose
        // handle changed moves; sql/models/load_match_stored_mentions.sql).
        if spec.resolvesCustomers {
            try connection.execute(try common["match_stored_rows"], [
                options.entity.table, options.entity.idColumn, options.source, spec.index(of: "handle") != nil, runID,
                sourceIsNew,
            ])
            phases.lap("match_stored_rows")
        } else {
            try connection.execute(try queries["match_stored"], [options.source, sourceIsNew])
            phases.lap("match_stored")
        }
        // The first load of a source needs neither the update nor a look-up per inserted row.
        if !sourceIsNew {
            try queueSummaries(options: options, runID: runID, step: "stored")
            counts.updated = try connection.execute(try queries["update"], parameters).affectedRows ?? 0
            phases.lap("update")
        }
        // A load at least the table's size rebuilds its indexes instead of inserting into them
        // row by row.
        let suspended = try connection.execute(try common["suspend_indexes"], [
            options.entity.table, winners - counts.updated,
        ]).int64(0, 0) ?? 0
        counts.inserted = try connection.execute(try queries["insert"], parameters).affectedRows ?? 0
        phases.lap("insert")
        if suspended > 0 {
            try connection.execute(try common["restore_indexes"])
            phases.lap("rebuild \(suspended) indexes")
        }
        try queueSummaries(options: options, runID: runID, step: "staged")
        counts.unchanged = winners - counts.updated - counts.inserted
        return LoadOutcome(counts: counts, readDone: readDone, unknownColumns: unknown, direct: false)
    }

    /// On Citus, which allows no trigger on a distributed table, the loader queues the customers
    /// whose summaries the file's rows may change, at each `step` of its path
    /// (sql/models/load_queue_summaries.sql). On one server the triggers did it: nothing happens.
    /// `freshBase`: a direct load's first customer key minus one (step "direct" only).
    func queueSummaries(options: LoadOptions, runID: Int64, step: String, freshBase: Int64? = nil) throws {
        guard options.entity == .purchases || options.entity == .returns else { return }
        try warehouse.connection.execute(try warehouse.sql.queries("load/common.sql")["queue_summaries"], [
            options.entity.table, options.source, runID, step, freshBase,
        ])
    }

    /// After reading, either path: reports the columns the file has that nobody asked for, and
    /// fails the load if `--max-rejects` is exceeded. Returns the unknown columns.
    func checkRead(reader: RowReader, input: InputFile, options: LoadOptions, counts: LoadCounts) throws -> [String] {
        let unknown = reader.unknownColumns
        if !unknown.isEmpty {
            logger.warning("\(input.displayName): ignoring unknown columns: \(unknown.joined(separator: ", "))")
        }
        if let limit = options.maxRejects, limit.isExceeded(rejected: counts.rejected, read: counts.read) {
            throw PatronError.tooManyRejects(file: input.displayName, rejected: counts.rejected, read: counts.read,
                                             limit: limit.description)
        }
        progress?.phase("merging \(input.displayName)")
        return unknown
    }

    /// What staging learned beyond the counts.
    struct StageSummary {
        /// Valid rows whose id may have occurred in an earlier valid row (see `RepeatFilter`).
        var repeatedRows: Int64 = 0
    }

    /// Reads, validates and streams every row into `load_stage`.
    private func stage(reader: RowReader, input: InputFile, format: InputFormat, spec: EntitySpec,
                       options: LoadOptions, copySQL: String, counts: inout LoadCounts) throws -> StageSummary {
        var stager = RowStager(spec: spec, timeZone: options.timeZone,
                               expectedBytes: input.sizeInBytes.map { input.isGzip ? $0 * 6 : $0 })
        var row = InputRow(columnCount: spec.columns.count)
        var read: Int64 = 0
        var rejected: Int64 = 0
        var summary = StageSummary()
        try warehouse.connection.copyIn(copySQL) { stream in
            while try reader.next(into: &row) {
                read += 1
                if read == 1 { try spec.checkHeader(firstRow: row, format: format, file: input.displayName) }
                let staged = try stager.add(row)
                if staged.rejected { rejected += 1 }
                if staged.repeated { summary.repeatedRows += 1 }
                try stager.encoder.flush(ifLargerThan: copyChunkBytes, into: stream)
                if read % progressEvery == 0 {
                    progress?.rowsRead(read, bytesRead: input.rawBytesRead, totalBytes: input.sizeInBytes)
                }
            }
            try stager.encoder.finish(into: stream)
        }
        progress?.rowsRead(read, bytesRead: input.rawBytesRead, totalBytes: input.sizeInBytes)
        counts.read = read
        counts.rejected = rejected
        return summary
    }

    /// The staging table in `sql/load/<entity>.sql` must match what the encoder writes, column
    /// for column; binary COPY would otherwise fail obscurely or, worse, mix columns up.
    private func checkStageColumns(spec: EntitySpec) throws {
        let result = try warehouse.connection.execute(try warehouse.session["stage_columns"])
        let actual = result.rows.map { ($0[0] ?? "", $0[1] ?? "") }
        let expected = StageEncoder(spec: spec).stageColumns
        guard actual.count == expected.count, zip(actual, expected).allSatisfy({ $0.0 == $1.name && $0.1 == $1.type }) else {
            let a = actual.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            let e = expected.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
            throw PatronError.configuration(
                "\(spec.entity.loadSQLFile): load_stage columns do not match the loader.\n  file:   \(a)\n  loader: \(e)")
        }
    }

    private func recordFailure(_ error: PatronError, options: LoadOptions, started: Date, context: FailureContext) {
        do {
            try reconnectIfLost()
            let common = try warehouse.sql.queries("load/common.sql")
            let finished = context.input.map { $0.sha256Hex() }
            let runID = try warehouse.connection.execute(try common["record_failed_run"], [
                options.entity.rawValue, options.source, context.input?.displayName ?? context.path,
                context.format?.rawValue ?? "unknown", started, finished, context.input?.rawBytesRead,
                context.rowsRead, context.rowsRejected, error.description,
            ]).int64(0, 0)
            logger.debug("recorded failed run \(runID ?? 0)")
        } catch {
            logger.error("could not record the failed load in load_runs (patron status will not show it): \(error)")
        }
    }
}

extension Loader {
    /// A load whose connection was lost (a server restart, a killed backend) is still recorded
    /// as failed: Patron connects once more to write its `load_runs` row.
    func reconnectIfLost() throws {
        guard !warehouse.connection.isUsable else { return }
        logger.warning("the connection was lost; connecting again to record the failed load")
        try warehouse.reconnect()
        sessionConfigured = false
    }
}

/// Logs how long each phase of a load took (`--verbose`), to see where the time goes.
struct PhaseClock {
    let logger: Logger
    let file: String
    private var last = Date()

    init(logger: Logger, file: String) {
        self.logger = logger
        self.file = file
    }

    mutating func lap(_ phase: String, since start: Date? = nil) {
        let now = Date()
        let seconds = now.timeIntervalSince(start ?? last)
        logger.debug("\(file): \(phase) \(String(format: "%.3f", seconds)) s")
        last = now
    }
}

/// A Postgres text[] literal, for binding a list as one parameter; nil items are NULL.
func postgresTextArray(_ items: [String?]) -> String {
    "{" + items.map { item in
        guard let item else { return "NULL" }
        return "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }.joined(separator: ",") + "}"
}
