import Foundation
import Testing
import PostgresClient
@testable import PatronCore
import PatronLoad
import PatronTestSupport

/// A schema of its own that nothing has migrated yet, with (optionally) its own copy of `sql/`
/// to edit. The schema and the copy are removed when it goes away.
final class ScratchSchema {
    let url: String
    let schema: String
    let sql: SQLDirectory
    let warehouse: Warehouse
    private let copy: URL?

    init(copySQL: Bool = false) throws {
        url = try testDatabaseURL()
        schema = "test_" + UUID().uuidString.prefix(8).lowercased()
        if copySQL {
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("patron-sql-\(schema)")
            try FileManager.default.copyItem(at: sqlDirectory.url, to: copy)
            self.copy = copy
            sql = SQLDirectory(url: copy)
        } else {
            copy = nil
            sql = sqlDirectory
        }
        warehouse = try Warehouse(target: DatabaseTarget(conninfo: url, origin: "test"), schema: schema, sql: sql)
    }

    deinit {
        if let quoted = try? warehouse.connection.quoteIdentifier(schema) {
            _ = try? warehouse.connection.executeScript(unsafeSQL: "DROP SCHEMA IF EXISTS \(quoted) CASCADE")
        }
        if let copy { try? FileManager.default.removeItem(at: copy) }
    }

    /// Another connection to the same schema and `sql/`.
    func openWarehouse() throws -> Warehouse {
        try Warehouse(target: DatabaseTarget(conninfo: url, origin: "test"), schema: schema, sql: sql)
    }

    var migrator: Migrator { Migrator(warehouse: warehouse) }

    /// Rewrites one file of the copy of `sql/`.
    func edit(_ relativePath: String, _ change: (String) -> String) throws {
        precondition(copy != nil, "edit a copy of sql/, not the repository's")
        let file = sql.file(relativePath)
        let before = try String(contentsOf: file, encoding: .utf8)
        let after = change(before)
        #expect(after != before, "the edit of \(relativePath) changed nothing")
        try Data(after.utf8).write(to: file)
    }

    func write(_ relativePath: String, _ text: String) throws {
        try Data(text.utf8).write(to: sql.file(relativePath))
    }

    func value(_ sql: String, _ parameters: [PostgresBindable?] = []) throws -> String? {
        try warehouse.connection.execute(sql, parameters)[0, 0]
    }

    func rows(_ sql: String, _ parameters: [PostgresBindable?] = []) throws -> [[String?]] {
        let result = try warehouse.connection.execute(sql, parameters)
        return result.rows.map { row in (0..<result.columns.count).map { row[$0] } }
    }
}

/// The message of the PatronError that `body` throws ("" if it throws something else or nothing).
func patronErrorMessage(_ body: () throws -> Void) -> String {
    do { try body() } catch let error as PatronError { return error.description } catch { return "not a PatronError: \(error)" }
    return ""
}

@Suite("Migrations and models")
struct MigratorTests {
    @Test("on a fresh schema everything is pending: every migration and every model; once migrated, nothing")
    func freshSchemaThenUpToDate() throws {
        let s = try ScratchSchema()
        let migrations = try s.migrator.available()
        let models = try s.migrator.models()
        #expect(migrations.count >= 6)
        #expect(models.contains { $0.name == "purchase_facts" } && models.contains { $0.name == "load_resolve_identities" })

        let fresh = try s.migrator.status()
        #expect(fresh.pendingMigrations.map(\.id) == migrations.map(\.id))
        #expect(fresh.staleModels.map(\.name) == models.map(\.name))
        #expect(!fresh.isUpToDate)
        #expect(patronErrorMessage { try s.migrator.requireUpToDate() }
                == "schema \(s.schema) is not set up or not up to date: run `patron migrate` (or load something)")

        let report = try s.migrator.upgrade()
        #expect(report.applied.map(\.id) == migrations.map(\.id))
        #expect(report.modelsCreated.map(\.name) == models.map(\.name))
        let migrated = try s.migrator.status()
        #expect(migrated.pendingMigrations.isEmpty && migrated.supersededMigrations.isEmpty)
        #expect(migrated.staleModels.isEmpty && migrated.removedModels.isEmpty)
        try s.migrator.requireUpToDate()
        // Every model's object is there: the views, and the functions.
        let views = models.filter { $0.sql.contains("CREATE OR REPLACE VIEW") }.count
        #expect(views == 11)
        #expect(try s.value("SELECT count(*)::text FROM pg_views WHERE schemaname = $1", [s.schema]) == "\(views)")
        #expect(try s.value("SELECT to_regprocedure($1)::text", ["\(s.schema).resolve_identities(text, bigint, bigint)"]) != nil)
        // Again: nothing to do.
        let again = try s.migrator.upgrade()
        #expect(again.applied.isEmpty && again.rerecorded.isEmpty && again.modelsCreated.isEmpty)
    }

    @Test("`patron migrate --check` lists every migration and model of a fresh schema (exit 78), and nothing once migrated (exit 0)")
    func checkCommand() throws {
        let s = try ScratchSchema()
        let migrations = try s.migrator.available()
        let expected = migrations.map(\.id) + (try s.migrator.models().map(\.file))
        let fresh = try PatronProcess.run(["migrate", "--check", "--schema", s.schema], url: s.url)
        #expect(fresh.status == 78, "pending migrations fail the check, for CI: \(fresh.stderr)")
        #expect(fresh.stdout.split(separator: "\n").map(String.init) == expected)
        #expect(fresh.stderr.contains("\(migrations.count) pending migration(s)"))
        #expect(try s.value("SELECT count(*)::text FROM pg_namespace WHERE nspname = $1", [s.schema]) == "0",
                "--check changes nothing")

        let migrate = try PatronProcess.run(["migrate", "--schema", s.schema], url: s.url)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let migrated = try PatronProcess.run(["migrate", "--check", "--schema", s.schema], url: s.url)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.isEmpty)
        #expect(migrated.stderr.contains("0 pending migration(s), 0 superseded, 0 model(s) out of date"))
    }

    @Test("a schema migrated by a newer Patron is refused by load, run, status and migrate (exit 78), and left alone")
    func futureMigrationRefused() throws {
        let s = try ScratchSchema()
        try s.migrator.migrate()
        let quoted = try s.warehouse.connection.quoteIdentifier(s.schema)
        try s.warehouse.connection.execute(
            "INSERT INTO \(quoted).schema_migrations (version, name, checksum) VALUES (9999, 'from_the_future', 'abc')")
        let expected = "this warehouse was migrated by a newer Patron (migration 9999_from_the_future)"
        #expect(patronErrorMessage { _ = try s.migrator.status() }.hasPrefix(expected))
        #expect(patronErrorMessage { try s.migrator.migrate() }.hasPrefix(expected))
        #expect(patronErrorMessage { try s.migrator.requireUpToDate() }.hasPrefix(expected))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("future-\(s.schema).csv")
        try Data("order_id,customer_id,ordered_at,amount\nF1,C1,2024-01-01,1\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        for arguments in [["migrate"], ["migrate", "--check"], ["load", "purchases", file.path], ["run", "revenue"], ["status"]] {
            let outcome = try PatronProcess.run(arguments + ["--schema", s.schema], url: s.url)
            #expect(outcome.status == 78, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains(expected), "\(arguments): \(outcome.stderr)")
        }
        #expect(try s.value("SELECT count(*)::text FROM \(quoted).purchases") == "0", "nothing was loaded")
    }

    @Test("a migration whose text changed after it was applied is refused, by name")
    func changedMigrationRefused() throws {
        let s = try ScratchSchema(copySQL: true)
        try s.migrator.migrate()
        try s.edit("migrations/0004_support_foundations.sql") { $0 + "-- one more comment\n" }
        let expected = "migration 0004_support_foundations changed after it was applied to schema \(s.schema); add a new migration instead"
        #expect(patronErrorMessage { try s.migrator.migrate() } == expected)
        #expect(patronErrorMessage { _ = try s.migrator.status() } == expected)
        #expect(patronErrorMessage { try s.migrator.requireUpToDate() } == expected)
        // A superseded-checksum line that names another text does not make it acceptable.
        try s.edit("migrations/0004_support_foundations.sql") {
            "-- supersedes checksum: \(String(repeating: "ab", count: 32)) some other text\n" + $0
        }
        #expect(patronErrorMessage { try s.migrator.migrate() } == expected)
    }

    @Test("a migration edited with a declared superseded checksum is accepted, and its new checksum recorded")
    func supersededChecksumAccepted() throws {
        let s = try ScratchSchema(copySQL: true)
        try s.migrator.migrate()
        let file = "migrations/0001_warehouse.sql"
        let applied = sha256Hex(try String(contentsOf: s.sql.file(file), encoding: .utf8))
        #expect(try s.value("SELECT checksum FROM schema_migrations WHERE version = 1") == applied)
        try s.edit(file) {
            $0.replacingOccurrences(of: "-- Migration 0001: the warehouse.\n", with: """
                -- Migration 0001: the warehouse.
                -- supersedes checksum: \(applied) the same statements, a reworded header

                """) + "-- (reworded)\n"
        }
        let edited = try #require(try s.migrator.available().first { $0.version == 1 })
        #expect(edited.supersedes.contains(applied))

        let status = try s.migrator.status()
        #expect(status.supersededMigrations.map(\.id) == ["0001_warehouse"])
        #expect(status.pendingMigrations.isEmpty && status.staleModels.isEmpty)
        #expect(throws: PatronError.self) { try s.migrator.requireUpToDate() }

        let report = try s.migrator.upgrade()
        #expect(report.rerecorded.map(\.id) == ["0001_warehouse"])
        #expect(report.applied.isEmpty, "an accepted edit is not applied again")
        #expect(report.modelsCreated.isEmpty)
        #expect(try s.value("SELECT checksum FROM schema_migrations WHERE version = 1") == edited.checksum)
        #expect(edited.checksum != applied)
        try s.migrator.requireUpToDate()
    }

    @Test("a malformed superseded-checksum line is an error naming the file")
    func malformedSupersedesLine() throws {
        let s = try ScratchSchema(copySQL: true)
        try s.edit("migrations/0003_analysis_foundations.sql") {
            $0.replacingOccurrences(of: "-- supersedes checksum: 3fe192c4", with: "-- supersedes checksum: 3FE192C4")
        }
        #expect(patronErrorMessage { _ = try s.migrator.available() }.contains("0003_analysis_foundations.sql"))
    }

    @Test("a changed model file makes the schema out of date, and the next migrate creates it again")
    func changedModelRecreated() throws {
        let s = try ScratchSchema(copySQL: true)
        try s.migrator.migrate()
        #expect(try s.value("SELECT period_interval('fortnight')::text") == nil)
        try s.edit("models/period_interval.sql") {
            $0.replacingOccurrences(of: "WHEN 'week' THEN interval '7 days'",
                                    with: "WHEN 'week' THEN interval '7 days'\n        WHEN 'fortnight' THEN interval '14 days'")
        }
        let status = try s.migrator.status()
        #expect(status.staleModels.map(\.name) == ["period_interval"])
        #expect(status.pendingMigrations.isEmpty)
        #expect(patronErrorMessage { try s.migrator.requireUpToDate() }
                == "schema \(s.schema) is not set up or not up to date: run `patron migrate` (or load something)")

        let report = try s.migrator.upgrade()
        #expect(report.applied.isEmpty)
        #expect(report.modelsCreated.map(\.name) == (try s.migrator.models().map(\.name)), "all models, in order")
        #expect(try s.value("SELECT period_interval('fortnight')::text") == "14 days")
        try s.migrator.requireUpToDate()
        #expect(try s.value("SELECT checksum FROM schema_models WHERE name = 'period_interval'")
                == (try s.migrator.models().first { $0.name == "period_interval" }?.checksum))
    }

    @Test("with nothing changed, migrate takes no lock; with a model changed, it waits for the migration lock")
    func upToDateTakesNoLock() throws {
        let s = try ScratchSchema(copySQL: true)
        try s.migrator.migrate()
        let other = try s.openWarehouse()
        try other.connection.execute("SELECT pg_advisory_lock(hashtext('patron.migrate:' || $1))", [s.schema])
        try s.warehouse.connection.execute("SET lock_timeout = '500ms'")
        #expect(try s.migrator.migrate().isEmpty)
        try s.edit("models/data_horizon.sql") { $0 + "-- changed\n" }
        let waited = patronErrorMessage { try s.migrator.migrate() }
        #expect(waited.contains("55P03"), "\(waited)")  // lock_not_available: it asked for the lock
        try other.connection.execute("SELECT pg_advisory_unlock(hashtext('patron.migrate:' || $1))", [s.schema])
        #expect(try s.migrator.upgrade().modelsCreated.count == (try s.migrator.models().count))
    }

    @Test("a migration applied creates the models again, even those whose files did not change")
    func migrationRecreatesModels() throws {
        let s = try ScratchSchema(copySQL: true)
        try s.migrator.migrate()
        try s.write("migrations/0099_drop_a_view.sql", "-- Migration 0099: a test.\nDROP VIEW customer_first_purchase;\n")
        let report = try s.migrator.upgrade()
        #expect(report.applied.map(\.id) == ["0099_drop_a_view"])
        #expect(!report.modelsCreated.isEmpty)
        #expect(try s.value("SELECT to_regclass('customer_first_purchase')::text") == "customer_first_purchase")
    }

    @Test("a model that cannot be replaced in place names its file and says a migration must drop it; nothing changes",
          arguments: [
            // A view that loses a column (SQLSTATE 42P16).
            ("valid_purchases", "p.channel, p.items\nFROM", "p.channel\nFROM"),
            // A function whose result type changes (SQLSTATE 42P13).
            ("period_label", "RETURNS date\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$\n    SELECT date_trunc(p_period, p_at AT TIME ZONE p_tz)::date",
             "RETURNS timestamp\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$\n    SELECT date_trunc(p_period, p_at AT TIME ZONE p_tz)"),
          ])
    func incompatibleModel(name: String, from: String, to: String) throws {
        let s = try ScratchSchema(copySQL: true)
        try s.migrator.migrate()
        try s.edit("models/data_horizon.sql") { $0 + "-- a change that would be fine alone\n" }
        try s.edit("models/\(name).sql") { $0.replacingOccurrences(of: from, with: to) }
        let message = patronErrorMessage { try s.migrator.migrate() }
        #expect(message.contains(s.sql.file("models/\(name).sql").path), "\(message)")
        #expect(message.contains("a migration must DROP the old object first"), "\(message)")
        // One transaction: the change to data_horizon was not recorded either.
        #expect(try s.migrator.status().staleModels.map(\.name).contains("data_horizon"))
    }

    @Test("a cycle in the models' dependencies is an error naming the files; so is an unknown model")
    func dependencyCycle() throws {
        let s = try ScratchSchema(copySQL: true)
        try s.edit("models/data_horizon.sql") {
            $0.replacingOccurrences(of: "-- depends on: none", with: "-- depends on: period_series")
        }
        let message = patronErrorMessage { _ = try s.migrator.models() }
        #expect(message.contains("cycle"), "\(message)")
        #expect(message.contains("models/data_horizon.sql → models/period_series.sql → models/data_horizon.sql"), "\(message)")
        #expect(patronErrorMessage { try s.migrator.migrate() } == message)
        #expect(try s.value("SELECT count(*)::text FROM pg_namespace WHERE nspname = $1", [s.schema]) == "0")

        try s.edit("models/data_horizon.sql") {
            $0.replacingOccurrences(of: "-- depends on: period_series", with: "-- depends on: no_such_model")
        }
        let unknown = patronErrorMessage { _ = try s.migrator.models() }
        #expect(unknown.contains("models/data_horizon.sql") && unknown.contains("no_such_model"), "\(unknown)")

        try s.edit("models/data_horizon.sql") {
            $0.replacingOccurrences(of: "-- depends on: no_such_model\n", with: "")
        }
        #expect(patronErrorMessage { _ = try s.migrator.models() }.contains("models/data_horizon.sql"))
    }

    @Test("each model can be created from the models it declares alone (on the tables of the migrations)")
    func declaredDependenciesSuffice() throws {
        let s = try ScratchSchema(copySQL: true)
        let models = try s.migrator.models()
        // The migrations alone: the tables, no model.
        try FileManager.default.removeItem(at: s.sql.file("models"))
        try s.migrator.migrate()
        let byName = Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0) })
        for model in models {
            var needed: [String] = []
            func visit(_ name: String) {
                for dependency in byName[name]!.dependencies where !needed.contains(dependency) { visit(dependency) }
                if !needed.contains(name) { needed.append(name) }
            }
            visit(model.name)
            let connection = s.warehouse.connection
            try connection.execute("BEGIN")
            defer { _ = try? connection.execute("ROLLBACK") }
            for name in needed {
                do {
                    try connection.executeScript(unsafeSQL: byName[name]!.sql)
                } catch {
                    Issue.record("\(model.file), created after what it declares (\(needed.dropLast())): \(error)")
                    break
                }
            }
        }
    }

    @Test("load_source_is_new: new until a load inserted rows of the source; without load_runs the table says")
    func sourceIsNewModel() throws {
        let w = try ScratchWarehouse()
        func isNew(_ entity: String, _ table: String, _ source: String) throws -> String? {
            try w.value("SELECT load_source_is_new($1, $2::regclass, $3)::text", [entity, table, source])
        }
        #expect(try isNew("purchases", "purchases", "shop") == "true")
        _ = try w.load(.purchases, "p.csv", Journey.purchases, source: "shop")
        #expect(try isNew("purchases", "purchases", "shop") == "false")
        #expect(try isNew("purchases", "purchases", "other") == "true")
        #expect(try isNew("customers", "customer_profiles", "shop") == "true")
        // The load's record gone (an operator's clean-up), the table still holds its rows.
        _ = try w.rows("DELETE FROM load_runs")
        #expect(try isNew("purchases", "purchases", "shop") == "false")
    }

    @Test("the model files: CREATE OR REPLACE only, a grain for each view")
    func modelFilesFollowTheRules() throws {
        let s = try ScratchSchema()
        for model in try s.migrator.models() {
            let statements = model.sql.split(separator: "\n").filter { $0.hasPrefix("CREATE") }
            #expect(!statements.isEmpty, "\(model.file)")
            for line in statements {
                // A constraint trigger has no OR REPLACE: the file drops it first.
                let recreatable = line.hasPrefix("CREATE OR REPLACE VIEW ") || line.hasPrefix("CREATE OR REPLACE FUNCTION ")
                    || line.hasPrefix("CREATE OR REPLACE TRIGGER ")
                    || (line.hasPrefix("CREATE CONSTRAINT TRIGGER ")
                        && model.sql.contains("DROP TRIGGER IF EXISTS \(line.split(separator: " ")[3]) "))
                #expect(recreatable, "\(model.file): \(line)")
            }
            if statements.contains(where: { $0.hasPrefix("CREATE OR REPLACE VIEW") }) {
                #expect(model.sql.contains("one row per"), "\(model.file) states its grain")
            }
        }
    }
}
