// Tanh-sinh (double-exponential) quadrature on (0, 1), for integrands with algebraic endpoint
// singularities such as Beta densities with parameters below 1 (Takahasi & Mori 1974).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum TanhSinh {
    /// A point of (0, 1) with its logarithm and that of its distance to 1, both exact even where
    /// p itself rounds to 0 or 1.
    struct Point {
        var p: Double
        var lnP: Double
        var ln1mP: Double
    }

    /// ∫₀¹ f(p) dp, where `f` returns the integrand as factor·e^lnScale so that large powers of p
    /// near the ends stay finite until the quadrature weight has been applied. The substitution p = σ(π sinh u), σ the logistic function, makes the
    /// integrand decay double-exponentially in u; the trapezoid sum over u = kh is refined by
    /// halving h until two levels agree to `relativeTolerance`. Nil if they never do.
    static func integrate(relativeTolerance: Double = 1e-12, _ f: (Point) -> (factor: Double, lnScale: Double)) -> Double? {
        func term(_ u: Double) -> Double {
            let s = Double.pi * sinh(u)
            let lnP = Special.logSigmoid(s)
            let ln1mP = Special.logSigmoid(-s)
            let value = f(Point(p: exp(lnP), lnP: lnP, ln1mP: ln1mP))
            if value.factor == 0 { return 0 }
            // dp/du = σ(s)·σ(−s)·π·cosh u
            return value.factor * exp(value.lnScale + lnP + ln1mP) * Double.pi * cosh(u)
        }
        // Σ term(±(offset + k·step)), k = 0, 1, …, walking out until the terms vanish.
        func sweep(offset: Double, step: Double) -> Double {
            var total = 0.0
            for sign in [1.0, -1.0] {
                var k = (sign < 0 && offset == 0) ? 1 : 0
                var negligible = 0
                while negligible < 3 {
                    let u = sign * (offset + Double(k) * step)
                    if abs(u) > 12 { break }
                    let t = term(u)
                    total += t
                    negligible = abs(t) <= 1e-18 * abs(total) ? negligible + 1 : 0
                    k += 1
                }
            }
            return total
        }
        var h = 0.5
        var sum = sweep(offset: 0, step: h)
        var estimate = sum * h
        for _ in 0..<9 {
            sum += sweep(offset: h / 2, step: h)
            h /= 2
            let refined = sum * h
            if !refined.isFinite { return nil }
            if abs(refined - estimate) <= relativeTolerance * abs(refined) { return refined }
            estimate = refined
        }
        return nil
    }
}
