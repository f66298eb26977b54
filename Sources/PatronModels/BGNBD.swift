// BG/NBD: the beta-geometric / negative binomial distribution model of repeat buying.
//
// Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting Your Customers" the Easy Way:
// An Alternative to the Pareto/NBD Model. Marketing Science 24(2), 275–284.
//
// While alive, a customer buys at Poisson rate λ; after each purchase they become inactive with
// probability p. Across customers λ ~ Gamma(r, α) (shape r, rate α) and p ~ Beta(a, b).
// For a customer with x repeat purchases, the last at t_x, observed for T (eq. 6 of the paper):
//
//   L(r, α, a, b | x, t_x, T) = A₁ · (A₂·A₃ + δ_{x>0} · A₂·A₄)
//     ln A₁ = ln Γ(r + x) − ln Γ(r) + r ln α
//     ln A₂ = ln B(a, b + x) − ln B(a, b)
//     ln A₃ = −(r + x) ln(α + T)
//     ln A₄ = ln a − ln(b + x − 1) − (r + x) ln(α + t_x)
//
// evaluated in log space as ln A₁ + ln A₂ + ln A₃ + softplus(ln A₄ − ln A₃).
//
// Probability of being alive at T (eq. 11 of the note "Computing P(alive) using the BG/NBD model"):
//   P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} · a / (b + x − 1) · ((α + T) / (α + t_x))^{r+x})
//
// Expected purchases in (T, T + t] given the history (eq. 10 of the paper):
//   E[Y(t) | x, t_x, T] = P(alive) · (a + b + x − 1) / (a − 1)
//                         · [1 − ((α + T)/(α + T + t))^{r+x} ₂F₁(r + x, b + x; a + b + x − 1; z)],
//   z = t / (α + T + t).
// With Euler's transformation ₂F₁(A, B; C; z) = (1 − z)^{C−A−B} ₂F₁(C − A, C − B; C; z), and
// (α + T)/(α + T + t) = 1 − z, the bracket becomes 1 − (1 − z)^{a−1} ₂F₁(a + b − 1 − r, a − 1;
// a + b + x − 1; z). Its second parameter a − 1 is a factor of every term past the first, so the
// division by a − 1 is done analytically and the result is continuous at a = 1, where the
// original form is 0/0. The transformed series converges fast for large x; for z > 0.9 (or a
// third parameter near 0) it is replaced by the equivalent integral over the posterior:
//   E[Y(t) | ·] = P(alive) · ∫₀¹ (1 − (1 + p·t/(α + T))^{−(r+x)}) / p · Beta(p; a, b + x) dp,
// which follows from E[Y(t) | λ, p, alive] = (1 − e^{−λpt}) / p with λ | alive ~ Gamma(r + x,
// α + T) integrated out analytically.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Fitted (or given) BG/NBD parameters: λ ~ Gamma(r, α), p ~ Beta(a, b).
public struct BGNBDParameters: Equatable, Sendable {
    public var r: Double
    public var alpha: Double
    public var a: Double
    public var b: Double
    /// Total log-likelihood of the customers fitted on (0 when the parameters were given).
    public var logLikelihood: Double
    /// Customers the parameters were fitted on.
    public var customers: Int
    /// How the optimizer ended; nil for parameters given by hand.
    public var fit: FitDiagnostics?

    public init(r: Double, alpha: Double, a: Double, b: Double, logLikelihood: Double = 0, customers: Int = 0,
                fit: FitDiagnostics? = nil) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
        self.logLikelihood = logLikelihood
        self.customers = customers
        self.fit = fit
    }

    public var values: [ParameterValue] {
        [ParameterValue("r", r), ParameterValue("alpha", alpha), ParameterValue("a", a), ParameterValue("b", b)]
    }

    /// ln L(r, α, a, b | x, t_x, T) for one customer.
    public func logLikelihood(_ customer: RFM) -> Double {
        let x = customer.frequency
        let lnA1 = Special.lnGamma(r + x) - Special.lnGamma(r) + r * log(alpha)
        let lnA2 = Special.lnGammaRatio(b, x) - Special.lnGammaRatio(a + b, x)  // ln B(a, b + x) − ln B(a, b)
        let lnA3 = -(r + x) * log(alpha + customer.T)
        guard x > 0 else { return lnA1 + lnA2 + lnA3 }
        let lnA4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + customer.recency)
        return lnA1 + lnA2 + lnA3 + Special.softplus(lnA4 - lnA3)
    }

    /// P(alive at T | x, t_x, T); 1 for customers without repeat purchases.
    public func pAlive(_ customer: RFM) -> Double {
        let x = customer.frequency
        guard x > 0 else { return 1 }
        let lnOdds = log(a) - log(b + x - 1) + (r + x) * (log(alpha + customer.T) - log(alpha + customer.recency))
        return exp(Special.logSigmoid(-lnOdds))
    }

    /// E[number of purchases in (T, T + t] | x, t_x, T].
    public func expectedPurchases(_ customer: RFM, t: Double) throws -> Double {
        if let problem = customer.problem { throw ModelError.invalidInput(model: BGNBD.name, index: 0, reason: problem) }
        guard t.isFinite, t >= 0 else {
            throw ModelError.invalidInput(model: BGNBD.name, index: 0, reason: "the horizon t must be finite and ≥ 0 (got \(t))")
        }
        if t == 0 { return 0 }
        return pAlive(customer) * (try aliveExpectation(customer, t: t))
    }

    /// E[Y(t) | ·] / P(alive): the expected purchases in (T, T + t] of a customer still alive.
    /// It depends on x and T only, not on t_x, so customers with the same x and T share it.
    func aliveExpectation(_ customer: RFM, t: Double) throws -> Double {
        if let value = aliveExpectationBySeries(customer, t: t) ?? aliveExpectationByIntegral(customer, t: t), value.isFinite, value > 0 {
            return value
        }
        throw ModelError.undefined(model: BGNBD.name,
                                   reason: "the expected purchases over t=\(t) did not converge for x=\(customer.frequency), t_x=\(customer.recency), T=\(customer.T)")
    }

    /// E[Y(t) | ·] / P(alive) by the Euler-transformed hypergeometric series; nil where the series
    /// would converge too slowly or lose precision.
    func aliveExpectationBySeries(_ customer: RFM, t: Double, maxTerms: Int = 5000) -> Double? {
        let x = customer.frequency
        let k = t / (alpha + customer.T)
        let z = k / (1 + k)
        let lnOneMinusZ = -log1p(k)
        let A = a + b - 1 - r
        let B = a - 1
        let C = a + b + x - 1
        guard z <= 0.9, C >= 0.25 else { return nil }
        // S = Σ_{n≥1} term_n / B, each term of ₂F₁(A, B; C; z) divided by B analytically.
        var term = A * z / C
        var sum = term
        let phi = Special.oneMinusExpOver(B, lnOneMinusZ)
        let power = exp(B * lnOneMinusZ)
        var largest = abs(term)
        var n = 1.0
        var settled = 0
        for _ in 0..<maxTerms {
            let ratio = (A + n) * (B + n) * z / ((C + n) * (n + 1))
            term *= ratio
            sum += term
            largest = max(largest, abs(term))
            n += 1
            let rho = max(abs(ratio), z)
            if rho < 1 {
                let tail = abs(term) * rho / (1 - rho)
                let bracket = phi - power * sum
                settled = tail <= 1e-16 * (abs(phi) + power * abs(sum)) ? settled + 1 : 0
                if settled >= 2 {
                    // Terms of alternating sign (A < 0 when r > a + b − 1) may cancel: give up
                    // where their size would cost more than ~5 of the 16 digits.
                    return bracket.isFinite && power * largest <= 1e5 * abs(bracket) ? C * bracket : nil
                }
            }
        }
        return nil
    }

    /// E[Y(t) | ·] / P(alive) by integrating over the posterior of p (λ integrated analytically).
    /// Tanh-sinh walks out from p = ½ and stops after three negligible nodes; for a posterior
    /// Beta(a, b + x) with b + x ≥ 1000 (the ridge a, b → ∞ of customers who hardly drop out) the
    /// density there underflows to 0, so it can miss the mass entirely and return 0 or nothing.
    /// Such a posterior is integrated around its mode instead, as is anything tanh-sinh does not
    /// resolve. (Where both work, a ≥ 5 and b ≤ 1000, they agree to ~1e-12.)
    func aliveExpectationByIntegral(_ customer: RFM, t: Double) -> Double? {
        if b + customer.frequency >= 1000 { return aliveExpectationAroundMode(customer, t: t) }
        if let value = aliveExpectationByTanhSinh(customer, t: t), value > 0 { return value }
        return aliveExpectationAroundMode(customer, t: t)
    }

    /// The posterior integral in y = logit p, where p = σ(y), dp = p(1 − p) dy and the Beta(A, B)
    /// density becomes σ(y)^A σ(−y)^B / B(A, B): log-concave, with its mode at ln(A/B) and width
    /// √(1/A + 1/B). The trapezoid rule on the real line converges geometrically for such an
    /// integrand; steps of a half and a quarter width must agree. Nil if they do not (a ≲ 1, whose
    /// left tail decays too slowly for this rule).
    func aliveExpectationAroundMode(_ customer: RFM, t: Double) -> Double? {
        let x = customer.frequency
        let k = t / (alpha + customer.T)
        let shape = r + x
        let betaA = a, betaB = b + x
        // ln B(A, B) without the cancellation of lgamma(A + B) − lgamma(B) at large B.
        let lnNorm = lgamma(betaA) - Special.lnGammaRatio(betaB, betaA)
        let mode = log(betaA) - log(betaB)
        let width = (1 / betaA + 1 / betaB).squareRoot()
        func term(_ y: Double) -> Double {
            let lnP = Special.logSigmoid(y), ln1mP = Special.logSigmoid(-y)
            let p = exp(lnP)
            let gain = p < 1e-300 ? shape * k : -expm1(-shape * log1p(p * k)) / p
            return gain * exp(betaA * lnP + betaB * ln1mP - lnNorm)
        }
        func trapezoid(step: Double) -> Double {
            var total = term(mode)
            for sign in [1.0, -1.0] {
                var negligible = 0
                var j = 1.0
                while negligible < 2 && j <= 100_000 {
                    let value = term(mode + sign * j * step)
                    total += value
                    negligible = value <= 1e-18 * total ? negligible + 1 : 0
                    j += 1
                }
            }
            return total * step
        }
        let coarse = trapezoid(step: width / 2)
        let fine = trapezoid(step: width / 4)
        guard fine.isFinite, fine > 0, abs(fine - coarse) <= 1e-11 * fine else { return nil }
        return fine
    }

    /// The posterior integral by tanh-sinh quadrature on (0, 1), which handles the endpoint
    /// singularities of a Beta density with a parameter below 1.
    func aliveExpectationByTanhSinh(_ customer: RFM, t: Double) -> Double? {
        let x = customer.frequency
        let k = t / (alpha + customer.T)
        let shape = r + x
        let betaA = a
        let betaB = b + x
        let lnNorm = Special.lnBeta(betaA, betaB)
        return TanhSinh.integrate { point in
            // (1 − (1 + p·k)^{−(r+x)}) / p, tending to (r + x)·k as p → 0.
            let gain = point.p < 1e-300 ? shape * k : -expm1(-shape * log1p(point.p * k)) / point.p
            return (gain, (betaA - 1) * point.lnP + (betaB - 1) * point.ln1mP - lnNorm)
        }
    }
}

public enum BGNBD {
    static let name = "BG/NBD"

    /// Maximum-likelihood fit of r, α, a, b to the customers' (x, t_x, T).
    ///
    /// The log-parameters are optimized (so every iterate is positive) by BFGS with the analytic
    /// gradient, from r = 1, α = ΣT / Σx, a = b = 1, and again from all-ones if that fails.
    /// Identical (x, t_x, T) triples are evaluated once, weighted by their count.
    public static func fit(_ customers: [RFM], minimumCustomers: Int = 10) throws -> BGNBDParameters {
        for (index, customer) in customers.enumerated() {
            if let problem = customer.problem { throw ModelError.invalidInput(model: name, index: index, reason: problem) }
        }
        guard customers.count >= minimumCustomers else {
            throw ModelError.tooFewCustomers(model: name, found: customers.count, required: minimumCustomers)
        }
        let sample = BGNBDSample(customers)
        guard sample.repeatBuyers > 0 else { throw ModelError.noRepeatBuyers(model: name, customers: customers.count) }
        guard sample.totalT > 0 else {
            throw ModelError.undefined(model: name, reason: "every customer has T = 0: no time has been observed")
        }

        let objective: Objective = { theta, gradient in sample.negativeMeanLogLikelihood(theta, &gradient) }
        let starts = [
            [0, log(sample.totalT / sample.totalRepeats), 0, 0],
            [0.0, 0, 0, 0],
        ]
        var best: Minimum?
        var evaluations = 0
        for start in starts {
            var found = Optimizer.minimize(objective, start: start)
            evaluations += found.evaluations
            found.evaluations = evaluations
            if best == nil || found.converged && (!best!.converged || found.value < best!.value) { best = found }
            if found.converged && isInterior(found.point) { break }
        }
        let minimum = best!
        let values = zip(["r", "alpha", "a", "b"], minimum.point).map { ParameterValue($0.0, exp($0.1)) }
        let logLikelihood = -minimum.value * Double(customers.count)
        if !minimum.converged || !isInterior(minimum.point), minimum.point[2] > 10, minimum.point[3] > 10 {
            // A ridge to infinity: Beta(a, b) tending to a point mass at a/(a + b).
            let dropout = values[2].value / (values[2].value + values[3].value)
            throw ModelError.didNotConverge(
                model: name,
                reason: "a and b grow without bound together (a/(a + b) → \(formatNumber(dropout))): the dropout probability does not vary across customers; the data do not identify the model",
                iterations: minimum.iterations, last: values, logLikelihood: logLikelihood)
        }
        try checkOptimum(minimum, model: name, values: values, logLikelihood: logLikelihood)
        return BGNBDParameters(
            r: values[0].value, alpha: values[1].value, a: values[2].value, b: values[3].value,
            logLikelihood: logLikelihood, customers: customers.count,
            fit: FitDiagnostics(iterations: minimum.iterations, evaluations: minimum.evaluations,
                                gradientNorm: minimum.gradientNorm, stopReason: minimum.reason))
    }

    /// A log-parameter beyond ±16 (a factor of ~9·10⁶) means the optimum lies at 0 or infinity.
    static let boundaryLogParameter = 16.0

    static func isInterior(_ point: [Double]) -> Bool { point.allSatisfy { abs($0) <= boundaryLogParameter } }
}

/// Throws unless the optimizer converged to an interior point: an optimum at 0 or infinity
/// (a log-parameter beyond ±16) is a model the data do not identify, not a fit.
func checkOptimum(_ minimum: Minimum, model: String, values: [ParameterValue], logLikelihood: Double) throws {
    if let boundary = minimum.point.firstIndex(where: { !(abs($0) <= BGNBD.boundaryLogParameter) }) {
        let direction = minimum.point[boundary] > 0 ? "grows without bound" : "shrinks to 0"
        throw ModelError.didNotConverge(
            model: model,
            reason: "the likelihood keeps increasing as \(values[boundary].name) \(direction); the data do not identify the model",
            iterations: minimum.iterations, last: values, logLikelihood: logLikelihood)
    }
    guard minimum.converged else {
        throw ModelError.didNotConverge(model: model, reason: minimum.reason, iterations: minimum.iterations,
                                        last: values, logLikelihood: logLikelihood)
    }
}
