import RandomDraws
import Testing

@Suite("Seeded random draws")
struct RandomDrawsTests {
    /// Sample mean and variance of `n` draws.
    static func moments(_ n: Int, _ draw: (inout SplitMix64) -> Double) -> (mean: Double, variance: Double) {
        var random = SplitMix64(seed: 42)
        var sum = 0.0, sumOfSquares = 0.0
        for _ in 0..<n {
            let x = draw(&random)
            sum += x
            sumOfSquares += x * x
        }
        let mean = sum / Double(n)
        return (mean, sumOfSquares / Double(n) - mean * mean)
    }

    // With n = 200 000 draws, the sample mean's standard error is sd/√n ≈ sd · 0.0022; the
    // tolerances below are about 5 standard errors.
    @Test("gamma(shape, rate): mean shape/rate, variance shape/rate², also for shape < 1 (the boost)",
          arguments: [(2.5, 2.0), (0.5, 1.0), (9.0, 0.5)])
    func gamma(shape: Double, rate: Double) {
        let (mean, variance) = Self.moments(200_000) { $0.gamma(shape: shape, rate: rate) }
        let sd = shape.squareRoot() / rate
        #expect(abs(mean - shape / rate) < 5 * sd * 0.0023, "mean \(mean), expected \(shape / rate)")
        // The variance's relative standard error is about √((κ₄ − σ⁴)/n)/σ²; 5% is ample here.
        #expect(abs(variance / (shape / (rate * rate)) - 1) < 0.05, "variance \(variance)")
    }

    @Test("beta(a, b): mean a/(a+b); normal: mean 0, variance 1")
    func betaAndNormal() {
        let beta = Self.moments(200_000) { $0.beta(2, 6) }
        // Beta(2, 6): mean 0.25, variance ab/((a+b)²(a+b+1)) = 12/576 ≈ 0.0208.
        #expect(abs(beta.mean - 0.25) < 5 * 0.144 * 0.0023)
        #expect(abs(beta.variance - 12.0 / 576) < 0.001)
        let normal = Self.moments(200_000) { $0.normal() }
        #expect(abs(normal.mean) < 5 * 0.0023)
        #expect(abs(normal.variance - 1) < 0.02)
    }

    @Test("the same seed gives the same draws")
    func deterministic() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        let first = (0..<100).map { _ in a.gamma(shape: 0.7, rate: 3) }
        let second = (0..<100).map { _ in b.gamma(shape: 0.7, rate: 3) }
        #expect(first == second)
        #expect(Set(first).count == 100)
    }
}
