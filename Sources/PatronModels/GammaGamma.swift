// Gamma-Gamma: the model of the average value of a customer's transactions.
//
// Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: Using Iso-Value Curves for
// Customer Base Analysis. Journal of Marketing Research 42(4), 415–430; and Fader & Hardie (2013),
// "The Gamma-Gamma Model of Monetary Value" (note).
//
// A customer's transaction values are Gamma(p, ν) with the scale parameter ν ~ Gamma(q, γ) across
// customers, independent of the purchase process. The mean m of x transactions then has density
//
//   f(m | p, q, γ, x) = Γ(px + q) / (Γ(px) Γ(q)) · γ^q · m^{px−1} · x^{px} / (γ + m x)^{px+q}
//
// and the expected value of a customer's future transactions is
//
//   E[Z | p, q, γ, m, x] = p (γ + m x) / (p x + q − 1)
//     = (q − 1)/(p x + q − 1) · p γ/(q − 1) + p x/(p x + q − 1) · m,
//
// a weighted mean of the population mean p γ / (q − 1) (used for x = 0) and the customer's own m.
// The fit uses customers with x > 0 and m > 0 only; repeat buyers with m ≤ 0 (or no value) are
// excluded and counted. Monetary values are divided by their mean before the fit (p and q do
// not depend on the scale, γ scales with it) and the results are scaled back.
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public struct GammaGammaParameters: Equatable, Sendable {
    public var p: Double
    public var q: Double
    public var gamma: Double
    /// Log-likelihood of the mean values of the customers fitted on, in the input's currency units.
    public var logLikelihood: Double
    /// Customers fitted on: x > 0 and m > 0.
    public var customers: Int
    /// Repeat buyers left out because their monetary value was missing or not positive.
    public var excluded: Int
    public var fit: FitDiagnostics?

    public init(p: Double, q: Double, gamma: Double, logLikelihood: Double = 0, customers: Int = 0, excluded: Int = 0,
                fit: FitDiagnostics? = nil) {
        self.p = p
        self.q = q
        self.gamma = gamma
        self.logLikelihood = logLikelihood
        self.customers = customers
        self.excluded = excluded
        self.fit = fit
    }

    public var values: [ParameterValue] {
        [ParameterValue("p", p), ParameterValue("q", q), ParameterValue("gamma", gamma)]
    }

    /// ln f(m | p, q, γ, x) for one customer with x > 0 and m > 0.
    public func logLikelihood(frequency x: Double, monetary m: Double) -> Double {
        Special.lnGamma(p * x + q) - Special.lnGamma(p * x) - Special.lnGamma(q) + q * log(gamma)
            + (p * x - 1) * log(m) + p * x * log(x) - (p * x + q) * log(gamma + m * x)
    }

    /// E[average transaction value] = p γ / (q − 1) for a customer we know nothing about.
    public func populationMeanValue() throws -> Double {
        guard q > 1 else {
            throw ModelError.undefined(model: GammaGamma.name,
                                       reason: "q = \(formatNumber(q)) ≤ 1: the mean transaction value of the population is infinite")
        }
        return p * gamma / (q - 1)
    }

    /// E[average transaction value | x, m]: the customer's own mean shrunk towards the population
    /// mean; the population mean when x = 0 or m is missing or not positive.
    public func expectedAverageValue(frequency x: Double, monetary m: Double?) throws -> Double {
        guard x > 0, let m, m > 0 else { return try populationMeanValue() }
        let denominator = p * x + q - 1
        guard denominator > 0 else {
            throw ModelError.undefined(model: GammaGamma.name,
                                       reason: "p·x + q − 1 ≤ 0 for x = \(x): the expected transaction value is infinite")
        }
        return p * (gamma + m * x) / denominator
    }
}

public enum GammaGamma {
    static let name = "Gamma-Gamma"

    /// Maximum-likelihood fit of p, q, γ to the repeat buyers' (x, m).
    public static func fit(_ customers: [RFM], minimumCustomers: Int = 5) throws -> GammaGammaParameters {
        var used: [(x: Double, m: Double)] = []
        var excluded = 0
        for (index, customer) in customers.enumerated() {
            if let problem = customer.problem { throw ModelError.invalidInput(model: name, index: index, reason: problem) }
            guard customer.frequency > 0 else { continue }
            if let m = customer.monetary, m > 0 { used.append((customer.frequency, m)) } else { excluded += 1 }
        }
        if used.isEmpty {
            if excluded == 0 { throw ModelError.noRepeatBuyers(model: name, customers: customers.count) }
            throw ModelError.tooFewCustomers(model: name, found: 0, required: minimumCustomers)
        }
        guard used.count >= minimumCustomers else {
            throw ModelError.tooFewCustomers(model: name, found: used.count, required: minimumCustomers)
        }
        let scale = used.reduce(0) { $0 + $1.m } / Double(used.count)
        let sample = GammaGammaSample(used.map { ($0.x, $0.m / scale) })
        let objective: Objective = { theta, gradient in sample.negativeMeanLogLikelihood(theta, &gradient) }

        var best: Minimum?
        var evaluations = 0
        for start: [Double] in [[0, 0, 0], [log(2.0), log(3.0), log(2.0)]] {
            var found = Optimizer.minimize(objective, start: start)
            evaluations += found.evaluations
            found.evaluations = evaluations
            if best == nil || found.converged && (!best!.converged || found.value < best!.value) { best = found }
            if found.converged && BGNBD.isInterior(found.point) { break }
        }
        let minimum = best!
        let n = Double(used.count)
        // Back to the input's units: γ scales with the values; the density gains a factor 1/scale.
        let values = [ParameterValue("p", exp(minimum.point[0])), ParameterValue("q", exp(minimum.point[1])),
                      ParameterValue("gamma", exp(minimum.point[2]) * scale)]
        let lnScale: Double = log(scale)
        let logLikelihood = -minimum.value * n - n * lnScale
        if !minimum.converged || !BGNBD.isInterior(minimum.point), minimum.point[1] > 10, minimum.point[2] > 10 {
            // A ridge to infinity: the Gamma(q, γ) of the customers' scale tending to a point mass.
            throw ModelError.didNotConverge(
                model: name,
                reason: "q and gamma grow without bound together: the customers' average values do not vary more than their transactions do; the data do not identify the model",
                iterations: minimum.iterations, last: values, logLikelihood: logLikelihood)
        }
        try checkOptimum(minimum, model: name, values: values, logLikelihood: logLikelihood)
        return GammaGammaParameters(
            p: values[0].value, q: values[1].value, gamma: values[2].value, logLikelihood: logLikelihood,
            customers: used.count, excluded: excluded,
            fit: FitDiagnostics(iterations: minimum.iterations, evaluations: minimum.evaluations,
                                gradientNorm: minimum.gradientNorm, stopReason: minimum.reason))
    }
}

/// Repeat buyers sorted by x, so the Gamma-function terms are computed once per distinct x.
struct GammaGammaSample {
    struct Level {
        var x: Double
        var count: Double
        var sumLnM: Double
        var range: Range<Int>
    }

    var levels: [Level] = []
    var monetary: [Double] = []
    var customers: Int
    /// Per customer, written by the parallel pass of each evaluation: ln(γ + m x) and 1/(γ + m x).
    var scratch = BGNBDSample.Scratch(count: 0)
    /// Each customer's x.
    var xOf: [Double] = []

    init(_ rows: [(x: Double, m: Double)]) {
        customers = rows.count
        let sorted = rows.sorted { $0.x < $1.x }
        monetary = sorted.map(\.m)
        var start = 0
        while start < sorted.count {
            var end = start
            var sumLnM = 0.0
            while end < sorted.count && sorted[end].x == sorted[start].x {
                sumLnM += log(sorted[end].m)
                end += 1
            }
            levels.append(Level(x: sorted[start].x, count: Double(end - start), sumLnM: sumLnM, range: start..<end))
            start = end
        }
        xOf = sorted.map(\.x)
        scratch = BGNBDSample.Scratch(count: sorted.count)
    }

    /// ln(γ + m x) and 1/(γ + m x) for every customer, into `scratch` (softplus, omega): in
    /// parallel chunks, each value computed exactly as one thread would; the sums over them run
    /// in one thread, in customer order, so the result does not depend on the threads.
    func logAndInverse(gamma: Double) {
        let count = monetary.count
        guard count > 0 else { return }
        let chunkSize = BGNBDSample.chunkSize
        let chunks = (count + chunkSize - 1) / chunkSize
        let scratch = self.scratch, monetary = self.monetary, xOf = self.xOf
        let fill: @Sendable (Int) -> Void = { chunk in
            let lnOut = scratch.softplus, inverseOut = scratch.omega
            monetary.withUnsafeBufferPointer { m in
                xOf.withUnsafeBufferPointer { xOf in
                    for i in chunk * chunkSize..<min(count, (chunk + 1) * chunkSize) {
                        let denominator = gamma + m[i] * xOf[i]
                        lnOut[i] = log(denominator)
                        inverseOut[i] = 1 / denominator
                    }
                }
            }
        }
        if chunks == 1 {
            fill(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: fill)
        }
    }

    /// −(1/n)·Σ ln f(m | p, q, γ, x) at θ = (ln p, ln q, ln γ), and its gradient in θ.
    func negativeMeanLogLikelihood(_ theta: [Double], _ gradient: inout [Double]) -> Double {
        let p = exp(theta[0]), q = exp(theta[1]), gamma = exp(theta[2])
        let lnGamma = theta[2]
        let lnGammaQ = Special.lnGamma(q), psiQ = Special.digamma(q)
        var ll = 0.0, dP = 0.0, dQ = 0.0, dGamma = 0.0
        logAndInverse(gamma: gamma)
        let lnOf = UnsafeBufferPointer(scratch.softplus), inverseOf = UnsafeBufferPointer(scratch.omega)
        do {
            for level in levels {
                let x = level.x, w = level.count
                let px = p * x
                let lnX = log(x)
                var sumLn = 0.0, sumInv = 0.0
                for i in level.range {
                    sumLn += lnOf[i]
                    sumInv += inverseOf[i]
                }
                let psiPXQ = Special.digamma(px + q)
                let perCustomer: Double = Special.lnGamma(px + q) - Special.lnGamma(px) - lnGammaQ + q * lnGamma + px * lnX
                ll += w * perCustomer + (px - 1) * level.sumLnM - (px + q) * sumLn
                let psiTerms: Double = psiPXQ - Special.digamma(px) + lnX
                dP += w * x * psiTerms + x * (level.sumLnM - sumLn)
                dQ += w * (psiPXQ - psiQ + lnGamma) - sumLn
                dGamma += w * q / gamma - (px + q) * sumInv
            }
        }
        let n = Double(customers)
        gradient[0] = -p * dP / n
        gradient[1] = -q * dQ / n
        gradient[2] = -gamma * dGamma / n
        return -ll / n
    }
}
