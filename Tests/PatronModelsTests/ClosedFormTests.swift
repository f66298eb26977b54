import Foundation
import Testing
@testable import PatronModels

/// Cases whose answer follows from the formulas by hand.
@Suite("Closed-form cases")
struct ClosedFormTests {
    @Test("x = 0: the likelihood is (α / (α + T))^r")
    func likelihoodWithoutRepeats() {
        // x = 0: A₁ = Γ(r)α^r / Γ(r) = α^r, A₂ = 1, A₃ = (α + T)^−r, no A₄ term, so
        // L = (α / (α + T))^r; r = 0.5, α = 6, T = 30: ln L = 0.5 · ln(6 / 36) = −0.5 ln 6 = −0.8958797346140275.
        let parameters = BGNBDParameters(r: 0.5, alpha: 6, a: 0.9, b: 3)
        let value = parameters.logLikelihood(RFM(frequency: 0, recency: 0, T: 30))
        #expect(abs(value - (-0.8958797346140275)) < 1e-14)
        // T = 0 (first purchase on the calibration day): L = 1.
        #expect(parameters.logLikelihood(RFM(frequency: 0, recency: 0, T: 0)) == 0)
    }

    @Test("x = 1: the likelihood by hand")
    func likelihoodOneRepeat() {
        // r = 1, α = 1, a = 1, b = 1, x = 1, t_x = 1, T = 3:
        // A₁ = Γ(2)/Γ(1) · 1 = 1; A₂ = B(1, 2)/B(1, 1) = (1/2)/1 = 1/2;
        // A₃ = (1 + 3)^−2 = 1/16; A₄ = a/(b + x − 1) · (1 + 1)^−2 = 1 · 1/4.
        // L = 1 · (1/2 · 1/16 + 1/2 · 1/4) = 1/32 + 1/8 = 5/32.
        let parameters = BGNBDParameters(r: 1, alpha: 1, a: 1, b: 1)
        #expect(abs(parameters.logLikelihood(RFM(frequency: 1, recency: 1, T: 3)) - log(5.0 / 32)) < 1e-14)
        // P(alive) = 1 / (1 + a/(b + x − 1) · ((α + T)/(α + t_x))^{r+x}) = 1 / (1 + 1 · (4/2)²) = 1/5.
        #expect(abs(parameters.pAlive(RFM(frequency: 1, recency: 1, T: 3)) - 0.2) < 1e-15)
    }

    @Test("P(alive) = 1 without repeat purchases, and when the last purchase is at T")
    func pAlive() {
        let parameters = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        #expect(parameters.pAlive(RFM(frequency: 0, recency: 0, T: 38)) == 1)
        // t_x = T: P(alive) = 1 / (1 + a / (b + x − 1)) = 1 / (1 + 0.793 / 3.426) = 3.426 / 4.219.
        #expect(abs(parameters.pAlive(RFM(frequency: 2, recency: 38, T: 38)) - 3.426 / 4.219) < 1e-14)
    }

    @Test("expected purchases of a new customer with a = 2, b = 1, r = 1: 2(1 − (α/t)·ln(1 + t/α))")
    func expectationByHand() throws {
        // With T = 0 and x = 0, eq. 10 is the unconditional E[X(t)] = (a + b − 1)/(a − 1) ·
        // [1 − (α/(α + t))^r ₂F₁(r, b; a + b − 1; t/(α + t))]. For a = 2, b = 1, r = 1,
        // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z, and with z = t/(α + t) this is 2 · (1 − (α/t) ln((α + t)/α)).
        // α = 1, t = 1: 2 · (1 − ln 2) = 0.6137056388801094.
        let parameters = BGNBDParameters(r: 1, alpha: 1, a: 2, b: 1)
        let newCustomer = RFM(frequency: 0, recency: 0, T: 0)
        #expect(abs(try parameters.expectedPurchases(newCustomer, t: 1) - 0.6137056388801094) < 1e-14)
        // α = 1, t = 3: 2 · (1 − (1/3) ln 4) = 2 − (2/3) ln 4.
        #expect(abs(try parameters.expectedPurchases(newCustomer, t: 3) - (2 - 2.0 / 3 * log(4.0))) < 1e-14)
        // t = 199 (z = 0.995) goes through the integral: 2 · (1 − ln(200)/199).
        #expect(abs(try parameters.expectedPurchases(newCustomer, t: 199) - 2 * (1 - log(200.0) / 199)) < 1e-11)
    }

    @Test("over a short horizon, expected purchases ≈ P(alive) · (r + x) · t / (α + T)")
    func shortHorizon() throws {
        // The posterior mean rate of an alive customer is (r + x)/(α + T); dropout needs a purchase first.
        let parameters = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        let customer = RFM(frequency: 4, recency: 20, T: 30)
        let t = 1e-6
        let rate = parameters.pAlive(customer) * (0.243 + 4) / (4.414 + 30)
        #expect(relativeDifference(try parameters.expectedPurchases(customer, t: t), rate * t) < 1e-5)
        #expect(try parameters.expectedPurchases(customer, t: 0) == 0)
    }

    @Test("Gamma-Gamma expected value: (γ + m·x)·p / (p·x + q − 1), population mean p·γ / (q − 1)")
    func gammaGammaExpectation() throws {
        let parameters = GammaGammaParameters(p: 6, q: 4, gamma: 15)
        // x = 3, m = 40: (15 + 120) · 6 / (18 + 4 − 1) = 810 / 21.
        #expect(abs(try parameters.expectedAverageValue(frequency: 3, monetary: 40) - 810.0 / 21) < 1e-12)
        // Population mean: 6 · 15 / 3 = 30; used for x = 0 and for non-positive monetary values.
        #expect(try parameters.populationMeanValue() == 30)
        #expect(try parameters.expectedAverageValue(frequency: 0, monetary: nil) == 30)
        #expect(try parameters.expectedAverageValue(frequency: 2, monetary: -5) == 30)
        // The density integrates to 1 over m (x = 2): a check of the log-likelihood's constants.
        let mass = TanhSinh.integrate { point in
            // m = p / (1 − p) maps (0, 1) onto (0, ∞), dm = dp / (1 − p)².
            let m = exp(point.lnP - point.ln1mP)
            return (1, parameters.logLikelihood(frequency: 2, monetary: m) - 2 * point.ln1mP)
        }
        #expect(abs(mass! - 1) < 1e-10)
    }

    @Test("without discount CLV is expected purchases × expected value × margin")
    func undiscountedCLV() throws {
        let purchases = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        let value = GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44)
        let customer = RFM(frequency: 3, recency: 20, T: 30, monetary: 35)
        let settings = CLVSettings(horizonMonths: 24, monthlyDiscount: 0, margin: 0.3, timeUnit: .week)
        let result = try CLV.predict(customer, purchases: purchases, value: value, settings: settings)
        // 24 months of 30.4375 / 7 weeks each.
        let purchasesOver24Months = try purchases.expectedPurchases(customer, t: 24 * 30.4375 / 7)
        #expect(relativeDifference(result.expectedPurchases, purchasesOver24Months) < 1e-14)
        let expectedValue = (15.44 + 35 * 3) * 6.25 / (6.25 * 3 + 3.74 - 1)
        #expect(relativeDifference(result.clv, purchasesOver24Months * expectedValue * 0.3) < 1e-12)
        // Discounting lowers it; the same customer in days has the same forecast.
        let discounted = try CLV.predict(customer, purchases: purchases, value: value,
                                         settings: CLVSettings(horizonMonths: 24, monthlyDiscount: 0.01, margin: 0.3))
        #expect(discounted.clv < result.clv)
        let inDays = try CLV.predict(RFM(frequency: 3, recency: 140, T: 210, monetary: 35),
                                     purchases: BGNBDParameters(r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426),
                                     value: value, settings: CLVSettings(horizonMonths: 24, monthlyDiscount: 0, margin: 0.3, timeUnit: .day))
        #expect(relativeDifference(inDays.clv, result.clv) < 1e-12)
    }
}
