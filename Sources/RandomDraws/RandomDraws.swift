#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded generator the continuous distributions below draw from. Both of Patron's
/// generators (the demo's xoshiro256**, the model simulations' SplitMix64) conform, so the
/// distributions have one definition; each draw consumes a fixed pattern of uniforms for a
/// given outcome, so a seed always gives the same numbers.
public protocol UniformDraws: RandomNumberGenerator {
    /// Uniform on [0, 1) or (0, 1).
    mutating func uniform() -> Double
    /// Uniform on (0, 1]: safe under `log`.
    mutating func uniformPositive() -> Double
}

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast, the same sequence on every platform.
/// The model simulations draw from it directly; the demo seeds its xoshiro256** streams with it.
public struct SplitMix64: UniformDraws, Sendable {
    @usableFromInline var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    @inlinable
    public mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

    /// The same open interval: `log` is safe on either.
    @inlinable
    public mutating func uniformPositive() -> Double { uniform() }
}

extension UniformDraws {
    /// Standard normal by Box–Muller; the second value of the pair is dropped, so a draw has
    /// no state to carry.
    @inlinable
    public mutating func normal() -> Double {
        let u1 = uniformPositive(), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    @inlinable
    public mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }

    /// Gamma(shape, rate) by Marsaglia & Tsang (2000), with their squeeze; shape < 1 through
    /// the boost Gamma(a) = Gamma(a + 1) · U^(1/a).
    @inlinable
    public mutating func gamma(shape: Double, rate: Double = 1) -> Double {
        if shape < 1 {
            let boosted = gamma(shape: shape + 1)
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
    @inlinable
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a), y = gamma(shape: b)
        return x / (x + y)
    }
}
