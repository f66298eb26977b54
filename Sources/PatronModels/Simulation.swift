// Reproducible synthetic customers drawn from the BG/NBD and Gamma-Gamma generative processes,
// for tests (recovering known parameters) and benchmarks. Not used by the analyses.
import RandomDraws
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum Simulation {
    /// `count` customers with ages T uniform on `ages`, purchases from BG/NBD(r, α, a, b) and, for
    /// repeat buyers, the mean of x transaction values from Gamma-Gamma(p, q, γ).
    /// With `dayGrid`, times are whole days expressed in weeks (as the warehouse produces them).
    public static func customers(
        count: Int, purchases: BGNBDParameters, value: GammaGammaParameters? = nil,
        ages: ClosedRange<Double>, dayGrid: Bool = false, seed: UInt64
    ) -> [RFM] {
        var random = SplitMix64(seed: seed)
        var rows: [RFM] = []
        rows.reserveCapacity(count)
        for _ in 0..<count {
            var age = ages.lowerBound + (ages.upperBound - ages.lowerBound) * random.uniform()
            if dayGrid { age = (age * 7).rounded() / 7 }
            let rate = random.gamma(shape: purchases.r) / purchases.alpha
            let dropout = random.beta(purchases.a, purchases.b)
            var time = 0.0, x = 0.0, last = 0.0
            while true {
                time += -log(random.uniform()) / rate
                if time > age { break }
                x += 1
                last = time
                if random.uniform() < dropout { break }
            }
            if dayGrid && x > 0 { last = min(age, max(1, (last * 7).rounded()) / 7) }
            var monetary: Double?
            if let value, x > 0 {
                let scale = random.gamma(shape: value.q) / value.gamma
                var total = 0.0
                for _ in 0..<Int(x) { total += random.gamma(shape: value.p) / scale }
                monetary = total / x
            }
            rows.append(RFM(frequency: x, recency: last, T: age, monetary: monetary))
        }
        return rows
    }

    /// `count` customers who never drop out, as scripts/bench-analyses-data.sql generates them:
    /// 1–19 orders (5 % cancelled, the first never) on whole days, the first 0–1095 days before
    /// today and the others uniform in between, summarized per day in weeks. Their purchase count
    /// does not grow with T, which drives the BG/NBD fit along the ridge a, b → ∞.
    public static func churnlessCustomers(count: Int, seed: UInt64) -> [RFM] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let age = (random.uniform() * 1096).rounded(.down)
            let orders = 1 + Int(random.uniform() * 19)
            let spend = 20 * exp(random.uniform() * 2.3)
            var days: [Double: Double] = [0: spend * (0.5 + random.uniform())]
            for _ in 1..<orders {
                let day = (random.uniform() * age).rounded(.down)
                let amount = spend * (0.5 + random.uniform())
                if random.uniform() >= 0.05 { days[day, default: 0] += amount }
            }
            let repeatDays = days.keys.sorted().dropFirst()  // a fixed order, for reproducible sums
            let x = Double(repeatDays.count)
            let repeatValue = repeatDays.reduce(0) { $0 + days[$1]! }
            return RFM(frequency: x, recency: days.keys.max()! / 7, T: age / 7, monetary: x > 0 ? repeatValue / x : nil)
        }
    }
}
