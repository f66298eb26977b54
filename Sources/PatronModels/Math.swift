// Special functions the models need, on plain Doubles, with no dependency beyond the C library.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum Special {
    /// ln Γ(x) for x > 0.
    @inline(__always)
    static func lnGamma(_ x: Double) -> Double { lgamma(x) }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
    @inline(__always)
    static func lnBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }

    /// ln Γ(z + x) − ln Γ(z) for z > 0, x ≥ 0. For z ≥ 100 by the difference of Stirling's series,
    /// ((z − ½)·ln(1 + x/z) − x + x·ln(z + x) + the difference of the 1/(12z) − 1/(360z³) + 1/(1260z⁵)
    /// tails; first omitted term < 1e-17), whose error is relative to the result: the difference of
    /// two lgamma values of size z·ln z would lose ~z·ln z·1e-16 to cancellation — ~1e-8 at
    /// z = 10⁶, enough noise to stall the BG/NBD fit where its b grows large.
    static func lnGammaRatio(_ z: Double, _ x: Double) -> Double {
        if x == 0 { return 0 }
        guard z >= 100 else { return lgamma(z + x) - lgamma(z) }
        func tail(_ v: Double) -> Double {
            let inv = 1 / v, inv2 = inv * inv
            return inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260)))
        }
        return ((z - 0.5) * log1p(x / z) - x) + x * log(z + x) + (tail(z + x) - tail(z))
    }

    /// The digamma function ψ(x) = d ln Γ(x) / dx for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up
    /// to x ≥ 10, then the asymptotic series ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ) to k = 7
    /// (Abramowitz & Stegun 6.3.18), whose first omitted term is below 1e-17 there.
    static func digamma(_ value: Double) -> Double {
        var x = value
        var shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let inv = 1 / x
        let inv2 = inv * inv
        let tail = 1.0 / 132 - inv2 * (691.0 / 32760 - inv2 * (1.0 / 12))
        let series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * tail))))
        return shift + log(x) - 0.5 * inv - series
    }

    /// ln(1 + eˣ) without overflow or loss of precision.
    @inline(__always)
    static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    /// ln σ(s) = −ln(1 + e⁻ˢ), the log of the logistic function.
    @inline(__always)
    static func logSigmoid(_ s: Double) -> Double { -softplus(-s) }

    /// (1 − e^{εL}) / ε, continuous at ε = 0 where it is −L.
    @inline(__always)
    static func oneMinusExpOver(_ epsilon: Double, _ L: Double) -> Double {
        let product = epsilon * L
        if abs(product) < 1e-300 { return -L }
        return -expm1(product) / epsilon
    }
}
