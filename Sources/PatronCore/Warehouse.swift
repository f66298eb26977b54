import Foundation
import PostgresClient

/// An open connection to one Patron warehouse: a database and a schema of Patron's own.
/// Owns the connection; statements run with `search_path` set to the schema and pg_catalog
/// only (never `public`), so Patron's SQL never names it.
public final class Warehouse {
    public let connection: Connection
    public let schema: String
    /// The role the session runs as (`current_user`), for messages about privileges.
    public private(set) var role = ""
    public let sql: SQLDirectory
    package let session: NamedQueries
    private var holdsLoadLock = false

    public static let defaultSchema = "patron"

    public init(target: DatabaseTarget, schema: String = Warehouse.defaultSchema, sql: SQLDirectory) throws {
        do {
            connection = try Connection(conninfo: target.conninfo)
        } catch let error as PostgresError {
            throw PatronError.database(error)
        }
        self.schema = schema
        self.sql = sql
        session = try sql.queries("internal/session.sql")
        try configureSession()
    }

    /// Sets the session up (search_path, time zone, application_name) and refuses a schema
    /// the role may not use: without USAGE, PostgreSQL would silently skip it in the
    /// search_path, and every statement would fail on a missing table or look elsewhere.
    private func configureSession() throws {
        let configured = try run { try connection.execute(try session["configure"], [schema]) }
        role = configured.string(0, "role") ?? ""
        if configured.bool(0, "schema_usable") == false {
            throw PatronError.configuration(
                "no access to schema \(schema): role \(role) lacks the USAGE privilege on it. The schema's owner can give a role "
                + "what it needs with `patron grant --reader \(role)` (analyses, status, rejects) or `patron grant --loader \(role)` "
                + "(loads); see docs/deploying.md")
        }
    }

    /// After a lost connection: connects again and configures the session as `init` did. The
    /// load lock, if it was held, is gone with the old session.
    public func reconnect() throws {
        do { try connection.reset() } catch let error as PostgresError { throw PatronError.database(error) }
        holdsLoadLock = false
        try configureSession()
    }

    deinit {
        if holdsLoadLock { _ = try? releaseLoadLock() }
    }

    /// Runs database work, turning the client's errors into `PatronError.database`.
    @discardableResult
    package func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgresError { throw PatronError(databaseError: error) }
    }

    public func schemaExists() throws -> Bool {
        try run {
            try connection.execute(try session["schema_exists"], [schema]).bool(0, 0) == true
        }
    }

    // MARK: The load lock

    /// Takes the advisory lock that serializes loads into this schema. With `wait`, blocks
    /// (telling `onWait` who holds it); without, throws `lockBusy`.
    public func acquireLoadLock(wait: Bool, onWait: (String) -> Void) throws {
        let queries = try sql.queries("load/common.sql")
        try run {
            let tried = try connection.execute(try queries["lock_try"], [schema])
            if tried.bool(0, 0) == true { holdsLoadLock = true; return }
            let holder = try describeLockHolder(queries)
            if !wait {
                throw PatronError.lockBusy("another load into schema \(schema) is running (\(holder)); not waiting because of --no-wait")
            }
            onWait("waiting for another load into schema \(schema) to finish (\(holder))…")
            try connection.execute(try queries["lock_wait"], [schema])
            holdsLoadLock = true
        }
    }

    public func releaseLoadLock() throws {
        guard holdsLoadLock else { return }
        let queries = try sql.queries("load/common.sql")
        try run { _ = try connection.execute(try queries["lock_release"], [schema]) }
        holdsLoadLock = false
    }

    private func describeLockHolder(_ queries: NamedQueries) throws -> String {
        let result = try connection.execute(try queries["lock_holder"], [schema])
        guard result.rowCount > 0 else { return "holder unknown" }
        var parts = ["backend pid \(result.string(0, "pid") ?? "?")"]
        if let app = result.string(0, "application_name"), !app.isEmpty { parts.append("application \(app)") }
        if let client = result.string(0, "client") { parts.append("from \(client)") }
        if let since = result.string(0, "query_start") { parts.append("since \(since)") }
        return parts.joined(separator: ", ")
    }
}
