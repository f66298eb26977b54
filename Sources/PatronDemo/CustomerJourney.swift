import Foundation

/// The six files a demo data set consists of, written row by row as customers are generated.
struct DemoFiles {
    let customers, purchases, returns, tickets, mentions, surveys: DemoFileWriter

    var all: [DemoFileWriter] { [customers, purchases, returns, tickets, mentions, surveys] }
}

/// The purchase process (Fader, Hardie & Lee 2005): while alive, a customer buys at Poisson
/// rate λ ~ Gamma(r, α) per week and, after every repeat purchase, drops out with probability
/// p ~ Beta(a, b). Spend per purchase is Gamma(p, ν) with ν ~ Gamma(q, γ) (Gamma-Gamma).
enum PurchaseModel {
    static let r = 0.55, alpha = 10.0         // mean λ = r/α = 0.055 purchases a week
    static let a = 0.9, b = 3.2               // mean dropout p ≈ 0.22
    static let p = 6.0, q = 3.5, gamma = 25.0 // mean spend p·γ/(q−1) = 60
    /// The planted effect: after a bad support experience a customer leaves at once with
    /// this probability, and is more likely to drop out after later purchases.
    static let churnAfterBadSupport = 0.45
    static let dropoutBoostAfterBadSupport = 0.5
}

/// One customer's story from sign-up to the end of the history: profile, orders, returns,
/// tickets, surveys and posts, written to the files as it unfolds. Everything is drawn from
/// the customer's own random stream.
struct CustomerJourney {
    let index: Int
    let world: DemoWorld
    var random: DemoRandom

    // Who they are.
    let customerID: String
    let firstName: String, lastName: String
    let email: String
    let country: String
    let callingCode: String
    /// Calling code, area prefix, subscriber number: unique per customer.
    let phoneDigits: Phone?
    typealias Phone = (callingCode: String, area: String, number: String)
    let handle: (platform: String, name: String)?
    let mood: Double

    // What happened, for the surveys and posts that come after.
    private var purchaseTimes: [Double] = []
    private var returnCount = 0
    private var badExperiences: [Double] = []
    private var ticketSequence = 0, orderSequence = 0, returnSequence = 0, surveySequence = 0, mentionSequence = 0

    /// The same story in plain values, for the vendor exports (`VendorExports`).
    private(set) var record: JourneyRecord

    init(index: Int, world: DemoWorld) {
        self.index = index
        self.world = world
        random = DemoRandom(seed: world.options.seed, stream: DemoStream.customer.rawValue, index: UInt64(index))
        customerID = String(100_001 + index)
        firstName = random.pick(DemoVocabulary.firstNames)
        lastName = random.pick(DemoVocabulary.lastNames)
        let local = "\(firstName).\(lastName)".lowercased().replacingOccurrences(of: "'", with: "")
            .replacingOccurrences(of: "ü", with: "ue")
        email = "\(local)\(index)@\(random.pick(DemoVocabulary.emailDomains))"
        let country = DemoVocabulary.countries[random.weighted(DemoVocabulary.countries.map(\.weight))]
        self.country = country.code
        callingCode = country.callingCode
        // Unique per customer: the area prefix of the country, then the index in 7 digits.
        phoneDigits = random.chance(0.7) ? (country.callingCode, country.area, String(format: "%07d", index % 10_000_000)) : nil
        handle = random.chance(0.25)
            ? (DemoVocabulary.platforms.draw(&random), "\(firstName.lowercased())_\(lastName.lowercased().filter(\.isLetter))\(index)")
            : nil
        mood = random.normal()
        record = JourneyRecord(customer: JourneyRecord.Customer(
            index: index, customerID: customerID, firstName: firstName, lastName: lastName, email: email,
            country: country.code, phone: phoneDigits.map(Self.e164), nationalPhone: phoneDigits.map(Self.nationalPhone), handle: handle, signup: 0, segment: ""))
    }

    mutating func write(to files: DemoFiles) {
        let signup = world.signupTime(index: index, &random)
        let segment = DemoVocabulary.segments.draw(&random)
        let shopKnowsHandle = random.chance(0.6)
        record.customer.signup = Int(signup.rounded(.down))
        record.customer.segment = segment
        files.customers.write([
            customerID, email, phoneDigits.map(Self.shopPhone) ?? "",
            (shopKnowsHandle ? handle.map { "\($0.platform):@\($0.name)" } : nil) ?? "",
            "\(firstName) \(lastName)", country, TimestampStyle.isoZulu.format(signup), segment,
        ])

        if random.chance(0.93) {
            purchases(from: signup, segment: segment, files: files)
        } else if random.chance(0.15) {
            // Signed up, never bought, asked about the account.
            let created = DemoWorld.sameDay(signup + random.exponential(rate: 1 / (20 * DemoTime.day)), hours: DemoWorld.contactHours, &random)
            if created < world.end { _ = ticket(created: created, category: "account", files: files) }
        }
        npsSurveys(files: files)
        chatter(files: files)
        strangers(files: files)
    }

    // MARK: Orders and returns

    private mutating func purchases(from signup: Double, segment: String, files: DemoFiles) {
        let m = PurchaseModel.self
        var lambda = random.gamma(shape: m.r, rate: m.alpha) / DemoTime.week
        if segment == "business" { lambda *= 1.5 }
        var dropout = random.beta(m.a, m.b)
        let nu = random.gamma(shape: m.q, rate: m.gamma)
        var leavesAt = Double.infinity    // set when a bad support experience drives them away

        var t = signup + (random.chance(0.7) ? random.exponential(rate: 1 / (20 * DemoTime.minute))
                                               : random.logNormal(median: 2 * DemoTime.day, sigma: 1))
        while t < world.end && t < leavesAt {
            let orderTime = t
            purchaseTimes.append(orderTime)
            if random.chance(0.03) {
                // A cancelled order shortly before the real one (changed basket, payment failed).
                let before = orderTime - random.exponential(rate: 1 / (30 * DemoTime.minute)) - 60
                writeOrder(at: max(before, signup + 1), status: "cancelled", files: files, nu: nu)
            }
            let (orderID, cents) = writeOrder(at: orderTime, status: "completed", files: files, nu: nu)

            // After-sales: a return, and tickets about the order or the return.
            var supportTickets: [TicketOutcome] = []
            if random.chance(purchaseTimes.count == 1 ? 0.12 : 0.08),
               let returned = writeReturn(orderID: orderID, orderedAt: orderTime, cents: cents, files: files) {
                if random.chance(0.35) {
                    let created = returned + random.logNormal(median: 2 * DemoTime.day, sigma: 0.8)
                    if created < world.end { supportTickets.append(ticket(created: created, category: "returns", files: files)) }
                }
            }
            if random.chance(0.10) {
                let created = DemoWorld.sameDay(orderTime + random.logNormal(median: 3 * DemoTime.day, sigma: 0.9),
                                                hours: DemoWorld.contactHours, &random)
                let category = Weighted([("order_status", 40.0), ("billing", 15), ("product_question", 20),
                                         ("technical", 10), ("complaint", 10), ("account", 5)]).draw(&random)
                if created > orderTime && created < world.end {
                    supportTickets.append(ticket(created: created, category: category, files: files))
                }
            }

            // The planted effect: a bad experience can end the relationship right there.
            for outcome in supportTickets where outcome.isBad {
                badExperiences.append(outcome.created)
                dropout = 1 - (1 - dropout) * (1 - m.dropoutBoostAfterBadSupport)
                if random.chance(m.churnAfterBadSupport) { leavesAt = min(leavesAt, outcome.created) }
            }
            // BG/NBD: the dropout coin is tossed after every *repeat* purchase, not the first.
            if purchaseTimes.count > 1 && random.chance(dropout) { break }
            t = orderTime + random.exponential(rate: lambda)
            t = DemoWorld.sameDay(t, hours: DemoWorld.shoppingHours, &random)
            t = max(t, orderTime + DemoTime.minute)
        }
    }

    @discardableResult
    private mutating func writeOrder(at time: Double, status: String, files: DemoFiles, nu: Double) -> (String, Int) {
        orderSequence += 1
        let orderID = DemoID.make("O-", index: index, sequence: orderSequence)
        let cents = max(99, Int((random.gamma(shape: PurchaseModel.p, rate: nu) * 100).rounded()))
        let items = max(1, Int((Double(cents) / 2800).rounded()) + random.int(-1...1))
        let channel = DemoVocabulary.orderChannels.draw(&random)
        files.purchases.write([
            orderID, customerID, TimestampStyle.isoZulu.format(time), centsText(cents), "USD", channel, String(items), status,
        ])
        record.orders.append(JourneyRecord.Order(orderID: orderID, at: Int(time.rounded(.down)), cents: cents, currency: "USD",
                                                 channel: channel, items: items, status: status))
        return (orderID, cents)
    }

    /// A return of part or all of an order; some partial returns get a second one.
    private mutating func writeReturn(orderID: String, orderedAt: Double, cents: Int, files: DemoFiles) -> Double? {
        var refundedSoFar = 0
        var first: Double?
        var when = orderedAt + max(DemoTime.day, random.logNormal(median: 9 * DemoTime.day, sigma: 0.5))
        for attempt in 0..<2 {
            guard when < world.end else { break }
            let full = attempt == 0 && random.chance(0.55)
            let remaining = cents - refundedSoFar
            let refund = full ? remaining : max(1, Int(Double(remaining) * (0.2 + 0.6 * random.uniform())))
            refundedSoFar += refund
            returnSequence += 1
            returnCount += 1
            // Most returns name the customer; some carry only the order (the loader resolves it).
            let returnID = DemoID.make("RMA-", index: index, sequence: returnSequence)
            let namesCustomer = random.chance(0.75)
            let reason = DemoVocabulary.returnReasons.draw(&random)
            files.returns.write([
                returnID, orderID, namesCustomer ? customerID : "", TimestampStyle.isoZulu.format(when), centsText(refund),
                "USD", reason,
            ])
            if let order = record.orders.lastIndex(where: { $0.orderID == orderID }) {
                record.orders[order].returns.append(JourneyRecord.Return(
                    returnID: returnID, at: Int(when.rounded(.down)), cents: refund, reason: reason, full: full))
            }
            first = first ?? when
            if full || remaining - refund <= 0 || !random.chance(0.15) { break }
            when += random.logNormal(median: 5 * DemoTime.day, sigma: 0.5)
        }
        return first
    }

    // MARK: Support

    /// Writes a ticket (and maybe a CSAT/CES survey about it) and returns how it went.
    private mutating func ticket(created rawCreated: Double, category: String, files: DemoFiles) -> TicketOutcome {
        var channel = SupportModel.channels.draw(&random)
        if channel == "social" && handle == nil { channel = "email" }
        let created = channel == "phone" || channel == "chat"
            ? DemoWorld.sameDay(rawCreated, hours: DemoWorld.contactHours, &random) : rawCreated
        // Same day as `rawCreated`, so still before the end of the history.
        let outcome = SupportModel.ticket(created: created, category: category, channel: channel, mood: mood,
                                          world: world, &random)
        ticketSequence += 1
        let ticketID = DemoID.make("T-", index: index, sequence: ticketSequence)

        // The help desk knows people by what they contacted it with, never by shop id.
        var ticketEmail = "", ticketPhone = "", ticketHandle = ""
        var callerE164: String?
        switch channel {
        case "phone":
            // Someone the shop has no phone for calls from a number of their own.
            let caller = phoneDigits ?? (callingCode, "7", String(format: "%07d", index % 10_000_000))
            callerE164 = Self.e164(caller)
            ticketPhone = deskPhone(caller)
            if phoneDigits == nil || random.chance(0.5) { ticketEmail = deskEmail() }
        case "social":
            ticketHandle = handle.map { "\($0.platform):@\($0.name)" } ?? ""
            if random.chance(0.4) { ticketEmail = deskEmail() }
        default:
            ticketEmail = deskEmail()
        }

        let resolved = outcome.isResolved
        let csatOnTicket = resolved && random.chance(0.22)
        let cesOnTicket = resolved && random.chance(0.15)
        let ces = cesOnTicket ? outcome.ces(&random) : nil
        // Whole seconds, and the first response a whole number of minutes after creation, so
        // that Zendesk's reply time in minutes carries it exactly (see `wholeMinutes`).
        let createdAt = Int(outcome.created.rounded(.down))
        let firstResponseAt = outcome.firstResponse.map { Self.wholeMinutes(after: createdAt, $0, end: Int(world.end)) }
        let resolvedAt = outcome.resolved.map { Int($0.rounded(.down)) }
        let text = { (t: Int) in TimestampStyle.spaceOffset.format(Double(t)) }
        files.tickets.write([
            ticketID, ticketEmail, ticketPhone, ticketHandle, text(createdAt), channel,
            outcome.category, outcome.priority, outcome.status, outcome.agent.name,
            firstResponseAt.map(text) ?? "", resolvedAt.map(text) ?? "",
            String(outcome.reopens), String(outcome.agentReplies), String(outcome.customerReplies),
            outcome.handleSeconds.map(String.init) ?? "",
            csatOnTicket ? String(outcome.csat) : "", ces.map(String.init) ?? "",
        ])
        record.tickets.append(JourneyRecord.Ticket(
            ticketID: ticketID, created: createdAt, channel: channel, category: outcome.category, priority: outcome.priority,
            status: outcome.status, agent: outcome.agent, firstResponse: firstResponseAt, resolved: resolvedAt,
            firstSolve: outcome.firstSolve.map { Int($0.rounded(.down)) }, reopens: outcome.reopens,
            agentReplies: outcome.agentReplies, customerReplies: outcome.customerReplies, handleSeconds: outcome.handleSeconds,
            csat: csatOnTicket ? outcome.csat : nil, ces: ces, email: ticketEmail, phone: ticketPhone, handle: ticketHandle,
            phoneE164: callerE164))

        // Some answers arrive through the survey tool instead, linked by ticket id; a few
        // arrive both ways (analyses must count the ticket's own value once).
        if let solvedAt = outcome.resolved, resolved, random.chance(csatOnTicket ? 0.1 : 0.2) {
            let at = solvedAt + random.logNormal(median: 6 * DemoTime.hour, sigma: 1)
            if at < world.end {
                writeSurvey(kind: "csat", score: outcome.csat, at: at, ticketID: ticketID, files: files)
            }
        }
        if let solvedAt = outcome.resolved, resolved, !cesOnTicket, random.chance(0.08) {
            let at = solvedAt + random.logNormal(median: 8 * DemoTime.hour, sigma: 1)
            if at < world.end {
                writeSurvey(kind: "ces", score: outcome.ces(&random), at: at, ticketID: ticketID, files: files)
            }
        }
        // An unhappy customer with a public handle may say so.
        if outcome.isBad, handle != nil, random.chance(0.35) {
            let at = outcome.created + random.logNormal(median: 30 * DemoTime.hour, sigma: 0.8)
            writeMention(at: at, tone: .negative, files: files)
        }
        return outcome
    }

    /// The first response `firstResponse` (seconds) as written: a whole number of minutes after
    /// `created` (the nearest, at least one; moved back a minute at a time if that would reach the
    /// export instant `end`). Zendesk reports reply times in minutes, so this keeps the canonical
    /// and the vendor data the same; it moves the instant by at most 40 seconds (a reply after
    /// 20–29 seconds becomes one after a minute).
    static func wholeMinutes(after created: Int, _ firstResponse: Double, end: Int) -> Int {
        var minutes = max(1, Int(((firstResponse - Double(created)) / 60).rounded()))
        while minutes > 0 && created + minutes * 60 >= end { minutes -= 1 }
        return created + minutes * 60
    }

    /// The shop's format: `+1 415 000-1234`.
    static func shopPhone(_ phone: Phone) -> String {
        "+\(phone.callingCode) \(phone.area) \(phone.number.prefix(3))-\(phone.number.suffix(4))"
    }

    /// `+14150001234`
    static func e164(_ phone: Phone) -> String { "+\(phone.callingCode)\(phone.area)\(phone.number)" }

    /// Without the country code, as people write it at home: `(415) 000-1234`, `020 0001234`.
    static func nationalPhone(_ phone: Phone) -> String {
        if phone.callingCode == "1" { return "(\(phone.area)) \(phone.number.prefix(3))-\(phone.number.suffix(4))" }
        return (phone.area.hasPrefix("0") ? "" : "0") + "\(phone.area) \(phone.number)"
    }

    /// The help desk's own phone formats: `0014150001234` or `+1 (415) 0001234`.
    private mutating func deskPhone(_ phone: Phone) -> String {
        random.chance(0.5) ? "00\(phone.callingCode)\(phone.area)\(phone.number)"
                           : "+\(phone.callingCode) (\(phone.area)) \(phone.number)"
    }

    /// People type their address as they like; normalization folds the case and spaces.
    private mutating func deskEmail() -> String {
        switch random.int(0...9) {
        case 0, 1: return email.prefix(1).uppercased() + email.dropFirst()
        case 2: return " \(email.uppercased()) "
        default: return email
        }
    }

    // MARK: Surveys

    private mutating func writeSurvey(kind: String, score: Int, at: Double, ticketID: String?, files: DemoFiles) {
        surveySequence += 1
        var comment = ""
        if random.chance(0.3) {
            let good = kind == "nps" ? score >= 9 : kind == "csat" ? score >= 4 : score <= 2
            let bad = kind == "nps" ? score <= 6 : kind == "csat" ? score <= 2 : score >= 5
            comment = random.pick(good ? DemoVocabulary.promoterComments : bad ? DemoVocabulary.detractorComments
                                                                                  : DemoVocabulary.passiveComments)
        }
        let responseID = DemoID.make("S-", index: index, sequence: surveySequence)
        files.surveys.write([
            responseID, deskEmail(), kind, String(score), TimestampStyle.minutesZulu.format(at), ticketID ?? "", comment,
        ])
        record.surveys.append(JourneyRecord.Survey(responseID: responseID, kind: kind, score: score,
                                                   at: Int(at.rounded(.down)) / 60 * 60, ticketID: ticketID, comment: comment))
    }

    /// Quarterly NPS waves to everyone who bought in the 180 days before the wave.
    private mutating func npsSurveys(files: DemoFiles) {
        var wave = world.start + 91 * DemoTime.day
        while wave < world.end {
            let recentBuyer = purchaseTimes.contains { $0 < wave && $0 >= wave - 180 * DemoTime.day }
            if recentBuyer && random.chance(0.14) {
                let at = wave + random.logNormal(median: 20 * DemoTime.hour, sigma: 1.2)
                if at < world.end {
                    let orders = purchaseTimes.filter { $0 < at }.count
                    let hurt = badExperiences.contains { $0 < at }
                    let latent = 7.3 + 1.3 * mood + 0.25 * Double(min(orders, 8)) - (hurt ? 3.2 : 0)
                        - (returnCount > 0 ? 0.5 : 0) + random.normal(mean: 0, sd: 1.2)
                    writeSurvey(kind: "nps", score: max(0, min(10, Int(latent.rounded()))), at: at, ticketID: nil, files: files)
                }
            }
            wave += 91 * DemoTime.day
        }
    }

    // MARK: Social

    enum Tone { case positive, neutral, negative }

    /// Happy customers with a handle post now and then about their orders; everyone chats.
    private mutating func chatter(files: DemoFiles) {
        guard handle != nil else { return }
        for t in purchaseTimes where random.chance(0.04 + 0.03 * max(0, mood)) {
            writeMention(at: t + random.logNormal(median: 4 * DemoTime.day, sigma: 0.6), tone: .positive, files: files)
        }
        if random.chance(0.3), let first = purchaseTimes.first {
            writeMention(at: first + random.uniform() * (world.end - first), tone: .neutral, files: files)
        }
    }

    private mutating func writeMention(at t: Double, tone: Tone, files: DemoFiles, stranger: (platform: String, name: String)? = nil) {
        guard t < world.end, let who = stranger ?? handle else { return }
        mentionSequence += 1
        let (texts, complaint, sentiment): ([String], Bool, Double) = switch tone {
        case .positive: (DemoVocabulary.positiveMentions, false, 0.35 + 0.6 * random.uniform())
        case .neutral: (DemoVocabulary.neutralMentions, false, -0.05 + 0.1 * random.uniform())
        case .negative: (DemoVocabulary.negativeMentions, true, -0.3 - 0.7 * random.uniform())
        }
        // The listening tool reports a score, or only a label for some platforms.
        let sentimentText = random.chance(0.3)
            ? (tone == .positive ? "positive" : tone == .negative ? "negative" : "neutral")
            : centsText(Int((sentiment * 100).rounded()))
        let responded = random.chance(complaint ? 0.65 : 0.15)
            ? t + random.logNormal(median: (complaint ? 3 : 10) * DemoTime.hour, sigma: 1) : nil
        // A bare @name takes the row's platform; some rows carry the full platform:@name.
        let handleText = random.chance(0.5) ? "@\(who.name)" : "\(who.platform):@\(who.name)"
        files.mentions.write([
            DemoID.make(stranger == nil ? "M-" : "N-", index: index, sequence: mentionSequence), who.platform, handleText,
            TimestampStyle.compactOffset.format(t), random.pick(texts), sentimentText,
            complaint ? "true" : "false", String(Int(random.logNormal(median: 300, sigma: 1.6).rounded())),
            responded.flatMap { $0 < world.end ? TimestampStyle.compactOffset.format($0) : nil } ?? "",
        ])
    }

    /// Posts by people who are nobody's customer: their handles link to no one.
    private mutating func strangers(files: DemoFiles) {
        guard random.chance(0.4) else { return }
        let name = "\(random.pick(DemoVocabulary.strangerWords))\(random.pick(DemoVocabulary.strangerNouns))_\(index)"
        let stranger = (DemoVocabulary.platforms.draw(&random), name)
        for _ in 0...random.poisson(mean: 0.8) {
            let at = world.start + random.uniform() * (world.end - world.start)
            let tone: Tone = random.pick([.positive, .neutral, .neutral, .negative])
            writeMention(at: at, tone: tone, files: files, stranger: stranger)
        }
    }
}
