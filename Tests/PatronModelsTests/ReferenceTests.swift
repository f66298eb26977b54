import Foundation
import Testing
@testable import PatronModels

/// Values computed independently with numpy/scipy (gammaln, betaln, hyp2f1, dblquad,
/// optimize.minimize) by `python3 scripts/model-reference.py`, on the 400 simulated customers of
/// Fixtures/simulated_bgnbd.csv that the same script wrote. The numbers below are its output.
@Suite("Agreement with scipy (scripts/model-reference.py)")
struct ReferenceTests {
    static let given = BGNBDParameters(r: 0.5, alpha: 6, a: 0.9, b: 3)
    /// The scipy MLE on the fixture.
    static let scipyBGNBD = BGNBDParameters(r: 0.5741871363164468, alpha: 7.235623578595213,
                                            a: 0.55041153440929, b: 1.6651403871315722)
    static let scipyGammaGamma = GammaGammaParameters(p: 5.685377630569355, q: 2.5845323151383495, gamma: 11.509832506738237)

    @Test("log-likelihood at given parameters, in total and per customer")
    func logLikelihood() throws {
        let customers = try Fixtures.simulated()
        #expect(customers.count == 400)
        let total = customers.reduce(0) { $0 + Self.given.logLikelihood($1) }
        #expect(relativeDifference(total, -2130.633038350259) < 1e-12)
        let expected = [-0.9663352547956356, -8.084744253151522, -0.544682050072101, -33.43908311919369]
        for (customer, value) in zip(customers, expected) {
            #expect(relativeDifference(Self.given.logLikelihood(customer), value) < 1e-12)
        }
        // The vectorized, grouped sample likelihood agrees with the per-customer one.
        var gradient = [Double](repeating: 0, count: 4)
        let theta = [Self.given.r, Self.given.alpha, Self.given.a, Self.given.b].map { log($0) }
        let mean = BGNBDSample(customers).negativeMeanLogLikelihood(theta, &gradient)
        #expect(relativeDifference(-mean * 400, -2130.633038350259) < 1e-12)
    }

    @Test("BG/NBD maximum likelihood")
    func bgnbdFit() throws {
        let fit = try BGNBD.fit(try Fixtures.simulated())
        #expect(relativeDifference(fit.r, Self.scipyBGNBD.r) < 1e-5)
        #expect(relativeDifference(fit.alpha, Self.scipyBGNBD.alpha) < 1e-5)
        #expect(relativeDifference(fit.a, Self.scipyBGNBD.a) < 1e-5)
        #expect(relativeDifference(fit.b, Self.scipyBGNBD.b) < 1e-5)
        // The maximum is flat: a likelihood difference well below 1e-9 relative.
        #expect(fit.logLikelihood >= -2129.5520322826396 - 1e-7)
        #expect(relativeDifference(fit.logLikelihood, -2129.5520322826396) < 1e-11)
    }

    @Test("Gamma-Gamma maximum likelihood")
    func gammaGammaFit() throws {
        let fit = try GammaGamma.fit(try Fixtures.simulated())
        #expect(fit.customers == 224)
        #expect(relativeDifference(fit.p, Self.scipyGammaGamma.p) < 1e-5)
        #expect(relativeDifference(fit.q, Self.scipyGammaGamma.q) < 1e-5)
        #expect(relativeDifference(fit.gamma, Self.scipyGammaGamma.gamma) < 1e-5)
        #expect(relativeDifference(fit.logLikelihood, -1012.636283676641) < 1e-11)
    }

    /// (x, t_x, T, t, P(alive), E[X(t) | history]) at the scipy MLE, E from eq. 10 with hyp2f1.
    static let conditional: [(Double, Double, Double, Double, Double, Double)] = [
        (0, 0.0, 30.0, 10.0, 1.0, 0.14689351054568336),
        (1, 2.0, 40.0, 10.0, 0.18813088835866448, 0.060015659764108574),
        (3, 20.0, 25.0, 4.0, 0.7847456763111257, 0.33817649883047457),
        (7, 30.5, 31.0, 52.0, 0.9264961666260922, 7.4574155287020805),
        (2, 5.0, 50.0, 500.0, 0.0836180333164506, 0.9141127495743816), // z = 0.89: series at its limit
        (12, 11.0, 12.0, 26.0, 0.9216258441097327, 12.191875427923685),
    ]

    @Test("P(alive) and conditional expected purchases")
    func conditionalExpectation() throws {
        for (x, tx, T, t, alive, expected) in Self.conditional {
            let customer = RFM(frequency: x, recency: tx, T: T)
            #expect(relativeDifference(Self.scipyBGNBD.pAlive(customer), alive) < 1e-12)
            #expect(relativeDifference(try Self.scipyBGNBD.expectedPurchases(customer, t: t), expected) < 1e-10,
                    "x=\(x) t_x=\(tx) T=\(T) t=\(t)")
        }
    }

    @Test("closed form against brute-force integration over λ and p (scipy dblquad)")
    func bruteForce() throws {
        // Closed form and dblquad agreed to < 3e-11 in the script; both are the references here.
        let cdnowLike = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        let cases: [(Double, Double, Double, Double, Double)] = [
            (2, 30.43, 38.86, 39.0, 1.2260281747670774),
            (0, 0.0, 38.86, 39.0, 0.19509805201125238),
            (5, 10.0, 30.0, 52.0, 0.44700915569135724),
        ]
        for (x, tx, T, t, brute) in cases {
            let customer = RFM(frequency: x, recency: tx, T: T)
            #expect(relativeDifference(try cdnowLike.expectedPurchases(customer, t: t), brute) < 1e-9)
            // The integral fallback is an independent route to the same number.
            let byIntegral = cdnowLike.pAlive(customer) * cdnowLike.aliveExpectationByIntegral(customer, t: t)!
            #expect(relativeDifference(byIntegral, brute) < 1e-9)
        }
    }

    @Test("a = 1 is a removable singularity of the conditional expectation")
    func aEqualsOne() throws {
        // Eq. 10 is 0/0 at a = 1. scipy's brute-force double integral there: 0.7493549296125305;
        // eq. 10 with hyp2f1 at a = 1 ∓ 1e-6: 0.749355192555625 and 0.7493546646409793 (smooth in a,
        // the value at 1 lies between; those two carry ~1e-9 cancellation error of their own).
        let customer = RFM(frequency: 3, recency: 20, T: 25)
        let atOne = try BGNBDParameters(r: 0.5, alpha: 6, a: 1, b: 3).expectedPurchases(customer, t: 10)
        #expect(relativeDifference(atOne, 0.7493549296125305) < 1e-10)
        #expect(atOne < 0.749355192555625 && atOne > 0.7493546646409793)
    }

    @Test("CLV over 12 months, weekly unit, 1% monthly discount")
    func clv() throws {
        // (x, t_x, T, m) → (E[value], clv) from the script, at the two scipy MLEs.
        let cases: [(RFM, Double, Double)] = [
            (RFM(frequency: 0, recency: 0, T: 30), 41.2978287916432, 25.620858608606692),
            (RFM(frequency: 3, recency: 20, T: 25, monetary: 42.5), 42.39781056057642, 138.84658488632635),
            (RFM(frequency: 7, recency: 30.5, T: 31, monetary: 18), 18.892078822403207, 133.09322690334326),
        ]
        let results = try CLV.predict(cases.map(\.0), purchases: Self.scipyBGNBD, value: Self.scipyGammaGamma)
        for ((_, value, clv), result) in zip(cases, results) {
            #expect(relativeDifference(result.expectedAverageValue, value) < 1e-12)
            #expect(relativeDifference(result.clv, clv) < 1e-10)
        }
        #expect(results[0].valueIsPopulationMean)
        #expect(!results[1].valueIsPopulationMean)
    }
}
