import Foundation
import Testing
@testable import PatronModels

@Suite("Numerical building blocks")
struct NumericsTests {
    @Test("digamma at known points")
    func digamma() {
        // ψ(1) = −γ_E; ψ(1/2) = −γ_E − 2 ln 2; ψ(10) = H₉ − γ_E (harmonic number H₉ = 7129/2520).
        let euler = 0.5772156649015329
        #expect(abs(Special.digamma(1) + euler) < 1e-15)
        #expect(abs(Special.digamma(0.5) - (-euler - 2 * log(2.0))) < 1e-14)
        #expect(abs(Special.digamma(10) - (7129.0 / 2520 - euler)) < 1e-14)
        // ψ(x + 1) = ψ(x) + 1/x far from the shift threshold too.
        #expect(abs(Special.digamma(0.013) + 1 / 0.013 - Special.digamma(1.013)) < 1e-12)
    }

    @Test("tanh-sinh integrates endpoint singularities: ∫₀¹ p^−½ (1 − p)^−½ dp = π")
    func quadrature() {
        let value = TanhSinh.integrate { point in (1, -0.5 * point.lnP - 0.5 * point.ln1mP) }
        #expect(abs(value! - Double.pi) < 1e-12)
        // A sharper singularity: ∫₀¹ p^(0.02 − 1) dp = 1 / 0.02 = 50.
        let sharp = TanhSinh.integrate { point in (1, (0.02 - 1) * point.lnP) }
        #expect(abs(sharp! - 50) < 1e-9)
    }

    @Test("hypergeometric series and posterior integral agree across parameters")
    func seriesAgainstIntegral() throws {
        var compared = 0
        for (r, alpha, a, b) in [(0.243, 4.414, 0.793, 2.426), (2.0, 30.0, 3.5, 8.0), (0.05, 0.5, 1.0, 0.4), (1.2, 9.0, 0.2, 12.0)] {
            let parameters = BGNBDParameters(r: r, alpha: alpha, a: a, b: b)
            for (x, tx, T) in [(0.0, 0.0, 10.0), (1.0, 3.0, 40.0), (6.0, 25.0, 26.0), (40.0, 70.0, 78.0)] {
                for t in [0.5, 4.0, 26.0, 52.0] {
                    let customer = RFM(frequency: x, recency: tx, T: T)
                    guard let series = parameters.aliveExpectationBySeries(customer, t: t) else { continue }
                    let integral = try #require(parameters.aliveExpectationByIntegral(customer, t: t))
                    #expect(relativeDifference(series, integral) < 1e-9, "r=\(r) α=\(alpha) a=\(a) b=\(b) x=\(x) t=\(t)")
                    compared += 1
                }
            }
        }
        #expect(compared > 40)
    }

    @Test("expected purchases grow with the horizon and stay finite as z → 1")
    func monotone() throws {
        let parameters = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        let customer = RFM(frequency: 2, recency: 10, T: 12)
        var previous = 0.0
        for t in [1.0, 10, 100, 1_000, 10_000, 100_000] {
            let value = try parameters.expectedPurchases(customer, t: t)
            #expect(value.isFinite && value > previous)
            previous = value
        }
    }

    @Test("the analytic gradients match central differences")
    func gradients() throws {
        let customers = try Fixtures.simulated()
        let bg = BGNBDSample(customers)
        let gg = GammaGammaSample(customers.filter { $0.frequency > 0 }.map { ($0.frequency, $0.monetary! / 40) })
        let checks: [([Double], ([Double], inout [Double]) -> Double)] = [
            ([log(0.4), log(5.0), log(0.7), log(2.0)], bg.negativeMeanLogLikelihood),
            ([log(3.0), log(2.0), log(0.5)], gg.negativeMeanLogLikelihood),
        ]
        for (theta, objective) in checks {
            var gradient = [Double](repeating: 0, count: theta.count)
            var scratch = gradient
            _ = objective(theta, &gradient)
            for i in theta.indices {
                var plus = theta, minus = theta
                plus[i] += 1e-6
                minus[i] -= 1e-6
                let numeric = (objective(plus, &scratch) - objective(minus, &scratch)) / 2e-6
                #expect(abs(numeric - gradient[i]) < 1e-7 * max(1, abs(gradient[i])), "component \(i)")
            }
        }
    }
}

@Suite("Optimizer")
struct OptimizerTests {
    /// Rosenbrock's valley, f = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1).
    static func rosenbrock(_ p: [Double], _ g: inout [Double]) -> Double {
        let (x, y) = (p[0], p[1])
        g[0] = -2 * (1 - x) - 400 * x * (y - x * x)
        g[1] = 200 * (y - x * x)
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
    }

    @Test("BFGS finds the bottom of Rosenbrock's valley")
    func bfgs() {
        let minimum = Optimizer.minimize(Self.rosenbrock, start: [-1.2, 1])
        #expect(minimum.converged)
        #expect(abs(minimum.point[0] - 1) < 1e-6 && abs(minimum.point[1] - 1) < 1e-6)
        #expect(minimum.iterations < 100)
    }

    @Test("Nelder–Mead finds it without derivatives")
    func nelderMead() {
        var g = [0.0, 0.0]
        let found = Optimizer.nelderMead({ Self.rosenbrock($0, &g) }, start: [-1.2, 1], step: 0.5, maxEvaluations: 5000)
        #expect(abs(found.point[0] - 1) < 1e-4 && abs(found.point[1] - 1) < 1e-4)
    }

    @Test("a function without a minimum is reported as diverging")
    func divergence() throws {
        // f = e^−sx decreases forever, towards x → +∞ (s = 1) or x → −∞ (s = −1). BFGS walks
        // down the tail (at most maxStep = 2 per iteration) and stops out on it: by itself it
        // calls that converged, because |f′| = e^−|x| falls below its absolute gradient
        // tolerance 1e-9 at |x| ≈ 20.7, before the ±30 bound (30 iterations, x = ±21.02). What
        // reports the divergence is the models' check of the optimum: a log-parameter beyond
        // ±16 is a maximum at 0 or infinity, ModelError.didNotConverge naming the parameter and
        // the direction — not any other error, and not a fit.
        for (s, direction) in [(1.0, "grows without bound"), (-1.0, "shrinks to 0")] {
            let minimum = Optimizer.minimize({ p, g in g[0] = -s * exp(-s * p[0]); return exp(-s * p[0]) }, start: [0])
            // Out on the tail, past the models' boundary and not beyond the optimizer's bound + one step.
            #expect(s * minimum.point[0] > BGNBD.boundaryLogParameter && s * minimum.point[0] <= 32, "\(minimum)")
            #expect(minimum.value > 0 && minimum.value < 1e-6, "\(minimum)")
            #expect(minimum.iterations < 100, "\(minimum)")
            let values = [ParameterValue("x", exp(minimum.point[0]))]
            let expected = ModelError.didNotConverge(
                model: "e^-sx", reason: "the likelihood keeps increasing as x \(direction); the data do not identify the model",
                iterations: minimum.iterations, last: values, logLikelihood: -minimum.value)
            #expect(throws: expected) {
                try checkOptimum(minimum, model: "e^-sx", values: values, logLikelihood: -minimum.value)
            }
            #expect(expected.description.hasPrefix("e^-sx: the fit did not converge after \(minimum.iterations) iterations: the likelihood keeps increasing as x \(direction)"))
        }
    }
}

@Suite("Extreme parameters")
struct ExtremeParameterTests {
    @Test("expected purchases are finite, non-negative and non-decreasing in t across an extreme grid")
    func grid() throws {
        var evaluated = 0
        for r in [1e-3, 0.3, 50.0] {
            for alpha in [1e-2, 5.0, 1e4] {
                for (a, b) in [(1e-3, 1e-3), (0.05, 30.0), (1.0, 1.0), (40.0, 0.2), (3.0, 500.0)] {
                    let parameters = BGNBDParameters(r: r, alpha: alpha, a: a, b: b)
                    for (x, tx, T) in [(0.0, 0.0, 0.0), (0.0, 0.0, 52.0), (1.0, 0.5, 100.0), (200.0, 51.0, 52.0)] {
                        let customer = RFM(frequency: x, recency: tx, T: T)
                        let alive = parameters.pAlive(customer)
                        #expect(alive >= 0 && alive <= 1)
                        var previous = 0.0
                        for t in [0.01, 1.0, 52.0, 520.0, 1e4] {
                            let value = try parameters.expectedPurchases(customer, t: t)
                            #expect(value.isFinite && value >= previous * (1 - 1e-9),
                                    "r=\(r) α=\(alpha) a=\(a) b=\(b) x=\(x) T=\(T) t=\(t): \(value) after \(previous)")
                            previous = value
                            evaluated += 1
                        }
                    }
                }
            }
        }
        #expect(evaluated == 900)
    }

    @Test("where the series is used on that grid, the posterior integral agrees with it")
    func seriesAgainstIntegral() throws {
        var compared = 0
        for r in [1e-3, 0.3, 50.0] {
            for alpha in [1e-2, 5.0, 1e4] {
                for (a, b) in [(1e-3, 1e-3), (0.05, 30.0), (1.0, 1.0), (40.0, 0.2), (3.0, 500.0)] {
                    let parameters = BGNBDParameters(r: r, alpha: alpha, a: a, b: b)
                    for (x, tx, T) in [(0.0, 0.0, 0.0), (0.0, 0.0, 52.0), (1.0, 0.5, 100.0), (200.0, 51.0, 52.0)] {
                        for t in [0.01, 1.0, 52.0, 520.0, 1e4] {
                            let customer = RFM(frequency: x, recency: tx, T: T)
                            guard let series = parameters.aliveExpectationBySeries(customer, t: t) else { continue }
                            let integral = try #require(parameters.aliveExpectationByIntegral(customer, t: t))
                            #expect(relativeDifference(series, integral) < 1e-9,
                                    "r=\(r) α=\(alpha) a=\(a) b=\(b) x=\(x) T=\(T) t=\(t)")
                            compared += 1
                        }
                    }
                }
            }
        }
        #expect(compared > 400)
    }
}
