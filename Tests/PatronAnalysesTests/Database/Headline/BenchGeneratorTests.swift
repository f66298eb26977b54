import Foundation
@testable import PatronAnalyses
import PatronTestSupport
import Testing

// The benchmark's shop (scripts/bench-analyses-data.sql) draws its purchases from BG/NBD +
// Gamma-Gamma with known parameters, so that `clv --method predictive` and at_risk can be
// timed on it and their fit checked. This runs the generator itself at 5,000 customers and
// fails if the fit no longer finds those parameters — above all if the customers stop
// dropping out (BG/NBD is then not identified: the fit stops with "b grows without bound").
//
// The tolerances are statistical. Customers are independent draws, so the spread of the fit
// at 5,000 customers was measured on 20 disjoint blocks of 5,000 customers of the generated
// 100k shop (its rfm_summary, fitted with scipy; the block of customers 1–5000 is the one
// this test sees). Relative standard deviation of the block fits and the mean of the blocks'
// relative errors (the bias, mostly Patron's one-transaction-per-day grain):
//
//                 sd      bias                    sd      bias
//   r / α        1.0 %   −2.0 %      p γ/(q − 1)  0.9 %   +1.2 %
//   a / (a + b)  3.8 %   +0.4 %      q            3.0 %   +0.3 %
//   r            3.5 %   +2.4 %      p            8.1 %   +0.6 %
//   α            4.0 %   +4.5 %      γ           11.5 %   +1.9 %
//   a           13.5 %   −0.7 %
//   b           16.3 %   −0.8 %
//
// Each bound below is the bias plus at least 5 standard deviations (a false alarm well under
// one in a million per quantity). The purchase rate r/α, the dropout probability a/(a + b) and
// the mean order value are what the data pin down; a and b, p and γ move together along
// ridges of the likelihood, so they get wide bounds, but a shop without dropout has
// a/(a + b) → 0 (or no fit at all) and fails the tight one.
// At 1M customers (measured 2026-12-07) the same fit is within 6 % of every generator parameter:
// r +3.2 %, α +5.2 %, a +0.9 %, b +0.1 %, p −2.0 %, q +0.5 %, γ +3.7 %.
@Suite("bench generator: BG/NBD + Gamma-Gamma with dropout")
struct BenchGeneratorTests {
    static let customers = 5000
    /// The generator's parameters (the header of scripts/bench-analyses-data.sql).
    static let truth: [String: Double] = ["r": 3, "alpha": 18, "a": 1.5, "b": 20, "p": 4, "q": 6, "gamma": 75]

    /// A migrated scratch schema filled by the benchmark's generator, through psql as
    /// scripts/bench-analyses runs it.
    static func generatedShop() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", w.url, "-X", "-q", "-v", "ON_ERROR_STOP=1",
                             "-c", "SET search_path = \(w.schema)", "-v", "customers=\(customers)",
                             "-f", repositoryRoot.appendingPathComponent("scripts/bench-analyses-data.sql").path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the generator failed: \(message)")
        return w
    }

    @Test("the predictive fit is identified and recovers the generator's parameters")
    func fitRecoversParameters() throws {
        let w = try Self.generatedShop()
        #expect(try w.count("customers") == Self.customers)
        let runner = try w.runner()
        let params = AnalysisResult(try runner.collect("clv", ["params": "true"]))
        var fitted: [String: Double] = [:]
        // r, alpha, a, b (bgnbd) and p, q, gamma (gamma_gamma) are unique names; the rest by model.
        for ((model, name), value) in zip(zip(params.values("model"), params.values("parameter")), params.numbers("value")) {
            if let model, let name, let value { fitted[["r", "alpha", "a", "b", "p", "q", "gamma"].contains(name) ? name : "\(model).\(name)"] = value }
        }
        func value(_ name: String) throws -> Double { try #require(fitted[name], "no \(name) in \(params.rows)") }
        func relative(_ got: Double, _ want: Double) -> Double { abs(got / want - 1) }
        let t = Self.truth

        let rate = try value("r") / value("alpha"), dropout = try value("a") / (value("a") + value("b"))
        let meanValue = try value("p") * value("gamma") / (value("q") - 1)
        #expect(relative(rate, t["r"]! / t["alpha"]!) < 0.07, "r/α = \(rate)")
        #expect(relative(dropout, t["a"]! / (t["a"]! + t["b"]!)) < 0.20, "a/(a + b) = \(dropout)")
        #expect(relative(meanValue, t["p"]! * t["gamma"]! / (t["q"]! - 1)) < 0.06, "pγ/(q − 1) = \(meanValue)")
        for (name, bound) in [("r", 0.20), ("alpha", 0.25), ("q", 0.16), ("p", 0.45), ("gamma", 0.60), ("a", 0.70), ("b", 0.85)] {
            let got = try value(name)
            #expect(relative(got, t[name]!) < bound, "\(name) = \(got), generator \(t[name]!)")
        }
        let fittedOn = try value("bgnbd.customers")
        #expect(fittedOn == Double(Self.customers))
    }

    @Test("at_risk runs on the same fit")
    func atRiskRuns() throws {
        let w = try Self.generatedShop()
        let result = AnalysisResult(try w.runner().collect("at_risk"))
        #expect(!result.rows.isEmpty)
        let alive = result.numbers("p_alive").compactMap { $0 }
        #expect(!alive.isEmpty && alive.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
