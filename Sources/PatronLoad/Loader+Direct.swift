import Foundation
import Logging
import PatronCore
import PatronInput
import PostgresClient

/// The direct path: the first load of a source (its table holds none of its rows yet) writes
/// the rows straight into their table with one binary COPY, instead of staging them in a
/// temporary table and inserting from there. It needs each row's customer key while the row
/// streams: `IdentityGraph` joins the file's identifiers as they are read, and afterwards
/// `resolve_identities` relates the file's components to the customers already stored (and
/// `rekey_direct_rows` fixes the rows whose component ended with another key, usually none).
///
/// It gives way to the staging path — back to a savepoint, the file read again — when an id
/// repeats in the file (the last occurrence must win, and a superseded row must not join
/// identities), or when the file has more distinct identifiers than `IdentityGraph.limit`.
/// A repeat is found while copying, at most `LoadOptions.directRepeatCheckRows` rows after it
/// (`RepeatConfirmer`), so little is written in vain; the table's primary key (a unique
/// violation during the COPY, or when the suspended key is built again) stays the last word.
/// The result is the same either way; a test loads the same files by both paths and compares.
extension Loader {
    /// Why a direct load gave way to the staging path.
    struct DirectPathAbandoned: Error, CustomStringConvertible {
        let description: String
    }

    /// What a load path did, for the run's record.
    struct LoadOutcome {
        var counts: LoadCounts
        var readDone: Date
        var unknownColumns: [String]
        var direct: Bool
    }

    /// Whether a first load of its source may take the direct path: allowed, and a file that
    /// can be read again (for the way back).
    func directPathApplies(input: InputFile, options: LoadOptions) -> Bool {
        options.directPath && input.path != "-" && input.sizeInBytes != nil
    }

    /// Runs the direct path inside the file's transaction. Returns nil when it gave way to the
    /// staging path (everything it did is rolled back to the savepoint).
    func loadDirect(reader: RowReader, input: InputFile, format: InputFormat, options: LoadOptions, runID: Int64,
                    started: Date, context: inout FailureContext) throws -> LoadOutcome? {
        let spec = options.entity.spec
        let queries = try warehouse.sql.queries(options.entity.loadSQLFile)
        let common = try warehouse.sql.queries("load/common.sql")
        let connection = warehouse.connection
        let copySQL = try queries["copy_direct"]
        try checkDirectColumns(spec: spec, copySQL: copySQL)

        try connection.execute(try common["direct_savepoint"])
        do {
            let freshBase = try connection.execute(try common["reserve_keys"]).int64(0, 0) ?? 0
            // Rows expected, from the file's size (a row is rarely under 64 bytes): a load at
            // least the table's size builds its indexes afterwards (suspend_indexes).
            let expectedRows = (input.sizeInBytes ?? 0) * (input.isGzip ? 6 : 1) / 64
            _ = try connection.execute(try common["suspend_indexes"], [options.entity.table, expectedRows])

            progress?.phase("reading \(input.displayName)")
            var graph = IdentityGraph(limit: options.directIdentifierLimit)
            let identifiers = try SpillFile()
            let rejects = try SpillFile()
            var counts = LoadCounts()
            try streamDirect(
                reader: reader, input: input, format: format, spec: spec, options: options, runID: runID,
                freshBase: freshBase, copySQL: copySQL, graph: &graph, identifiers: identifiers, rejects: rejects,
                counts: &counts)
            context.rowsRead = counts.read
            context.rowsRejected = counts.rejected
            let readDone = Date()
            var phases = PhaseClock(logger: logger, file: input.displayName)
            phases.lap("read+copy (direct)", since: started)

            let unknown = try checkRead(reader: reader, input: input, options: options, counts: counts)
            if counts.rejected > 0 {
                try copySpilledRows(rejects, sql: try common["copy_direct_rejects"])
                phases.lap("record_rejects")
            }
            // Every index suspended so far (the table's, and those of customers and identifiers
            // resolveDirectIdentities suspends) is built once, below, after rekey_direct_rows: the
            // rows a later row of the file re-keyed are updated without index entries (a file
            // naming its customers by e-mail on one row and phone on the next re-keys a few
            // percent of its rows).
            if spec.resolvesCustomers {
                try resolveDirectIdentities(graph: &graph, identifiers: identifiers, freshBase: freshBase,
                                            options: options, runID: runID, counts: &counts, phases: &phases)
            }
            let rebuilt = try connection.execute(try common["restore_indexes"]).int64(0, 0) ?? 0
            if rebuilt > 0 { phases.lap("rebuild \(rebuilt) indexes") }
            try queueSummaries(options: options, runID: runID, step: "direct", freshBase: freshBase)
            counts.inserted = counts.read - counts.rejected
            return LoadOutcome(counts: counts, readDone: readDone, unknownColumns: unknown, direct: true)
        } catch let error as PostgresError where error.isUniqueViolation {
            // The primary key (built after the COPY, or in place during it) found an id twice.
            try connection.execute(try common["direct_abandon"])
            logger.info("\(input.displayName): loading through the staging table instead: an id repeats in the file")
            return nil
        } catch let abandoned as DirectPathAbandoned {
            try connection.execute(try common["direct_abandon"])
            logger.info("\(input.displayName): loading through the staging table instead: \(abandoned)")
            return nil
        }
    }

    /// Reads, validates and streams every valid row into the entity's table; rejected rows and
    /// first-seen identifiers go to spill files.
    private func streamDirect(reader: RowReader, input: InputFile, format: InputFormat, spec: EntitySpec,
                              options: LoadOptions, runID: Int64, freshBase: Int64, copySQL: String,
                              graph: inout IdentityGraph, identifiers: SpillFile, rejects: SpillFile,
                              counts: inout LoadCounts) throws {
        let identifierColumns = spec.identifierColumns
        // Each row is validated and encoded as for the staging table, then framed for its own.
        // Its filter may take 64 MiB (files up to 512 MiB at a bit per byte), as false positives
        // cost a check each here (`RepeatConfirmer`).
        var stager = RowStager(spec: spec, timeZone: options.timeZone,
                               expectedBytes: input.sizeInBytes.map { input.isGzip ? $0 * 6 : $0 },
                               maxFilterBits: 1 << 29)
        var repeats = try RepeatConfirmer(rowsPerCheck: options.directRepeatCheckRows)
        var framer = DirectRowFramer(spec: spec, source: options.source, runID: runID,
                                     defaultCurrency: options.defaultCurrency)
        var encoder = BinaryCopyEncoder()
        var row = InputRow(columnCount: spec.columns.count)
        var rowNodes: [Int32] = []
        var read: Int64 = 0
        var rejected: Int64 = 0
        try warehouse.connection.copyIn(copySQL) { stream in
            while try reader.next(into: &row) {
                read += 1
                if read == 1 { try spec.checkHeader(firstRow: row, format: format, file: input.displayName) }
                let start = stager.encoder.encoder.count
                let outcome = try stager.add(row)
                try stager.encoder.encoder.withUnsafeBytes(from: start) { staged in
                    if framer.parse(staged) {
                        rejected += 1
                        try framer.writeRejected(staged, into: rejects)
                        return
                    }
                    do { try repeats.add(hash: outcome.idHash, suspect: outcome.repeated, line: row.line) } catch let found as RepeatConfirmer.Repeat {
                        throw DirectPathAbandoned(description: "the id on line \(found.line) repeats an earlier one (found after \(repeats.rows) rows)")
                    }
                    rowNodes.removeAll(keepingCapacity: true)
                    for (i, kind) in identifierColumns {
                        guard let value = framer.column(i, in: staged) else { continue }
                        var isNew = false
                        do { rowNodes.append(try graph.node(kind: kind, value: value, isNew: &isNew)) } catch let full as IdentityGraph.Full {
                            throw DirectPathAbandoned(description: "more than \(full.limit) distinct identifiers")
                        }
                        if isNew { try Self.spillIdentifier(node: rowNodes.last!, kind: kind, value: value, into: identifiers) }
                    }
                    let key: Int64? = rowNodes.isEmpty ? nil : freshBase + Int64(graph.key(joining: rowNodes[...]))
                    framer.writeAccepted(staged, key: key, into: &encoder)
                }
                stager.encoder.truncate(to: start)
                try encoder.flushIfLarger(than: copyChunkBytes, into: stream)
                if read % progressEvery == 0 {
                    progress?.rowsRead(read, bytesRead: input.rawBytesRead, totalBytes: input.sizeInBytes)
                }
            }
            do { try repeats.finish() } catch let found as RepeatConfirmer.Repeat {
                throw DirectPathAbandoned(description: "the id on line \(found.line) repeats an earlier one")
            }
            try encoder.finish(into: stream)
        }
        if repeats.checks > 0 { logger.debug("\(input.displayName): \(repeats.checks) repeat checks, none confirmed") }
        progress?.rowsRead(read, bytesRead: input.rawBytesRead, totalBytes: input.sizeInBytes)
        counts.read = read
        counts.rejected = rejected
    }

    /// Sends the file's components to `resolve_identities` and re-keys what must be. Into a
    /// warehouse that knows no identifier yet, nothing can be stored already: the components
    /// are the customers, and customers and identifiers are copied straight into their tables.
    private func resolveDirectIdentities(graph: inout IdentityGraph, identifiers: SpillFile, freshBase: Int64,
                                         options: LoadOptions, runID: Int64, counts: inout LoadCounts,
                                         phases: inout PhaseClock) throws {
        let common = try warehouse.sql.queries("load/common.sql")
        let connection = warehouse.connection
        try connection.execute(try common["create_direct_retired"])
        let retired = graph.retiredRoots()
        if !retired.isEmpty {
            try connection.copyIn(try common["copy_direct_retired"]) { stream in
                var encoder = BinaryCopyEncoder()
                for (provisional, root) in retired {
                    encoder.beginRow(fieldCount: 2)
                    encoder.append(int64: Int64(provisional))
                    encoder.append(int64: Int64(root))
                    try encoder.flushIfLarger(than: copyChunkBytes, into: stream)
                }
                try encoder.finish(into: stream)
            }
        }
        if graph.nodeCount > 1 {
            try connection.execute(try common["reserve_keys_until"], [freshBase + Int64(graph.nodeCount)])
        }
        let firstIdentities = try connection.execute(try common["no_identifiers_stored"]).bool(0, 0) ?? false
        if firstIdentities {
            try copyFirstIdentities(graph: &graph, identifiers: identifiers, freshBase: freshBase, options: options,
                                    runID: runID, counts: &counts, phases: &phases)
        } else {
            try connection.execute(try common["create_direct_sets"])
            // identity_sets: one row per identifier, in the column of its kind, set_id = its root.
            try connection.copyIn(try common["copy_direct_sets"]) { stream in
                var encoder = BinaryCopyEncoder()
                try Self.readSpilledIdentifiers(identifiers) { node, kind, value in
                    encoder.beginRow(fieldCount: 5)
                    encoder.append(int64: Int64(graph.find(node)))
                    for column in UInt8(1)...4 {
                        if column == kind { encoder.append(utf8: value) } else { encoder.appendNull() }
                    }
                    try encoder.flushIfLarger(than: copyChunkBytes, into: stream)
                }
                try encoder.finish(into: stream)
            }
            phases.lap("identity_sets (\(graph.nodeCount) identifiers, \(retired.count) retired)")
            let resolved = try connection.execute(try common["resolve_direct_identities"], [options.source, runID, freshBase])
            counts.customersCreated = resolved.int64(0, 0) ?? 0
            counts.customersMerged = resolved.int64(0, 1) ?? 0
            phases.lap("resolve_identities")
        }
        let rekeyed = try connection.execute(try common["rekey_direct_rows"], [
            options.entity.table, options.source, freshBase,
        ]).int64(0, 0) ?? 0
        phases.lap("rekey \(rekeyed) rows")
    }

    /// The first identities of a warehouse: one customer per component, every identifier to it.
    private func copyFirstIdentities(graph: inout IdentityGraph, identifiers: SpillFile, freshBase: Int64,
                                     options: LoadOptions, runID: Int64, counts: inout LoadCounts,
                                     phases: inout PhaseClock) throws {
        let common = try warehouse.sql.queries("load/common.sql")
        let connection = warehouse.connection
        let nodeCount = Int64(graph.nodeCount)
        _ = try connection.execute(try common["suspend_indexes"], ["customers", nodeCount])
        _ = try connection.execute(try common["suspend_indexes"], ["customer_identifiers", nodeCount])
        var created: Int64 = 0
        try connection.copyIn(try common["copy_first_customers"]) { stream in
            var encoder = BinaryCopyEncoder()
            for node in Int32(1)...Int32(max(1, graph.nodeCount)) where graph.nodeCount > 0 && graph.find(node) == node {
                encoder.beginRow(fieldCount: 2)
                encoder.append(int64: freshBase + Int64(node))
                encoder.append(int64: runID)
                created += 1
                try encoder.flushIfLarger(than: copyChunkBytes, into: stream)
            }
            try encoder.finish(into: stream)
        }
        let kindNames = ["", "customer_id", "email", "phone", "handle"]
        try connection.copyIn(try common["copy_first_identifiers"]) { stream in
            var encoder = BinaryCopyEncoder()
            try Self.readSpilledIdentifiers(identifiers) { node, kind, value in
                encoder.beginRow(fieldCount: 5)
                encoder.append(utf8: value)
                encoder.append(text: kindNames[Int(kind)])
                encoder.append(text: kind == 1 ? options.source : "")
                encoder.append(int64: freshBase + Int64(graph.find(node)))
                encoder.append(int64: runID)
                try encoder.flushIfLarger(than: copyChunkBytes, into: stream)
            }
            try encoder.finish(into: stream)
        }
        counts.customersCreated = created
        // Their indexes are built with the table's, after rekey_direct_rows (see loadDirect).
        phases.lap("copy \(created) customers, \(graph.nodeCount) identifiers")
    }

    // MARK: Spill files

    /// Streams binary COPY tuples kept in `spill` (no header) into `sql`.
    private func copySpilledRows(_ spill: SpillFile, sql: String) throws {
        try warehouse.connection.copyIn(sql) { stream in
            var encoder = BinaryCopyEncoder()
            try encoder.flushIfLarger(than: 0, into: stream)  // the header
            try spill.readAll { try stream.write($0) }
            try encoder.finish(into: stream)
        }
    }

    /// A first-seen identifier: node (4 bytes), kind (1), length (4), UTF-8 bytes.
    private static func spillIdentifier(node: Int32, kind: UInt8, value: UnsafeRawBufferPointer, into spill: SpillFile) throws {
        spill.append(integer: node)
        spill.append(byte: kind)
        spill.append(integer: UInt32(value.count))
        try spill.append(value)
    }

    private static func readSpilledIdentifiers(_ spill: SpillFile,
                                               _ body: (Int32, UInt8, UnsafeRawBufferPointer) throws -> Void) throws {
        var pending: [UInt8] = []
        try spill.readAll { chunk in
            pending.append(contentsOf: chunk)
            var offset = 0
            try pending.withUnsafeBytes { bytes in
                while bytes.count - offset >= 9 {
                    let node = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                    let kind = bytes[offset + 4]
                    let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 5, as: UInt32.self)))
                    guard bytes.count - offset - 9 >= length else { break }
                    try body(node, kind, UnsafeRawBufferPointer(rebasing: bytes[(offset + 9)..<(offset + 9 + length)]))
                    offset += 9 + length
                }
            }
            pending.removeFirst(offset)
        }
    }

    /// `copy_direct` in `sql/load/<entity>.sql` must list the columns the encoder writes.
    private func checkDirectColumns(spec: EntitySpec, copySQL: String) throws {
        let listed: [String]
        let statement = copySQL.range(of: "COPY ").map { copySQL[$0.lowerBound...] } ?? copySQL[...]
        if let open = statement.firstIndex(of: "("), let close = statement[open...].firstIndex(of: ")") {
            listed = statement[statement.index(after: open)..<close].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\"", with: "")
            }
        } else {
            listed = []
        }
        guard listed == spec.directColumns else {
            throw PatronError.configuration(
                "\(spec.entity.loadSQLFile): copy_direct columns do not match the loader.\n  file:   \(listed.joined(separator: ", "))\n  loader: \(spec.directColumns.joined(separator: ", "))")
        }
    }
}
