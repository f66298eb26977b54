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
