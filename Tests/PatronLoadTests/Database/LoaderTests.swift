import Foundation
import PatronCore
import PatronInput
@testable import PatronLoad
import PatronTestSupport
import Testing

@Suite("Loading each entity")
struct LoaderEntityTests {
    @Test("every entity loads from CSV with its values normalized")
    func loadsEveryEntityFromCSV() throws {
        let w = try ScratchWarehouse()
        for (entity, csv) in Journey.all {
            let report = try w.load(entity, "\(entity).csv", csv)
            let rows = Int64(csv.split(separator: "\n").count - 1)
            #expect(report.counts.read == rows, "\(entity)")
            #expect(report.counts.inserted == rows, "\(entity)")
            #expect(report.counts.rejected == 0, "\(entity)")
            #expect(report.counts.reconciles)
        }
        // Normalization: email lower-cased, phone digits only, handle lower-cased.
        #expect(try w.rows("SELECT email, phone, handle, signup_at::text FROM customer_profiles WHERE customer_id = 'C1'")
                == [["alice@example.com", "442079460958", "twitter:@alice", "2024-01-05 00:00:00+00"]])
        // Money exact, currency upper-cased and defaulted, status defaulted on insert.
        #expect(try w.rows("SELECT order_id, amount::text, currency, status, items::text, ordered_at::text FROM purchases ORDER BY order_id")
                == [["O1", "12.50", "EUR", "completed", "2", "2024-03-01 10:15:00+00"],
                    ["O2", "0", "USD", "cancelled", nil, "2024-03-02 06:00:00+00"],
                    ["O3", "99.9999", "EUR", "completed", "1", "2024-03-03 10:00:00.123456+00"]])
        // A ticket without status: resolved_at absent → open. Enumerations lower-cased.
        #expect(try w.rows("SELECT ticket_id, status, channel, handle FROM tickets ORDER BY ticket_id")
                == [["T1", "solved", "email", nil], ["T2", "open", "social", "twitter:@carol"]])
        // Sentiment labels map to numbers; a bare @name takes the row's platform.
        #expect(try w.rows("SELECT mention_id, platform, handle, sentiment::text, is_complaint::text FROM mentions ORDER BY 1")
                == [["M1", "twitter", "twitter:@alice", "1", "false"], ["M2", "twitter", "twitter:@stranger", "-0.2", "true"]])
        #expect(try w.rows("SELECT response_id, kind, score::text FROM surveys ORDER BY 1") == [["S1", "nps", "9"], ["S2", "csat", "4"]])
    }

    @Test("the same data as JSON Lines gives the same warehouse as CSV")
    func jsonLinesEqualsCSV() throws {
        let fromCSV = try ScratchWarehouse()
        let fromJSON = try ScratchWarehouse()
        for (entity, csv) in Journey.all {
            _ = try fromCSV.load(entity, "\(entity).csv", csv)
            let report = try fromJSON.load(entity, "\(entity).jsonl", try jsonLines(fromCSV: csv))
            #expect(report.counts.rejected == 0, "\(entity)")
        }
        let exclude: Set<String> = ["load_runs", "rejected_rows", "customers"]  // created_at differs
        #expect(try fromCSV.dump(excluding: exclude) == fromJSON.dump(excluding: exclude))
    }

    @Test("identity: one person across sources and entities; mentions link by handle without creating customers")
    func identityAcrossEntities() throws {
        let w = try ScratchWarehouse()
        for (entity, csv) in Journey.all { _ = try w.load(entity, "\(entity).csv", csv) }
        // Alice (C1 + email + phone + handle), Bob (C2 + email), Carol (handle from ticket T2).
        #expect(try w.count("customers") == 3)
        let alice = try #require(try w.value("SELECT customer_key::text FROM customer_profiles WHERE customer_id = 'C1'"))
        #expect(try w.value("SELECT customer_key::text FROM tickets WHERE ticket_id = 'T1'") == alice)
        #expect(try w.value("SELECT string_agg(DISTINCT customer_key::text, ',') FROM surveys") == alice)
        #expect(try w.value("SELECT string_agg(DISTINCT customer_key::text, ',') FROM purchases WHERE order_id IN ('O1','O3')") == alice)
        // R1 names no customer: it takes O1's through the order; R2's order has not arrived.
        #expect(try w.rows("SELECT return_id, customer_key::text FROM returns ORDER BY 1") == [["R1", nil], ["R2", nil]])
        // The mention of @alice links; @stranger created no customer.
        #expect(try w.value("""
            SELECT ci.customer_key::text FROM mentions m
            JOIN customer_identifiers ci ON ci.kind = 'handle' AND ci.value = m.handle
            WHERE m.mention_id = 'M1'
            """) == alice)
        #expect(try w.value("SELECT count(*) FROM customer_identifiers WHERE value = 'twitter:@stranger'") == "0")
    }

    @Test("a mention links to a customer whose handle arrives later")
    func mentionLinksWhateverTheOrder() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.mentions, "m.csv", "mention_id,platform,handle,posted_at\nM1,twitter,@dave,2024-01-01\n")
        #expect(try w.count("customers") == 0)
        _ = try w.load(.tickets, "t.csv", "ticket_id,handle,created_at\nT1,Twitter:@Dave,2024-01-02\n", source: "desk")
        #expect(try w.value("""
            SELECT count(*) FROM mentions m JOIN customer_identifiers ci ON ci.kind = 'handle' AND ci.value = m.handle
            """) == "1")
    }
}

extension LoaderEntityTests {
    @Test("a mention whose handle changes, comes or goes links as its handle says, and is stored once")
    func mentionHandleChanges() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.tickets, "t.csv", "ticket_id,handle,created_at\nT1,twitter:@dave,2024-01-02\nT2,twitter:@erin,2024-01-02\n",
                       source: "desk")
        let dave = try #require(try w.value("SELECT customer_key::text FROM tickets WHERE ticket_id = 'T1'"))
        let erin = try #require(try w.value("SELECT customer_key::text FROM tickets WHERE ticket_id = 'T2'"))
        // handle_key: the handle, or ':' + the id without one (it links to nobody).
        let linked = """
            SELECT m.mention_id, m.handle_key, f.customer_key::text, m.changed_by_run::text
            FROM mentions AS m JOIN mention_facts AS f USING (source, mention_id) ORDER BY 1
            """
        let first = try w.load(.mentions, "m1.csv", "mention_id,platform,handle,posted_at\nM1,twitter,@dave,2024-01-01\nM2,twitter,,2024-01-01\nM3,twitter,@erin,2024-01-01\n")
        #expect(try w.rows(linked) == [["M1", "twitter:@dave", dave, "2"], ["M2", ":M2", nil, "2"], ["M3", "twitter:@erin", erin, "2"]])
        #expect(first.counts.inserted == 3)
        // M1 moves from dave to erin, M2 gains dave's handle, M3 loses its handle.
        let changed = "mention_id,platform,handle,posted_at\nM1,twitter,@erin,2024-01-01\nM2,twitter,@dave,2024-01-01\nM3,twitter,,2024-01-01\n"
        let second = try w.load(.mentions, "m2.csv", changed)
        #expect((second.counts.inserted, second.counts.updated, second.counts.unchanged) == (0, 3, 0))
        #expect(try w.rows(linked) == [["M1", "twitter:@erin", erin, "3"], ["M2", "twitter:@dave", dave, "3"], ["M3", ":M3", nil, "3"]])
        // The same file again, then one without the handle column: nothing changes.
        let again = try w.load(.mentions, "m2.csv", changed)
        #expect((again.counts.inserted, again.counts.updated, again.counts.unchanged) == (0, 0, 3))
        let noHandles = try w.load(.mentions, "m3.csv", "mention_id,platform,posted_at\nM1,twitter,2024-01-01\nM3,twitter,2024-01-01\n")
        #expect((noHandles.counts.updated, noHandles.counts.unchanged) == (0, 2))
        #expect(try w.rows(linked) == [["M1", "twitter:@erin", erin, "3"], ["M2", "twitter:@dave", dave, "3"], ["M3", ":M3", nil, "3"]])
        #expect(try w.count("mentions") == 3)
        // A file with one other column changes that column alone; the columns it lacks keep
        // their values (the handle too).
        let scored = try w.load(.mentions, "m4.csv", "mention_id,platform,posted_at,sentiment\nM1,twitter,2024-01-01,0.5\nM2,twitter,2024-01-01,\n")
        #expect((scored.counts.updated, scored.counts.unchanged) == (1, 1))
        let reached = try w.load(.mentions, "m5.csv", "mention_id,platform,posted_at,reach\nM1,twitter,2024-01-01,7\n")
        #expect(reached.counts.updated == 1)
        #expect(try w.rows("SELECT mention_id, handle, sentiment::text, reach::text, changed_by_run::text FROM mentions ORDER BY 1")
                == [["M1", "twitter:@erin", "0.5", "7", "7"], ["M2", "twitter:@dave", nil, nil, "3"], ["M3", nil, nil, nil, "3"]])
    }
}

@Suite("Updates and idempotence")
struct LoaderUpdateTests {
    @Test("loading the same files twice leaves every table identical")
    func reloadIsIdempotent() throws {
        let w = try ScratchWarehouse()
        for (entity, csv) in Journey.all { _ = try w.load(entity, "\(entity).csv", csv) }
        let before = try w.dump(excluding: ["load_runs", "rejected_rows"])
        for (entity, csv) in Journey.all {
            let report = try w.load(entity, "\(entity).csv", csv)
            let rows = Int64(csv.split(separator: "\n").count - 1)
            #expect(report.counts.unchanged == rows, "\(entity)")
            #expect(report.counts.inserted == 0 && report.counts.updated == 0, "\(entity)")
            #expect(report.counts.customersCreated == 0 && report.counts.customersMerged == 0, "\(entity)")
        }
        #expect(try w.dump(excluding: ["load_runs", "rejected_rows"]) == before)
    }

    @Test("a changed row is updated; an absent column keeps its value; an empty field becomes NULL")
    func updateSemantics() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.purchases, "day1.csv", """
            order_id,customer_id,ordered_at,amount,channel,items
            O1,C1,2024-03-01,10,web,2
            O2,C1,2024-03-01,20,web,3
            """)
        // Day 2: O1's amount changed; channel column absent (kept); items empty (→ NULL).
        let day2 = try w.load(.purchases, "day2.csv", """
            order_id,customer_id,ordered_at,amount,items
            O1,C1,2024-03-01,11,
            O2,C1,2024-03-01,20,3
            """)
        #expect(day2.counts.updated == 1)
        #expect(day2.counts.unchanged == 1)
        #expect(try w.rows("SELECT order_id, amount::text, channel, items::text FROM purchases ORDER BY 1")
                == [["O1", "11", "web", nil], ["O2", "20", "web", "3"]])
        // The status default applies only on insert: a later row without status keeps 'cancelled'.
        _ = try w.load(.purchases, "cancel.csv", "order_id,customer_id,ordered_at,amount,status\nO2,C1,2024-03-01,20,cancelled\n")
        _ = try w.load(.purchases, "again.csv", "order_id,customer_id,ordered_at,amount,status\nO2,C1,2024-03-01,20,\n")
        #expect(try w.value("SELECT status FROM purchases WHERE order_id = 'O2'") == "cancelled")
    }

    @Test("a ticket changes state from night to night")
    func ticketLifecycle() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.tickets, "n1.jsonl", #"{"ticket_id": 17, "email": "a@x.io", "created_at": "2024-05-01T08:00:00Z", "status": "open"}"# + "\n")
        let n2 = try w.load(.tickets, "n2.jsonl", #"{"ticket_id": 17, "email": "a@x.io", "created_at": "2024-05-01T08:00:00Z", "status": "solved", "resolved_at": "2024-05-02T08:00:00Z"}"# + "\n")
        #expect(n2.counts.updated == 1)
        #expect(try w.rows("SELECT ticket_id, status, resolved_at::text FROM tickets") == [["17", "solved", "2024-05-02 08:00:00+00"]])
    }

    @Test("duplicates in one file: the last valid occurrence wins, the others are superseded")
    func duplicatesAndReconciliation() throws {
        let w = try ScratchWarehouse()
        // Lines: 2 O1=10, 3 O2=20, 4 O1=11 (wins over line 2), 5 blank (skipped, not counted),
        // 6 O3 negative (rejected), 7 O2 not a number (rejected: line 3 still wins).
        // read 5 = inserted 2 (O1@4, O2@3) + superseded 1 (O1@2) + rejected 2.
        let report = try w.load(.purchases, "dups.csv", """
            order_id,customer_id,ordered_at,amount
            O1,C1,2024-03-01,10
            O2,C1,2024-03-01,20
            O1,C1,2024-03-01,11

            O3,C1,2024-03-01,-1
            O2,C1,2024-03-01,abc
            """)
        #expect(report.counts.read == 5)
        #expect(report.counts.inserted == 2)
        #expect(report.counts.superseded == 1)
        #expect(report.counts.rejected == 2)
        #expect(report.counts.reconciles)
        #expect(try w.rows("SELECT order_id, amount::text FROM purchases ORDER BY 1") == [["O1", "11"], ["O2", "20"]])
        #expect(try w.rows("SELECT line::text, column_name FROM rejected_rows ORDER BY line") == [["6", "amount"], ["7", "amount"]])
        // load_runs reconciles too (a CHECK constraint enforces it).
        #expect(try w.rows("""
            SELECT rows_read::text, rows_inserted::text, rows_superseded::text, rows_rejected::text, status
            FROM load_runs
            """) == [["5", "2", "1", "2", "loaded_with_rejects"]])
        #expect(report.exitStatus == .rowsRejected)
    }

    @Test("dry run reports what would change and stores nothing")
    func dryRun() throws {
        let w = try ScratchWarehouse()
        let report = try w.load(.purchases, "p.csv", Journey.purchases) { $0.dryRun = true }
        #expect(report.counts.inserted == 3)
        #expect(report.runID == nil)
        #expect(try w.count("purchases") == 0)
        #expect(try w.count("customers") == 0)
        #expect(try w.count("load_runs") == 0)
    }
}

@Suite("Identity resolution")
struct IdentityTests {
    @Test("a row proving two customers are one merges them and re-points their facts")
    func mergeAcrossSources() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.customers, "c.csv", "customer_id,email,phone\nC1,a@x.com,\nC2,,555-123-4567\n", source: "shop")
        _ = try w.load(.purchases, "p.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-01,5\nO2,C2,2024-01-02,7\n", source: "shop")
        #expect(try w.count("customers") == 2)
        let keys = try w.rows("SELECT customer_key::text FROM customer_profiles ORDER BY customer_id").map { $0[0]! }
        let report = try w.load(.tickets, "t.csv", "ticket_id,email,phone,created_at\nT1,A@X.com,(555) 123 4567,2024-01-03\n", source: "desk")
        #expect(report.counts.customersMerged == 1)
        #expect(report.counts.customersCreated == 0)
        #expect(try w.count("customers") == 1)
        // The older customer (smaller key) survives; the merge is recorded.
        #expect(try w.rows("SELECT merged_key::text, into_key::text FROM customer_merges") == [[keys[1], keys[0]]])
        #expect(try w.value("SELECT string_agg(DISTINCT customer_key::text, ',') FROM purchases") == keys[0])
        #expect(try w.value("SELECT string_agg(DISTINCT customer_key::text, ',') FROM customer_identifiers") == keys[0])
        #expect(try w.value("SELECT customer_key::text FROM tickets") == keys[0])
    }

    @Test("identity is transitive inside one file")
    func transitiveWithinFile() throws {
        let w = try ScratchWarehouse()
        // r1 and r2 share e1; r2 and r3 share p1: one customer. r4 is alone.
        let report = try w.load(.purchases, "p.csv", """
            order_id,customer_id,email,phone,ordered_at,amount
            O1,,e1@x.com,,2024-01-01,1
            O2,,e1@x.com,5551234567,2024-01-01,1
            O3,X9,,5551234567,2024-01-01,1
            O4,,e4@x.com,,2024-01-01,1
            """)
        #expect(report.counts.customersCreated == 2)
        #expect(try w.value("SELECT count(DISTINCT customer_key) FROM purchases WHERE order_id IN ('O1','O2','O3')") == "1")
        #expect(try w.count("customer_identifiers") == 4)
    }

    @Test("customer_id is scoped to its source")
    func customerIDIsPerSource() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.purchases, "shop.csv", "order_id,customer_id,ordered_at,amount\nO1,1001,2024-01-01,5\n", source: "shop")
        _ = try w.load(.tickets, "desk.csv", "ticket_id,customer_id,created_at\nT1,1001,2024-01-01\n", source: "desk")
        #expect(try w.count("customers") == 2)
    }

    @Test("a chain of merges across three loads ends in one customer")
    func chainOfMerges() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.customers, "a.csv", "customer_id,email\nA,a@x.com\n")
        _ = try w.load(.customers, "b.csv", "customer_id,phone\nB,5550000001\n")
        _ = try w.load(.customers, "c.csv", "customer_id,handle\nC,x:@c\n")
        #expect(try w.count("customers") == 3)
        let r = try w.load(.surveys, "s.csv", """
            response_id,email,phone,kind,score,responded_at
            S1,a@x.com,5550000001,nps,9,2024-01-01
            """)
        #expect(r.counts.customersMerged == 1)
        let r2 = try w.load(.tickets, "t.csv", "ticket_id,phone,handle,created_at\nT1,5550000001,X:@C,2024-01-02\n")
        #expect(r2.counts.customersMerged == 1)
        #expect(try w.count("customers") == 1)
        #expect(try w.value("SELECT count(DISTINCT customer_key) FROM customer_identifiers") == "1")
        #expect(try w.count("customer_merges") == 2)
    }
}
