import CivilCalendar
import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronDemo
import PatronLoad
import PatronModels
import PatronTestSupport
import Testing

// End to end: `clv --method predictive` on a generated demo shop, checked against an RFM summary
// computed here from the CSV files (not from the warehouse) and against PatronModels fitted
// directly on that summary.
//
// Independent check with scipy (by hand, not in CI: scipy is not guaranteed there), on the same
// RFM this test computes (1500 customers, seed 20261130, default --as-of):
//
//   PATRON_CLV_RFM_OUT=/tmp/clv-rfm.csv scripts/test --filter CLVPredictiveTests
//   python3 scripts/model-reference.py --rfm /tmp/clv-rfm.csv --per-customer /tmp/scipy.csv
//   patron run clv --per-customer   (same demo: patron demo generate --customers 1500 --seed 20261130)
//
// gave (2026-11-30; 1392 buyers, 855 repeat buyers, 22 of them excluded from Gamma-Gamma):
//
//              Patron (this analysis)     scipy (Nelder-Mead + BFGS)   relative difference
//   r          0.5857563325618155         0.5857563487610252           2.8e-8
//   alpha      10.474759466923391         10.474759849828722           3.7e-8
//   a          1.8472449752326991         1.8472449401535458           1.9e-8
//   b          6.37358350852806           6.3735834949577015           2.2e-8
//   BG/NBD LL  -10514.56819368838         -10514.568193688381          1e-16
//   p          6.294986212234402          6.294985109928678            1.8e-7
//   q          3.2396839844505423         3.239684088292009            3.2e-8
//   gamma      20.44420869894541          20.444213414463636           2.3e-7
//   G-G LL     -4009.743442113355         -4009.7434421133526          1e-15
//
// The optimum is flat (the log-likelihoods agree to 15 digits, the parameters to the two
// optimizers' tolerances), so per customer p_alive, expected purchases, expected average value
// and CLV at each side's own fit differ by at most 1.2e-7, 1.2e-7, 1.3e-7 and 1.4e-7 (relative;
// total CLV 64481.1270 vs 64481.1280). Evaluated at Patron's parameters (`--at r,alpha,a,b,p,q,gamma`)
// scipy's formulas (hyp2f1, eq. 10) agree per customer to 6.6e-15, 3.4e-14, 5.6e-16 and 3.2e-14.
// On the 5000-customer quickstart demo (seed 42) Patron and scipy agree the same way
// (r 0.5573157, alpha 10.10436, a 1.095696, b 3.656720; p 4.155887, q 3.541999, gamma 34.98685).

/// The demo shop every test here reads (the same bytes each time; generating it takes 0.3 s).
private enum Demo {
    static let customers = 1500
    static let seed: UInt64 = 20261130

    /// The demo generated into the scratch warehouse's directory (removed with it), and its
    /// customers, purchases and returns loaded through the loader.
    static func warehouse() throws -> (ScratchWarehouse, URL, DemoManifest) {
        let w = try ScratchWarehouse()
        let directory = w.directory.appendingPathComponent("demo")
        let manifest = try DemoGenerator(options: DemoOptions(customers: customers, seed: seed)).generate(into: directory)
        for entity in [Entity.customers, .purchases, .returns] {
            let file = try #require(manifest.files.first { $0.entity == entity.rawValue })
            let report = try w.load(entity, path: directory.appendingPathComponent(file.file).path, source: file.source)
            #expect(report.counts.rejected == Int64(file.badRows), "\(file.file)")
        }
        return (w, directory, manifest)
    }
}

/// One customer's RFM (docs/metrics.md, "clv", predictive), computed from the CSV files alone.
private struct ShopRFM: Equatable {
    var frequency: Double
    var recency: Double
    var T: Double
    var monetary: Double?
}

/// The RFM summary of every shop customer_id with a purchase up to `asOf` (a UTC day number;
/// default: the last day with a valid purchase), durations in weeks. Skips cancelled orders and
/// the rows the manifest lists as broken on purpose; purchases on the same UTC day are one
/// transaction whose value is the sum of its orders' amounts minus their returns made by the end
/// of `asOf`.
private func independentRFM(_ directory: URL, _ manifest: DemoManifest, asOf given: Int? = nil)
    throws -> (asOf: Int, rows: [String: ShopRFM], lateReturns: Int)
{
    func badLines(_ entity: String) throws -> Set<Int> {
        Set(try #require(manifest.files.first { $0.entity == entity }).bad.map(\.line))
    }
    struct Order { var customerID: String; var day: Int; var cents: Int }
    var orders: [String: Order] = [:]
    let badPurchases = try badLines("purchases")
    for (line, fields) in try csvRecords(directory.appendingPathComponent("purchases.csv")) where !badPurchases.contains(line) {
        // order_id, customer_id, ordered_at, amount, currency, channel, items, status
        guard fields[7] != "cancelled" else { continue }
        orders[fields[0]] = Order(customerID: fields[1], day: try utcDay(fields[2]), cents: try cents(fields[3]))
    }
    let asOf = try given ?? #require(orders.values.map(\.day).max())

    var returned: [String: Int] = [:]
    var lateReturns = 0
    let badReturns = try badLines("returns")
    for (line, fields) in try csvRecords(directory.appendingPathComponent("returns.csv")) where !badReturns.contains(line) {
        // return_id, order_id, customer_id, returned_at, amount, currency, reason
        guard let order = orders[fields[1]], order.day <= asOf else { continue }
        if try utcDay(fields[3]) <= asOf {
            returned[fields[1], default: 0] += try cents(fields[4])
        } else {
            lateReturns += 1
        }
    }

    var days: [String: [Int: Int]] = [:]   // customer_id → day → net cents
    for (orderID, order) in orders where order.day <= asOf {
        days[order.customerID, default: [:]][order.day, default: 0] += order.cents - returned[orderID, default: 0]
    }
    var rows: [String: ShopRFM] = [:]
    for (customerID, byDay) in days {
        let sorted = byDay.keys.sorted()
        let first = sorted[0], last = sorted[sorted.count - 1]
        let repeats = sorted.dropFirst().map { byDay[$0]! }
        rows[customerID] = ShopRFM(
            frequency: Double(sorted.count - 1), recency: Double(last - first) / 7, T: Double(asOf - first) / 7,
            monetary: repeats.isEmpty ? nil : Double(repeats.reduce(0, +)) / 100 / Double(repeats.count))
    }
    return (asOf, rows, lateReturns)
}

/// The data records of a CSV file with their line numbers (the header is line 1). Handles
/// quoted fields; the demo writes no line breaks inside fields.
private func csvRecords(_ url: URL) throws -> [(Int, [String])] {
    let text = try String(contentsOf: url, encoding: .utf8)
    var records: [(Int, [String])] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index > 0 && !line.isEmpty {
        var fields: [String] = [], field = "", quoted = false
        var characters = line.makeIterator()
        while let c = characters.next() {
            if quoted {
                if c == "\"" {
                    // A doubled quote is a literal one; a single one ends the quoted part.
                    var lookahead = characters
                    if lookahead.next() == "\"" { field.append("\""); _ = characters.next() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""
            } else {
                field.append(c)
            }
        }
        fields.append(field)
        records.append((index + 1, fields))
    }
    return records
}

/// Days since 1970-01-01 of the UTC date of `2024-03-01T10:15:00Z` (the shop writes UTC).
private func utcDay(_ timestamp: String) throws -> Int {
    #expect(timestamp.hasSuffix("Z"), "\(timestamp)")
    let parts = timestamp.prefix(10).split(separator: "-").compactMap { Int($0) }
    try #require(parts.count == 3, "\(timestamp)")
    return daysFromCivil(parts[0], parts[1], parts[2])
}

/// Days since 1970-01-01 of a civil date (CivilCalendar).
private func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
    Int(CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day)))
}

/// `YYYY-MM-DD` of a day number (inverse of `daysFromCivil`).
private func civilText(_ days: Int) -> String {
    let date = CivilCalendar.date(days: Int64(days))
    return String(format: "%04lld-%02lld-%02lld", date.year, date.month, date.day)
}

/// `12.34` → 1234
private func cents(_ amount: String) throws -> Int {
    let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
    let whole = try #require(Int(parts[0]), "\(amount)")
    let fraction = parts.count > 1 ? try #require(Int(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0)), "\(amount)") : 0
    return whole * 100 + fraction
}

/// |actual − expected| ≤ tolerance × max(|expected|, 1e-6)
private func close(_ actual: Double?, _ expected: Double?, _ tolerance: Double) -> Bool {
    switch (actual, expected) {
    case (nil, nil): return true
    case let (a?, e?): return abs(a - e) <= tolerance * max(abs(e), 1e-6)
    default: return false
    }
}

/// The shop's customer_id of each customer_key that has one.
private func shopCustomerIDs(_ w: ScratchWarehouse) throws -> [String: String] {
    let rows = try w.rows("SELECT customer_key::text, value FROM customer_identifiers WHERE kind = 'customer_id' AND source = 'shop'")
    var ids: [String: String] = [:]
    for row in rows {
        let key = row[0] ?? "", id = row[1] ?? ""
        #expect(ids[key] == nil, "customer \(key) has two shop ids: \(ids[key] ?? "") and \(id)")
        ids[key] = id
    }
    return ids
}

/// Compares clv --per-customer's frequency, recency, T and monetary with the independent RFM;
/// returns the analysis' customer keys in its order and the independent RFM in that order.
private func expectRFMAgrees(_ perCustomer: AnalysisResult, _ independent: [String: ShopRFM], _ ids: [String: String])
    -> [(key: String, rfm: ShopRFM)]
{
    #expect(perCustomer.rows.count == independent.count, "customers: analysis \(perCustomer.rows.count), independent \(independent.count)")
    let keys = perCustomer.column("customer_key").map { $0 ?? "" }
    let sql = zip(zip(perCustomer.numbers("frequency"), perCustomer.numbers("recency")),
                  zip(perCustomer.numbers("T"), perCustomer.numbers("monetary")))
    var ordered: [(key: String, rfm: ShopRFM)] = []
    var mismatches = 0
    for (key, ((frequency, recency), (T, monetary))) in zip(keys, sql) {
        guard let id = ids[key], let expected = independent[id] else {
            Issue.record("customer \(key) (shop id \(ids[key] ?? "none")) is not a buyer in the CSV files")
            continue
        }
        ordered.append((key, expected))
        let agrees = close(frequency, expected.frequency, 0) && close(recency, expected.recency, 1e-12)
            && close(T, expected.T, 1e-12) && close(monetary, expected.monetary, 1e-12)
        if !agrees {
            mismatches += 1
            if mismatches <= 5 {
                Issue.record("customer \(key) (\(id)): SQL \([frequency, recency, T, monetary]) vs CSV \(expected)")
            }
        }
    }
    #expect(mismatches == 0, "\(mismatches) customers' RFM differ")
    return ordered
}

@Suite("clv predictive on demo data")
struct CLVPredictiveTests {
    @Test("rfm_summary equals an RFM computed from the CSV files; the fit equals PatronModels on that RFM")
    func demoEndToEnd() throws {
        let (w, directory, manifest) = try Demo.warehouse()
        let runner = try w.runner()
        let perCustomer = AnalysisResult(try runner.collect("clv", ["per_customer": "true"]))
        let params = AnalysisResult(try runner.collect("clv", ["params": "true"]))

        let (_, independent, _) = try independentRFM(directory, manifest)
        #expect(independent.count > 1000)
        #expect(independent.values.filter { $0.frequency > 0 }.count > 300)
        let ordered = expectRFMAgrees(perCustomer, independent, try shopCustomerIDs(w))
        try #require(ordered.count == perCustomer.rows.count)

        if let out = ProcessInfo.processInfo.environment["PATRON_CLV_RFM_OUT"] {
            var csv = "customer_key,frequency,recency,T,monetary\n"
            for (key, r) in ordered {
                csv += "\(key),\(r.frequency),\(r.recency),\(r.T),\(r.monetary.map { "\($0)" } ?? "")\n"
            }
            try Data(csv.utf8).write(to: URL(fileURLWithPath: out))
        }

        // PatronModels directly, on the independent RFM in the analysis' customer order.
        let direct = try CLV.fitAndPredict(ordered.map {
            RFM(frequency: $0.rfm.frequency, recency: $0.rfm.recency, T: $0.rfm.T, monetary: $0.rfm.monetary)
        })
        let expectedParams: [(String, String, Double)] =
            direct.purchases.values.map { ("bgnbd", $0.name, $0.value) }
            + [("bgnbd", "log_likelihood", direct.purchases.logLikelihood),
               ("bgnbd", "customers", Double(direct.purchases.customers))]
            + direct.value.values.map { ("gamma_gamma", $0.name, $0.value) }
            + [("gamma_gamma", "log_likelihood", direct.value.logLikelihood),
               ("gamma_gamma", "customers", Double(direct.value.customers)),
               ("gamma_gamma", "excluded_customers", Double(direct.value.excluded))]
        #expect(expectedParams.map(\.1) == ["r", "alpha", "a", "b", "log_likelihood", "customers",
                                            "p", "q", "gamma", "log_likelihood", "customers", "excluded_customers"])
        #expect(params.rows.count == expectedParams.count)
        // Repeat buyers whose repeat days were all refunded in full (monetary 0) stay out of Gamma-Gamma.
        #expect(direct.value.excluded == ordered.filter { $0.rfm.frequency > 0 && ($0.rfm.monetary ?? 0) <= 0 }.count)
        #expect(direct.value.excluded > 0)
        // The two fits see the same RFM to 1e-12 but not bit for bit (numeric in SQL, Double
        // here), and in whatever order the customer keys come; the optimizer stops within about
        // 1e-8 of the optimum, so fitted values agree to 1e-6, not to the last digit (any real
        // difference in the data or the formulas shows far above that).
        let fitTolerance = 1e-6
        for (model, parameter, value) in expectedParams {
            let got = params.filter("model", model).filter("parameter", parameter).numbers("value")
            #expect(got.count == 1 && close(got.first ?? nil, value, fitTolerance), "\(model) \(parameter): analysis \(got) vs direct \(value)")
        }
        #expect(direct.purchases.customers == ordered.count)

        var mismatches = 0
        let columns = ["p_alive", "expected_purchases", "expected_avg_value", "clv"].map { perCustomer.numbers($0) }
        for (index, value) in direct.customers.enumerated() {
            let expected = [value.pAlive, value.expectedPurchases, value.expectedAverageValue, value.clv]
            let got = columns.map { $0[index] }
            if !zip(got, expected).allSatisfy({ close($0, $1, fitTolerance) }) {
                mismatches += 1
                if mismatches <= 5 { Issue.record("customer \(ordered[index].key): analysis \(got) vs direct \(expected)") }
            }
        }
        #expect(mismatches == 0, "\(mismatches) customers' predictions differ")
    }

    @Test("--unit day: durations × 7, alpha × 7, every other parameter and every prediction unchanged")
    func unitDay() throws {
        let (w, _, _) = try Demo.warehouse()
        let runner = try w.runner()
        let weeks = AnalysisResult(try runner.collect("clv", ["per_customer": "true"]))
        let days = AnalysisResult(try runner.collect("clv", ["per_customer": "true", "unit": "day"]))
        #expect(weeks.column("customer_key") == days.column("customer_key"))
        #expect(weeks.column("frequency") == days.column("frequency"))
        for column in ["recency", "T"] {
            #expect(zip(weeks.numbers(column), days.numbers(column)).allSatisfy { close($0.map { $0 * 7 }, $1, 1e-12) }, "\(column)")
        }
        // BG/NBD in days is the weekly model with λ per day = λ per week / 7: λ ~ Gamma(r, 7α).
        // Its likelihood differs by the constant Σx·ln 7 (the density of purchase times), so the
        // maximum is the same point; both fits stop within their tolerance of it (hence 1e-6).
        let weekParams = AnalysisResult(try runner.collect("clv", ["params": "true"]))
        let dayParams = AnalysisResult(try runner.collect("clv", ["params": "true", "unit": "day"]))
        func parameter(_ r: AnalysisResult, _ model: String, _ name: String) -> Double? {
            r.filter("model", model).filter("parameter", name).numbers("value").first ?? nil
        }
        let repeatPurchases = weeks.numbers("frequency").reduce(0) { $0 + ($1 ?? 0) }
        for (model, name, factor, shift) in [("bgnbd", "r", 1.0, 0.0), ("bgnbd", "alpha", 7, 0), ("bgnbd", "a", 1, 0),
                                             ("bgnbd", "b", 1, 0), ("bgnbd", "log_likelihood", 1, -repeatPurchases * log(7.0)),
                                             ("gamma_gamma", "p", 1, 0), ("gamma_gamma", "q", 1, 0), ("gamma_gamma", "gamma", 1, 0)] {
            let week = try #require(parameter(weekParams, model, name)), day = try #require(parameter(dayParams, model, name))
            #expect(close(day, week * factor + shift, 1e-6), "\(model) \(name): week \(week), day \(day)")
        }
        for column in ["p_alive", "expected_purchases", "expected_avg_value", "clv"] {
            let worst = zip(weeks.numbers(column), days.numbers(column))
                .map { abs(($0 ?? .nan) - ($1 ?? .nan)) / max(abs($0 ?? .nan), 1e-6) }.max() ?? .nan
            #expect(worst < 1e-5, "\(column): worst relative difference \(worst)")
        }
    }

    @Test("--as-of before the last day: T counts to --as-of; later purchases and returns are left out")
    func earlierAsOf() throws {
        let (w, directory, manifest) = try Demo.warehouse()
        let ids = try shopCustomerIDs(w)
        let full = try independentRFM(directory, manifest)
        let asOf = full.asOf - 180
        let early = try independentRFM(directory, manifest, asOf: asOf)
        // The cut really cuts: fewer buyers, buyers with fewer purchase days, returns left out.
        #expect(early.rows.count < full.rows.count)
        #expect(early.rows.contains { id, r in full.rows[id].map { $0.frequency > r.frequency } ?? false })
        #expect(early.lateReturns > 0)
        // T = --as-of − first purchase day, for everyone.
        for (id, r) in early.rows {
            let f = try #require(full.rows[id])
            #expect(abs((f.T - r.T) * 7 - 180) < 1e-9, "\(id)")
        }

        let runner = try w.runner()
        let perCustomer = AnalysisResult(try runner.collect("clv", ["per_customer": "true", "as_of": civilText(asOf)]))
        _ = expectRFMAgrees(perCustomer, early.rows, ids)
        // The default --as-of is the last purchase day.
        let latest = AnalysisResult(try runner.collect("clv", ["per_customer": "true", "as_of": civilText(full.asOf)]))
        let byDefault = AnalysisResult(try runner.collect("clv", ["per_customer": "true"]))
        #expect(latest.rows == byDefault.rows)
    }
}
