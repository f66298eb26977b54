import Crypto
import Foundation
import PostgresClient

/// One file of `sql/migrations/`, named `NNNN_what_it_does.sql`.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Checksums of earlier texts of this file that it replaces, from its header's
    /// `-- supersedes checksum: HEX reason` lines (sql/migrations/README.md): a schema that
    /// applied one of those texts accepts this one, and records its checksum instead.
    public let supersedes: [String]
    /// SHA-256 of the file's exact text, as recorded in `schema_migrations`.
    public let checksum: String
    /// As in its file name: `0002_identity_resolution`.
    public var id: String { String(format: "%04d_%@", version, name) }

    init(version: Int, name: String, sql: String, file: String) throws {
        self.version = version
        self.name = name
        self.sql = sql
        checksum = sha256Hex(sql)
        supersedes = try Self.supersededChecksums(in: sql, file: file)
    }

    /// The `-- supersedes checksum:` lines of the header (the comment lines before the first
    /// statement). Each names a SHA-256 in lowercase hex and, after it, why.
    static func supersededChecksums(in sql: String, file: String) throws -> [String] {
        let prefix = "-- supersedes checksum:"
        var checksums: [String] = []
        for trimmed in headerLines(sql) where trimmed.hasPrefix(prefix) {
            let words = trimmed.dropFirst(prefix.count).split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard let hex = words.first, hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
                  words.count == 2, !words[1].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw PatronError.configuration(
                    "migration file \(file): write `\(prefix) <SHA-256 of the replaced text, lowercase hex> <why>`, not `\(trimmed)`")
            }
            checksums.append(String(hex))
        }
        return checksums
    }
}

/// What the schema lacks compared with `sql/`, as found without taking the migration lock.
public struct SchemaStatus: Sendable {
    /// Migrations not applied yet, in order.
    public var pendingMigrations: [Migration] = []
    /// Applied migrations recorded with a checksum that their file now declares superseded:
    /// `migrate` records the file's checksum.
    public var supersededMigrations: [Migration] = []
    /// Models whose file is not what was last created (changed, new, or forgotten because a
    /// migration was applied since), in creation order. `migrate` creates every model again
    /// when any is out of date.
    public var staleModels: [Model] = []
    /// Models recorded as created whose file is gone. Their objects stay until a migration
    /// drops them; `migrate` forgets the record.
    public var removedModels: [String] = []

    /// Whether `migrate` would change nothing.
    public var isUpToDate: Bool {
        pendingMigrations.isEmpty && supersededMigrations.isEmpty && staleModels.isEmpty && removedModels.isEmpty
    }
}

/// What one `migrate` did.
public struct MigrationReport: Sendable {
    public var applied: [Migration] = []
    /// Applied migrations whose recorded checksum was replaced by their file's (superseded).
    public var rerecorded: [Migration] = []
    /// Every model, in the order created; empty when the models were up to date.
    public var modelsCreated: [Model] = []
}

/// Applies `sql/migrations` forward-only: each file once, in its own transaction, recorded in
/// `schema_migrations` with its checksum. An applied file that changed afterwards is an error,
/// not something to paper over: migrations are history. The one exception is explicit: a file
/// that declares the checksum it replaces (`-- supersedes checksum:`, sql/migrations/README.md).
///
/// Then creates the models of `sql/models` (views and functions, Migrator+Models.swift) again,
/// all in one transaction, when any file differs from what the schema recorded.
public struct Migrator {
    let warehouse: Warehouse

    public init(warehouse: Warehouse) { self.warehouse = warehouse }

    public func available() throws -> [Migration] {
        let dir = warehouse.sql.file("migrations")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }.sorted()
        return try names.map { file in
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw PatronError.configuration("migration file \(file) is not named NNNN_name.sql")
            }
            let sql = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            return try Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql, file: file)
        }
    }

    /// Migrations not applied yet, after checking that applied ones are unchanged.
    public func pending() throws -> [Migration] {
        try status().pendingMigrations
    }

    /// Compares the schema with `sql/` (migrations and models) without taking the lock or
    /// creating anything. Throws when an applied migration's file changed without declaring it.
    public func status() throws -> SchemaStatus {
        try status(migrations: try available(), models: try models())
    }

    /// `status()` for files already read (`upgrade` reads and hashes each file once).
    func status(migrations: [Migration], models: [Model]) throws -> SchemaStatus {
        var status = SchemaStatus()
        guard try warehouse.schemaExists() else {
            status.pendingMigrations = migrations
            status.staleModels = models
            return status
        }
        let queries = try warehouse.sql.queries("internal/migrate.sql")
        let (applied, created) = try warehouse.run { () throws -> ([Int: String], [String: String]) in
            let exists = try warehouse.connection.execute(try queries["bookkeeping_exists"], [warehouse.schema])
            let applied = exists.bool(0, 0) == true ? try appliedChecksums(queries) : [:]
            let created = exists.bool(0, 1) == true ? try createdModels(queries) : [:]
            return (applied, created)
        }
        try refuseFutureMigrations(applied: applied, known: migrations)
        for migration in migrations {
            switch try verdict(migration, recorded: applied[migration.version]) {
            case .pending: status.pendingMigrations.append(migration)
            case .superseded: status.supersededMigrations.append(migration)
            case .applied: break
            }
        }
        status.staleModels = models.filter { created[$0.name] != $0.checksum }
        status.removedModels = created.keys.filter { name in !models.contains { $0.name == name } }.sorted()
        return status
    }

    /// For commands that need a schema as `migrate` leaves it (`run`, `status`): throws the
    /// configuration error that says to run `patron migrate` unless it would change nothing.
    public func requireUpToDate() throws {
        guard try status().isUpToDate else {
            throw PatronError.configuration(
                "schema \(warehouse.schema) is not set up or not up to date: run `patron migrate` (or load something)")
        }
    }

    /// Applies every pending migration; returns those applied. See `upgrade()`.
    @discardableResult
    public func migrate() throws -> [Migration] {
        try upgrade().applied
    }

    /// Brings the schema up to date: pending migrations (each in its own transaction), then the
    /// models (all in one). When nothing differs — every `patron load` after the first — it
    /// only reads the bookkeeping tables: no transaction, no lock.
    @discardableResult
    public func upgrade() throws -> MigrationReport {
        let migrations = try available(), models = try self.models()
        let status = try status(migrations: migrations, models: models)
        if status.isUpToDate { return MigrationReport() }
        do {
            return try apply(migrations, models)
        } catch PatronError.database(let error) where error.isInsufficientPrivilege {
            // Typically a loader (no CREATE on the database or the schema) meeting a schema
            // that a newer Patron must migrate first: that is the owner's job, not a load's.
            if try !warehouse.schemaExists() {
                throw PatronError.configuration(
                    "schema \(warehouse.schema) does not exist, and role \(warehouse.role) may not create it (\(error.message)): "
                    + "the role that is to own it (with CREATE on the database) must run `patron migrate`; see docs/deploying.md")
            }
            let pending = status.pendingMigrations.count, stale = status.staleModels.count + status.removedModels.count
            throw PatronError.configuration(
                "schema \(warehouse.schema) needs `patron migrate` (\(pending) pending migration(s), \(stale) model(s) out of date), "
                + "which role \(warehouse.role) may not run (\(error.message)): the schema's owner must run `patron migrate`; see docs/deploying.md")
        }
    }

    /// What `load`, `import` and `sync` do first: bring the schema up to date — except in a
    /// dry run, which changes nothing (not even creating the schema), so it requires a schema
    /// that is up to date already.
    public func prepareForLoad(dryRun: Bool) throws -> [Migration] {
        guard dryRun else { return try upgrade().applied }
        guard try status().isUpToDate else {
            throw PatronError.configuration(
                "schema \(warehouse.schema) is not set up or not up to date, and a dry run changes nothing: run `patron migrate` first")
        }
        return []
    }

    private func apply(_ migrations: [Migration], _ models: [Model]) throws -> MigrationReport {
        var report = MigrationReport()
        let queries = try warehouse.sql.queries("internal/migrate.sql")
        let connection = warehouse.connection
        let schema = try warehouse.run { try connection.quoteIdentifier(warehouse.schema) }
        for migration in migrations {
            let outcome = try warehouse.run {
                try connection.transaction { () throws -> Verdict in
                    try lockAndPrepare(queries, quotedSchema: schema)
                    let applied = try appliedChecksums(queries)
                    try refuseFutureMigrations(applied: applied, known: migrations)
                    let found = try verdict(migration, recorded: applied[migration.version])
                    switch found {
                    case .applied:
                        break
                    case .superseded:
                        try connection.execute(try queries["rerecord"], [
                            migration.version, applied[migration.version], migration.checksum,
                        ])
                    case .pending:
                        try connection.executeScript(unsafeSQL: migration.sql)
                        try connection.execute(try queries["record"], [migration.version, migration.name, migration.checksum])
                        // What the models stand on may have changed: they are created again.
                        try connection.execute(try queries["forget_models"])
                    }
                    return found
                }
            }
            switch outcome {
            case .pending: report.applied.append(migration)
            case .superseded: report.rerecorded.append(migration)
            case .applied: break
            }
        }
        report.modelsCreated = try createModels(models, queries, quotedSchema: schema)
        return report
    }

    /// The migration lock, the schema and the bookkeeping tables, at the start of each of
    /// migrate's transactions.
    func lockAndPrepare(_ queries: NamedQueries, quotedSchema: String) throws {
        let connection = warehouse.connection
        try connection.execute(try queries["lock"], [warehouse.schema])
        // Only a missing schema needs CREATE on the database (PostgreSQL checks that privilege
        // even for CREATE SCHEMA IF NOT EXISTS on one that exists): an owner may upgrade without
        // it. A schema name cannot be a bound parameter; it is quoted by libpq.
        if try !warehouse.schemaExists() {
            try connection.executeScript(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(quotedSchema)")
        }
        try connection.execute(try queries["create_table"])
        try connection.execute(try queries["create_models_table"])
    }

    /// A schema that records a migration this binary has no file for was migrated by a newer
    /// Patron: nothing may touch it (its tables may mean something this version does not know),
    /// so `load`, `run`, `status` and `migrate` all stop with a configuration error (exit 78).
    func refuseFutureMigrations(applied: [Int: String], known migrations: [Migration]) throws {
        let knownVersions = Set(migrations.map(\.version))
        guard let unknown = applied.keys.filter({ !knownVersions.contains($0) }).max() else { return }
        let queries = try warehouse.sql.queries("internal/migrate.sql")
        let name = try warehouse.run {
            try warehouse.connection.execute(try queries["applied"]).rows.first { $0[0].flatMap { Int($0) } == unknown }?[1]
        }
        let id = String(format: "%04d", unknown) + (name.map { "_\($0)" } ?? "")
        throw PatronError.configuration(
            "this warehouse was migrated by a newer Patron (migration \(id)); schema \(warehouse.schema) "
            + "is left as it is: use that version of Patron, or a newer one, with it")
    }

    /// How an applied migration's recorded checksum compares with its file.
    enum Verdict { case pending, applied, superseded }

    private func verdict(_ migration: Migration, recorded: String?) throws -> Verdict {
        guard let recorded else { return .pending }
        if recorded == migration.checksum { return .applied }
        if migration.supersedes.contains(recorded) { return .superseded }
        throw PatronError.configuration(
            "migration \(migration.id) changed after it was applied to schema \(warehouse.schema); add a new migration instead")
    }

    private func appliedChecksums(_ queries: NamedQueries) throws -> [Int: String] {
        var checksums: [Int: String] = [:]
        for row in try warehouse.connection.execute(try queries["applied"]).rows {
            if let v = row[0].flatMap({ Int($0) }) { checksums[v] = row[2] }
        }
        return checksums
    }

    func createdModels(_ queries: NamedQueries) throws -> [String: String] {
        var checksums: [String: String] = [:]
        for row in try warehouse.connection.execute(try queries["models_created"]).rows {
            if let name = row[0] { checksums[name] = row[1] }
        }
        return checksums
    }
}

/// SHA-256 of the text's UTF-8 bytes, in lowercase hex (as `sha256sum` prints it).
func sha256Hex(_ text: String) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(64)
    for byte in SHA256.hash(data: Data(text.utf8)) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: hex, as: UTF8.self)
}
