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
    /// Where `--into TABLE` writes without a schema: `<Patron's schema>_reports`
    /// (`patron_reports` by default). Never Patron's own schema, whose tables and views belong to
    /// the migrations; one reports schema per warehouse, so two warehouses in one database do not
    /// overwrite each other's reports.
    public var reportsSchema: String {
        get throws {
            let name = warehouse.schema + "_reports"
            guard name.utf8.count <= IntoTarget.maximumNameBytes else {
                throw PatronError.usage("--into: the default reports schema '\(name)' would be longer than PostgreSQL's \(IntoTarget.maximumNameBytes) bytes; name one: --into SCHEMA.TABLE")
            }
            return name
        }
    }

    /// The target with its schema: the one given, else the reports schema.
    public func resolve(_ target: IntoTarget) throws -> IntoTarget {
        target.schema != nil ? target : target.inSchema(default: try reportsSchema)
    }

    /// `into` with the target as the user typed it (see `IntoTarget`).
    @discardableResult
    public func into(_ prepared: PreparedAnalysis, table text: String, mode: IntoMode) throws -> Int64 {
        try into(prepared, table: try IntoTarget.parse(text), mode: mode)
    }

    /// Writes the result into the target table on the server, in one transaction: the table is
    /// created with the result's column types, then filled by `INSERT … SELECT` with the same
    /// bound parameters. Nothing passes through the client. A target in a schema that holds a
    /// Patron warehouse (this one's or another's) is refused before anything is written.
    /// - Returns: the number of rows written.
    @discardableResult
    public func into(_ prepared: PreparedAnalysis, table given: IntoTarget, mode: IntoMode) throws -> Int64 {
        if prepared.isSet("pivot") {
            throw PatronError.usage("--pivot cannot be combined with --into (the wide table is built by the client); store the long form")
        }
        let target = try resolve(given)
        let schema = target.schema!
        let table = target.table
        let connection = warehouse.connection
        let statements = try warehouse.sql.queries("internal/analysis_into.sql")
        try warehouse.run {
            for name in target.unquoted {
                guard try connection.execute(try statements["reserved_word"], [name]).bool(0, 0) == true else { continue }
                throw PatronError.usage("--into: '\(name)' is a reserved word in SQL and would need double quotes; choose another name or quote it (\"\(name)\") if you mean that name")
            }
            let holdsWarehouse = try connection.execute(try statements["holds_warehouse"], [schema]).bool(0, 0) == true
            if schema == warehouse.schema || holdsWarehouse {
                let reports = (try? reportsSchema) ?? "SCHEMA"
                throw PatronError.usage("""
                    --into \(target): schema \(IntoTarget.sqlName(schema)) holds a Patron warehouse; its tables and views \
                    belong to Patron (migrations create and replace them) and are never a target. \
                    Write into a schema of your own: --into \(IntoTarget.sqlName(table)) (into \(reports)) \
                    or --into SCHEMA.\(IntoTarget.sqlName(table))
                    """)
            }
            // Without a schema, the name of one of Patron's tables or views is most likely a
            // mistake (before reports had their own schema it meant Patron's table) and would be
            // confused with Patron's by anyone whose search_path puts Patron's schema first.
            if given.schema == nil, try !connection.execute(try statements["relation_kind"], [warehouse.schema, table]).rows.isEmpty {
                throw PatronError.usage("""
                    --into \(IntoTarget.sqlName(table)): that is the name of one of Patron's own tables or views \
                    (schema \(IntoTarget.sqlName(warehouse.schema))), which --into never writes. Choose another name, \
                    or name the schema to mean a table of your own: --into \(target)
                    """)
            }
        }
        try prepareInputs(prepared)
        return try warehouse.run {
            try connection.transaction {
                // On Citus, as every analysis statement (withWorkerSearchPath): the workers need
                // Patron's search_path for the SQL functions Citus inlines into what it sends them.
                if let statement = handSearchPathToWorkers { try connection.execute(statement) }
                let qualified = try connection.quoteIdentifier(schema) + "." + connection.quoteIdentifier(table)
                let kind = try connection.execute(try statements["relation_kind"], [schema, table]).rows.first?[0] ?? nil
                if let kind, kind != "r" && kind != "p" {
                    throw PatronError.usage("--into: \(target) exists and is not a table (\(Self.relationKindName(kind))); choose another name")
                }
                let exists = kind != nil
                if exists && mode == .create {
                    throw PatronError.usage("--into: table \(target) exists; add --replace to recreate it or --append to add rows")
                }
                // Created only when missing: an existing schema then needs no CREATE right on the
                // database. Before the analysis first reads: on Citus, a schema command must come
                // before any parallel read of a distributed table in the transaction.
                if !exists, try connection.execute(try statements["schema_exists"], [schema]).bool(0, 0) != true {
                    try connection.execute("CREATE SCHEMA IF NOT EXISTS \(try connection.quoteIdentifier(schema))")
                }
                let analysisSQL = "SELECT * FROM (\n\(prepared.query.sql)\n) AS analysis"
                let shape = try connection.execute(analysisSQL + " LIMIT 0", prepared.bindings, parameterTypes: prepared.parameterTypes)
                let oids = "{" + shape.columns.map { String($0.typeOID) }.joined(separator: ",") + "}"
                let types = try connection.execute(try statements["type_names"], [oids]).rows.map { $0[0] ?? "text" }
                let names = try shape.columns.map { try connection.quoteIdentifier($0.name) }
                if exists && mode == .replace { try connection.execute("DROP TABLE \(qualified)") }
                if !exists || mode == .replace {
                    let definitions = zip(names, types).map { "\($0) \($1)" }.joined(separator: ", ")
                    try connection.execute("CREATE TABLE \(qualified) (\(definitions))")
                }
                let insert = "INSERT INTO \(qualified) (\(names.joined(separator: ", ")))\n" + analysisSQL
                let result = try connection.execute(insert, prepared.bindings, parameterTypes: prepared.parameterTypes)
                return result.affectedRows ?? 0
            }
        }
    }

    static func relationKindName(_ kind: String) -> String {
        switch kind {
        case "v": return "a view"
        case "m": return "a materialized view"
        case "f": return "a foreign table"
        case "S": return "a sequence"
        case "i", "I": return "an index"
        case "c": return "a composite type"
        default: return "relation kind \(kind)"
        }
    }
}
