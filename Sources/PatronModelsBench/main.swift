// Times the BG/NBD and Gamma-Gamma fits and the CLV forecast on simulated customers.
// Usage: PatronModelsBench [customers] [repeats] [bgnbd|churnless]
// (scripts/bench-models builds it in release mode). `churnless` mimics the purchases of
// scripts/bench-analyses-data.sql: 1–19 orders (5 % cancelled) spread uniformly between a
// customer's first order and the last day of three years, so nobody drops out and x does not
// grow with T — the case that drives BG/NBD's a and b towards infinity.
import Dispatch
import PatronModels

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0) } ?? 100_000
let repeats = arguments.dropFirst().first.flatMap { Int($0) } ?? 3
let scenario = arguments.dropFirst(2).first ?? "bgnbd"

let truth = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
let valueTruth = GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44)

func seconds(_ work: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try work()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func report(_ label: String, _ times: [Double]) {
    let best = times.min()!
    let median = times.sorted()[times.count / 2]
    print("\(label): best \(format(best)) s, median \(format(median)) s, per 100k customers \(format(best * 100_000 / Double(count))) s")
}

func format(_ value: Double) -> String { "\((value * 1000).rounded() / 1000)" }

for dayGrid in scenario == "churnless" ? [true] : [false, true] {
    let customers = scenario == "churnless"
        ? Simulation.churnlessCustomers(count: count, seed: 2026)
        : Simulation.customers(count: count, purchases: truth, value: valueTruth,
                               ages: 1...78, dayGrid: dayGrid, seed: 2026)
    let distinct = Set(customers.map { "\($0.frequency)|\($0.recency)|\($0.T)" }).count
    print("\(count) customers (\(scenario)), \(dayGrid ? "times on a day grid" : "continuous times"), \(distinct) distinct (x, t_x, T)")
    var purchases = truth, value = valueTruth
    var bgTimes: [Double] = [], ggTimes: [Double] = [], clvTimes: [Double] = []
    for _ in 0..<repeats {
        bgTimes.append(seconds {
            do { purchases = try BGNBD.fit(customers) } catch { print("  BG/NBD: \(error)") }
        })
        ggTimes.append(try seconds { value = try GammaGamma.fit(customers) })
        clvTimes.append(seconds {
            do { _ = try CLV.predict(customers, purchases: purchases, value: value) } catch { print("  CLV: \(error)") }
        })
    }
    print("  BG/NBD r=\(purchases.r) alpha=\(purchases.alpha) a=\(purchases.a) b=\(purchases.b) iterations=\(purchases.fit?.iterations ?? 0) evaluations=\(purchases.fit?.evaluations ?? 0) stop: \(purchases.fit?.stopReason ?? "-")")
    print("  Gamma-Gamma p=\(value.p) q=\(value.q) gamma=\(value.gamma) iterations=\(value.fit!.iterations) evaluations=\(value.fit!.evaluations)")
    report("  BG/NBD fit", bgTimes)
    report("  Gamma-Gamma fit", ggTimes)
    report("  CLV forecast (12 months)", clvTimes)
}
