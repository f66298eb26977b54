import Foundation
import PatronTestSupport
import Testing

/// Second loads on Citus: the staged update path (docs/scale-out.md), where a changed row keeps
/// its place, a row whose customer changed moves to another shard, and a merge moves a
/// customer's rows — each as one server does it. Runs where scripts/test started a Citus cluster.
@Suite("Citus: a second load, a re-key and a merge across shards, as on one server",
       .enabled(if: CitusCluster.url != nil, "skipped: no Citus cluster (scripts/test starts one where Citus is installed: scripts/citus-local build SRC)"))
struct CitusReloadTests {
    static let customers = """
        customer_id,email,phone,handle,name,country,signup_at,segment
        C1,ann@x.test,,,Ann,FR,2024-01-01T00:00:00Z,consumer
        C2,bob@x.test,,,Bob,DE,2024-01-02T00:00:00Z,consumer
        C3,cid@x.test,,,Cid,ES,2024-01-03T00:00:00Z,business
        C4,dee@x.test,,,Dee,IT,2024-01-04T00:00:00Z,consumer

        """
    static let firstOrders = """
        order_id,customer_id,email,ordered_at,amount,currency,channel,items,status
        O1,C1,,2024-02-01T10:00:00Z,10.00,USD,web,1,completed
        O2,C2,,2024-02-02T10:00:00Z,20.00,USD,web,1,completed
        O3,C3,,2024-02-03T10:00:00Z,30.00,USD,store,2,completed
        O4,,dee@x.test,2024-02-04T10:00:00Z,40.00,USD,web,1,completed

        """
    /// O1 as before; O2 costs 25.00 now (an update); O3 names C4 instead of C3 (its row moves
    /// to C4's key); O5 is new and names C1's id with Bob's email (C1 and C2 merge). O4 is not
    /// in the file and stays as it is.
    static let secondOrders = """
        order_id,customer_id,email,ordered_at,amount,currency,channel,items,status
        O1,C1,,2024-02-01T10:00:00Z,10.00,USD,web,1,completed
        O2,C2,,2024-02-02T10:00:00Z,25.00,USD,web,1,completed
        O3,C4,,2024-02-03T10:00:00Z,30.00,USD,store,2,completed
        O5,C1,bob@x.test,2024-02-05T10:00:00Z,50.00,USD,web,3,completed

        """

    @Test("a changed file, then the same file again: counts, keys and rows equal on both")
    func secondLoads() throws {
        let cluster = try #require(CitusCluster.url.map(CitusCluster.init))
        let schemas = ["single_reload": ["migrate"], "dist_reload": ["migrate", "--citus"]]
        try Self.migrateAndLoad(cluster, schemas: schemas, files: [
            ("customers", Self.customers), ("purchases", Self.firstOrders),
            ("purchases", Self.secondOrders), ("purchases", Self.secondOrders),
        ])

        // C1 and C2 sat on different shards before they merged (keys are handed out in load
        // order, so the same every run): the merge moved rows between workers.
        let shards = try cluster.psql("""
            SELECT count(DISTINCT get_shard_id_for_distribution_column('dist_reload.customers', k.key))
            FROM dist_reload.customer_merges AS m, LATERAL (VALUES (m.merged_key), (m.into_key)) AS k(key)
            """)
        #expect(shards == "2", "the merged customers were on one shard: choose other fixture ids")

        for schema in schemas.keys {
            // Runs 2-4: first orders (4 inserted), changed file, the same changed file again.
            let runs = try cluster.psql("""
                SELECT string_agg(concat_ws('/', rows_inserted, rows_updated, rows_unchanged, customers_merged), ' ' ORDER BY run_id)
                FROM \(schema).load_runs WHERE entity = 'purchases'
                """)
            // Changed file: O5 inserted; O2 (amount) and O3 (customer) updated; O1 unchanged; one merge.
            #expect(runs == "4/0/0/0 1/2/1/1 0/0/4/0", "\(schema): \(runs)")
            // O3 now belongs with O4 (both C4's: dee@x.test is C4's email); O1, O2 and O5 with the
            // merged C1 and C2; each order once.
            let grouping = try cluster.psql("""
                SELECT string_agg(orders, ' | ' ORDER BY orders) FROM (
                    SELECT string_agg(order_id, ',' ORDER BY order_id) AS orders
                    FROM \(schema).purchases GROUP BY customer_key) AS g
                """)
            #expect(grouping == "O1,O2,O5 | O3,O4", "\(schema): \(grouping)")
        }
        let rows = "SELECT string_agg(concat_ws(':', order_id, customer_id, email, amount, loaded_by_run, changed_by_run), ' ' ORDER BY order_id) FROM %@.purchases"
        let single = try cluster.psql(rows.replacingOccurrences(of: "%@", with: "single_reload"))
        let distributed = try cluster.psql(rows.replacingOccurrences(of: "%@", with: "dist_reload"))
        #expect(single == distributed)
        // The summaries followed the update, the move and the merge (on Citus queued by the loader).
        let summaries = try cluster.summaries("single_reload")
        #expect(summaries.contains { $0.rows > 0 }, "\(summaries)")
        #expect(try cluster.summaries("dist_reload") == summaries)
        #expect(single.contains("O3:C4:30.00:2:3"), "\(single)")

        // `run --into` writes on the coordinator what the workers compute: churn_rate reads
        // valid_purchases, which the workers find only through the search_path Patron hands them.
        for schema in schemas.keys {
            let into = try PatronProcess.run(["run", "churn_rate", "--schema", schema, "--into", "churn", "--replace"], url: cluster.url)
            #expect(into.status == 0, "\(schema): \(into.stderr)")
        }
        let table = "SELECT count(*) || ' ' || md5(string_agg(t::text, ';' ORDER BY t::text)) FROM %@_reports.churn AS t"
        let singleTable = try cluster.psql(table.replacingOccurrences(of: "%@", with: "single_reload"))
        #expect(!singleTable.hasPrefix("0 ") && !singleTable.isEmpty, "\(singleTable)")
        #expect(singleTable == (try cluster.psql(table.replacingOccurrences(of: "%@", with: "dist_reload"))))
    }

    /// Returns are a reference table on Citus (docs/scale-out.md, "The design"): a return without
    /// identifiers (NULL key), one whose customer changes, one of a customer merged into another.
    static let firstReturns = """
        return_id,order_id,customer_id,returned_at,amount,currency,reason
        R1,O1,C1,2024-03-01T10:00:00Z,5.00,USD,damaged
        R2,O2,,2024-03-02T10:00:00Z,4.00,USD,damaged
        R3,O3,C3,2024-03-03T10:00:00Z,3.00,USD,wrong size
        R5,O1,C3,2024-03-05T10:00:00Z,2.00,USD,wrong size

        """
    /// R1 as before; R2 returns 4.50 now (an update); R3 names C4 instead of C3 (its key
    /// changes); R4 is new and names C3's id with Bob's email (C2 and C3 merge, so R5, still
    /// C3's, takes the merged customer's key); R5 names order O3 now instead of O1 (the
    /// summaries of O1's customer, whom nothing else in the file touches, lose it).
    static let secondReturns = """
        return_id,order_id,customer_id,email,returned_at,amount,currency,reason
        R1,O1,C1,,2024-03-01T10:00:00Z,5.00,USD,damaged
        R2,O2,,,2024-03-02T10:00:00Z,4.50,USD,damaged
        R3,O3,C4,,2024-03-03T10:00:00Z,3.00,USD,wrong size
        R4,O4,C3,bob@x.test,2024-03-04T10:00:00Z,1.00,USD,other
        R5,O3,C3,,2024-03-05T10:00:00Z,2.00,USD,wrong size

        """

    @Test("returns, a reference table: first load, changed file with a re-key and a merge, the same file again")
    func returnsReloads() throws {
        let cluster = try #require(CitusCluster.url.map(CitusCluster.init))
        let schemas = ["single_returns": ["migrate"], "dist_returns": ["migrate", "--citus"]]
        try Self.migrateAndLoad(cluster, schemas: schemas, files: [
            ("customers", Self.customers), ("purchases", Self.firstOrders),
            ("returns", Self.firstReturns), ("returns", Self.secondReturns), ("returns", Self.secondReturns),
        ])
        let kind = try cluster.psql("SELECT partmethod::text || repmodel::text FROM pg_dist_partition WHERE logicalrelid = 'dist_returns.returns'::regclass")
        #expect(kind == "nt", "returns is not a reference table: \(kind)")

        for schema in schemas.keys {
            // First file (4 inserted); changed file: R4 inserted, R2 (amount), R3 (customer) and
            // R5 (order) updated, R1 unchanged, one merge; the same file again: nothing changes.
            let runs = try cluster.psql("""
                SELECT string_agg(concat_ws('/', rows_inserted, rows_updated, rows_unchanged, customers_merged), ' ' ORDER BY run_id)
                FROM \(schema).load_runs WHERE entity = 'returns'
                """)
            #expect(runs == "4/0/0/0 1/3/1/1 0/0/5/0", "\(schema): \(runs)")
            // R4 (C3 merged into C2, Bob) and R5 (C3's) on one key; R3 with C4's order O4's
            // customer; R2 without a key.
            let grouping = try cluster.psql("""
                SELECT string_agg(returns, ' | ' ORDER BY returns) FROM (
                    SELECT string_agg(r.return_id, ',' ORDER BY r.return_id) AS returns
                    FROM \(schema).returns AS r GROUP BY r.customer_key) AS g
                """)
            #expect(grouping == "R1 | R2 | R3 | R4,R5", "\(schema): \(grouping)")
            let r3 = try cluster.psql("""
                SELECT r.customer_key = p.customer_key FROM \(schema).returns AS r
                JOIN \(schema).purchases AS p ON p.order_id = 'O4' WHERE r.return_id = 'R3'
                """)
            #expect(r3 == "t", "\(schema): R3 is not C4's")
        }
        let rows = "SELECT string_agg(concat_ws(':', return_id, customer_key, customer_id, email, amount, loaded_by_run, changed_by_run), ' ' ORDER BY return_id) FROM %@.returns"
        let single = try cluster.psql(rows.replacingOccurrences(of: "%@", with: "single_returns"))
        #expect(single == (try cluster.psql(rows.replacingOccurrences(of: "%@", with: "dist_returns"))))
        // The summaries followed the returns, R5's move to another order among them.
        let summaries = try cluster.summaries("single_returns")
        #expect(summaries.contains { $0.rows > 0 }, "\(summaries)")
        #expect(try cluster.summaries("dist_returns") == summaries)
        try Self.expectSameAnalyses(cluster, schemas: Array(schemas.keys), [
            ["revenue"], ["revenue", "--segment", "channel"], ["return_rate"], ["return_rate", "--by", "reason"],
        ])
    }

    /// Mentions are distributed by handle_key beside customer_identifiers (docs/scale-out.md):
    /// a mention whose handle changes moves to the new handle's shard.
    static let handleCustomers = """
        customer_id,email,phone,handle,name,country,signup_at,segment
        C1,ann@x.test,,twitter:@ann,Ann,FR,2024-01-01T00:00:00Z,consumer
        C2,bob@x.test,,twitter:@bob,Bob,DE,2024-01-02T00:00:00Z,consumer

        """
    static let firstMentions = """
        mention_id,platform,handle,posted_at,sentiment,responded_at
        M1,twitter,@ann,2024-02-10T10:00:00Z,-0.5,2024-02-10T12:00:00Z
        M2,twitter,,2024-02-11T10:00:00Z,0.5,
        M3,twitter,@bob,2024-03-12T10:00:00Z,0,
        M4,twitter,@nobody,2024-03-13T10:00:00Z,-0.9,2024-03-14T10:00:00Z

        """
    /// M1 names Bob now (it moves), M2 gains Ann's handle, M3 loses its handle, M4 as before,
    /// M5 is new and has no handle.
    static let secondMentions = """
        mention_id,platform,handle,posted_at,sentiment,responded_at
        M1,twitter,@bob,2024-02-10T10:00:00Z,-0.5,2024-02-10T12:00:00Z
        M2,twitter,@ann,2024-02-11T10:00:00Z,0.5,
        M3,twitter,,2024-03-12T10:00:00Z,0,
        M4,twitter,@nobody,2024-03-13T10:00:00Z,-0.9,2024-03-14T10:00:00Z
        M5,instagram,,2024-04-01T10:00:00Z,,

        """

    @Test("mentions, distributed by handle_key: first load, handles that change, come and go, the same file again")
    func mentionsReloads() throws {
        let cluster = try #require(CitusCluster.url.map(CitusCluster.init))
        let schemas = ["single_mentions": ["migrate"], "dist_mentions": ["migrate", "--citus"]]
        try Self.migrateAndLoad(cluster, schemas: schemas, files: [
            ("customers", Self.handleCustomers), ("purchases", Self.firstOrders),
            ("mentions", Self.firstMentions), ("mentions", Self.secondMentions), ("mentions", Self.secondMentions),
        ])
        let placement = try cluster.psql("""
            SELECT column_to_column_name(p.logicalrelid, p.partkey) || ' ' || (p.colocationid = i.colocationid)
            FROM pg_dist_partition AS p, pg_dist_partition AS i
            WHERE p.logicalrelid = 'dist_mentions.mentions'::regclass AND i.logicalrelid = 'dist_mentions.customer_identifiers'::regclass
            """)
        #expect(placement == "handle_key true", "\(placement)")
        // M1's two handles hash to different shards: its move crossed shards.
        let shards = try cluster.psql("""
            SELECT count(DISTINCT get_shard_id_for_distribution_column('dist_mentions.mentions', k))
            FROM unnest(ARRAY['twitter:@ann', 'twitter:@bob']) AS k
            """)
        #expect(shards == "2", "@ann and @bob are on one shard: choose other fixture handles")

        for schema in schemas.keys {
            // First file: 4 inserted; changed file: M5 inserted, M1-M3 updated, M4 unchanged;
            // the same file again: nothing changes.
            let runs = try cluster.psql("""
                SELECT string_agg(concat_ws('/', rows_inserted, rows_updated, rows_unchanged), ' ' ORDER BY run_id)
                FROM \(schema).load_runs WHERE entity = 'mentions'
                """)
            #expect(runs == "4/0/0 1/3/1 0/0/5", "\(schema): \(runs)")
            // Linked as the handles now say: M1 to Bob, M2 to Ann; each mention once.
            let links = try cluster.psql("""
                SELECT string_agg(f.mention_id || '=' || coalesce(c.customer_id, '-'), ' ' ORDER BY f.mention_id)
                FROM \(schema).mention_facts AS f
                LEFT JOIN \(schema).customer_profiles AS c ON c.customer_key = f.customer_key
                """)
            #expect(links == "M1=C2 M2=C1 M3=- M4=- M5=-", "\(schema): \(links)")
        }
        let rows = "SELECT string_agg(concat_ws(':', mention_id, handle, handle_key, sentiment, loaded_by_run, changed_by_run), ' ' ORDER BY mention_id) FROM %@.mentions"
        let single = try cluster.psql(rows.replacingOccurrences(of: "%@", with: "single_mentions"))
        #expect(single.contains("M3::M3:0:"), "M3 has no handle, so its key is ':M3': \(single)")  // concat_ws skips the NULL handle
        #expect(single == (try cluster.psql(rows.replacingOccurrences(of: "%@", with: "dist_mentions"))))
        try Self.expectSameAnalyses(cluster, schemas: Array(schemas.keys), [
            ["social_mentions"], ["social_mentions", "--segment", "linked"], ["retention", "--activity", "any"], ["support_impact"],
        ])
        let journeys = try schemas.keys.sorted().map { schema in
            try PatronProcess.run(["customer", "twitter:@bob", "--schema", schema, "--format", "json"], url: cluster.url)
        }
        #expect(journeys.allSatisfy { $0.status == 0 }, "\(journeys.map(\.stderr))")
        // Bob's mentions: M1 (now his), not M3 (it lost his handle); the rest of the journey
        // holds load times, which differ between the schemas.
        for journey in journeys {
            #expect(journey.stdout.contains("\"M1\"") && !journey.stdout.contains("\"M3\""), "\(journey.stdout)")
        }
    }

    @Test("a warehouse distributed before mentions were: migrate warns, migrate --citus distributes them, nothing lost")
    func mentionsDistributedLater() throws {
        let cluster = try #require(CitusCluster.url.map(CitusCluster.init))
        let schema = "dist_later"
        try Self.migrateAndLoad(cluster, schemas: [schema: ["migrate", "--citus"]], files: [
            ("customers", Self.handleCustomers), ("mentions", Self.firstMentions),
        ])
        // As an earlier Patron left it: mentions an ordinary table on the coordinator.
        _ = try cluster.psql("SELECT undistribute_table('\(schema).mentions')")
        let partition = "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = '\(schema).mentions'::regclass"
        #expect(try cluster.psql(partition) == "0")

        let plain = try PatronProcess.run(["migrate", "--schema", schema], url: cluster.url)
        #expect(plain.status == 0 && plain.stderr.contains("run `patron migrate --citus`"), "\(plain.stderr)")
        let citus = try PatronProcess.run(["migrate", "--citus", "--schema", schema], url: cluster.url)
        #expect(citus.status == 0 && citus.stderr.contains("distributed the tables on Citus ("), "\(citus.stderr)")
        #expect(try cluster.psql(partition) == "1")
        #expect(try cluster.psql("SELECT count(*) FROM \(schema).mentions") == "4")
        let again = try PatronProcess.run(["migrate", "--schema", schema], url: cluster.url)
        #expect(again.status == 0 && !again.stderr.contains("patron migrate --citus"), "\(again.stderr)")
        #expect(try cluster.psql("SELECT count(*) FROM \(schema).mention_facts WHERE is_linked") == "2")
    }

    /// Runs each analysis (name and options) on both schemas: each succeeds, and the two CSVs
    /// are the same (floats to their last digits aside: CSVComparison).
    static func expectSameAnalyses(_ cluster: CitusCluster, schemas: [String], _ argumentSets: [[String]]) throws {
        for arguments in argumentSets {
            let outputs = try schemas.sorted().map { schema in
                try PatronProcess.run(["run"] + arguments + ["--schema", schema, "--format", "csv"], url: cluster.url)
            }
            #expect(outputs.allSatisfy { $0.status == 0 }, "\(arguments): \(outputs.map(\.stderr))")
            #expect(CSVComparison.same(outputs[0].stdout, outputs[1].stdout), "\(arguments):\n\(outputs[0].stdout)\n---\n\(outputs[1].stdout)")
        }
    }

    /// Migrates each schema with its command (plain, or `--citus`) and loads the same files into
    /// it, in order, each from a temporary file; every step must succeed.
    static func migrateAndLoad(_ cluster: CitusCluster, schemas: [String: [String]],
                               files: [(entity: String, text: String)]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patron-citus-loads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = try files.enumerated().map { index, file in
            let path = dir.appendingPathComponent("\(index)-\(file.entity).csv")
            try file.text.write(to: path, atomically: true, encoding: .utf8)
            return (entity: file.entity, path: path.path)
        }
        for (schema, migrate) in schemas.sorted(by: { $0.key < $1.key }) {
            let migrated = try PatronProcess.run(migrate + ["--schema", schema], url: cluster.url)
            try #require(migrated.status == 0, "\(schema): \(migrated.stderr)")
            for file in paths {
                let loaded = try PatronProcess.run(["load", file.entity, file.path, "--source", "shop", "--schema", schema], url: cluster.url)
                try #require(loaded.status == 0, "\(schema) \(file.entity) \(file.path): \(loaded.stderr)")
            }
        }
    }
}
