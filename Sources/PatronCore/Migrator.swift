import Crypto
import Foundation
import PostgresClient

/// One file of `sql/migrations/`, named `NNNN_what_it_does.sql`.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    /// As in its file name: `0002_identity_resolution`.
    public var id: String { String(format: "%04d_%@", version, name) }
    public var checksum: String { SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined() }
}

/// Applies `sql/migrations` forward-only: each file once, in its own transaction, recorded in
/// `schema_migrations` with its checksum. An applied file that changed afterwards is an error,
/// not something to paper over: migrations are history.
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
            return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
        }
    }

    /// Migrations not applied yet, after checking that applied ones are unchanged.
    public func pending() throws -> [Migration] {
        let migrations = try available()
        guard try warehouse.schemaExists() else { return migrations }
        let applied = try appliedChecksums()
        for migration in migrations {
            if let checksum = applied[migration.version], checksum != migration.checksum {
                throw PatronError.configuration(
                    "migration \(migration.id) changed after it was applied to schema \(warehouse.schema); add a new migration instead")
            }
        }
        return migrations.filter { applied[$0.version] == nil }
    }

    /// Throws unless the schema exists and has every migration: commands that only read the
    /// warehouse refuse an older schema rather than fail on a missing column halfway.
    public func requireUpToDate() throws {
        guard try pending().isEmpty else {
            throw PatronError.configuration(
                "schema \(warehouse.schema) is not set up or not up to date: run `patron migrate` (or load something)")
        }
    }

    /// Applies every pending migration; returns those applied.
    @discardableResult
    public func migrate() throws -> [Migration] {
        let queries = try warehouse.sql.queries("internal/migrate.sql")
        let connection = warehouse.connection
        let schema = try warehouse.run { try connection.quoteIdentifier(warehouse.schema) }
        var done: [Migration] = []
        for migration in try available() {
            let applied = try warehouse.run {
                try connection.transaction { () throws -> Bool in
                    try connection.execute(try queries["lock"], [warehouse.schema])
                    // A schema name cannot be a bound parameter; it is quoted by libpq.
                    try connection.executeScript(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)")
                    try connection.execute(try queries["create_table"])
                    let rows = try connection.execute(try queries["applied"])
                    var checksums: [Int: String] = [:]
                    for row in rows.rows { if let v = row[0].flatMap({ Int($0) }) { checksums[v] = row[2] } }
                    if let checksum = checksums[migration.version] {
                        guard checksum == migration.checksum else {
                            throw PatronError.configuration(
                                "migration \(migration.id) changed after it was applied to schema \(warehouse.schema); add a new migration instead")
                        }
                        return false
                    }
                    try connection.executeScript(unsafeSQL: migration.sql)
                    try connection.execute(try queries["record"], [migration.version, migration.name, migration.checksum])
                    return true
                }
            }
            if applied { done.append(migration) }
        }
        return done
    }

    private func appliedChecksums() throws -> [Int: String] {
        let queries = try warehouse.sql.queries("internal/migrate.sql")
        return try warehouse.run {
            let exists = try warehouse.connection.execute(try warehouse.session["migrations_table_exists"], [warehouse.schema])
            guard exists.bool(0, 0) == true else { return [:] }
            var checksums: [Int: String] = [:]
            for row in try warehouse.connection.execute(try queries["applied"]).rows {
                if let v = row[0].flatMap({ Int($0) }) { checksums[v] = row[2] }
            }
            return checksums
        }
    }
}
