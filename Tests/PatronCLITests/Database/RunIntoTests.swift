import Foundation
import PatronCore
import PatronTestSupport
import Testing

/// `run --into`: Patron's own tables are never a target; names are read as SQL reads them
/// (issue 11, item 4).
@Suite("run --into: targets outside Patron's schema, names as SQL reads them")
struct RunIntoTests {
    /// A warehouse with purchases, loaded by the real executable.
    func loaded() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        let file = try w.write("p.csv", Journey.purchases)
        let load = try PatronProcess.run(["load", "purchases", file, "--schema", w.schema, "-q"], url: w.url)
        #expect(load.status == 0, "\(load.stderr)")
        return w
    }

    func into(_ w: ScratchWarehouse, _ target: String, _ extra: [String] = []) throws -> PatronProcess.Outcome {
        try PatronProcess.run(["run", "churn_rate", "--schema", w.schema, "--into", target] + extra, url: w.url)
    }

    /// The relations named `name` in `schema`, by exact name.
    func relations(_ w: ScratchWarehouse, _ schema: String, _ name: String) throws -> Int {
        Int(try w.value("""
            SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2
            """, [schema, name]) ?? "0") ?? 0
    }

    func relationCount(_ w: ScratchWarehouse) throws -> String? {
        try w.value("SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = $1", [w.schema])
    }

    @Test("a table or view of Patron's schema, or a new table there, is refused (exit 64) and left as it was")
    func patronSchemaRefused() throws {
        let w = try loaded()
        let migrations = try w.count("schema_migrations")
        for (target, extra) in [("schema_migrations", ["--replace"]), ("\(w.schema).schema_migrations", ["--replace"]),
                                ("\(w.schema).load_runs", ["--append"]), ("\(w.schema).customer_activity", ["--replace"]),
                                ("\(w.schema).fresh_table", [])] {
            let outcome = try into(w, target, extra)
            #expect(outcome.status == 64, "\(target): \(outcome.stderr)")
            #expect(outcome.stderr.contains("holds a Patron warehouse") || outcome.stderr.contains("one of Patron's own tables or views"),
                    "\(target): \(outcome.stderr)")
        }
        #expect(try relations(w, w.reportsSchema, "schema_migrations") == 0)
        #expect(try w.count("schema_migrations") == migrations)
        #expect(try w.rows("SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'load_runs' AND column_name = 'churn_rate'", [w.schema]).isEmpty)
        #expect(try relations(w, w.schema, "fresh_table") == 0)
        // Another warehouse's schema in the same database is refused too.
        let other = try ScratchWarehouse()
        let foreign = try into(w, "\(other.schema).schema_migrations", ["--replace"])
        #expect(foreign.status == 64, "\(foreign.stderr)")
        #expect(try other.count("schema_migrations") > 0)
    }

    @Test("an unqualified name goes to <schema>_reports, created if missing; never to Patron's schema")
    func defaultReportsSchema() throws {
        let w = try loaded()
        let outcome = try into(w, "churn")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("into \(w.reportsSchema).churn"), "\(outcome.stderr)")
        #expect(try w.count("\(w.reportsSchema).churn") > 0)
        #expect(try relations(w, w.schema, "churn") == 0)
        // Named with its schema, a table of Patron's name is the user's own.
        let own = try into(w, "\(w.reportsSchema).schema_migrations")
        #expect(own.status == 0, "\(own.stderr)")
        #expect(try relations(w, w.reportsSchema, "schema_migrations") == 1)
    }

    @Test("unquoted names fold to lower case; quoted names keep their case, dots and quotes")
    func caseFolding() throws {
        let w = try loaded()
        let schema = w.schema + "_bi"
        defer { _ = try? w.warehouse.connection.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        defer { _ = try? w.warehouse.connection.execute("DROP SCHEMA IF EXISTS \"\(w.schema)_Bi\" CASCADE") }
        let folded = try into(w, schema.uppercased() + ".Churn_Rate")
        #expect(folded.status == 0, "\(folded.stderr)")
        #expect(try relations(w, schema, "churn_rate") == 1)
        let quoted = try into(w, "\"\(w.schema)_Bi\".\"Churn \"\"Q1\"\".v2\"")
        #expect(quoted.status == 0, "\(quoted.stderr)")
        #expect(try relations(w, w.schema + "_Bi", "Churn \"Q1\".v2") == 1)
        // A reserved word is fine quoted.
        let reservedQuoted = try into(w, "\"order\"")
        #expect(reservedQuoted.status == 0, "\(reservedQuoted.stderr)")
        #expect(try relations(w, w.reportsSchema, "order") == 1)
    }

    @Test("names that would need quoting, reserved words, names over 63 bytes and three parts are refused (exit 64), nothing created")
    func badNamesRefused() throws {
        let w = try loaded()
        let cases: [(String, String)] = [
            ("my-report", "would need double quotes"),
            ("2024_churn", "would need double quotes"),
            ("Café", "would need double quotes"),
            ("order", "reserved word"),
            ("\(w.reportsSchema).select", "reserved word"),
            (String(repeating: "r", count: 64), "at most 63"),
            ("\"" + String(repeating: "é", count: 32) + "\"", "at most 63"),
            ("db.reports.churn", "more than two parts"),
            ("reports.", "empty"),
            ("\"open", "not closed"),
        ]
        let before = try relationCount(w)
        for (target, reason) in cases {
            let outcome = try into(w, target)
            #expect(outcome.status == 64, "\(target): \(outcome.stderr)")
            #expect(outcome.stderr.contains(reason), "\(target): \(outcome.stderr)")
        }
        // Nothing was written anywhere: no reports schema, no new relation in Patron's.
        #expect(try w.value("SELECT count(*) FROM pg_namespace WHERE nspname = $1", [w.reportsSchema]) == "0")
        #expect(try relationCount(w) == before)
        // 63 bytes fit.
        let fits = try into(w, String(repeating: "r", count: 63))
        #expect(fits.status == 0, "\(fits.stderr)")
    }

    @Test("a view with the target's name is refused (exit 64), not a database error")
    func viewTargetRefused() throws {
        let w = try loaded()
        try w.warehouse.connection.execute("CREATE SCHEMA \(w.reportsSchema)")
        try w.warehouse.connection.execute("CREATE VIEW \(w.reportsSchema).churn AS SELECT 1 AS one")
        let outcome = try into(w, "churn", ["--replace"])
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("is not a table (a view)"), "\(outcome.stderr)")
        #expect(try w.value("SELECT one FROM \(w.reportsSchema).churn") == "1")
    }
}
