import Foundation

/// The demo help desk (canonical source `helpdesk`) as Zendesk Support's APIs export it
/// (zendesk.md of the vendor layout notes): `tickets.json`, incremental ticket export pages
/// (`include=metric_sets`) concatenated, one page per line, and `users.json`, one incremental
/// user export page with every agent and requester.
///
/// Mapping from the canonical `tickets.csv`:
/// - `id`: integers from 10001, in the order tickets are generated (customer by customer); pages
///   hold 1000 tickets in that order, not in `updated_at` order as a real cursor export would,
///   and every ticket appears once (no re-exports, no deleted tickets).
/// - `created_at` = canonical `created_at`; `updated_at` = the last thing that happened by the
///   export (closed: solve + 4 days, Zendesk's automatic close; solved: the solve; otherwise the
///   first response or creation).
/// - `status`: the canonical status; one `pending` ticket in five is `hold` (an importer maps
///   it back to `pending`). A `new` ticket has no assignee (Zendesk sets `open` on assignment):
///   its canonical `agent` is not exported.
/// - `via.channel`: email → `email`, web → `web`, chat → `chat` (two in five `native_messaging`),
///   phone → `voice`, social → the handle's platform (`twitter`, `facebook`, `instagram_dm`;
///   TikTok and Reddit have no Zendesk channel: `any_channel`, which an importer reads as
///   `other`), other → `api`.
/// - `requester_id`: one end-user per customer (see users below); `assignee_id`: the agent.
/// - `custom_fields`: category in field 360000111222, handle time (seconds, integer or null) in
///   field 360000333444.
/// - `satisfaction_rating`: canonical csat ≥ 4 → `good`, ≤ 3 → `bad` (so the share of `good`
///   equals docs/metrics.md's csat, the share ≥ 4, exactly; an importer maps them to 5 and 1,
///   so an average is not preserved); no csat on a solved or closed ticket → `offered`; on any
///   other → `unoffered`. Canonical ces and customer_replies are not in this export.
/// - `metric_sets`: `replies` = canonical agent_replies; `reopens`; `solved_at` = canonical
///   resolved_at; `reply_time_in_minutes.calendar` = minutes from creation to the first response
///   (the demo makes first responses a whole number of minutes after creation, so
///   `created_at + calendar minutes` gives the canonical first_response_at exactly),
///   `business` = the staffed minutes in between (the demo desk's hours, UTC: Monday–Friday
///   08–20, Saturday 09–15; every duration is rounded down to whole minutes); messaging
///   tickets also carry `reply_time_in_seconds.calendar`. No first response: `replies` 0 and
///   the reply time `null` (one in three `0`, as Zendesk's own example shows).
///   `first_resolution_time_in_minutes` / `full_resolution_time_in_minutes` from the first and
///   the last solve.
///
/// Users: agents first (role `agent`, ids 370000000001…), then one end-user per customer with
/// tickets (id 380000000000 + customer index; `created_at` their first ticket): `email` the
/// customer's address if any of their tickets came with one, `phone` the E.164 number of their
/// phone tickets, else null. A requester known only by a social handle has neither (Zendesk keeps
/// social identities elsewhere): an importer cannot link their tickets to shop customers.
final class ZendeskExport {
    static let categoryField = 360_000_111_222
    static let handleTimeField = 360_000_333_444
    /// Tickets per page: Zendesk's maximum (tests use smaller pages).
    static let defaultPageSize = 1000
    static let subdomain = "https://patronshop.zendesk.com"

    let pageSize: Int
    let ticketsFile: VendorFile
    let usersFile: VendorFile
    private let users: StreamedJSONArray
    private let encoder = VendorJSON.makeEncoder()
    private let end: Int
    private(set) var tickets = 0
    private(set) var pages = 0
    private var nextTicketID = 10_001
    private var nextRatingID = 7_700_001
    /// The page being filled, and a full page held back until we know whether another follows
    /// (the last page says `end_of_stream: true`).
    private var page: [(ticket: Wire.Ticket, metrics: Wire.MetricSet)] = []
    private var heldPage: [(ticket: Wire.Ticket, metrics: Wire.MetricSet)]?

    static func agentID(_ agent: DemoAgent) -> Int { 370_000_000_001 + agent.number }
    static func requesterID(customerIndex: Int) -> Int { 380_000_000_000 + customerIndex }

    init(directory: URL, agents: [DemoAgent], start: Int, end: Int, pageSize: Int = defaultPageSize) throws {
        let dir = directory.appendingPathComponent("zendesk")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.pageSize = pageSize
        self.end = end
        ticketsFile = try VendorFile(directory: dir, name: "tickets.json")
        usersFile = try VendorFile(directory: dir, name: "users.json")
        users = StreamedJSONArray(file: usersFile, envelope: Wire.UsersPage(end_of_stream: true, end_time: end, next_page: nil, users: []),
                                  arrayKey: "users")
        let joined = VendorTime.iso(start - 30 * 86_400)
        for agent in agents {
            let local = agent.name.lowercased().filter { $0.isLetter || $0 == " " }.replacingOccurrences(of: " ", with: ".")
            users.append(Wire.User(
                active: true, created_at: joined, email: "\(local)\(agent.number)@patronshop.example", id: Self.agentID(agent),
                name: agent.name, phone: nil, role: "agent", time_zone: "UTC", updated_at: joined, verified: true))
        }
    }

    /// The customer's tickets; returns the Zendesk id of each canonical ticket id (for the
    /// surveys that link to one).
    func write(_ journey: JourneyRecord, _ random: inout DemoRandom) -> [String: Int] {
        guard !journey.tickets.isEmpty else { return [:] }
        let c = journey.customer
        let requester = Self.requesterID(customerIndex: c.index)
        var ids: [String: Int] = [:]
        var firstCreated = Int.max, lastUpdated = Int.min
        var email: String?, phone: String?
        for t in journey.tickets {
            let id = nextTicketID
            nextTicketID += 1
            ids[t.ticketID] = id
            let (ticket, metrics) = objects(t, id: id, requester: requester, customer: c, &random)
            add(ticket, metrics)
            firstCreated = min(firstCreated, t.created)
            lastUpdated = max(lastUpdated, ticket.generated_timestamp)
            if !t.email.isEmpty { email = c.email }
            if let e164 = t.phoneE164 { phone = phone ?? e164 }
        }
        let name = email != nil ? c.name : phone.map { "Caller \($0)" } ?? c.handle.map { "@\($0.name)" } ?? c.name
        users.append(Wire.User(
            active: true, created_at: VendorTime.iso(firstCreated), email: email, id: requester, name: name, phone: phone,
            role: "end-user", time_zone: "UTC", updated_at: VendorTime.iso(lastUpdated), verified: email != nil))
        return ids
    }

    private func objects(_ t: JourneyRecord.Ticket, id: Int, requester: Int, customer c: JourneyRecord.Customer,
                         _ random: inout DemoRandom) -> (Wire.Ticket, Wire.MetricSet) {
        var status = t.status
        if status == "pending" && random.chance(0.2) { status = "hold" }
        let channel: String
        switch t.channel {
        case "email": channel = "email"
        case "web": channel = "web"
        case "chat": channel = random.chance(0.4) ? "native_messaging" : "chat"
        case "phone": channel = "voice"
        case "social":
            switch c.handle?.platform {
            case "twitter": channel = "twitter"
            case "facebook": channel = "facebook"
            case "instagram": channel = "instagram_dm"
            default: channel = "any_channel"
            }
        default: channel = "api"
        }
        let resolvedNow = t.status == "solved" || t.status == "closed"
        var updated = t.created
        if let first = t.firstResponse { updated = max(updated, first) }
        if let solved = t.resolved { updated = max(updated, solved) }
        if t.status == "closed", let solved = t.resolved { updated = max(updated, min(solved + 4 * 86_400, end - 1)) }

        var from = Wire.From()
        if channel == "email", !t.email.isEmpty {
            from.address = t.email.trimmingCharacters(in: .whitespaces)
            from.name = c.name
        } else if channel == "voice", let e164 = t.phoneE164 {
            from.phone = e164
            from.formatted_phone = t.phone
        }
        let rating: Wire.Rating
        if let csat = t.csat {
            rating = Wire.Rating(id: nextRatingID, score: csat >= 4 ? "good" : "bad", comment: nil)
            nextRatingID += 1
        } else {
            rating = Wire.Rating(id: nil, score: resolvedNow ? "offered" : "unoffered", comment: nil)
        }
        let ticket = Wire.Ticket(
            assignee_id: t.status == "new" ? nil : Self.agentID(t.agent),
            created_at: VendorTime.iso(t.created),
            custom_fields: [Wire.CustomField(id: Self.categoryField, value: .text(t.category)),
                            Wire.CustomField(id: Self.handleTimeField, value: t.handleSeconds.map { .number($0) } ?? .null)],
            generated_timestamp: updated,
            group_id: 360_000_001_001,
            id: id,
            organization_id: nil,
            priority: t.priority,
            requester_id: requester,
            satisfaction_rating: rating,
            status: status,
            subject: Self.subject(t.category),
            submitter_id: requester,
            tags: [t.category],
            type: t.category == "technical" ? "incident" : t.category == "complaint" ? "problem" : "question",
            updated_at: VendorTime.iso(updated),
            url: "\(Self.subdomain)/api/v2/tickets/\(id).json",
            via: Wire.Via(channel: channel, source: Wire.Source(from: from, rel: nil, to: EmptyObject())))

        // Durations in whole minutes, rounded down; business minutes in the desk's staffed hours.
        func minutes(until instant: Int?) -> Wire.Minutes {
            guard let instant else { return Wire.Minutes(business: nil, calendar: nil) }
            return Wire.Minutes(business: Self.staffedSeconds(from: t.created, to: instant) / 60, calendar: (instant - t.created) / 60)
        }
        var replyTime = minutes(until: t.firstResponse)
        if t.firstResponse == nil && random.chance(1.0 / 3) { replyTime = Wire.Minutes(business: 0, calendar: 0) }
        let metrics = Wire.MetricSet(
            assigned_at: t.status == "new" ? nil : VendorTime.iso(t.firstResponse ?? t.created),
            created_at: VendorTime.iso(t.created),
            first_resolution_time_in_minutes: minutes(until: t.firstSolve ?? t.resolved),
            full_resolution_time_in_minutes: minutes(until: resolvedNow ? t.resolved : nil),
            id: 900_000_000 + id,
            reopens: t.reopens,
            replies: t.firstResponse == nil ? 0 : t.agentReplies,
            reply_time_in_minutes: replyTime,
            reply_time_in_seconds: channel == "native_messaging" ? t.firstResponse.map { Wire.Seconds(calendar: $0 - t.created) } : nil,
            solved_at: t.resolved.map(VendorTime.iso),
            ticket_id: id,
            updated_at: VendorTime.iso(updated),
            url: "\(Self.subdomain)/api/v2/ticket_metrics/\(900_000_000 + id).json")
        return (ticket, metrics)
    }

    static func subject(_ category: String) -> String {
        switch category {
        case "order_status": return "Where is my order?"
        case "returns": return "Return and refund"
        case "billing": return "Question about my invoice"
        case "product_question": return "Question about a product"
        case "technical": return "The app does not work"
        case "complaint": return "Complaint"
        case "account": return "Help with my account"
        default: return "Support request"
        }
    }

    /// Seconds between two instants in the demo desk's staffed hours (`DemoWorld.isStaffed`).
    static func staffedSeconds(from a: Int, to b: Int) -> Int {
        var total = 0
        var t = a
        while t < b {
            let next = min(b, (StoreTime.floorDivide(t, 3600) + 1) * 3600)
            if DemoWorld.isStaffed(Double(t)) { total += next - t }
            t = next
        }
        return total
    }

    private func add(_ ticket: Wire.Ticket, _ metrics: Wire.MetricSet) {
        page.append((ticket, metrics))
        tickets += 1
        ticketsFile.records += 1
        if page.count == pageSize {
            if let held = heldPage { writePage(held, last: false) }
            heldPage = page
            page = []
        }
    }

    private func writePage(_ entries: [(ticket: Wire.Ticket, metrics: Wire.MetricSet)], last: Bool) {
        pages += 1
        // Cursor: opaque to a client; here the page number (base64url, no padding), so the
        // bytes are reproducible.
        let cursor = Data("patron-demo-page-\(pages)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let page = Wire.TicketsPage(
            after_cursor: cursor,
            after_url: "\(Self.subdomain)/api/v2/incremental/tickets/cursor.json?cursor=\(cursor)&include=metric_sets",
            before_cursor: nil, before_url: nil, end_of_stream: last,
            metric_sets: entries.map(\.metrics), tickets: entries.map(\.ticket))
        ticketsFile.write(VendorJSON.encode(page, with: encoder))
        ticketsFile.write("\n")
    }

    func close() throws {
        if let held = heldPage {
            if page.isEmpty {
                writePage(held, last: true)
            } else {
                writePage(held, last: false)
                writePage(page, last: true)
            }
        } else {
            writePage(page, last: true)   // possibly empty: one page that ends the stream
        }
        heldPage = nil
        page = []
        users.finish()
        try ticketsFile.close()
        try usersFile.close()
    }

    /// Zendesk's JSON objects, the fields this export fills, named as Zendesk names them
    /// (written with sorted keys). `@Null` fields are written as `null`; plain optionals are
    /// left out when absent.
    enum Wire {
        struct TicketsPage: Encodable {
            let after_cursor: String
            let after_url: String
            @Null var before_cursor: String?
            @Null var before_url: String?
            let end_of_stream: Bool
            let metric_sets: [MetricSet]
            let tickets: [Ticket]
        }

        struct Ticket: Encodable {
            @Null var assignee_id: Int?
            let created_at: String
            let custom_fields: [CustomField]
            let generated_timestamp: Int
            let group_id: Int
            let id: Int
            @Null var organization_id: Int?
            let priority: String
            let requester_id: Int
            let satisfaction_rating: Rating
            let status: String
            let subject: String
            let submitter_id: Int
            let tags: [String]
            let type: String
            let updated_at: String
            let url: String
            let via: Via
        }

        struct CustomField: Encodable {
            let id: Int
            let value: FieldValue
        }

        enum FieldValue: Encodable {
            case text(String), number(Int), null

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .number(let number): try container.encode(number)
                case .null: try container.encodeNil()
                }
            }
        }

        struct Rating: Encodable {
            let id: Int?
            let score: String
            @Null var comment: String?
        }

        struct Via: Encodable {
            let channel: String
            let source: Source
        }

        struct Source: Encodable {
            let from: From
            @Null var rel: String?
            let to: EmptyObject
        }

        struct From: Encodable {
            var address: String?
            var formatted_phone: String?
            var name: String?
            var phone: String?
        }

        struct MetricSet: Encodable {
            @Null var assigned_at: String?
            let created_at: String
            let first_resolution_time_in_minutes: Minutes
            let full_resolution_time_in_minutes: Minutes
            let id: Int
            let reopens: Int
            let replies: Int
            let reply_time_in_minutes: Minutes
            let reply_time_in_seconds: Seconds?
            @Null var solved_at: String?
            let ticket_id: Int
            let updated_at: String
            let url: String
        }

        struct Minutes: Encodable {
            @Null var business: Int?
            @Null var calendar: Int?
        }

        struct Seconds: Encodable {
            let calendar: Int
        }

        struct UsersPage: Encodable {
            let end_of_stream: Bool
            let end_time: Int
            @Null var next_page: String?
            let users: [User]
        }

        struct User: Encodable {
            let active: Bool
            let created_at: String
            @Null var email: String?
            let id: Int
            let name: String
            @Null var phone: String?
            let role: String
            let time_zone: String
            let updated_at: String
            let verified: Bool
        }
    }
}
