import Testing
import PostgresClient
@testable import PatronCore

@Suite("Permission errors (42501)")
struct PatronErrorPermissionTests {
    private func denied(_ message: String, statement: String, context: String? = nil) -> PatronError {
        var error = PostgresError(kind: .server, message: message, sqlState: "42501", statement: statement)
        error.context = context
        return .database(error)
    }

    @Test("name the object, the privilege, the statement and the fix; exit 78")
    func explained() {
        let insert = denied("permission denied for table load_runs",
                            statement: "-- The run's row\nINSERT INTO load_runs (entity) VALUES ($1)")
        #expect(insert.exitStatus == .configuration)
        #expect(insert.description == "ERROR 42501: permission denied for table load_runs (the statement needs INSERT) in "
            + "`INSERT INTO load_runs (entity) VALUES ($1)`. The schema's owner can give a role what loads need with "
            + "`patron grant --loader ROLE`; see docs/deploying.md")

        let read = denied("permission denied for view purchase_facts", statement: "WITH facts AS (SELECT 1) SELECT * FROM facts")
        #expect(read.description.contains("(the statement needs SELECT)"))
        #expect(read.description.contains("patron grant --reader ROLE"))

        let copy = denied("permission denied for table purchases", statement: "COPY purchases FROM STDIN (FORMAT binary)")
        #expect(copy.description.contains("(the statement needs INSERT)"))

        let sequence = denied("permission denied for sequence customers_customer_key_seq",
                              statement: "SELECT nextval(pg_get_serial_sequence('customers', 'customer_key')) - 1 AS fresh_base")
        #expect(sequence.description.contains("(the statement needs USAGE and UPDATE on the sequence)"))

        let temp = denied("permission denied to create temporary tables in database \"analytics\"",
                          statement: "CREATE TEMP TABLE load_stage (line bigint)")
        #expect(temp.description.contains("(the statement needs TEMPORARY on the database)"))
        #expect(temp.description.contains("GRANT TEMPORARY ON DATABASE"))

        let schema = denied("permission denied for schema patron", statement: "SELECT 1 FROM customers")
        #expect(schema.description.contains("(the statement needs USAGE on the schema)"))
    }

    @Test("a statement run inside a function is judged by what the function ran")
    func nested() {
        let error = denied("permission denied for table customers",
                           statement: "SELECT customers_created FROM resolve_identities($1, $2, $3);",
                           context: "SQL statement \"UPDATE customers SET x = 1\"\nPL/pgSQL function resolve_identities(bigint,bigint,bigint) line 40 at SQL statement")
        #expect(error.description.contains("(the statement needs UPDATE)"), "\(error.description)")
        #expect(error.description.contains("in `SELECT customers_created FROM resolve_identities($1, $2, $3);`, SQL statement \"UPDATE customers SET x = 1\""))
    }
}
