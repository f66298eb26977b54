import Foundation
import Testing
@testable import PatronModels

/// Customers who never drop out: the BG/NBD likelihood rises along a, b → ∞ with a/(a + b) fixed
/// until it levels off within working precision. The fit must get there in a bounded number of
/// steps (it took 400 BFGS iterations and ~5600 evaluations, then a Nelder–Mead restart, while
/// ln B(a, b + x) − ln B(a, b) was a difference of two lgamma values of ~10⁷: noise of ~1e-8 in
/// the objective, above the decrease the line search was looking for).
@Suite("The ridge a, b → ∞")
struct RidgeTests {
    @Test("customers who never drop out fit on the ridge within a bounded number of iterations")
    func churnless() throws {
        // 100 000 customers as scripts/bench-analyses-data.sql makes them. README ("Predictive
        // models"): BG/NBD ends on the ridge, a ≈ 220, b ≈ 1.4·10⁶, in 62 iterations and 71
        // evaluations (measured: a = 220.50, b = 1 364 320, gradient 2.1e-9, "no further decrease
        // within working precision"). That is the one right outcome here: b stays inside the
        // models' boundary (ln b ≈ 14.1 < 16), so a fit, not the boundary error that smaller
        // samples of the same kind give (1 000 and 10 000 customers: "a shrinks to 0", after
        // < 50 iterations).
        let customers = Simulation.churnlessCustomers(count: 100_000, seed: 2026)
        let fit = try BGNBD.fit(customers)
        let diagnostics = try #require(fit.fit)
        // Bounded work: 62 / 71 measured; before the Stirling difference the same fit took 400
        // iterations, 5653 evaluations and a Nelder–Mead restart. The bounds leave room for
        // rounding differences between machines, not for a return of that stall.
        #expect(diagnostics.iterations <= 100, "\(diagnostics)")
        #expect(diagnostics.evaluations <= 150, "\(diagnostics)")
        #expect(!diagnostics.stopReason.contains("Nelder–Mead"), "\(diagnostics)")
        #expect(diagnostics.gradientNorm < 1e-6, "\(diagnostics)")
        // On the ridge: where along it the fit stops is set by working precision, not by the
        // data (the likelihood is flat there to ~1e-15), so a and b get a factor of about 2
        // around the measured values: 1M such customers stop at a ≈ 347, b ≈ 2.5·10⁶, and
        // before the Stirling difference 100k stopped at a ≈ 270, b ≈ 2·10⁶. That rejects an
        // interior fit (a of order 1) and the boundary (a → 0 or b beyond e¹⁶ ≈ 8.9·10⁶).
        #expect(fit.a > 100 && fit.a < 500, "a=\(fit.a) b=\(fit.b)")
        #expect(fit.b > 6e5 && fit.b < 3e6, "a=\(fit.a) b=\(fit.b)")
        // What the data do identify on the ridge is the dropout probability a/(a + b): 1.62·10⁻⁴
        // here, 1.41·10⁻⁴ at 1M.
        let dropout = fit.a / (fit.a + fit.b)
        #expect(dropout > 1.2e-4 && dropout < 2.2e-4, "a/(a + b) = \(dropout)")
        // The purchase process is identified too: r = 0.867, α = 4.52 (1M: 0.874, 4.58).
        #expect(abs(fit.r - 0.867) < 0.03 && abs(fit.alpha - 4.52) < 0.2, "r=\(fit.r) alpha=\(fit.alpha)")
    }

    @Test("ln Γ(z + x) − ln Γ(z) is exact where the two lgamma values cancel")
    func lnGammaRatio() {
        // Σ_{j<x} ln(z + j) = ln Γ(z + x) − ln Γ(z) for whole x, each log exact to 1 ulp.
        for z in [100.0, 2_000.0, 1.3e6, 9e6] {
            for x in [1.0, 2, 7, 40] {
                let sum = (0..<Int(x)).reduce(0.0) { $0 + log(z + Double($1)) }
                #expect(abs(Special.lnGammaRatio(z, x) - sum) <= 1e-13 * sum, "z=\(z) x=\(x)")
            }
        }
        // Below z = 100, lgamma itself; the two branches agree across it.
        #expect(Special.lnGammaRatio(3.5, 2) == lgamma(5.5) - lgamma(3.5))
        #expect(abs(Special.lnGammaRatio(99.999999, 3) - Special.lnGammaRatio(100, 3)) < 1e-6)
        #expect(Special.lnGammaRatio(1e6, 0) == 0)
    }

    /// The fit of 1 000 000 such customers (scripts/bench-models 1000000 1 churnless).
    static let ridge = BGNBDParameters(r: 0.8743517763082351, alpha: 4.581444126511662, a: 347.4876483311366, b: 2472671.3238445204)

    @Test("on the ridge, the forecast integrates the narrow posterior of p around its mode")
    func forecastOnRidge() throws {
        // A one-day-old customer over 8 months: z = 34.79 / (4.58 + 0.14 + 34.79) = 0.88. The
        // series overflows ((1 − z)^(a−1) underflows) and tanh-sinh's nodes all miss Beta(347,
        // 2.5·10⁶) (its sum was 0): this threw "did not converge" and failed the 1M forecast.
        let newcomer = RFM(frequency: 0, recency: 0, T: 1.0 / 7)
        let t = 34.785714285714285
        #expect(Self.ridge.aliveExpectationBySeries(newcomer, t: t) == nil)
        let value = try Self.ridge.expectedPurchases(newcomer, t: t)
        // Beta(a, b) is nearly a point mass at p₀ = a/(a + b): the value is close to that of a
        // fixed p₀, (1 − (1 + p₀k)^−r) / p₀ with k = t/(α + T), within Var(p)/p₀² ≈ 1/a = 0.3 %.
        let p0 = Self.ridge.a / (Self.ridge.a + Self.ridge.b)
        let k = t / (Self.ridge.alpha + newcomer.T)
        let fixedDropout = -expm1(-Self.ridge.r * log1p(p0 * k)) / p0
        #expect(relativeDifference(value, fixedDropout) < 3e-3, "\(value) vs \(fixedDropout)")
    }

    @Test("the integral around the mode agrees with the series and with tanh-sinh where those work")
    func aroundModeAgrees() throws {
        var compared = 0
        for parameters in [Self.ridge, BGNBDParameters(r: 0.5, alpha: 8, a: 150, b: 4000),
                           BGNBDParameters(r: 2, alpha: 30, a: 40, b: 500), BGNBDParameters(r: 0.3, alpha: 5, a: 5, b: 60)] {
            for (x, tx, T) in [(0.0, 0.0, 10.0), (1.0, 3.0, 40.0), (6.0, 25.0, 26.0), (18.0, 150.0, 156.0)] {
                for t in [0.5, 4.0, 26.0, 52.0] {
                    let customer = RFM(frequency: x, recency: tx, T: T)
                    let aroundMode = try #require(parameters.aliveExpectationAroundMode(customer, t: t))
                    if let series = parameters.aliveExpectationBySeries(customer, t: t) {
                        #expect(relativeDifference(aroundMode, series) < 1e-9, "\(parameters) x=\(x) T=\(T) t=\(t)")
                        compared += 1
                    }
                    if parameters.b + x < 1000, let tanhSinh = parameters.aliveExpectationByTanhSinh(customer, t: t) {
                        #expect(relativeDifference(aroundMode, tanhSinh) < 1e-9, "\(parameters) x=\(x) T=\(T) t=\(t)")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared > 50)
    }
}

