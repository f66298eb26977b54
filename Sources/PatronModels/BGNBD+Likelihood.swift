// The BG/NBD log-likelihood and its gradient over a whole sample, the inner loop of the fit.
// Customers with the same (x, t_x, T) are one weighted group; groups are sorted by x so that
// every term that depends on x alone (the Gamma and Beta functions and their derivatives) is
// computed once per distinct x; ln(α + v) and 1/(α + v) are computed once per distinct value v of
// t_x and T (a few thousand at most for day-resolution data), leaving one exponential and one
// logarithm per group. Those two, most of the work at a million customers, are computed for
// the groups in parallel chunks first; the sums then run over the groups in one thread and in
// their order, so the result is the same to the last bit whatever the number of threads.
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct BGNBDSample {
    /// Groups with one x value: customers (total weight) and the range of their groups.
    struct Level {
        var x: Double
        var weight: Double
        var range: Range<Int>
    }

    var levels: [Level] = []
    var recency: [Double] = []
    var age: [Double] = []
    var weight: [Double] = []
    /// The distinct values of t_x and T, and each group's index into them.
    var durations: [Double] = []
    var recencyIndex: [Int32] = []
    var ageIndex: [Int32] = []
    var customers = 0
    var repeatBuyers = 0
    var totalRepeats = 0.0
    var totalT = 0.0
    /// Each group's level (index into `levels`).
    var levelOfGroup: [Int32] = []
    /// Per group, written by the parallel pass of each evaluation: softplus(d) and σ(d).
    var scratch = Scratch(count: 0)

    final class Scratch: @unchecked Sendable {
        let softplus: UnsafeMutableBufferPointer<Double>
        let omega: UnsafeMutableBufferPointer<Double>
        init(count: Int) {
            softplus = .allocate(capacity: max(count, 1))
            omega = .allocate(capacity: max(count, 1))
        }
        deinit {
            softplus.deallocate()
            omega.deallocate()
        }
    }

    /// Groups per parallel chunk: below this, one thread does them all.
    static let chunkSize = 16_384

    init(_ rows: [RFM]) {
        customers = rows.count
        // Sorted as (x, t_x, T) triples side by side (sorting indices into `rows` cost twice as
        // much: every comparison read two rows far apart). The same stable sort with the same
        // comparisons, so the same order as sorting the rows.
        var order = rows.map { Triple(frequency: $0.frequency, recency: $0.recency, T: $0.T) }
        order.sort { p, q in
            if p.frequency != q.frequency { return p.frequency < q.frequency }
            if p.recency != q.recency { return p.recency < q.recency }
            return p.T < q.T
        }
        recency.reserveCapacity(rows.count)
        age.reserveCapacity(rows.count)
        weight.reserveCapacity(rows.count)
        var previous: Triple?
        for row in order {
            totalRepeats += row.frequency
            totalT += row.T
            if row.frequency > 0 { repeatBuyers += 1 }
            if let previous, previous.frequency == row.frequency, previous.recency == row.recency, previous.T == row.T {
                weight[weight.count - 1] += 1
                levels[levels.count - 1].weight += 1
                continue
            }
            if previous?.frequency != row.frequency {
                levels.append(Level(x: row.frequency, weight: 0, range: weight.count..<weight.count))
            }
            recency.append(row.recency)
            age.append(row.T)
            weight.append(1)
            levels[levels.count - 1].weight += 1
            levels[levels.count - 1].range = levels[levels.count - 1].range.lowerBound..<weight.count
            previous = row
        }
        var position: [Double: Int32] = [:]
        func index(_ value: Double) -> Int32 {
            if let found = position[value] { return found }
            let next = Int32(durations.count)
            durations.append(value)
            position[value] = next
            return next
        }
        recencyIndex = recency.map(index)
        ageIndex = age.map(index)
        levelOfGroup = [Int32](repeating: 0, count: weight.count)
        for (number, level) in levels.enumerated() {
            for g in level.range { levelOfGroup[g] = Int32(number) }
        }
        scratch = Scratch(count: weight.count)
    }

    var groups: Int { weight.count }

    /// A customer's (x, t_x, T).
    struct Triple {
        var frequency: Double
        var recency: Double
        var T: Double
    }

    /// −(1/N)·ln L at θ = (ln r, ln α, ln a, ln b), and its gradient in θ.
    func negativeMeanLogLikelihood(_ theta: [Double], _ gradient: inout [Double]) -> Double {
        let r = exp(theta[0]), alpha = exp(theta[1]), a = exp(theta[2]), b = exp(theta[3])
        let lnAlpha = theta[1], lnA = theta[2]
        let lnGammaR = Special.lnGamma(r), psiR = Special.digamma(r)
        let psiAB = Special.digamma(a + b)
        let psiB = Special.digamma(b)

        // ln(α + v) and 1/(α + v) for every distinct duration v.
        let lnShifted = durations.map { log(alpha + $0) }
        let inverseShifted = durations.map { 1 / (alpha + $0) }
        softplusAndOmega(r: r, lnA: lnA, b: b, lnShifted: lnShifted)
        let softplusOf = UnsafeBufferPointer(scratch.softplus), omegaOf = UnsafeBufferPointer(scratch.omega)
        var ll = 0.0, dR = 0.0, dAlpha = 0.0, dA = 0.0, dB = 0.0
        recencyIndex.withUnsafeBufferPointer { recency in
            ageIndex.withUnsafeBufferPointer { age in
                weight.withUnsafeBufferPointer { weight in
                    for level in levels {
                        let x = level.x, w = level.weight
                        let rx = r + x
                        // ln A₁ + ln A₂ and their derivatives: one evaluation per distinct x.
                        let psiABX = Special.digamma(a + b + x)
                        let lnA1: Double = Special.lnGamma(rx) - lnGammaR + r * lnAlpha
                        // ln B(a, b + x) − ln B(a, b) as two ratios: exact where b is huge (see lnGammaRatio).
                        let lnA2: Double = Special.lnGammaRatio(b, x) - Special.lnGammaRatio(a + b, x)
                        ll += w * (lnA1 + lnA2)
                        dR += w * (Special.digamma(rx) - psiR + lnAlpha)
                        dAlpha += w * r / alpha
                        dA += w * (psiAB - psiABX)
                        dB += w * (psiAB + Special.digamma(b + x) - psiB - psiABX)

                        if x == 0 {
                            // ln A₃ only.
                            var sumLn = 0.0, sumInv = 0.0
                            for g in level.range {
                                let lnT = lnShifted[Int(age[g])]
                                sumLn += weight[g] * lnT
                                sumInv += weight[g] / (alpha + durations[Int(age[g])])
                            }
                            ll -= rx * sumLn
                            dR -= sumLn
                            dAlpha -= rx * sumInv
                            continue
                        }
                        // ln A₃ + softplus(ln A₄ − ln A₃); ω = σ(ln A₄ − ln A₃) is the share of the
                        // likelihood from "became inactive after the last purchase".
                        var sumLL = 0.0, sumR = 0.0, sumAlpha = 0.0, sumOmega = 0.0
                        for g in level.range {
                            let wg = weight[g]
                            let inverseT = inverseShifted[Int(age[g])]
                            let inverseTx = inverseShifted[Int(recency[g])]
                            let lnT = lnShifted[Int(age[g])]
                            let lnTx = lnShifted[Int(recency[g])]
                            let softplus = softplusOf[g]
                            let omega = omegaOf[g]
                            sumLL += wg * (softplus - rx * lnT)
                            sumR += wg * (omega * (lnT - lnTx) - lnT)
                            sumAlpha += wg * ((1 - omega) * inverseT + omega * inverseTx)
                            sumOmega += wg * omega
                        }
                        ll += sumLL
                        dR += sumR
                        dAlpha -= rx * sumAlpha
                        dA += sumOmega / a
                        dB -= sumOmega / (b + x - 1)
                    }
                }
            }
        }
        let n = Double(customers)
        gradient[0] = -r * dR / n
        gradient[1] = -alpha * dAlpha / n
        gradient[2] = -a * dA / n
        gradient[3] = -b * dB / n
        return -ll / n
    }

    /// For every group with x > 0, d = ln A₄ − ln A₃ = ln a − ln(b + x − 1) + (r + x)(ln(α + T) −
    /// ln(α + t_x)), softplus(d) = ln(1 + eᵈ) and ω = σ(d), into `scratch`: in parallel chunks of
    /// groups, each value computed exactly as one thread would.
    func softplusAndOmega(r: Double, lnA: Double, b: Double, lnShifted: [Double]) {
        let count = weight.count
        guard count > 0 else { return }
        // Per level: c = ln a − ln(b + x − 1) and r + x (x = 0 levels are not read).
        let cOf = levels.map { $0.x > 0 ? lnA - log(b + $0.x - 1) : 0 }
        let rxOf = levels.map { r + $0.x }
        let chunks = (count + Self.chunkSize - 1) / Self.chunkSize
        let scratch = self.scratch, levelOfGroup = self.levelOfGroup, recencyIndex = self.recencyIndex, ageIndex = self.ageIndex
        let chunkSize = Self.chunkSize
        let fill: @Sendable (Int) -> Void = { chunk in
            let softplusOut = scratch.softplus, omegaOut = scratch.omega
            levelOfGroup.withUnsafeBufferPointer { levelOf in
                recencyIndex.withUnsafeBufferPointer { recency in
                    ageIndex.withUnsafeBufferPointer { age in
                        lnShifted.withUnsafeBufferPointer { lnShifted in
                            for g in chunk * chunkSize..<min(count, (chunk + 1) * chunkSize) {
                                let level = Int(levelOf[g])
                                let c = cOf[level], rx = rxOf[level]
                                let lnT = lnShifted[Int(age[g])]
                                let lnTx = lnShifted[Int(recency[g])]
                                let d = c + rx * (lnT - lnTx)
                                let e = exp(-abs(d))
                                softplusOut[g] = d > 0 ? d + log1p(e) : log1p(e)
                                omegaOut[g] = d > 0 ? 1 / (1 + e) : e / (1 + e)
                            }
                        }
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
}
