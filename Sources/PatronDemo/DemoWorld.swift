import Foundation

/// A support agent: `skill` is a log-multiplier on how long their work takes (negative is
/// faster), and it also moves satisfaction and the chance a ticket is dropped.
struct DemoAgent {
    /// Position in the pool (0, 1, …): the agents' user ids in the vendor exports.
    let number: Int
    let name: String
    let skill: Double
    /// How many tickets they take relative to others (faster agents take more).
    let share: Double
}

/// What every customer's story shares: the calendar, the agents, the acquisition curve.
/// Its size does not depend on the number of customers beyond a small agent pool.
struct DemoWorld {
    let options: DemoOptions
    let start: Double
    let end: Double
    let agents: [DemoAgent]
    private let agentWeights: [Double]
    /// Cumulative acquisition weight at the end of each day of the history.
    private let acquisition: [Double]

    init(options: DemoOptions) {
        self.options = options
        start = options.start
        end = options.end
        agents = DemoWorld.makeAgents(options)
        agentWeights = agents.map(\.share)
        acquisition = DemoWorld.acquisitionCurve(startDay: options.startDay, days: Int((end - start) / DemoTime.day))
    }

    private static func makeAgents(_ options: DemoOptions) -> [DemoAgent] {
        var random = DemoRandom(seed: options.seed, stream: DemoStream.agents.rawValue, index: 0)
        let count = max(12, min(200, options.customers / 250))
        var names = Set<String>()
        var agents: [DemoAgent] = []
        for i in 0..<count {
            var name = "\(random.pick(DemoVocabulary.agentFirstNames)) \(random.pick(DemoVocabulary.agentLastNames))"
            if names.contains(name) { name += " \(i)" }
            names.insert(name)
            let skill = max(-0.8, min(0.8, random.normal(mean: 0, sd: 0.35)))
            agents.append(DemoAgent(number: i, name: name, skill: skill, share: exp(-skill)))
        }
        return agents
    }

    /// Acquisition intensity per day: growth over the years, a winter-holiday peak, a small
    /// January sale, a summer lull, busier weekends.
    private static func acquisitionCurve(startDay: Int, days: Int) -> [Double] {
        var cumulative: [Double] = []
        cumulative.reserveCapacity(days)
        var total = 0.0
        for d in 0..<days {
            let day = startDay + d
            let doy = Double(DemoTime.dayOfYear(day))
            let growth = 1 + 1.2 * Double(d) / Double(max(days, 1))
            let holiday = 0.9 * exp(-pow((doy - 335) / 18, 2))
            let sale = 0.35 * exp(-pow((doy - 8) / 6, 2))
            let seasonal = 1 + 0.15 * cos(2 * Double.pi * (doy - 15) / 365)
            let weekday = ((day + 3) % 7 + 7) % 7 >= 5 ? 1.2 : 1.0
            total += growth * (seasonal + holiday + sale) * weekday
            cumulative.append(total)
        }
        return cumulative
    }

    /// Customer `index` of `count` signs up at this quantile of the acquisition curve, so
    /// customer ids grow with sign-up time and cohorts follow the seasons.
    func signupTime(index: Int, _ random: inout DemoRandom) -> Double {
        let target = (Double(index) + random.uniform()) / Double(options.customers) * acquisition.last!
        var lo = 0, hi = acquisition.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if acquisition[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return start + Double(lo) * DemoTime.day + DemoWorld.shoppingSecondOfDay(&random)
    }

    func agent(_ random: inout DemoRandom) -> DemoAgent { agents[random.weighted(agentWeights)] }

    /// Hours people shop: evenings most, nights least.
    static let shoppingHours: [Double] = [
        1.5, 0.8, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 3.5, 4, 4.2, 4.5, 5, 4.8, 4.5, 4.5, 4.8, 5.2, 6, 6.8, 7.2, 6.5, 4.5, 2.8,
    ]
    /// Hours people contact support: office hours, with a tail into the evening.
    static let contactHours: [Double] = [
        0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 1, 2.5, 5, 6.5, 6.8, 6.5, 5.5, 6, 6.2, 5.8, 5.2, 4.5, 3.5, 3, 2.6, 2.1, 1.5, 0.9,
    ]

    static func shoppingSecondOfDay(_ random: inout DemoRandom) -> Double {
        Double(random.weighted(shoppingHours)) * DemoTime.hour + Double(random.int(0...3599))
    }

    /// Moves an instant to a random time, drawn from `hours`, on the same day.
    static func sameDay(_ t: Double, hours: [Double], _ random: inout DemoRandom) -> Double {
        Double(DemoTime.dayNumber(t)) * DemoTime.day + Double(random.weighted(hours)) * DemoTime.hour + Double(random.int(0...3599))
    }

    /// Staffed hours (UTC): Monday–Friday 08–20, Saturday 09–15.
    static func isStaffed(_ t: Double) -> Bool {
        let weekday = DemoTime.weekday(t), hour = DemoTime.hourOfDay(t)
        switch weekday {
        case 0...4: return (8..<20).contains(hour)
        case 5: return (9..<15).contains(hour)
        default: return false
        }
    }

    /// The next instant the desk is staffed, at or after `t`.
    static func nextStaffed(_ t: Double) -> Double {
        var probe = t
        while !isStaffed(probe) {
            probe = (probe / DemoTime.hour).rounded(.down) * DemoTime.hour + DemoTime.hour
        }
        return max(probe, t)
    }
}

/// Opaque, unique ids like a real system's (`T-3K9ZQ1X`): a bijective scramble of
/// (customer index, sequence number), so ids never collide and reveal nothing.
enum DemoID {
    static func make(_ prefix: String, index: Int, sequence: Int) -> String {
        let mask: UInt64 = (1 << 48) - 1
        // Salted by the prefix, so an order and a ticket of the same customer look unrelated.
        let salt = prefix.utf8.reduce(UInt64(0)) { ($0 &* 31 &+ UInt64($1)) } & mask
        var n = ((UInt64(index) << 20 | UInt64(sequence & 0xFFFFF)) ^ salt) & mask
        n = (n &* 0x9E37_79B9_7F4B) & mask       // odd multiplier: a bijection mod 2^48
        n ^= n >> 23
        n = (n &* 0x5851_F42D_4C95) & mask
        n ^= n >> 19
        return prefix + String(n, radix: 36, uppercase: true)
    }
}
