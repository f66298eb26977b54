import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronDemo
import PatronLoad
import PatronTestSupport
import Testing

/// A shop of five buyers (UTC, EUR) whose at_risk list is worked out by hand. P(alive) and
/// expected purchases come from `FixedPredictions` (the `AnalysisRunner.clvModel` hook), so
/// everything else can be checked exactly; `demoConsistency` checks the real fit.
///
///     customer  valid orders (net)                                value  last purchase day
///     A         A1 Jan 5 100, A2 Feb 10 50 − return 20 (Feb 20)   130    Feb 10
///     B         B1 Jan 20 40, B2 Mar 15 60                         100    Mar 15
///     C         C1 Feb 3 25 (C2 Mar 1 999 cancelled, returned)      25    Feb 3
///     D         D1 Mar 1 200                                       200    Mar 1
///     E         E1 Mar 20 10                                        10    Mar 20
///
/// Values sorted: 10, 25, 100, 130, 200. percentile_cont(0.75) sits at position 0.75 × 4 = 3:
/// 130, so A (exactly at it) and D pass the default --min-value-percentile 75;
/// percentile_cont(0.5) sits at position 2: 100, so B, A and D pass 50.
/// Fixed P(alive): A 0.2, B 0.4, C 0.1, D 0.5, E 0.05 — D (0.5) is not below the default
/// --max-p-alive 0.5.
/// value_at_risk: A 130 × 0.8 = 104, B 100 × 0.6 = 60, D 200 × 0.5 = 100.
/// Days since last purchase at --as-of 2024-03-31: A Feb 10 → 19 days to Feb 29 + 31 = 50;
/// B Mar 15 → 16; D Mar 1 → 30.
/// Identifiers: A has two e-mails (one per order) and a phone written `+44 20 7946 0958`
/// (normalised to its digits 442079460958); D has none (its order carries only customer_id).
/// Tickets of A: TA1 Feb 12 (solved, CSAT 4 of its own) and TA2 Mar 5 08:00, first response
/// 10:15 → FRT 2.25 h, open, no CSAT of its own; survey SA2 (csat 2, Mar 6) links to TA2, so its
/// effective CSAT is 2. TA2 is the latest ticket. Surveys of A: SA1 nps 9 Jan 10, SA2 csat 2
/// Mar 6, SA3 nps 6 Apr 2 (after --as-of: the latest loaded is reported, whatever --as-of) →
/// latest survey nps 6. B: ticket TB1 Mar 16 pending, no response yet (FRT empty), no surveys.
private enum AtRiskShop {
    static let purchases = """
        order_id,customer_id,email,phone,ordered_at,amount,currency,status
        A1,A,a.one@example.com,+44 20 7946 0958,2024-01-05T10:00:00Z,100,EUR,
        A2,A,A.Two@Example.com,,2024-02-10T10:00:00Z,50,EUR,
        B1,B,b@example.com,,2024-01-20T10:00:00Z,40,EUR,
        B2,B,,,2024-03-15T09:00:00Z,60,EUR,
        C1,C,,,2024-02-03T10:00:00Z,25,EUR,
        C2,C,,,2024-03-01T10:00:00Z,999,EUR,cancelled
        D1,D,,,2024-03-01T10:00:00Z,200,EUR,
        E1,E,,,2024-03-20T10:00:00Z,10,EUR,

        """

    static let returns = """
        return_id,order_id,returned_at,amount,currency
        R1,A2,2024-02-20T10:00:00Z,20,EUR
        R2,C2,2024-03-02T10:00:00Z,999,EUR

        """

    static let tickets = """
        ticket_id,customer_id,created_at,first_response_at,status,resolved_at,csat
        TA1,A,2024-02-12T10:00:00Z,2024-02-12T11:00:00Z,solved,2024-02-13T10:00:00Z,4
        TA2,A,2024-03-05T08:00:00Z,2024-03-05T10:15:00Z,open,,
        TB1,B,2024-03-16T10:00:00Z,,pending,,

        """

    static let surveys = """
        response_id,customer_id,kind,score,responded_at,ticket_id
        SA1,A,nps,9,2024-01-10T10:00:00Z,
        SA2,A,csat,2,2024-03-06T10:00:00Z,TA2
        SA3,A,nps,6,2024-04-02T10:00:00Z,

        """

    static func warehouse() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.expectLoaded(.purchases, "purchases.csv", purchases)
        try w.expectLoaded(.returns, "returns.csv", returns)
        try w.expectLoaded(.tickets, "tickets.csv", tickets)
        try w.expectLoaded(.surveys, "surveys.csv", surveys)
        return w
    }
}

/// Not a model: P(alive) and expected purchases fixed per customer_key.
private struct FixedPredictions: CLVModelFitting {
    let pAlive: [Int64: Double]
    let expectedPurchases: [Int64: Double]

    func fit(_ rows: [RFMRow], settings: CLVModelSettings) throws -> CLVFit {
        CLVFit(predictions: rows.map { row in
            CLVPrediction(customerKey: row.customerKey, pAlive: pAlive[row.customerKey] ?? 1,
                          expectedPurchases: expectedPurchases[row.customerKey] ?? 0, expectedAverageValue: 0, clv: 0)
        }, parameters: [])
    }
}

@Suite("at_risk: valuable customers slipping away")
struct AtRiskTests {
    /// A runner whose model predicts the fixture's fixed P(alive) (A 0.2, B 0.4, C 0.1, D 0.5,
    /// E 0.05) and expected purchases (A 1.5, B 0.75, D 0.25).
    func fixedRunner(_ w: ScratchWarehouse) throws -> AnalysisRunner {
        let runner = try w.runner()
        var keys: [String: Int64] = [:]
        for id in ["A", "B", "C", "D", "E"] { keys[id] = try #require(Int64(try w.key(id))) }
        runner.clvModel = FixedPredictions(
            pAlive: [keys["A"]!: 0.2, keys["B"]!: 0.4, keys["C"]!: 0.1, keys["D"]!: 0.5, keys["E"]!: 0.05],
            expectedPurchases: [keys["A"]!: 1.5, keys["B"]!: 0.75, keys["D"]!: 0.25])
        return runner
    }

    @Test("hand-computed list: percentile, P(alive) threshold, value at risk order, identifiers, latest ticket and survey")
    func handComputed() throws {
        let w = try AtRiskShop.warehouse()
        let runner = try fixedRunner(w)
        let a = try w.key("A"), b = try w.key("B"), d = try w.key("D")

        // Defaults (75th percentile = 130, P(alive) < 0.5): A only; D's 0.5 is not below 0.5.
        let list = AnalysisResult(try runner.collect("at_risk", ["as_of": "2024-03-31"]))
        #expect(list.columns == ["customer_key", "emails", "phones", "value", "p_alive", "expected_purchases",
                                 "value_at_risk", "days_since_last_purchase",
                                 "latest_ticket_source", "latest_ticket_id", "latest_ticket_created_at",
                                 "latest_ticket_status", "latest_ticket_frt_hours", "latest_ticket_csat",
                                 "latest_survey_kind", "latest_survey_score", "latest_survey_at"])
        #expect(list.column("customer_key") == [a])
        #expect(list.column("emails") == ["a.one@example.com, a.two@example.com"])
        #expect(list.column("phones") == ["442079460958"])
        expectNumbers(["value", "p_alive", "expected_purchases", "value_at_risk", "days_since_last_purchase"].map { list.numbers($0)[0] },
                      [130, 0.2, 1.5, 104, 50], "A")
        #expect(list.column("latest_ticket_id") == ["TA2"])
        #expect(list.column("latest_ticket_status") == ["open"])
        expectNumbers(list.numbers("latest_ticket_frt_hours"), [2.25], "A's latest FRT")
        #expect(list.column("latest_ticket_csat") == ["2"])
        #expect(list.column("latest_survey_kind") == ["nps"])
        #expect(list.column("latest_survey_score") == ["6"])

        // --max-p-alive 0.6 lets D in: D has the higher value (200) but the lower value at risk
        // (100 < A's 104), so A comes first. D has no identifiers, tickets or surveys.
        let wider = AnalysisResult(try runner.collect("at_risk", ["as_of": "2024-03-31", "max_p_alive": "0.6"]))
        #expect(wider.column("customer_key") == [a, d])
        expectNumbers(wider.numbers("value_at_risk"), [104, 100], "value at risk")
        expectNumbers(wider.numbers("days_since_last_purchase"), [50, 30], "days since last purchase")
        #expect(wider.column("emails") == ["a.one@example.com, a.two@example.com", nil])
        #expect(wider.column("latest_ticket_id") == ["TA2", nil])
        #expect(wider.column("latest_survey_kind") == ["nps", nil])

        // --min-value-percentile 50 (threshold 100) adds B: 100 × 0.6 = 60, 16 days; its latest
        // ticket has no response yet.
        let median = AnalysisResult(try runner.collect("at_risk", ["as_of": "2024-03-31", "min_value_percentile": "50"]))
        #expect(median.column("customer_key") == [a, b])
        expectNumbers(median.numbers("value_at_risk"), [104, 60], "value at risk")
        expectNumbers(median.numbers("days_since_last_purchase"), [50, 16], "days since last purchase")
        #expect(median.column("emails") == ["a.one@example.com, a.two@example.com", "b@example.com"])
        #expect(median.column("latest_ticket_status") == ["open", "pending"])
        #expect(median.numbers("latest_ticket_frt_hours")[1] == nil)

        // --unit day gives the same days since last purchase (T − recency in days).
        let daily = AnalysisResult(try runner.collect("at_risk", ["as_of": "2024-03-31", "min_value_percentile": "50", "unit": "day"]))
        expectNumbers(daily.numbers("days_since_last_purchase"), [50, 16], "days since last purchase, --unit day")
    }

    @Test("--into stores the list as a table; CSV carries the same rows")
    func intoAndCSV() throws {
        let w = try AtRiskShop.warehouse()
        let runner = try fixedRunner(w)
        let prepared = try runner.prepare("at_risk", ["as_of": "2024-03-31", "max_p_alive": "0.6"])
        #expect(try runner.into(prepared, table: "call_list", mode: .create) == 2)
        let stored = try w.rows("""
            SELECT customer_key::text, value::text, value_at_risk::text, latest_ticket_id
            FROM \(w.reportsSchema).call_list ORDER BY value_at_risk DESC
            """)
        #expect(stored == [[try w.key("A"), "130", "104", "TA2"], [try w.key("D"), "200", "100", nil]])
        let types = try w.rows("""
            SELECT column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'call_list' ORDER BY ordinal_position
            """, [w.reportsSchema])
        #expect(types.first { $0[0] == "value" }?[1] == "numeric")
        #expect(types.first { $0[0] == "p_alive" }?[1] == "double precision")

        let capture = OutputSinkCapture()
        try runner.write(prepared, to: ResultWriters.make(.csv, sink: capture.sink))
        let lines = capture.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("customer_key,emails,phones,value,p_alive") == true)
        #expect(lines.dropFirst().first?.hasPrefix("\(try w.key("A")),\"a.one@example.com, a.two@example.com\",442079460958,130,0.2,1.5,104,50,") == true,
                "\(lines)")
    }

    @Test("too few customers for the fit: the analysis fails (exit 6) like clv, in process and on the command line")
    func tooFewCustomers() throws {
        let w = try AtRiskShop.warehouse()
        do {
            _ = try w.runner().collect("at_risk", [:])
            Issue.record("at_risk ran a model fit on 5 customers")
        } catch let error as PatronError {
            #expect(error.description.contains("at least 10 are needed"), "\(error.description)")
            #expect(error.exitStatus == .analysisFailed)
        }
        let run = try PatronProcess.run(["run", "at_risk", "--schema", w.schema, "--format", "csv"], url: w.url)
        #expect(run.status == 6, "\(run.stderr)")
        #expect(run.stderr.contains("at least 10 are needed"), "\(run.stderr)")
    }

    @Test("on a demo shop, P(alive) and expected purchases are clv --per-customer's, value clv historical's; the filter holds")
    func demoConsistency() throws {
        let w = try ScratchWarehouse()
        try w.loadDemoShop()
        let runner = try w.runner()
        let options = ["horizon": "6", "unit": "day"]
        let list = AnalysisResult(try runner.collect("at_risk", options.merging(["max_p_alive": "0.9"]) { $1 }))
        let predicted = AnalysisResult(try runner.collect("clv", options.merging(["per_customer": "true"]) { $1 }))
        let historical = AnalysisResult(try runner.collect("clv", ["method": "historical", "per_customer": "true"]))
        try #require(list.rows.count > 10, "a list to compare: \(list.rows.count) rows")

        func byKey(_ r: AnalysisResult, _ column: String) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: zip(r.column("customer_key").map { $0 ?? "" }, r.numbers(column).map { $0 ?? .nan }))
        }
        let pAlive = byKey(predicted, "p_alive"), expected = byKey(predicted, "expected_purchases")
        let recency = byKey(predicted, "recency"), T = byKey(predicted, "T")
        let value = byKey(historical, "net_value")
        let sortedValues = value.values.sorted()
        // percentile_cont(0.75) of every buyer's value.
        let position = 0.75 * Double(sortedValues.count - 1)
        let lower = sortedValues[Int(position.rounded(.down))], upper = sortedValues[Int(position.rounded(.up))]
        let threshold = lower + (upper - lower) * (position - position.rounded(.down))

        var previous = Double.infinity
        for (index, key) in list.column("customer_key").enumerated() {
            let key = key ?? ""
            let p = try #require(list.numbers("p_alive")[index]), v = try #require(list.numbers("value")[index])
            #expect(p == pAlive[key], "p_alive of \(key)")
            #expect(list.numbers("expected_purchases")[index] == expected[key], "expected purchases of \(key)")
            #expect(v == value[key], "value of \(key)")
            #expect(v >= threshold && p < 0.9, "\(key): value \(v) (threshold \(threshold)), p_alive \(p)")
            #expect(list.numbers("days_since_last_purchase")[index] == (T[key] ?? 0) - (recency[key] ?? 0), "days of \(key)")
            let atRisk = try #require(list.numbers("value_at_risk")[index])
            #expect(abs(atRisk - v * (1 - p)) < 1e-9 * max(1, v))
            #expect(atRisk <= previous)
            previous = atRisk
        }
        // Everyone left out fails a condition (or has no prediction: bought after --as-of).
        let listed = Set(list.column("customer_key").map { $0 ?? "" })
        for (key, v) in value where !listed.contains(key) {
            if let p = pAlive[key] { #expect(v < threshold || p >= 0.9, "\(key) should be listed: value \(v), p_alive \(p)") }
        }
    }
}
