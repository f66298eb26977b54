import Foundation

/// How one help-desk ticket went, as the help desk would export it at the end of the history.
struct TicketOutcome {
    var channel: String
    var category: String
    var priority: String
    var agent: DemoAgent
    var created: Double
    var firstResponse: Double?
    /// The last solve: when the ticket is solved or closed at export time, or, for a ticket
    /// reopened and open again, its earlier solve (which analyses must ignore).
    var resolved: Double?
    /// The first solve, when the ticket was reopened after it.
    var firstSolve: Double?
    var status: String
    var reopens: Int
    var agentReplies: Int
    var customerReplies: Int
    var handleSeconds: Int?
    /// Satisfaction the customer feels, 1…5 (whether or not they are asked).
    var satisfaction: Double
    /// The three planted signs of a bad experience, as the generator knows them.
    var abandoned: Bool
    var slowFirstResponse: Bool
    var isBad: Bool { abandoned || slowFirstResponse || satisfaction < 2.5 }
    var isResolved: Bool { status == "solved" || status == "closed" }

    var csat: Int { max(1, min(5, Int(satisfaction.rounded()))) }
    /// Customer effort, 1…7, lower is better: the mirror of satisfaction, with its own noise.
    func ces(_ random: inout DemoRandom) -> Int {
        max(1, min(7, Int((2 + (4.5 - satisfaction) * 1.1 + random.normal(mean: 0, sd: 0.7)).rounded())))
    }
}

/// Draws tickets: channel, category, priority, the agent, and how fast and how well it went.
enum SupportModel {
    static let channels = Weighted([("email", 38.0), ("chat", 25), ("phone", 15), ("web", 12), ("social", 7), ("other", 3)])
    static let priorities = Weighted([("low", 23.0), ("normal", 55), ("high", 18), ("urgent", 4)])

    /// Median hours to the first human reply, by channel, in staffed hours.
    static func medianFirstResponseHours(_ channel: String) -> Double {
        switch channel {
        case "phone": return 0.04
        case "chat": return 0.08
        case "social": return 1.5
        case "web": return 3.5
        case "email": return 5
        default: return 8
        }
    }

    /// Median hours of work from first reply to solve, by category.
    static func medianResolutionHours(_ category: String) -> Double {
        switch category {
        case "order_status": return 3
        case "returns": return 20
        case "billing": return 10
        case "product_question": return 4
        case "technical": return 30
        case "account": return 2
        default: return 24
        }
    }

    static func priorityFactor(_ priority: String) -> Double {
        switch priority {
        case "urgent": return 0.3
        case "high": return 0.6
        case "low": return 1.5
        default: return 1
        }
    }

    static func handleMedianSeconds(_ channel: String) -> Double {
        switch channel {
        case "phone": return 360
        case "chat": return 420
        case "social": return 180
        default: return 240
        }
    }

    /// One ticket, created at `created`, on behalf of a customer of this `mood` (N(0,1)).
    static func ticket(created: Double, category: String, channel: String, mood: Double,
                       world: DemoWorld, _ random: inout DemoRandom) -> TicketOutcome {
        let agent = world.agent(&random)
        var priority = priorities.draw(&random)
        if category == "complaint" && priority == "low" { priority = "high" }
        let speed = exp(agent.skill) * priorityFactor(priority)

        // First response: async channels wait for the desk to open; phone and chat at night
        // reach a skeleton crew.
        let staffed = DemoWorld.isStaffed(created)
        var frtHours = random.logNormal(median: medianFirstResponseHours(channel), sigma: 0.9) * speed
        var firstResponse: Double
        if channel == "phone" || channel == "chat" {
            if !staffed { frtHours *= 4 }
            firstResponse = created + frtHours * DemoTime.hour
        } else {
            firstResponse = DemoWorld.nextStaffed(created) + frtHours * DemoTime.hour
        }
        firstResponse = max(firstResponse, created + 20)
        let slow = (firstResponse - created) > 24 * DemoTime.hour

        // Resolution: some tickets are solved in the first contact; some are dropped.
        let abandoned = random.chance(0.03 + 0.05 * max(0, agent.skill))
        var reopens = 0
        var agentReplies = 1
        var work = 0.0
        let solvedFirstContact = (channel == "phone" || channel == "chat") && random.chance(0.45)
        if !solvedFirstContact {
            agentReplies += min(12, random.poisson(mean: 1.2 + (category == "technical" ? 1.0 : 0)))
            work = random.logNormal(median: medianResolutionHours(category), sigma: 1.0) * speed * DemoTime.hour
        }
        let firstSolveWork = work
        if random.chance(0.07 + 0.06 * max(0, agent.skill)) {
            reopens = random.chance(0.8) ? 1 : 2
            for _ in 0..<reopens {
                work += random.logNormal(median: 30, sigma: 0.8) * DemoTime.hour
                agentReplies += 1 + random.int(0...1)
            }
        }
        let customerReplies = max(0, agentReplies - 1 + random.int(-1...1))
        let resolvedAt = abandoned ? nil : firstResponse + work + Double(random.int(60...900))

        var handle: Int? = nil
        if !random.chance(0.04) {
            var seconds = 0.0
            for _ in 0..<agentReplies {
                seconds += random.logNormal(median: handleMedianSeconds(channel), sigma: 0.6) * exp(agent.skill * 0.5)
            }
            handle = Int(seconds.rounded())
        }

        var satisfaction: Double
        if abandoned {
            satisfaction = 1.3 + random.normal(mean: 0, sd: 0.5)
        } else {
            let frt = (firstResponse - created) / DemoTime.hour
            let ttr = (resolvedAt! - created) / DemoTime.hour
            satisfaction = 4.5 - 0.4 * log(1 + frt / 2) - 0.3 * log(1 + ttr / 24) - 0.5 * Double(reopens)
                - 0.8 * agent.skill + 0.35 * mood + random.normal(mean: 0, sd: 0.6)
        }

        var outcome = TicketOutcome(
            channel: channel, category: category, priority: priority, agent: agent, created: created,
            firstResponse: firstResponse, resolved: resolvedAt,
            firstSolve: reopens > 0 && !abandoned ? firstResponse + firstSolveWork + 600 : nil, status: "closed", reopens: reopens,
            agentReplies: agentReplies, customerReplies: customerReplies, handleSeconds: handle,
            satisfaction: satisfaction, abandoned: abandoned, slowFirstResponse: slow)
        exportState(&outcome, end: world.end, &random)
        return outcome
    }

    /// What the export at `end` shows: not answered yet (`new`), still being worked
    /// (`open`/`pending`, with the counts so far), solved recently (`solved`) or `closed`.
    private static func exportState(_ t: inout TicketOutcome, end: Double, _ random: inout DemoRandom) {
        if let first = t.firstResponse, first >= end {
            t.firstResponse = nil
            t.resolved = nil
            t.status = "new"
            t.agentReplies = 0
            t.customerReplies = 0
            t.reopens = 0
            t.handleSeconds = nil
        } else if t.resolved.map({ $0 >= end }) ?? true {
            if let firstSolve = t.firstSolve, firstSolve < end {
                // Solved once, reopened, not solved again yet: open, with the old solve time.
                t.resolved = firstSolve
                t.status = "open"
                t.reopens = 1
            } else {
                t.resolved = nil
                t.status = random.chance(0.5) ? "open" : "pending"
                t.reopens = 0
            }
        } else if let resolved = t.resolved {
            t.status = resolved >= end - 4 * DemoTime.day ? "solved" : "closed"
        }
    }
}
