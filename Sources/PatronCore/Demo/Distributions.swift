import Foundation

/// The distributions the demo story is drawn from. Deterministic given the generator state:
/// every draw consumes a fixed pattern of numbers for a given outcome.
extension DemoRandom {
    /// Standard normal (Box–Muller; one of the pair is dropped to keep draws stateless).
    mutating func normal() -> Double {
        let u1 = uniformPositive(), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }

    /// Log-normal given its median and the sd of its log: durations, reach, handle times.
    mutating func logNormal(median: Double, sigma: Double) -> Double { median * exp(sigma * normal()) }

    /// Exponential with the given rate (events per unit of time).
    mutating func exponential(rate: Double) -> Double { -log(uniformPositive()) / rate }

    /// Gamma(shape, rate) by Marsaglia & Tsang (2000); shape < 1 through the boost
    /// Gamma(a) = Gamma(a + 1) · U^(1/a).
    mutating func gamma(shape: Double, rate: Double) -> Double {
        if shape < 1 {
            let boosted = gamma(shape: shape + 1, rate: 1)
            return boosted * pow(uniformPositive(), 1 / shape) / rate
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniformPositive()
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) {
                return d * v / rate
            }
        }
    }

    /// Beta(a, b) as G₁ / (G₁ + G₂).
    mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a, rate: 1), y = gamma(shape: b, rate: 1)
        return x / (x + y)
    }

    /// Poisson by Knuth's product method: only used with small means here.
    mutating func poisson(mean: Double) -> Int {
        let limit = exp(-mean)
        var k = 0, product = uniform()
        while product > limit { k += 1; product *= uniform() }
        return k
    }

    /// Index drawn with the given (not necessarily normalized) weights.
    mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = uniform() * total
        for (i, w) in weights.enumerated() {
            if target < w { return i }
            target -= w
        }
        return weights.count - 1
    }
}

/// A categorical choice with weights, declared once and drawn from many times.
struct Weighted<T: Sendable>: Sendable {
    let values: [T]
    let weights: [Double]

    init(_ pairs: [(T, Double)]) {
        values = pairs.map(\.0)
        weights = pairs.map(\.1)
    }

    func draw(_ random: inout DemoRandom) -> T { values[random.weighted(weights)] }
}
