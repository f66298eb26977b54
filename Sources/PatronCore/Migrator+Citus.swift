import PostgresClient

extension Migrator {
    /// `patron migrate --citus`: after `upgrade()`, distributes the warehouse's tables on the
    /// Citus coordinator it is connected to (sql/citus/distribute.sql, one transaction, under
    /// the migration lock). Running it again changes nothing. Returns whether this call
    /// distributed them (false: they were already).
    @discardableResult
    public func distributeOnCitus() throws -> Bool {
        let queries = try warehouse.sql.queries("internal/migrate.sql")
        let script = try warehouse.sql.script("citus/distribute.sql")
        let connection = warehouse.connection
        let schema = try warehouse.run { try connection.quoteIdentifier(warehouse.schema) }
        let distributed = try warehouse.run {
            try connection.transaction { () throws -> Bool in
                try lockAndPrepare(queries, quotedSchema: schema)
                let before = try connection.execute(try queries["is_distributed"]).bool(0, "complete") ?? false
                do {
                    try connection.executeScript(unsafeSQL: script)
                } catch let error as PostgresError where error.sqlState == "0A000" {
                    throw PatronError.configuration("\(warehouse.sql.file("citus/distribute.sql").path): \(error.message)"
                        + (error.hint.map { " (\($0))" } ?? ""))
                }
                return !before
            }
        }
        // The models again, now that their tables are distributed: Citus then creates the
        // views and functions on the workers too, where the queries it pushes down need them.
        if distributed {
            try warehouse.run { try connection.execute(try queries["forget_models"]) }
            try createModels(try models(), queries, quotedSchema: schema)
        }
        return distributed
    }

    /// Whether an earlier `migrate --citus` distributed the warehouse, but not everything
    /// sql/citus/distribute.sql distributes now (say, mentions, before 2026-12-08): `migrate
    /// --citus` again finishes it.
    public func isDistributedPartly() throws -> Bool {
        let queries = try warehouse.sql.queries("internal/migrate.sql")
        let state = try warehouse.run { try warehouse.connection.execute(try queries["is_distributed"]) }
        return (state.bool(0, "started") ?? false) && !(state.bool(0, "complete") ?? false)
    }
}
