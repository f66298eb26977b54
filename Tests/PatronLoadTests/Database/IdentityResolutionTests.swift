import PatronCore
@testable import PatronLoad
import PatronTestSupport
import Testing

@Suite("Identity resolution, beyond one pass")
struct IdentityResolutionTests {
    @Test("a chain through two identifiers of one stored customer merges all three into the oldest")
    func chainThroughOneCustomersTwoIdentifiers() throws {
        let w = try ScratchWarehouse()
        // Three stored customers, oldest first: P (p@x.com), Q (q@x.com and 5553333333), R.
        _ = try w.load(.customers, "p.csv", "customer_id,email\nP,p@x.com\n")
        _ = try w.load(.customers, "q.csv", "customer_id,email,phone\nQ,q@x.com,5553333333\n")
        _ = try w.load(.customers, "r.csv", "customer_id,email\nR,r@x.com\n")
        let keys = try w.rows("SELECT customer_key::text FROM customer_profiles ORDER BY customer_id").map { $0[0]! }
        #expect(keys.count == 3)
        // O1 ties P to Q through Q's phone; O2 ties Q (through its email) to R. One person.
        let report = try w.load(.purchases, "o.csv", """
            order_id,customer_id,email,phone,ordered_at,amount
            O1,,p@x.com,5553333333,2024-01-01,1
            O2,R,q@x.com,,2024-01-02,2
            """)
        #expect(report.counts.customersMerged == 2)
        #expect(report.counts.customersCreated == 0)
        #expect(try w.count("customers") == 1)
        #expect(try w.rows("SELECT merged_key::text, into_key::text FROM customer_merges ORDER BY 1")
                == [[keys[1], keys[0]], [keys[2], keys[0]]])
        #expect(try w.value("SELECT string_agg(DISTINCT customer_key::text, ',') FROM customer_profiles") == keys[0])
        #expect(try w.value("SELECT string_agg(DISTINCT customer_key::text, ',') FROM purchases") == keys[0])
        #expect(try w.value("SELECT string_agg(DISTINCT customer_key::text, ',') FROM customer_identifiers") == keys[0])
    }

    @Test("a new customer's key is above every key handed out before, also merged-away ones")
    func freshKeysAreNeverReused() throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.customers, "a.csv", "customer_id,email\nA,a@x.com\nB,b@x.com\n")
        _ = try w.load(.purchases, "m.csv", "order_id,email,ordered_at,amount\nO1,a@x.com,2024-01-01,1\n")
        // Merge B into A, then create a new customer: its key must not be B's old key.
        _ = try w.load(.surveys, "s.csv", "response_id,email,phone,kind,score,responded_at\nS1,a@x.com,5550000001,nps,9,2024-01-01\nS2,b@x.com,5550000001,nps,7,2024-01-01\n")
        _ = try w.load(.purchases, "n.csv", "order_id,email,ordered_at,amount\nO2,new@x.com,2024-01-01,1\n")
        let merged = try w.value("SELECT merged_key::text FROM customer_merges")
        let newest = try w.value("SELECT customer_key::text FROM purchases WHERE order_id = 'O2'")
        #expect(merged != nil && newest != nil)
        #expect(Int(newest!)! > Int(merged!)!)
        #expect(try w.count("customers") == 2)
    }
}
