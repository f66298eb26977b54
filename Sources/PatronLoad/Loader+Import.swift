import Foundation
import PatronCore
import PatronImport
import PatronInput
import PostgresClient

/// What importing one vendor file did: one load report per entity it yields, and the records
/// left out on purpose.
public struct ImportReport: Sendable {
    public let file: String
    public let kind: VendorFileKind
    public let checksum: String
    /// One per entity the file yields, in load order (an entity without rows has zero counts).
    public let loads: [LoadReport]
    /// Per entity and reason, the records skipped on purpose.
    public let skipped: [Entity: [String: Int64]]
    /// Per entity, the junk optional identifiers dropped (their rows were kept).
    public let droppedIdentifiers: [Entity: Int64]

    public var skippedTotal: Int64 { skipped.values.reduce(0) { $0 + $1.values.reduce(0, +) } }
    public var exitStatus: ExitStatus { loads.contains { $0.exitStatus == .rowsRejected } ? .rowsRejected : .success }
}

extension Loader {
    /// Imports one vendor file in one transaction across every entity it yields: the file is
    /// converted to canonical rows in a private temporary folder (bounded memory, see
    /// `CanonicalFileWriter`), then each entity is loaded from there as a canonical file would
    /// be, recorded in `load_runs` under the vendor file's name, checksum and kind.
    public func importFile(path: String, kind: VendorFileKind, importer: any VendorImporter,
                           options: LoadOptions) throws -> ImportReport {
        let started = Date()
        Self.removeAbandonedScratchFolders()
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(Self.scratchPrefix)\(getpid())-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var displayName = path
        var checksum: String?
        var bytesRead: Int64?
        do {
            let writer = try CanonicalFileWriter(directory: scratch, format: .jsonl, columns: { importer.filledColumns(for: $0) })
            // The vendor file is read in a scope of its own: its buffers are gone before the load.
            do {
                let input = try InputFile(path: path)
                input.maxRecordBytes = options.maxRecordBytes
                displayName = input.displayName
                progress?.phase("converting \(input.displayName)")
                writer.sourceFile = input.displayName
                try importer.convert(input, kind: kind, into: writer)
                try writer.finish()
                checksum = input.sha256Hex()
                bytesRead = input.rawBytesRead
            }
            releaseFreedMemory()
            logger.debug("\(displayName): converted to canonical rows in \(String(format: "%.3f", Date().timeIntervalSince(started))) s")
            return try loadConverted(writer, file: displayName, kind: kind, checksum: checksum ?? "",
                                     bytesRead: bytesRead ?? 0, options: options, started: started)
        } catch let error as PatronError {
            if !options.dryRun { recordFailedImport(error, file: displayName, kind: kind, checksum: checksum, bytesRead: bytesRead, options: options, started: started) }
            throw error
        } catch let error as InputError {
            if !options.dryRun { recordFailedImport(.input(error), file: displayName, kind: kind, checksum: checksum, bytesRead: bytesRead, options: options, started: started) }
            throw PatronError.input(error)
        } catch let error as PostgresError {
            if !options.dryRun { recordFailedImport(.database(error), file: displayName, kind: kind, checksum: checksum, bytesRead: bytesRead, options: options, started: started) }
            throw PatronError.database(error)
        }
    }

    private func loadConverted(_ writer: CanonicalFileWriter, file: String, kind: VendorFileKind, checksum: String,
                               bytesRead: Int64, options: LoadOptions, started: Date) throws -> ImportReport {
        let connection = warehouse.connection
        let common = try warehouse.sql.queries("load/common.sql")
        try configureSession()
        try connection.execute("BEGIN")
        do {
            try beginDistributedLoad()
            var loads: [LoadReport] = []
            let notices = try ImportNotices(writer: writer)
            for (position, entity) in kind.entities.enumerated() {
                if position > 0 { try connection.execute(try common["drop_load_temp_tables"]) }
                var entityOptions = options
                entityOptions.entity = entity
                let entityStarted = Date()
                let runID = try beginRun(entity: entity, options: entityOptions, file: file, format: kind.description,
                                         started: entityStarted)
                var outcome = LoadOutcome(counts: LoadCounts(), readDone: entityStarted, unknownColumns: [], direct: false)
                if let path = writer.path(of: entity) {
                    var input: InputFile
                    do { input = try InputFile(path: path) } catch let error as InputError { throw PatronError.input(error) }
                    let reader = try makeReader(input, format: .jsonl, entity: entity)
                    var context = FailureContext(path: path, format: .jsonl)
                    outcome = try loadRows(input: &input, reader: reader, format: .jsonl, options: entityOptions,
                                           runID: runID, started: entityStarted, context: &context)
                }
                if outcome.counts.rejected > 0 { try mapRejectLines(runID: runID, entity: entity, writer: writer) }
                let recordRejects = try notices.recordRejects(entity: entity, runID: runID, after: Int64(writer.rowsWritten(entity)),
                                                              connection: connection, sql: common["import_record_rejects"])
                outcome.counts.read += recordRejects
                outcome.counts.rejected += recordRejects
                if let limit = options.maxRejects, limit.isExceeded(rejected: outcome.counts.rejected, read: outcome.counts.read) {
                    throw PatronError.tooManyRejects(file: file, rejected: outcome.counts.rejected, read: outcome.counts.read,
                                                     limit: limit.description)
                }
                let finished = Date()
                try finishRun(runID, outcome: outcome, checksum: checksum, bytesRead: bytesRead, started: entityStarted,
                              finished: finished)
                let skipped = try notices.record(entity: entity, runID: runID, connection: connection, sql: common["import_record_notices"])
                if skipped > 0 { try connection.execute(try common["import_finish_run"], [runID, skipped]) }
                loads.append(report(file: file, options: entityOptions, runID: runID, outcome: outcome, checksum: checksum,
                                    started: entityStarted, finished: finished))
            }
            try connection.execute(options.dryRun ? "ROLLBACK" : "COMMIT")
            return ImportReport(file: file, kind: kind, checksum: checksum, loads: loads, skipped: writer.skipCounts,
                                droppedIdentifiers: writer.droppedCounts)
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    static let scratchPrefix = "patron-import-"

    /// A killed import (SIGKILL) leaves its scratch folder behind; the next import removes the
    /// folders of processes that no longer exist.
    static func removeAbandonedScratchFolders() {
        let folder = FileManager.default.temporaryDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(scratchPrefix) {
            let pidText = name.dropFirst(scratchPrefix.count).prefix { $0 != "-" }
            guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Says, for every rejected converted row, which line of the vendor file it came from.
    private func mapRejectLines(runID: Int64, entity: Entity, writer: CanonicalFileWriter) throws {
        let common = try warehouse.sql.queries("load/common.sql")
        let lines = try warehouse.connection.execute(try common["import_reject_lines"], [runID]).rows.compactMap { $0[0].flatMap { Int($0) } }
        let pairs = lines.compactMap { line in writer.sourceLine(of: entity, convertedLine: line).map { ($0, line) } }
        guard !pairs.isEmpty else { return }
        try warehouse.connection.execute(try common["import_map_reject_lines"], [
            runID, "{" + pairs.map { String($0.0) }.joined(separator: ",") + "}",
            "{" + pairs.map { String($0.1) }.joined(separator: ",") + "}",
        ])
    }

    private func recordFailedImport(_ error: PatronError, file: String, kind: VendorFileKind, checksum: String?,
                                    bytesRead: Int64?, options: LoadOptions, started: Date) {
        do {
            try reconnectIfLost()
            let common = try warehouse.sql.queries("load/common.sql")
            _ = try warehouse.connection.execute(try common["record_failed_run"], [
                (kind.entities.first ?? options.entity).rawValue, options.source, file, kind.description, started,
                checksum, bytesRead, Int64(0), Int64(0), error.description,
            ])
        } catch {
            logger.error("could not record the failed import in load_runs (patron status will not show it): \(error)")
        }
    }
}

/// The skipped records and dropped identifiers a conversion wrote (its notice files), read back
/// per entity and recorded in `import_notices` in batches.
private struct ImportNotices {
    struct Notice {
        var kind: String
        var line: Int64?
        var ref: String
        var column: String?
        var value: String?
        var reason: String
    }

    private let skippedPath: String?
    private let droppedPath: String?
    private let rejectedPath: String?

    init(writer: CanonicalFileWriter) throws {
        skippedPath = writer.skippedPath
        droppedPath = writer.droppedPath
        rejectedPath = writer.rejectedPath
    }

    /// Records the importer's own rejections of the entity in `rejected_rows`; returns how many.
    func recordRejects(entity: Entity, runID: Int64, after lastLine: Int64, connection: Connection,
                       sql: @autoclosure () throws -> String) throws -> Int64 {
        guard let rejectedPath else { return 0 }
        var batch: [[String?]] = []
        var recorded: Int64 = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            try connection.execute(try sql(), [
                runID, lastLine + recorded,
                "{" + batch.map { $0[1] ?? "NULL" }.joined(separator: ",") + "}",
                postgresTextArray(batch.map { $0[3] }), postgresTextArray(batch.map { $0[4] }),
                postgresTextArray(batch.map { $0[5] ?? "" }),
            ])
            recorded += Int64(batch.count)
            batch.removeAll(keepingCapacity: true)
        }
        let columns = ["entity", "line", "source_ref", "column", "value", "reason"]
        let reader = try makeRowReader(file: try InputFile(path: rejectedPath), format: .csv, columns: columns, required: Set(columns))
        var row = InputRow(columnCount: columns.count)
        while try reader.next(into: &row) {
            let v = row.values
            guard v[0] == entity.rawValue else { continue }
            batch.append(v)
            if batch.count >= 5_000 { try flush() }
        }
        try flush()
        return recorded
    }

    /// Records the entity's notices under `runID`; returns how many records were skipped.
    func record(entity: Entity, runID: Int64, connection: Connection, sql: @autoclosure () throws -> String) throws -> Int64 {
        var batch: [Notice] = []
        var seq: Int64 = 1
        var skipped: Int64 = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            try connection.execute(try sql(), [
                runID, seq, postgresTextArray(batch.map(\.kind)),
                "{" + batch.map { $0.line.map(String.init) ?? "NULL" }.joined(separator: ",") + "}",
                postgresTextArray(batch.map(\.ref)), postgresTextArray(batch.map(\.column)),
                postgresTextArray(batch.map(\.value)), postgresTextArray(batch.map(\.reason)),
            ])
            seq += Int64(batch.count)
            batch.removeAll(keepingCapacity: true)
        }
        for (path, kind) in [(skippedPath, "skipped"), (droppedPath, "identifier_dropped")] {
            guard let path else { continue }
            // entity,line,source_ref,reason  or  entity,line,source_ref,column,value,reason
            let input = try InputFile(path: path)
            let columns = kind == "skipped" ? ["entity", "line", "source_ref", "reason"]
                : ["entity", "line", "source_ref", "column", "value", "reason"]
            let reader = try makeRowReader(file: input, format: .csv, columns: columns, required: Set(columns))
            var row = InputRow(columnCount: columns.count)
            while try reader.next(into: &row) {
                let v = row.values
                guard v[0] == entity.rawValue else { continue }
                if kind == "skipped" {
                    skipped += 1
                    batch.append(Notice(kind: kind, line: v[1].flatMap { Int64($0) }, ref: v[2] ?? "", reason: v[3] ?? ""))
                } else {
                    batch.append(Notice(kind: kind, line: v[1].flatMap { Int64($0) }, ref: v[2] ?? "", column: v[3],
                                        value: v[4], reason: v[5] ?? ""))
                }
                if batch.count >= 5_000 { try flush() }
            }
        }
        try flush()
        return skipped
    }
}

/// Hands the heap memory the conversion freed back to the system before the load begins, so the
/// import's peak is the larger of the two phases, not their sum (glibc keeps freed memory).
private func releaseFreedMemory() {
    #if os(Linux)
    _ = glibcMallocTrim(0)
    #endif
}

#if os(Linux)
/// glibc's `malloc_trim` (malloc.h, which the Glibc module does not export).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
