import Foundation
import Testing
@testable import PatronModels

/// Fitting from the data alone recovers the parameters the data were drawn from, within sampling
/// error: every estimate within 4 standard errors (from the observed information) of the truth.
@Suite("Recovery of known parameters from simulated customers")
struct RecoveryTests {
    static let truth = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
    static let valueTruth = GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44)

    @Test("BG/NBD and Gamma-Gamma on 5000 customers", arguments: [UInt64(7), 2026])
    func recovery(seed: UInt64) throws {
        let customers = Simulation.customers(count: 5000, purchases: Self.truth, value: Self.valueTruth,
                                             ages: 26...78, seed: seed)
        let fit = try BGNBD.fit(customers)
        let estimate = [fit.r, fit.alpha, fit.a, fit.b].map { log($0) }
        let sample = BGNBDSample(customers)
        let errors = standardErrors(at: estimate, customers: customers.count, objective: sample.negativeMeanLogLikelihood)
        for (i, truth) in [Self.truth.r, Self.truth.alpha, Self.truth.a, Self.truth.b].enumerated() {
            let z = (estimate[i] - log(truth)) / errors[i]
            #expect(abs(z) < 4, "BG/NBD parameter \(i): estimate \(exp(estimate[i])), truth \(truth), z = \(z)")
        }
        #expect(fit.fit!.gradientNorm < 1e-6)

        let value = try GammaGamma.fit(customers)
        let repeatBuyers = customers.filter { $0.frequency > 0 }
        let scale = repeatBuyers.reduce(0) { $0 + $1.monetary! } / Double(repeatBuyers.count)
        let ggSample = GammaGammaSample(repeatBuyers.map { ($0.frequency, $0.monetary! / scale) })
        let ggEstimate = [log(value.p), log(value.q), log(value.gamma / scale)]
        let ggErrors = standardErrors(at: ggEstimate, customers: repeatBuyers.count, objective: ggSample.negativeMeanLogLikelihood)
        for (i, truth) in [Self.valueTruth.p, Self.valueTruth.q, Self.valueTruth.gamma / scale].enumerated() {
            let z = (ggEstimate[i] - log(truth)) / ggErrors[i]
            #expect(abs(z) < 4, "Gamma-Gamma parameter \(i): z = \(z)")
        }
    }

    @Test("simulated customers follow the RFM definitions and the grouped likelihood sees each once")
    func simulatedRows() {
        let customers = Simulation.customers(count: 2000, purchases: Self.truth, ages: 1...78, dayGrid: true, seed: 3)
        #expect(customers.allSatisfy { $0.problem == nil })
        let sample = BGNBDSample(customers)
        #expect(sample.weight.reduce(0, +) == 2000)
        #expect(sample.groups < 2000)
        #expect(Set(customers.map { "\($0.frequency)|\($0.recency)|\($0.T)" }).count == sample.groups)
    }
}
