import PostgresClient

/// The two roles a deployment gives out besides the schema's owner (docs/deploying.md).
public enum GrantedRole: String, Sendable, CaseIterable {
    /// Runs every analysis, `status` and `rejects`.
    case reader
    /// Loads (`load`, `import`, `sync`), and reads too; never changes the schema.
    case loader

    /// What the role may do, for the confirmation line.
    public var ability: String {
        switch self {
        case .reader: return "run every analysis, status and rejects"
        case .loader: return "load, import and sync (and read)"
        }
    }
}

/// What `patron grant` found besides the grants: privileges on the database that the role
/// lacks, which only the database's owner can give.
public struct GrantReport: Sendable {
    public var database = ""
    public var canConnect = true
    public var canUseTemp = true
}

/// `patron grant`: gives an existing role the privileges of a reader or a loader on an
/// up-to-date schema, as the schema's owner, in one transaction (sql/internal/grant.sql).
public struct Grants {
    let warehouse: Warehouse

    public init(warehouse: Warehouse) { self.warehouse = warehouse }

    public func grant(_ kind: GrantedRole, to role: String) throws -> GrantReport {
        let queries = try warehouse.sql.queries("internal/grant.sql")
        let connection = warehouse.connection
        return try warehouse.run {
            // The tables must exist to be granted on; creating them is `migrate`'s job.
            try Migrator(warehouse: warehouse).requireUpToDate()
            let owner = try connection.execute(try queries["schema_owner"], [warehouse.schema])
            // A GRANT by another role is not an error to PostgreSQL, only a warning that
            // nothing was granted: refuse it before.
            guard owner.bool(0, "is_owner") == true else {
                throw PatronError.configuration(
                    "only the owner of schema \(warehouse.schema) (role \(owner.string(0, "owner") ?? "?")) may grant on it, "
                    + "not role \(warehouse.role)")
            }
            guard try connection.execute(try queries["role_exists"], [role]).bool(0, 0) == true else {
                throw PatronError.usage("role \(role) does not exist: create it first (for example `CREATE ROLE \(role) LOGIN`), then grant")
            }
            // Identifiers cannot be bound: both are quoted by libpq, never spliced as given.
            let script = try queries[kind.rawValue]
                .replacingOccurrences(of: "{schema}", with: try connection.quoteIdentifier(warehouse.schema))
                .replacingOccurrences(of: "{role}", with: try connection.quoteIdentifier(role))
            try connection.transaction { try connection.executeScript(unsafeSQL: script) }
            let database = try connection.execute(try queries["database_privileges"], [role])
            return GrantReport(database: database.string(0, "database") ?? "",
                               canConnect: database.bool(0, "can_connect") != false,
                               canUseTemp: database.bool(0, "can_use_temp") != false)
        }
    }
}
