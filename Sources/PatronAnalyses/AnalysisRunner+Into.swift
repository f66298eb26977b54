import Foundation
import PatronCore
import PostgresClient

/// What `--into` does when the target table exists.
public enum IntoMode: Sendable {
    /// Fail if it exists.
    case create
    /// Drop and recreate it.
    case replace
    /// Add the rows to it (creating it if missing).
    case append
}

extension AnalysisRunner {
    /// Writes the result into `SCHEMA.TABLE` (or `TABLE` in Patron's schema) on the server, in
    /// one transaction: the table is created with the result's column types, then filled by
    /// `INSERT … SELECT` with the same bound parameters. Nothing passes through the client.
    /// - Returns: the number of rows written.
    @discardableResult
    public func into(_ prepared: PreparedAnalysis, table target: String, mode: IntoMode) throws -> Int64 {
        if prepared.isSet("pivot") {
            throw PatronError.usage("--pivot cannot be combined with --into (the wide table is built by the client); store the long form")
        }
        let parts = target.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            throw PatronError.usage("--into takes SCHEMA.TABLE or TABLE, not '\(target)'")
        }
        let schema = parts.count == 2 ? parts[0] : warehouse.schema
        let table = parts.last!
        let connection = warehouse.connection
        let statements = try warehouse.sql.queries("internal/analysis_into.sql")
        try prepareInputs(prepared)
        return try warehouse.run {
            try connection.transaction {
                let qualified = try connection.quoteIdentifier(schema) + "." + connection.quoteIdentifier(table)
                let exists = try connection.execute(try statements["table_exists"], [schema, table]).bool(0, 0) == true
                if exists && mode == .create {
                    throw PatronError.usage("--into: table \(schema).\(table) exists; add --replace to recreate it or --append to add rows")
                }
                let analysisSQL = "SELECT * FROM (\n\(prepared.query.sql)\n) AS analysis"
                let shape = try connection.execute(analysisSQL + " LIMIT 0", prepared.bindings, parameterTypes: prepared.parameterTypes)
                let oids = "{" + shape.columns.map { String($0.typeOID) }.joined(separator: ",") + "}"
                let types = try connection.execute(try statements["type_names"], [oids]).rows.map { $0[0] ?? "text" }
                let names = try shape.columns.map { try connection.quoteIdentifier($0.name) }
                if exists && mode == .replace { try connection.execute("DROP TABLE \(qualified)") }
                if !exists || mode == .replace {
                    // A reporting schema of its own is the usual home for BI tables: make it if missing.
                    try connection.execute("CREATE SCHEMA IF NOT EXISTS \(try connection.quoteIdentifier(schema))")
                    let definitions = zip(names, types).map { "\($0) \($1)" }.joined(separator: ", ")
                    try connection.execute("CREATE TABLE \(qualified) (\(definitions))")
                }
                let insert = "INSERT INTO \(qualified) (\(names.joined(separator: ", ")))\n" + analysisSQL
                let result = try connection.execute(insert, prepared.bindings, parameterTypes: prepared.parameterTypes)
                return result.affectedRows ?? 0
            }
        }
    }
}
