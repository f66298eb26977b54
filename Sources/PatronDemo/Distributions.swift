import Foundation
import RandomDraws

/// The distributions the demo story is drawn from, besides the normal, gamma and beta draws of
/// `UniformDraws` (RandomDraws). Deterministic given the generator state: every draw consumes a
/// fixed pattern of numbers for a given outcome.
extension DemoRandom {
    /// Log-normal given its median and the sd of its log: durations, reach, handle times.
    mutating func logNormal(median: Double, sigma: Double) -> Double { median * exp(sigma * normal()) }

    /// Exponential with the given rate (events per unit of time).
    mutating func exponential(rate: Double) -> Double { -log(uniformPositive()) / rate }

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
