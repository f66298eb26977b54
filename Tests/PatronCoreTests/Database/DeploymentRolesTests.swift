import Foundation
import Testing
import PostgresClient
import PatronCore
import PatronTestSupport

/// A database of its own, with roles of its own, for tests of privileges and the search path:
/// they change what `public` allows and plant objects in it, which must not touch the other
/// tests' database. Roles belong to the cluster, so their names carry a random suffix. The
/// database and the roles are dropped when it goes away.
private final class RoleSandbox {
    let suffix = UUID().uuidString.prefix(8).lowercased()
    let database: String
    let directory: URL
    private let server: Connection
    private var roles: [String] = []
    private var adminConnection: Connection?

    init() throws {
        database = "patron_roles_\(suffix)"
        server = try Connection(conninfo: try testDatabaseURL())
        try server.executeScript(unsafeSQL: "CREATE DATABASE \(database)")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("patron-\(database)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        adminConnection = nil
        _ = try? server.executeScript(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        for role in roles { _ = try? server.executeScript(unsafeSQL: "DROP ROLE IF EXISTS \(role)") }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A new LOGIN role with no privileges beyond PostgreSQL's defaults for PUBLIC.
    func role(_ name: String) throws -> String {
        let role = "\(name)_\(suffix)"
        try server.executeScript(unsafeSQL: "CREATE ROLE \(role) LOGIN")
        roles.append(role)
        return role
    }

    /// The sandbox database as `role` (the test cluster trusts every local role).
    func url(as role: String) throws -> String {
        var components = try #require(URLComponents(string: try testDatabaseURL()))
        components.user = role
        components.path = "/" + database
        return try #require(components.string)
    }

    /// Runs SQL in the sandbox database as the cluster's superuser.
    func admin(_ sql: String) throws {
        try adminSession().executeScript(unsafeSQL: sql)
    }

    func adminValue(_ sql: String) throws -> String? {
        try adminSession().execute(sql).rows.first?[0]
    }

    private func adminSession() throws -> Connection {
        if let adminConnection { return adminConnection }
        let connection = try Connection(conninfo: try url(as: "postgres"))
        adminConnection = connection
        return connection
    }

    /// An owner for Patron's schema: a role that may create schemas in this database, and nothing more.
    func owner() throws -> String {
        let owner = try role("owner")
        try admin("GRANT CREATE ON DATABASE \(database) TO \(owner)")
        return owner
    }

    @discardableResult
    func write(_ name: String, _ content: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
        return url.path
    }

    /// Runs `patron` as `role` in the sandbox database.
    func patron(_ arguments: [String], as role: String) throws -> PatronProcess.Outcome {
        try PatronProcess.run(arguments, url: try url(as: role))
    }

    /// Relations in `public` (a warehouse built there by mistake would show up here).
    func relationsInPublic() throws -> Int {
        Int(try adminValue("SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = 'public'") ?? "") ?? -1
    }
}

@Suite("Deployment: roles, privileges and the search path")
struct DeploymentRolesTests {
    @Test("a role without USAGE on Patron's schema is told so (exit 78), and nothing is built in a writable public")
    func noAccessToSchema() throws {
        let sandbox = try RoleSandbox()
        let owner = try sandbox.owner()
        let stranger = try sandbox.role("stranger")
        // A shared database where anyone may create objects in public (PostgreSQL before 15).
        try sandbox.admin("GRANT CREATE ON SCHEMA public TO PUBLIC")
        let customers = try sandbox.write("customers.csv", Journey.customers)
        let loaded = try sandbox.patron(["load", "customers", customers], as: owner)
        #expect(loaded.status == 0, "\(loaded.stderr)")

        for arguments in [["load", "customers", customers], ["status"], ["run", "churn_rate"], ["migrate"]] {
            let refused = try sandbox.patron(arguments, as: stranger)
            #expect(refused.status == 78, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("no access to schema patron"), "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("patron grant"), "\(arguments): \(refused.stderr)")
        }
        #expect(try sandbox.relationsInPublic() == 0)
        #expect(try sandbox.adminValue("SELECT count(*) FROM patron.customer_profiles") == "2")
    }

    @Test("functions and operators planted in a writable public never run in Patron's loads or analyses (CVE-2018-1058)")
    func plantedFunctionsDoNotShadow() throws {
        let sandbox = try RoleSandbox()
        let owner = try sandbox.owner()
        let planter = try sandbox.role("planter")
        try sandbox.admin("GRANT CREATE ON SCHEMA public TO PUBLIC")
        for (entity, content) in Journey.all {
            let file = try sandbox.write("\(entity.rawValue).csv", content)
            let load = try sandbox.patron(["load", entity.rawValue, file, "--source", "shop"], as: owner)
            #expect(load.status == 0, "\(entity): \(load.stderr)")
        }
        // Closer type matches than pg_catalog's own, which PostgreSQL would prefer: text for
        // regclass (a direct load's key reservation), exact integer/bigint and numeric pairs
        // where pg_catalog casts to numeric (clv's arithmetic). Each fails the statement it runs in.
        let planterSession = try Connection(conninfo: try sandbox.url(as: planter))
        var plants = """
            CREATE FUNCTION public.nextval(text) RETURNS bigint LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'planted public.nextval ran'; END $$;
            CREATE FUNCTION public.setval(text, bigint) RETURNS bigint LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'planted public.setval ran'; END $$;

            """
        for (left, right) in [("integer", "numeric"), ("numeric", "integer"), ("bigint", "numeric"), ("numeric", "bigint")] {
            plants += """
                CREATE FUNCTION public.planted_op(\(left), \(right)) RETURNS numeric LANGUAGE plpgsql AS
                    $$ BEGIN RAISE EXCEPTION 'planted public operator ran'; END $$;
                CREATE OPERATOR public.* (LEFTARG = \(left), RIGHTARG = \(right), FUNCTION = public.planted_op);
                CREATE OPERATOR public./ (LEFTARG = \(left), RIGHTARG = \(right), FUNCTION = public.planted_op);

                """
        }
        try planterSession.executeScript(unsafeSQL: plants)

        for name in try analysisNames(sandbox, as: owner) {
            let run = try sandbox.patron(["run", name, "--format", "csv"], as: owner)
            #expect(!run.stderr.contains("planted"), "\(name): \(run.stderr)")
            #expect(run.status == 0 || run.status == 6, "\(name): \(run.stderr)")
        }
        // A new source's first load takes the direct path, which reserves customer keys.
        let load = try sandbox.patron(["load", "customers", try sandbox.write("crm.csv", Journey.customers), "--source", "crm"], as: owner)
        #expect(load.status == 0, "\(load.stderr)")
        #expect(!load.stderr.contains("planted"), "\(load.stderr)")
        #expect(try sandbox.adminValue("SELECT count(*) FROM patron.customer_profiles WHERE source = 'crm'") == "2")
    }

    @Test("patron grant: a loader loads and imports without CREATE anywhere; a reader runs every analysis, status and rejects, and cannot load")
    func readerAndLoader() throws {
        let sandbox = try RoleSandbox()
        let owner = try sandbox.owner()
        let reader = try sandbox.role("reader")
        let loader = try sandbox.role("loader")
        let migrated = try sandbox.patron(["migrate"], as: owner)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let granted = try sandbox.patron(["grant", "--reader", reader, "--loader", loader], as: owner)
        #expect(granted.status == 0, "\(granted.stderr)")
        #expect(granted.stderr.contains("role \(reader) may now run every analysis"), "\(granted.stderr)")

        // A demo shop big enough for the predictive model, loaded by the loader; and a first
        // load of 10,000 customers, which the owner would make without indexes.
        let demo = sandbox.directory.appendingPathComponent("demo")
        let generated = try sandbox.patron(["demo", "generate", "--customers", "300", "--out", demo.path, "--seed", "5"], as: owner)
        #expect(generated.status == 0, "\(generated.stderr)")
        for entity in ["customers", "purchases", "returns", "tickets", "mentions", "surveys"] {
            let load = try sandbox.patron(["load", entity, demo.appendingPathComponent("\(entity).csv").path, "--source",
                                           entity == "tickets" || entity == "surveys" ? "helpdesk" : entity == "mentions" ? "social" : "shop"],
                                          as: loader)
            #expect(load.status == 0 || load.status == 2, "\(entity): \(load.stderr)")
        }
        let many = (1...10_000).map { "B\($0),b\($0)@example.com" }.joined(separator: "\n")
        let bulk = try sandbox.patron(["load", "customers", try sandbox.write("bulk.csv", "customer_id,email\n" + many + "\n"),
                                       "--source", "bulk"], as: loader)
        #expect(bulk.status == 0, "\(bulk.stderr)")
        let imported = try sandbox.patron(["import", "shopify", demo.appendingPathComponent("vendors/shopify/orders_export.csv").path],
                                          as: loader)
        #expect(imported.status == 0 || imported.status == 2, "\(imported.stderr)")
        #expect(try sandbox.adminValue("SELECT count(*) FROM patron.load_runs WHERE status = 'failed'") == "0")

        var ran = 0
        for name in try analysisNames(sandbox, as: reader) {
            let run = try sandbox.patron(["run", name, "--format", "csv"], as: reader)
            #expect(run.status == 0, "\(name): \(run.stderr)")
            ran += 1
        }
        #expect(ran >= 20)
        let predictive = try sandbox.patron(["run", "clv", "--method", "predictive", "--format", "csv"], as: reader)
        #expect(predictive.status == 0, "\(predictive.stderr)")
        for arguments in [["status", "--runs", "5"], ["rejects"], ["rejects", "--skipped"]] {
            let read = try sandbox.patron(arguments, as: reader)
            #expect(read.status == 0, "\(arguments): \(read.stderr)")
        }

        // The reader cannot load: the message names the object, the privilege and the remedy.
        let refused = try sandbox.patron(["load", "customers", try sandbox.write("more.csv", Journey.customers)], as: reader)
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("permission denied for table"), "\(refused.stderr)")
        #expect(refused.stderr.contains("needs INSERT"), "\(refused.stderr)")
        #expect(refused.stderr.contains("patron grant --loader"), "\(refused.stderr)")

        // A schema that needs migrating is the owner's job: the loader is told so, and
        // nothing changes.
        try sandbox.admin("DELETE FROM patron.schema_models WHERE name = 'valid_purchases'")
        let stale = try sandbox.patron(["load", "customers", try sandbox.write("late.csv", Journey.customers)], as: loader)
        #expect(stale.status == 78, "\(stale.stderr)")
        #expect(stale.stderr.contains("the schema's owner must run `patron migrate`"), "\(stale.stderr)")
        // No schema yet: the loader may not create one, and says who must.
        let fresh = try sandbox.patron(["load", "customers", try sandbox.write("fresh.csv", Journey.customers), "--schema", "fresh"],
                                       as: loader)
        #expect(fresh.status == 78, "\(fresh.stderr)")
        #expect(fresh.stderr.contains("schema fresh does not exist, and role \(loader) may not create it"), "\(fresh.stderr)")
        #expect(try sandbox.adminValue("SELECT count(*) FROM pg_namespace WHERE nspname = 'fresh'") == "0")

        // The owner upgrades an existing schema without CREATE on the database (only creating
        // the schema needed it); then the loader loads again.
        try sandbox.admin("REVOKE CREATE ON DATABASE \(sandbox.database) FROM \(owner)")
        let upgraded = try sandbox.patron(["migrate"], as: owner)
        #expect(upgraded.status == 0, "\(upgraded.stderr)")
        let again = try sandbox.patron(["load", "customers", try sandbox.write("late.csv", Journey.customers)], as: loader)
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test("patron grant quotes role names; refuses a role that does not exist (64) and a grantor that does not own the schema (78)")
    func grantQuotingAndRefusals() throws {
        let sandbox = try RoleSandbox()
        let owner = try sandbox.owner()
        let other = try sandbox.role("other")
        #expect(try sandbox.patron(["migrate"], as: owner).status == 0)
        // A name that needs quoting, and would end the statement if spliced as given.
        let odd = "Odd \"Reader\"; DROP SCHEMA patron CASCADE; \(sandbox.suffix)"
        let quotedOdd = "\"" + odd.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try sandbox.admin("CREATE ROLE \(quotedOdd) LOGIN")
        defer { try? sandbox.admin("DROP OWNED BY \(quotedOdd); DROP ROLE \(quotedOdd)") }
        let granted = try sandbox.patron(["grant", "--reader", odd], as: owner)
        #expect(granted.status == 0, "\(granted.stderr)")
        #expect(try sandbox.adminValue("SELECT has_table_privilege('\(odd)', 'patron.purchases', 'SELECT')") == "t")
        #expect(try sandbox.adminValue("SELECT count(*) FROM pg_namespace WHERE nspname = 'patron'") == "1")
        let missing = try sandbox.patron(["grant", "--reader", "nobody_\(sandbox.suffix)"], as: owner)
        #expect(missing.status == 64, "\(missing.stderr)")
        #expect(missing.stderr.contains("role nobody_\(sandbox.suffix) does not exist"), "\(missing.stderr)")
        // A database that took TEMPORARY back from PUBLIC: grant warns, and a load says what it lacks.
        let loader = try sandbox.role("loader")
        try sandbox.admin("REVOKE TEMPORARY ON DATABASE \(sandbox.database) FROM PUBLIC")
        let warned = try sandbox.patron(["grant", "--loader", loader], as: owner)
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("role \(loader) may not create temporary tables in database \(sandbox.database)"), "\(warned.stderr)")
        let noTemp = try sandbox.patron(["load", "customers", try sandbox.write("c.csv", Journey.customers)], as: loader)
        #expect(noTemp.status == 78, "\(noTemp.stderr)")
        #expect(noTemp.stderr.contains("(the statement needs TEMPORARY on the database)"), "\(noTemp.stderr)")
        try sandbox.admin("GRANT USAGE ON SCHEMA patron TO \(other); GRANT SELECT ON ALL TABLES IN SCHEMA patron TO \(other)")
        let notOwner = try sandbox.patron(["grant", "--loader", other], as: other)
        #expect(notOwner.status == 78, "\(notOwner.stderr)")
        #expect(notOwner.stderr.contains("only the owner of schema patron"), "\(notOwner.stderr)")
    }

    @Test("load, import and sync --dry-run on a fresh database create nothing, not even the schema")
    func dryRunCreatesNothing() throws {
        let sandbox = try RoleSandbox()
        let customers = try sandbox.write("customers.csv", Journey.customers)
        let orders = try sandbox.write("shopify/orders_export.csv", """
            Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Cancelled at,Refunded Amount,Source,Phone
            #1001,ana@example.com,paid,EUR,30.00,2024-03-01 10:00:00 +0100,1,,,web,

            """)
        let config = try sandbox.write("patron.toml", """
            [[source]]
            name = "crm"
            entity = "customers"
            files = ["\(customers)"]

            """)
        for arguments in [["load", "customers", customers, "--dry-run"], ["import", "shopify", orders, "--dry-run"],
                          ["sync", "--config", config, "--dry-run"]] {
            let dry = try sandbox.patron(arguments, as: "postgres")
            #expect(dry.status == 78, "\(arguments): \(dry.stderr)")
            #expect(dry.stderr.contains("a dry run changes nothing: run `patron migrate` first"), "\(arguments): \(dry.stderr)")
            #expect(try sandbox.adminValue("SELECT count(*) FROM pg_namespace WHERE nspname = 'patron'") == "0", "\(arguments)")
        }
        #expect(try sandbox.relationsInPublic() == 0)
    }
}

/// The analyses `patron list` names, as the given role sees them.
private func analysisNames(_ sandbox: RoleSandbox, as role: String) throws -> [String] {
    let list = try sandbox.patron(["list", "--format", "csv"], as: role)
    try #require(list.status == 0, "\(list.stderr)")
    return list.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) }
}
