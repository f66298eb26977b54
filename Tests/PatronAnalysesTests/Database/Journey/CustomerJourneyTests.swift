import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronDemo
import PatronLoad
import PatronTestSupport
import Testing

/// `patron customer`: the hand-computed journey of AliceJourney (its comment holds the
/// arithmetic), checked through the JSON document other tools read.
@Suite("one customer's journey")
struct CustomerJourneyTests {
    static func document(_ journey: CustomerJourney) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(journey.json().utf8))
        return try #require(object as? [String: Any])
    }

    static func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

    @Test("every reading of an identifier finds the merged customer: email, phone-free id, SOURCE:ID, handle")
    func findsByEveryIdentifier() throws {
        let w = try ScratchWarehouse()
        try AliceJourney.load(into: w)
        let key = try #require(try w.value("SELECT customer_key FROM customer_identifiers WHERE kind = 'email' AND value = 'alice@example.com'"))
        for typed in ["alice@example.com", "  ALICE@Example.COM ", "shop:C1", " shop : C1 ", "C1", "twitter:@ALICE"] {
            let matches = try CustomerJourney.find(typed, warehouse: w.warehouse)
            #expect(Set(matches.map(\.customerKey)) == [Int64(key)!], "\(typed)")
        }
        // A source's id does not answer for another source.
        #expect(try CustomerJourney.find("desk:C1", warehouse: w.warehouse).isEmpty)
    }

    @Test("identifiers with the run that first saw them, and the merge the last load made")
    func identifiersAndMerges() throws {
        let w = try ScratchWarehouse()
        let runs = try AliceJourney.load(into: w)
        let journey = try CustomerJourney.read("alice@example.com", warehouse: w.warehouse, predict: false)
        let document = try Self.document(journey)
        #expect(Self.number(document["customer_key"]) == Double(journey.customerKey))
        let identifiers = try #require(document["identifiers"] as? [[String: Any]])
        let seen = identifiers.map { "\($0["kind"] as? String ?? "?") \($0["source"] as? String ?? "-") \($0["value"] as? String ?? "?") \(Self.number($0["first_run"]) ?? -1)" }
        #expect(seen == ["customer_id shop C1 \(Double(runs.purchases))",
                         "email - alice@example.com \(Double(runs.tickets))",
                         "handle - twitter:@alice \(Double(runs.customers))"])
        #expect(identifiers.first?["first_run_entity"] as? String == "purchases")
        // Two customers until the customer list: one merge, made by that load, into this one.
        let merges = try #require(document["merges"] as? [[String: Any]])
        #expect(merges.count == 1)
        #expect(Self.number(merges.first?["into_key"]) == Double(journey.customerKey))
        #expect(Self.number(merges.first?["merged_key"]) != Double(journey.customerKey))
        #expect(Self.number(merges.first?["run_id"]) == Double(runs.customers))
        #expect(merges.first?["run_entity"] as? String == "customers")
    }

    @Test("headline numbers: value to date net of returns, orders, first/last purchase, days since, churn status")
    func headline() throws {
        let w = try ScratchWarehouse()
        try AliceJourney.load(into: w)
        let summary = try #require(try Self.document(CustomerJourney.read("shop:C1", warehouse: w.warehouse, predict: false))["summary"] as? [String: Any])
        #expect(Self.number(summary["value_to_date"]) == 130)
        #expect(Self.number(summary["gross"]) == 150)
        #expect(Self.number(summary["returned"]) == 20)
        #expect(summary["currency"] as? String == "EUR")
        #expect(Self.number(summary["orders"]) == 2)
        #expect(summary["first_purchase_at"] as? String == "2024-01-10T10:00:00+00:00")
        #expect(summary["last_purchase_at"] as? String == "2024-03-01T12:00:00+00:00")
        #expect(summary["as_of"] as? String == "2024-03-05")
        #expect(Self.number(summary["days_since_last_purchase"]) == 4)
        #expect(summary["churn_status"] as? String == "active")
        #expect(Self.number(summary["churn_window_days"]) == 90)
        #expect(summary["active_until"] as? String == "2024-05-30T12:00:00+00:00")
        // Not fitted on request: the reason says so, and no number stands in for it.
        #expect(summary["p_alive"] is NSNull)
        #expect((summary["prediction_unavailable"] as? String)?.contains("--no-prediction") == true)

        let lapsed = try #require(try Self.document(CustomerJourney.read("shop:C1", warehouse: w.warehouse, windowDays: 3, predict: false))["summary"] as? [String: Any])
        #expect(lapsed["churn_status"] as? String == "churned")
        #expect(lapsed["active_until"] as? String == "2024-03-04T12:00:00+00:00")
    }

    @Test("value to date is clv --method historical's net value for the customer")
    func valueIsHistoricalCLV() throws {
        let w = try ScratchWarehouse()
        try AliceJourney.load(into: w)
        let journey = try CustomerJourney.read("C1", warehouse: w.warehouse, predict: false)
        let runner = try AnalysisRunner(warehouse: w.warehouse, extraDirectories: [])
        let clv = try runner.collect("clv", ["method": "historical", "per_customer": "true"])
        let keyColumn = try #require(clv.columns.firstIndex(of: "customer_key"))
        let valueColumn = try #require(clv.columns.firstIndex(of: "net_value"))
        let row = try #require(clv.rows.first { $0[keyColumn] == String(journey.customerKey) })
        #expect(row[valueColumn].flatMap(Double.init) == journey.summary.value(0, "value_to_date").flatMap(Double.init))
    }

    @Test("the timeline: orders, returns, tickets with FRT/TTR/CSAT, surveys, mentions, in time order")
    func timeline() throws {
        let w = try ScratchWarehouse()
        try AliceJourney.load(into: w)
        let timeline = try #require(try Self.document(CustomerJourney.read("twitter:@alice", warehouse: w.warehouse, predict: false))["timeline"] as? [[String: Any]])
        #expect(timeline.map { "\($0["kind"] as? String ?? "?") \($0["id"] as? String ?? "?")" }
                == ["order O1", "return R1", "ticket T1", "survey S1", "mention M1", "order O2", "survey S2", "order O3"])
        func details(_ id: String) throws -> [String: Any] {
            try #require(timeline.first { $0["id"] as? String == id }?["details"] as? [String: Any], "\(id)")
        }
        #expect(timeline.first?["at"] as? String == "2024-01-10T10:00:00+00:00")
        #expect(timeline.first?["source"] as? String == "shop")
        let o1 = try details("O1")
        #expect(Self.number(o1["amount"]) == 100 && Self.number(o1["returned"]) == 20 && Self.number(o1["net_value"]) == 80)
        #expect(try details("O3")["status"] as? String == "cancelled")
        #expect(try details("O3")["net_value"] is NSNull)
        let r1 = try details("R1")
        #expect(r1["order_id"] as? String == "O1" && Self.number(r1["amount"]) == 20 && r1["counts_in_value"] as? Bool == true)
        let t1 = try details("T1")
        #expect(Self.number(t1["frt_hours"]) == 1.5)
        #expect(Self.number(t1["ttr_hours"]) == 24)
        #expect(Self.number(t1["csat"]) == 4)
        #expect(t1["status"] as? String == "solved" && t1["agent"] as? String == "ann")
        let s1 = try details("S1")
        #expect(s1["survey"] as? String == "csat" && Self.number(s1["score"]) == 4 && s1["ticket_id"] as? String == "T1")
        #expect(try details("S2")["survey"] as? String == "nps")
        let m1 = try details("M1")
        #expect(m1["sentiment_label"] as? String == "negative" && m1["is_complaint"] as? Bool == true)
        #expect(Self.number(m1["response_hours"]) == 2 && m1["handle"] as? String == "twitter:@alice")
    }

    @Test("--tz: instants and days are local; a table shows control characters escaped and hours to 4 decimals")
    func timeZoneAndTable() throws {
        let w = try ScratchWarehouse()
        try AliceJourney.load(into: w)
        let journey = try CustomerJourney.read("alice@example.com", warehouse: w.warehouse, tz: "America/New_York", predict: false)
        let summary = try #require(try Self.document(journey)["summary"] as? [String: Any])
        #expect(summary["first_purchase_at"] as? String == "2024-01-10T05:00:00-05:00")
        // Horizon 2024-03-05T04:00 local; last purchase 2024-03-01T07:00 local: still 4 days.
        #expect(summary["as_of"] as? String == "2024-03-05")
        let table = journey.text(.table)
        #expect(table.contains("late again \\u{1B}[2J"))
        #expect(!table.contains("\u{1B}"))
        #expect(table.contains("frt_hours=1.5"))
        // Hours with more decimals are rounded to 4 for people; the JSON keeps every digit.
        let other = try CustomerJourney.read("desk:X1", warehouse: w.warehouse, predict: false)
        #expect(other.text(.table).contains("frt_hours=0.3333"), "\(other.text(.table))")
        #expect(!other.text(.table).contains("0.33333"), "\(other.text(.table))")
        #expect(other.json().contains("\"frt_hours\" : 0.333333333333333"))
    }

    @Test("an unknown identifier and one that names two customers are errors with their exit codes")
    func unknownAndAmbiguous() throws {
        let w = try ScratchWarehouse()
        try AliceJourney.load(into: w)
        #expect {
            try CustomerJourney.read("nobody@example.com", warehouse: w.warehouse, predict: false)
        } throws: { error in
            guard let error = error as? PatronError, case .unknownCustomer(let message) = error else { return false }
            return error.exitStatus.rawValue == 7 && message.contains("nobody@example.com")
        }
        // X1 is a shop customer's id and a help-desk customer's id: two customers.
        #expect {
            try CustomerJourney.read("X1", warehouse: w.warehouse, predict: false)
        } throws: { error in
            guard let error = error as? PatronError, case .ambiguousCustomer(let message) = error else { return false }
            return error.exitStatus.rawValue == 8 && message.contains("shop:X1") && message.contains("desk:X1")
        }
        #expect(try CustomerJourney.read("desk:X1", warehouse: w.warehouse, predict: false).summary.value(0, "churn_status") == "no_purchase")
    }

    @Test("P(alive) is clv --method predictive's, or the reason the model cannot be fitted")
    func pAlive() throws {
        // Alice's warehouse has two buyers: too few to fit; the model's own message says why.
        let small = try ScratchWarehouse()
        try AliceJourney.load(into: small)
        let unfitted = try CustomerJourney.read("shop:C1", warehouse: small.warehouse)
        #expect(unfitted.prediction.pAlive == nil)
        #expect(unfitted.prediction.unavailable?.contains("cannot be fitted") == true, "\(unfitted.prediction)")

        // A demo shop the model fits: the customer's P(alive) is the analysis' row for them.
        let w = try ScratchWarehouse()
        try w.loadDemoShop()
        let repeatBuyer = try #require(try w.rows("""
            SELECT i.source, i.value FROM customer_identifiers AS i
            JOIN valid_purchases AS p ON p.customer_key = i.customer_key
            WHERE i.kind = 'customer_id'
            GROUP BY i.source, i.value HAVING count(*) >= 2 ORDER BY i.value LIMIT 1
            """).first)
        let journey = try CustomerJourney.read("\(repeatBuyer[0]!):\(repeatBuyer[1]!)", warehouse: w.warehouse)
        let runner = try AnalysisRunner(warehouse: w.warehouse, extraDirectories: [])
        let clv = try runner.collect("clv", ["method": "predictive", "per_customer": "true"])
        let column = { (name: String) in clv.columns.firstIndex(of: name)! }
        let row = try #require(clv.rows.first { $0[column("customer_key")] == String(journey.customerKey) })
        #expect(journey.prediction.unavailable == nil)
        #expect(journey.prediction.pAlive != nil)
        #expect(journey.prediction.pAlive == row[column("p_alive")])
        #expect(journey.prediction.expectedPurchases == row[column("expected_purchases")])
        #expect(journey.prediction.predictedValue == row[column("clv")])
        // In the JSON document, the digits PostgreSQL printed (JSONSerialization would round the last one).
        #expect(journey.json().contains("\"p_alive\":\(row[column("p_alive")]!),"))
    }
}
