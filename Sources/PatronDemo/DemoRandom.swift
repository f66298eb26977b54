import RandomDraws

/// xoshiro256** (Blackman & Vigna): the demo generator's PRNG. Written here rather than taken
/// from the platform so that the same seed gives the same bytes on every machine and Swift
/// version. Each customer gets a stream of its own, derived from (seed, stream, index), so a
/// customer's story does not depend on how many customers come before it.
public struct DemoRandom: UniformDraws {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var mix = SplitMix64(seed: seed)
        s0 = mix.next(); s1 = mix.next(); s2 = mix.next(); s3 = mix.next()
    }

    /// An independent stream for one purpose (`stream`) and one item (`index`).
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        var mix = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        let a = mix.next()
        var mix2 = SplitMix64(seed: a ^ (index &* 0x8CB9_2BA7_2F3D_8DD7))
        self.init(seed: mix2.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1), 53 bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in (0, 1]: safe under `log`.
    public mutating func uniformPositive() -> Double { 1 - uniform() }

    /// Uniform integer in `range` (multiply-shift; the bias is far below anything visible here).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound + 1)
        return range.lowerBound + Int(next().multipliedFullWidth(by: width).high)
    }

    mutating func chance(_ probability: Double) -> Bool { uniform() < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
}

/// The streams a demo data set draws from; a fixed number each, never reordered, so that
/// the same seed keeps giving the same data as the generator grows.
enum DemoStream: UInt64 {
    case agents = 1
    case customer = 2
    case signup = 3
    /// Details only the vendor exports show (line items, `hold`, …), one stream per customer.
    case vendor = 4
}
