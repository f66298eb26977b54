import Foundation
import PatronCore
import PatronDemo
@testable import PatronLoad
import PatronTestSupport
import Testing

/// The first load of a source writes straight into its table, keyed by customers the loader
/// works out while reading (Loader+Direct.swift); every other load goes through the staging
/// table. Both must leave the same warehouse. Customer keys are numbered differently by the two
/// paths, so the comparison names each customer by its smallest identifier instead.
@Suite("Direct loads")
struct DirectLoadTests {
    /// Every warehouse table as text, customer keys replaced by the customer's smallest
    /// identifier ("kind:source:value"); creation times and keys themselves left out.
    static func canonicalDump(_ w: ScratchWarehouse) throws -> [String: [String]] {
        _ = try w.rows("""
            CREATE TEMP TABLE customer_labels AS
            SELECT customer_key, min(kind || ':' || source || ':' || value) AS label
            FROM customer_identifiers GROUP BY customer_key
            """)
        defer { _ = try? w.rows("DROP TABLE customer_labels") }
        var dump: [String: [String]] = [:]
        for table in ["customer_profiles", "purchases", "returns", "tickets", "surveys"] {
            dump[table] = try w.rows("""
                SELECT (to_jsonb(t) - 'customer_key' || jsonb_build_object('customer', l.label))::text
                FROM \(table) AS t LEFT JOIN customer_labels AS l USING (customer_key) ORDER BY 1
                """).map { $0[0] ?? "" }
        }
        dump["mentions"] = try w.rows("SELECT to_jsonb(t)::text FROM mentions AS t ORDER BY 1").map { $0[0] ?? "" }
        dump["customer_identifiers"] = try w.rows("""
            SELECT i.kind || ':' || i.source || ':' || i.value || ' -> ' || l.label || ' run ' || i.first_run
            FROM customer_identifiers AS i JOIN customer_labels AS l USING (customer_key) ORDER BY 1
            """).map { $0[0] ?? "" }
        dump["customers"] = try w.rows("""
            SELECT coalesce(l.label, 'NO IDENTIFIER') || ' run ' || c.created_by_run
            FROM customers AS c LEFT JOIN customer_labels AS l USING (customer_key) ORDER BY 1
            """).map { $0[0] ?? "" }
        dump["customer_merges"] = try w.rows("""
            SELECT l.label || ' run ' || m.run_id FROM customer_merges AS m
            LEFT JOIN customer_labels AS l ON l.customer_key = m.into_key ORDER BY 1
            """).map { $0[0] ?? "" }
        dump["rejected_rows"] = try w.rows("SELECT t::text FROM rejected_rows AS t ORDER BY 1").map { $0[0] ?? "" }
        dump["load_runs"] = try w.rows("""
            SELECT format('%s %s %s %s read %s inserted %s updated %s unchanged %s superseded %s rejected %s created %s merged %s',
                          run_id, entity, source, status, rows_read, rows_inserted, rows_updated, rows_unchanged,
                          rows_superseded, rows_rejected, customers_created, customers_merged)
            FROM load_runs ORDER BY run_id
            """).map { $0[0] ?? "" }
        return dump
    }

    static func expectSameWarehouse(_ direct: ScratchWarehouse, _ staged: ScratchWarehouse) throws {
        let a = try canonicalDump(direct)
        let b = try canonicalDump(staged)
        for table in b.keys.sorted() {
            let left = a[table] ?? []
            let right = b[table] ?? []
            #expect(left.count == right.count, "\(table): \(left.count) rows direct, \(right.count) staged")
            let differing = zip(left, right).filter { $0 != $1 }
            #expect(differing.isEmpty, "\(table): first difference \(differing.first.map { "\($0.0)\n  vs \($0.1)" } ?? "")")
        }
        // Every fact's customer exists (fact tables have no foreign keys).
        for table in ["customer_profiles", "purchases", "returns", "tickets", "surveys"] {
            #expect(try direct.value("""
                SELECT count(*)::text FROM \(table) AS t
                WHERE t.customer_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customers AS c WHERE c.customer_key = t.customer_key)
                """) == "0", "\(table) has facts of customers that do not exist")
        }
    }

    @Test("a demo data set (six entities, three sources, bad rows) loads the same by both paths")
    func demoDataBothWays() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patron-direct-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try DemoGenerator(options: DemoOptions(customers: 400, seed: 7)).generate(into: directory)
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        var directRows: Int64 = 0
        for file in manifest.files {
            let entity = try #require(Entity(rawValue: file.entity))
            let path = directory.appendingPathComponent(file.file).path
            let a = try direct.load(entity, path: path, source: file.source)
            let b = try staged.load(entity, path: path, source: file.source) { $0.directPath = false }
            #expect(a.counts == b.counts, "\(file.file)")
            #expect(a.direct && !b.direct, "\(file.file)")
            directRows += a.counts.read
        }
        #expect(directRows > 1_000)
        try Self.expectSameWarehouse(direct, staged)
        // Then a second round of the same files: every load now goes through staging (each
        // source has rows), and changes nothing on either side.
        for file in manifest.files {
            let entity = try #require(Entity(rawValue: file.entity))
            let path = directory.appendingPathComponent(file.file).path
            let a = try direct.load(entity, path: path, source: file.source)
            #expect(a.counts.inserted == 0 && a.counts.updated == 0, "\(file.file)")
            _ = try staged.load(entity, path: path, source: file.source) { $0.directPath = false }
        }
        try Self.expectSameWarehouse(direct, staged)
    }

    /// Empty columns with an insert default (EntitySpec): the direct path fills them in the
    /// client, the staging path in the entity's `insert` statement; both must agree.
    @Test("insert defaults: the same status and currency by both paths")
    func insertDefaults() throws {
        let orders = """
            order_id,customer_id,ordered_at,amount,currency,status
            D1,C1,2024-01-01,1,,
            D2,C1,2024-01-02,2,eur,cancelled
            """
        let returns = """
            return_id,order_id,returned_at,amount,currency
            R1,D1,2024-01-03,1,
            """
        let tickets = """
            ticket_id,customer_id,created_at,status,resolved_at
            T1,C1,2024-01-01,,
            T2,C1,2024-01-01,,2024-01-02
            T3,C1,2024-01-01,pending,
            """
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        for w in [direct, staged] {
            let isDirect = w === direct
            for (entity, name, content) in [(Entity.purchases, "o.csv", orders), (.returns, "r.csv", returns), (.tickets, "t.csv", tickets)] {
                let report = try w.load(entity, name, content, source: "shop") { $0.directPath = isDirect; $0.defaultCurrency = "GBP" }
                #expect(report.direct == isDirect, "\(name)")
            }
        }
        try Self.expectSameWarehouse(direct, staged)
        for w in [direct, staged] {
            #expect(try w.rows("SELECT order_id, currency, status FROM purchases ORDER BY 1")
                    == [["D1", "GBP", "completed"], ["D2", "EUR", "cancelled"]])
            #expect(try w.value("SELECT currency FROM returns") == "GBP")
            #expect(try w.rows("SELECT ticket_id, status FROM tickets ORDER BY 1")
                    == [["T1", "open"], ["T2", "solved"], ["T3", "pending"]])
        }
    }

    /// Rows O1 and O2 make two components (A + a@, B + b@); O3 joins them (B's root retires:
    /// O2 is re-keyed); O4 adds a phone that a stored customer owns (the whole component goes
    /// to that customer: all its rows re-keyed, its identifiers added to it). O5 is known
    /// nowhere: a customer of its own. O6 is rejected (bad email).
    static let tangledOrders = """
        order_id,customer_id,email,phone,ordered_at,amount
        O1,A,a@example.com,,2024-01-01,1
        O2,B,b@example.com,,2024-01-02,2
        O3,B,a@example.com,,2024-01-03,3
        O4,B,,+49 30 999 8888,2024-01-04,4
        O5,E,e@example.com,,2024-01-05,5
        O6,F,not-an-email,,2024-01-06,6
        """

    static let storedCustomer = """
        ticket_id,phone,email,created_at
        T1,+49 30 999 8888,stored@example.com,2024-01-01
        T2,+49 30 777 0000,,2024-01-01
        """

    @Test("components joined later in the file, and components that meet a stored customer, are re-keyed")
    func rekeying() throws {
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        for w in [direct, staged] {
            let isDirect = w === direct
            _ = try w.load(.tickets, "tickets.csv", Self.storedCustomer, source: "desk") { $0.directPath = isDirect }
            let report = try w.load(.purchases, "orders.csv", Self.tangledOrders, source: "shop") { $0.directPath = isDirect }
            #expect(report.direct == isDirect)
            // 5 loaded, 1 rejected; new customers: E only (A, B, the phone and a/b join the
            // stored customer of +49 30 999 8888).
            #expect(report.counts.inserted == 5 && report.counts.rejected == 1)
            #expect(report.counts.customersCreated == 1)
        }
        try Self.expectSameWarehouse(direct, staged)
        // O1–O4 and T1 are one customer; O5 another; T2 a third.
        #expect(try direct.value("SELECT count(DISTINCT customer_key)::text FROM purchases WHERE order_id IN ('O1', 'O2', 'O3', 'O4')") == "1")
        #expect(try direct.value("""
            SELECT (SELECT customer_key FROM purchases WHERE order_id = 'O1') = (SELECT customer_key FROM tickets WHERE ticket_id = 'T1')
            """) == "t")
        #expect(try direct.count("customers") == 3)
        #expect(try direct.value("SELECT line::text || ' ' || column_name FROM rejected_rows") == "7 email")
    }

    /// 9,000 orders of 1,800 customers, each named by e-mail on its first order, by phone on
    /// its second and by both on its third (then by customer_id with the phone, and alone): the
    /// third order joins the components of the first two, the younger of which keyed a row
    /// already (the direct path re-keys 1,800 rows). Big enough (≥ 10,000 rows expected at 64
    /// bytes a row; the channel pads the rows) for the direct load to suspend the table's
    /// indexes, which it builds again after re-keying.
    static func customersUnderSeveralNames() -> String {
        var csv = "order_id,customer_id,email,phone,ordered_at,amount,channel\n"
        for n in 0..<9_000 {
            let c = n % 1_800
            let email = "Person.\(c)@Example.com"
            let phone = "+49 30 \(2_000_000 + c)"
            let (id, e, p): (String, String, String)
            switch n / 1_800 {
            case 0: (id, e, p) = ("", email, "")
            case 1: (id, e, p) = ("", "", phone)
            case 2: (id, e, p) = ("", email.lowercased(), "0049-30-\(2_000_000 + c)")
            case 3: (id, e, p) = ("C\(c)", "", phone)
            default: (id, e, p) = ("C\(c)", "", "")
            }
            csv += "ORDER-\(String(format: "%05d", n)),\(id),\(e),\(p),2024-03-\(String(format: "%02d", n % 28 + 1)) 10:15:00+02:00,\(n % 90 + 1).50,web shop checkout (mobile)\n"
        }
        return csv
    }

    @Test("a big file naming customers by e-mail, phone or both: re-keyed before its indexes are built again, the same by both paths")
    func rekeyingWithSuspendedIndexes() throws {
        // (Each test warehouse is a schema of its own: only this one's.)
        let indexes = """
            SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename IN ('purchases', 'customers', 'customer_identifiers')
            """
        let csv = Self.customersUnderSeveralNames()
        // Into an empty warehouse (customers and identifiers copied straight in), and into one
        // that stores some of the identifiers already (resolve_identities relates them).
        for stored in [false, true] {
            let direct = try ScratchWarehouse()
            let staged = try ScratchWarehouse()
            let before = try direct.value(indexes)
            #expect(before?.contains("purchases_pkey") == true)
            for w in [direct, staged] {
                let isDirect = w === direct
                if stored {
                    _ = try w.load(.tickets, "tickets.csv", """
                        ticket_id,email,phone,created_at
                        T1,person.7@example.com,,2024-01-01
                        T2,,+49 30 2000008,2024-01-01
                        T3,person.9@example.com,+49 30 2000009,2024-01-01
                        """, source: "desk") { $0.directPath = isDirect }
                }
                let report = try w.load(.purchases, "orders.csv", csv, source: "shop") { $0.directPath = isDirect }
                #expect(report.direct == isDirect)
                #expect(report.counts.inserted == 9_000 && report.counts.rejected == 0)
                // 1,800 customers in all; with the tickets stored first, customers 7, 8 and 9
                // (T1, T2, T3) exist already.
                #expect(report.counts.customersCreated == (stored ? 1_797 : 1_800))
            }
            try Self.expectSameWarehouse(direct, staged)
            #expect(try direct.value("SELECT count(DISTINCT customer_key)::text FROM purchases") == "1800")
            #expect(try direct.value("""
                SELECT count(*)::text FROM (SELECT 1 FROM purchases GROUP BY right(order_id, 5)::int % 1800
                                            HAVING count(DISTINCT customer_key) > 1) AS split
                """) == "0")
            // Every suspended index is back.
            #expect(try direct.value(indexes) == before)
            #expect(try staged.value(indexes) == before)
        }
    }

    @Test("a file whose ids repeat, or with more identifiers than the limit, loads through the staging table")
    func fallsBack() throws {
        let repeated = """
            order_id,customer_id,ordered_at,amount
            O1,A,2024-01-01,1
            O2,B,2024-01-02,2
            O1,C,2024-01-03,3
            """
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        let a = try direct.load(.purchases, "orders.csv", repeated, source: "shop")
        let b = try staged.load(.purchases, "orders.csv", repeated, source: "shop") { $0.directPath = false }
        // The last O1 wins: customers B and C; A's row was superseded and makes no customer.
        #expect(a.counts == b.counts)
        #expect(!a.direct)
        #expect(a.counts.superseded == 1 && a.counts.customersCreated == 2)
        try Self.expectSameWarehouse(direct, staged)
        #expect(try direct.value("SELECT value FROM customer_identifiers ORDER BY value LIMIT 1") == "B")

        // Three identifiers, limit two: the direct path gives up after the second row.
        let limited = try ScratchWarehouse()
        let c = try limited.load(.purchases, "tangled.csv", Self.tangledOrders, source: "shop") { $0.directIdentifierLimit = 2 }
        let d = try staged.load(.purchases, "tangled.csv", Self.tangledOrders, source: "other")
        #expect(c.counts.inserted == 5 && c.counts.rejected == 1 && d.counts.inserted == 5 && !c.direct)
        #expect(try limited.count("rejected_rows") == 1)
        #expect(try limited.count("load_runs") == 1)
    }

    @Test("a repeat early in a big file is found while copying: little is written in vain, and the result is the staging path's")
    func earlyRepeatCostsLittle() throws {
        // 30,000 orders; line 3 repeats line 2's id. Checked every 1,000 rows, the direct path
        // gives way after about 1,000 rows, not after copying all 30,000 (which would leave the
        // table about twice the size of the staged rows alone). The file (~1.3 MB) is big
        // enough for the load to suspend the primary key (≥ 10,000 rows expected at 64 bytes a
        // row), which would otherwise stop the COPY at the repeat by itself.
        var csv = "order_id,customer_id,ordered_at,amount\nORDER-000000,C0,2024-01-01,1\nORDER-000000,C0,2024-01-01,2\n"
        for n in 1..<30_000 {
            csv += "ORDER-\(String(format: "%06d", n)),CUSTOMER-\(n % 3000),2024-01-\(String(format: "%02d", n % 28 + 1)),\(n % 90 + 1).50\n"
        }
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        let a = try direct.load(.purchases, "orders.csv", csv, source: "shop") { $0.directRepeatCheckRows = 1_000 }
        let b = try staged.load(.purchases, "orders.csv", csv, source: "shop") { $0.directPath = false }
        #expect(!a.direct && a.counts == b.counts && a.counts.superseded == 1)
        try Self.expectSameWarehouse(direct, staged)
        let size = "SELECT pg_relation_size('purchases')::text"
        let directBytes = Double(try direct.value(size) ?? "0") ?? 0
        let stagedBytes = Double(try staged.value(size) ?? "0") ?? 0
        #expect(directBytes > 0 && directBytes <= stagedBytes * 1.15,
                "table after the direct attempt: \(directBytes) bytes, staged only: \(stagedBytes)")
    }

    @Test("a source whose table already holds rows of another source, and a load with no identifiers (mentions)")
    func sharedTableAndMentions() throws {
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        let mentions = """
            mention_id,platform,handle,posted_at,sentiment
            M1,twitter,@a,2024-01-01,positive
            M2,twitter,,2024-01-02,-0.5
            """
        for w in [direct, staged] {
            let isDirect = w === direct
            _ = try w.load(.purchases, "one.csv", Self.tangledOrders, source: "one") { $0.directPath = isDirect }
            let two = try w.load(.purchases, "two.csv", Self.tangledOrders, source: "two") { $0.directPath = isDirect }
            #expect(two.direct == isDirect)
            _ = try w.load(.mentions, "m.csv", mentions, source: "social") { $0.directPath = isDirect }
        }
        try Self.expectSameWarehouse(direct, staged)
        // Emails and phones are global: the second source's rows join the first's customers;
        // customer_ids are per source: A, B, E of "two" are identifiers of their own.
        #expect(try direct.count("customers") == 2)
        #expect(try direct.count("mentions") == 2)
    }

    @Test("JSON Lines and gzip input: the same by both paths, and a repeated id in a .gz file is read again")
    func jsonLinesAndGzip() throws {
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        let jsonl = try jsonLines(fromCSV: Self.tangledOrders, dropEmpty: true)
        let repeated = "order_id,customer_id,ordered_at,amount\nO1,A,2024-01-01,1\nO2,B,2024-01-02,2\nO1,C,2024-01-03,3\n"
        for w in [direct, staged] {
            let isDirect = w === direct
            let a = try w.load(.purchases, "orders.jsonl", jsonl, source: "json") { $0.directPath = isDirect }
            #expect(a.direct == isDirect && a.counts.inserted == 5 && a.counts.rejected == 1)
            let gz = try gzip(try w.write("again.csv", repeated))
            let b = try w.load(.purchases, path: gz, source: "gz") { $0.directPath = isDirect }
            #expect(!b.direct && b.counts.superseded == 1 && b.counts.inserted == 2)
        }
        try Self.expectSameWarehouse(direct, staged)
    }
}
