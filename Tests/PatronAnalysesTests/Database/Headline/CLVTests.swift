import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("clv")
struct CLVTests {
    // The shop plus history (ShopFixture): net value to date per customer —
    //   A 100 + (50 − 20) + 30 = 160 (3 orders, gross 180, returned 20)
    //   B 40 + 60 + 10 = 110;  C 25 (the cancelled order and its return count nowhere)
    //   E 75;  F 40;  G 10 + 20 = 30.  D has only a cancelled order: not a customer.
    // Cohorts (month of first purchase): F Feb 2023, G Mar 2023, A and B Jan 2024, C and E Feb 2024.

    @Test("historical: net value per customer to date")
    func historicalPerCustomer() throws {
        let w = try ShopFixture.warehouse(withHistory: true)
        let r = AnalysisResult(try w.runner().collect("clv", ["method": "historical", "per_customer": "true"]))
        let byKey = Dictionary(uniqueKeysWithValues: zip(r.column("customer_key").map { $0 ?? "" }, r.numbers("net_value")))
        for (id, value) in [("A", 160.0), ("B", 110), ("C", 25), ("E", 75), ("F", 40), ("G", 30)] {
            #expect(byKey[try w.key(id)] == value, "customer \(id)")
        }
        #expect(r.rows.count == 6)
        let a = r.filter("customer_key", try w.key("A"))
        #expect(a.column("orders") == ["3"])
        expectNumbers(a.numbers("gross") + a.numbers("returned"), [180, 20], "A gross, returned")
    }

    @Test("historical: summary by cohort with an all-customers row")
    func historicalSummary() throws {
        let w = try ShopFixture.warehouse(withHistory: true)
        let r = AnalysisResult(try w.runner().collect("clv", ["method": "historical"]))
        // Cohorts Feb 2023 … Feb 2024 (13 periods, empty ones with 0 customers), then all.
        #expect(r.rows.count == 14)
        #expect(r.column("cohort").first == "2023-02-01")
        #expect(r.column("cohort").last == .some(nil))
        let jan = r.filter("cohort", "2024-01-01")
        // Jan 2024 {A 160, B 110}: mean 135, median 135, p90 = 110 + 0.9 × 50 = 155, total 270.
        expectNumbers(["customers", "mean_value", "median_value", "p90_value", "total_value"].map { jan.numbers($0)[0] },
                      [2, 135, 135, 155, 270], "Jan 2024")
        // Feb 2024 {C 25, E 75}: mean 50, median 50, p90 = 25 + 0.9 × 50 = 70, total 100.
        let feb = r.filter("cohort", "2024-02-01")
        expectNumbers(["customers", "mean_value", "median_value", "p90_value", "total_value"].map { feb.numbers($0)[0] },
                      [2, 50, 50, 70, 100], "Feb 2024")
        // An empty cohort: 0 customers, NULL statistics.
        let june = r.filter("cohort", "2023-06-01")
        #expect(june.column("customers") == ["0"])
        #expect(june.column("mean_value") == [nil])
        // All: [25, 30, 40, 75, 110, 160]: total 440, mean 73.333…, median (40 + 75) / 2 = 57.5,
        // p90 at rank 0.9 × 5 = 4.5 → 110 + 0.5 × 50 = 135.
        let all = r.filter("cohort", nil)
        expectNumbers(["customers", "mean_value", "median_value", "p90_value", "total_value"].map { all.numbers($0)[0] },
                      [6, 440.0 / 6, 57.5, 135, 440], "all")
    }

    @Test("formula: AOV × purchases per year × margin × lifetime, lifetime = 1 / annual churn")
    func formula() throws {
        let w = try ShopFixture.warehouse(withHistory: true)
        let arguments = ["method": "formula", "as_of": "2024-03-31", "margin": "0.5"]
        let r = AnalysisResult(try w.runner().collect("clv", arguments))
        // The year [2023-04-01, 2024-04-01). Annual churn (window 90 days): active at Apr 1 2023
        // (a purchase in [2023-01-01, 2023-04-01)): F, G = 2; active at Apr 1 2024 (purchase
        // in [2024-01-02, 2024-04-01)): A, B, C, E, G → lost {F} = 1 → churn 0.5, lifetime 2.
        // Buyers of the year: A (A1 100, A2 50 − 20 → 2 orders, 130), B (3 orders, 110),
        // C (1, 25), E (1, 75), G (G2: 1, 20) → 5 customers, 8 orders, net 360.
        // AOV = 360 / 8 = 45; purchases per customer = 8 / 5 = 1.6;
        // CLV = 45 × 1.6 × 0.5 × 2 = 72 = mean of per-customer net × 0.5 × 2 = [130, 110, 25, 75, 20].
        // median 75; p90 at rank 3.6 of [20, 25, 75, 110, 130] → 110 + 0.6 × 20 = 122; total 360.
        let all = r.filter("cohort", nil)
        expectNumbers(["customers", "mean_value", "median_value", "p90_value", "total_value", "aov",
                       "purchases_per_year", "annual_churn_rate", "lifetime_years", "margin"].map { all.numbers($0)[0] },
                      [5, 72, 75, 122, 360, 45, 1.6, 0.5, 2, 0.5], "formula, all customers")
        #expect(all.column("as_of") == ["2024-03-31"])
        // Cohort Jan 2024 {A 130, B 110}: mean 120.
        expectNumbers(r.filter("cohort", "2024-01-01").numbers("mean_value"), [120], "Jan 2024")
        let perCustomer = AnalysisResult(try w.runner().collect("clv", arguments.merging(["per_customer": "true"]) { $1 }))
        expectNumbers(perCustomer.filter("customer_key", try w.key("A")).numbers("clv"), [130], "A")
        #expect(perCustomer.rows.count == 5)
    }

    @Test("rfm_summary: same-day purchases are one transaction, --as-of inclusive, local days")
    func rfmSummary() throws {
        let w = try ShopFixture.warehouse(withHistory: true)
        let runner = try w.runner()
        let prepared = try runner.prepare("clv", ["as_of": "2024-03-31", "unit": "day"])
        let result = try runner.runStatement("rfm_summary", of: prepared)
        var rows: [String: [Double?]] = [:]
        for row in result.rows {
            rows[row["customer_key"] ?? ""] = [row.double("frequency"), row.double("recency"), row.double("T"), row.double("monetary")]
        }
        // A: days Jan 5, Feb 10 (Apr 1 is after --as-of) → frequency 1, recency 36, T = Mar 31 −
        //    Jan 5 = 86, monetary = Feb 10's 50 − 20 returned = 30.
        // B: days Jan 20, Mar 15 (two orders: one transaction of 70) → 1, 55, 71, 70.
        // C: Feb 3 only → 0, 0, 57, no monetary.  E: Feb 25 → 0, 0, 35.
        // F: 2023-02-20 → 0, 0, 405.  G: 2023-03-15, 2024-03-20 → 1, 371, 382, 20.
        let expected: [(String, [Double?])] = [
            ("A", [1, 36, 86, 30]), ("B", [1, 55, 71, 70]), ("C", [0, 0, 57, nil]),
            ("E", [0, 0, 35, nil]), ("F", [0, 0, 405, nil]), ("G", [1, 371, 382, 20]),
        ]
        #expect(rows.count == 6)
        for (id, values) in expected {
            expectNumbers(rows[try w.key(id)] ?? [], values, "RFM of \(id)")
        }
        // --unit week divides the durations by 7.
        let weekly = try runner.runStatement("rfm_summary", of: try runner.prepare("clv", ["as_of": "2024-03-31"]))
        let a = try #require(weekly.rows.first { $0["customer_key"] == (try? w.key("A")) })
        expectNumbers([a.double("recency"), a.double("T")], [36.0 / 7, 86.0 / 7], "A in weeks")
    }

    @Test("predictive on too few customers fails clearly (exit 6); a plugged-in model's predictions feed the summary")
    func predictiveHook() throws {
        let w = try ShopFixture.warehouse(withHistory: true)
        let runner = try w.runner()
        // The real BG/NBD + Gamma-Gamma model refuses 6 customers rather than making up numbers.
        #expect(throws: PatronError.self) { try runner.collect("clv", [:]) }
        do {
            _ = try runner.collect("clv", [:])
        } catch let error as PatronError {
            #expect(error.description.contains("at least 10 are needed"))
            #expect(error.exitStatus == .analysisFailed)
        }
        // A stand-in model (plumbing only): clv = 10 × (frequency + 1), p_alive 0.5.
        runner.clvModel = StandInModel()
        let summary = AnalysisResult(try runner.collect("clv", ["as_of": "2024-03-31"]))
        // Values: A 20, B 20, C 10, E 10, F 10, G 20 → total 90, mean 15.
        let all = summary.filter("cohort", nil)
        expectNumbers(["customers", "mean_value", "total_value", "mean_p_alive"].map { all.numbers($0)[0] },
                      [6, 15, 90, 0.5], "predictive summary")
        let perCustomer = AnalysisResult(try runner.collect("clv", ["as_of": "2024-03-31", "per_customer": "true"]))
        #expect(perCustomer.columns == ["customer_key", "cohort", "frequency", "recency", "T", "monetary", "p_alive",
                                        "expected_purchases", "expected_avg_value", "clv"])
        expectNumbers(perCustomer.filter("customer_key", try w.key("B")).numbers("monetary"), [70], "B monetary")
        let params = AnalysisResult(try runner.collect("clv", ["params": "true"]))
        #expect(params.columns == ["model", "parameter", "value"])
        #expect(params.column("parameter") == ["r", "alpha", "log_likelihood", "customers"])
    }

    @Test("the model gets the step's rows in customer order even when customer_rfm is not stored in it")
    func predictiveRowsInCustomerOrder() throws {
        let w = try ShopFixture.warehouse(withHistory: true)
        let runner = try w.runner()
        // An UPDATE writes the smallest customer's row anew at the end of the table, so the step
        // (no ORDER BY, reading customer_rfm in its physical order) returns it last.
        try w.warehouse.connection.execute(
            "UPDATE customer_rfm SET monetary = monetary WHERE customer_key = (SELECT min(customer_key) FROM customer_rfm)")
        let step = try runner.runStatement("rfm_summary", of: try runner.prepare("clv", [:]))
        let stepKeys = (0..<step.rowCount).map { step.int64($0, 0)! }
        #expect(stepKeys.count == 6)
        #expect(stepKeys != stepKeys.sorted(), "the step came in customer order: the test shows nothing")
        let recorder = RowRecorder()
        runner.clvModel = recorder
        _ = try runner.collect("clv", [:])
        #expect(recorder.keys == stepKeys.sorted())
    }

    @Test("mixed currencies fail with a clear message; returns of cancelled orders do not count")
    func mixedCurrencies() throws {
        let w = try ShopFixture.warehouse()
        // A USD return of the cancelled order C2 is ignored like the order itself.
        try w.expectLoaded(.returns, "usd-return.csv", "return_id,order_id,returned_at,amount,currency\nR3,C2,2024-03-03,1,USD\n")
        #expect(try w.runner().collect("clv", ["method": "historical"]).rows.count > 0)
        // A USD return of a valid order is not.
        try w.expectLoaded(.returns, "usd-return-2.csv", "return_id,order_id,returned_at,amount,currency\nR4,B1,2024-03-03,1,USD\n")
        #expect(throws: PatronError.self) { try w.runner().collect("clv", ["method": "historical"]) }
        try w.expectLoaded(.returns, "usd-return-2.csv", "return_id,order_id,returned_at,amount,currency\nR4,B1,2024-03-03,1,EUR\n")
        try w.expectLoaded(.purchases, "usd.csv", "order_id,customer_id,ordered_at,amount,currency\nU1,U,2024-02-01,5,USD\n")
        do {
            _ = try w.runner().collect("clv", ["method": "historical"])
            Issue.record("mixed currencies were added up")
        } catch let error as PatronError {
            #expect(error.description.contains("more than one currency"))
            #expect(error.exitStatus == .analysisFailed)
        }
    }
}

/// Not a model: fixed numbers that show the predictive plumbing carries values through.
struct StandInModel: CLVModelFitting {
    func fit(_ rows: [RFMRow], settings: CLVModelSettings) throws -> CLVFit {
        CLVFit(
            predictions: rows.map { row in
                CLVPrediction(customerKey: row.customerKey, pAlive: 0.5, expectedPurchases: row.frequency + 1,
                              expectedAverageValue: 10, clv: 10 * (row.frequency + 1))
            },
            parameters: [CLVParameter(model: "bgnbd", parameter: "alpha", value: 2),
                         CLVParameter(model: "bgnbd", parameter: "customers", value: Double(rows.count)),
                         CLVParameter(model: "bgnbd", parameter: "r", value: 1),
                         CLVParameter(model: "bgnbd", parameter: "log_likelihood", value: -3)])
    }
}

/// StandInModel's numbers, and the customer keys of the rows it was given, in their order.
final class RowRecorder: CLVModelFitting, @unchecked Sendable {
    private(set) var keys: [Int64] = []

    func fit(_ rows: [RFMRow], settings: CLVModelSettings) throws -> CLVFit {
        keys = rows.map(\.customerKey)
        return try StandInModel().fit(rows, settings: settings)
    }
}
