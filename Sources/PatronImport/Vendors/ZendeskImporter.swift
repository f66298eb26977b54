import PatronCore
import PatronInput

/// Zendesk Support's incremental ticket export (pages of tickets with their side-loaded
/// `metric_sets`, or each ticket's nested `metric_set`; pages one per document or concatenated;
/// or the admin-centre JSON export, one ticket per line) and the incremental users export.
/// Mapping and its choices, for users: docs/vendors/zendesk.md.
///
/// Memory: one page of tickets at most (a page's tickets wait for its `metric_sets` when those
/// come after them), plus the users file's lookups: end-users' e-mail and phone packed in a
/// `ContactBook`, and the names of staff (agents and admins), who are few.
public final class ZendeskImporter: VendorImporter {
    public static let vendor = "zendesk"
    static let users = VendorFileKind(
        vendor: vendor, name: "users",
        summary: "incremental users export JSON ({\"users\": […]})",
        entities: [.customers], readOrder: 0)
    static let tickets = VendorFileKind(
        vendor: vendor, name: "tickets",
        summary: "incremental ticket export JSON pages ({\"tickets\": […], \"metric_sets\": […]}) or one ticket object per line",
        entities: [.tickets], readOrder: 1)
    public static let kinds = [users, tickets]

    public static func columns(for entity: Entity) -> [String] {
        switch entity {
        case .customers: return ["customer_id", "email", "phone", "name", "signup_at"]
        case .tickets:
            return ["ticket_id", "customer_id", "email", "phone", "created_at", "channel", "category", "priority", "status",
                    "agent", "first_response_at", "resolved_at", "reopens", "agent_replies", "handle_seconds", "csat"]
        default: return []
        }
    }

    /// Without their custom field configured, tickets have no category or handle time; without
    /// the users file, no e-mail or phone: those columns are not in the converted files at all.
    public func filledColumns(for entity: Entity) -> [String] {
        Self.columns(for: entity).filter { column in
            switch column {
            case "category": return settings.categoryField != nil
            case "handle_seconds": return settings.handleTimeField != nil
            case "email", "phone": return entity != .tickets || usersRead
            default: return true
            }
        }
    }

    /// Pagination members and side-loads of a page: none of them is a member of a ticket or user.
    static let pageKeys: Set<String> = [
        "metric_sets", "users", "tickets", "groups", "organizations", "brands", "identities", "after_url", "after_cursor",
        "before_url", "before_cursor", "end_of_stream", "next_page", "previous_page", "end_time", "count", "meta", "links",
    ]

    private let settings: ImportSettings
    /// End-users of the users file (id → e-mail, phone), for the tickets they requested.
    private var requesters = ContactBook()
    private var usersRead = false
    /// Agents' and admins' names by id, for the tickets assigned to them.
    private var staffNames: [String: String] = [:]

    public init(settings: ImportSettings) {
        self.settings = settings
    }

    public func recognize(_ file: InputFile) throws -> VendorFileKind? {
        switch try VendorJSONPages.shape(of: file, listKeys: ["tickets", "metric_sets", "users"], pageKeys: Self.pageKeys) {
        case .list(let key, _):
            return key == "users" ? Self.users : Self.tickets
        case .record(let object):
            // The admin-centre export: a bare ticket per line.
            if object["id"] != nil && (object["requester_id"] != nil || object["via"] != nil) { return Self.tickets }
            if object["id"] != nil && object["role"] != nil { return Self.users }
            return nil
        case .unknown:
            return nil
        }
    }

    public func convert(_ file: InputFile, kind: VendorFileKind, into sink: ImportSink) throws {
        let reader = try JSONStreamReader(file: file)
        if kind == Self.users { try convertUsers(reader, sink) } else { try convertTickets(reader, sink) }
    }

    // MARK: users

    private func convertUsers(_ reader: JSONStreamReader, _ sink: ImportSink) throws {
        usersRead = true
        var pages = VendorJSONPages(reader: reader, recordsKey: "users", pageKeys: Self.pageKeys)
        pages.recordKeys = ["id", "role", "email", "phone", "name", "created_at"]
        try pages.forEach { value, line, _ in
            guard case .object = value else { throw InputError(file: reader.displayName, line: line, message: "expected a user object") }
            try user(value, line: line, sink)
        }
        requesters.compact()
    }

    private func user(_ u: JSONValue, line: Int, _ sink: ImportSink) throws {
        let id = u["id"]?.idText
        let record = SourceRecord(line: line, label: id.map { "user \($0)" } ?? "user without an id")
        let role = u["role"]?.text?.lowercased() ?? "end-user"
        let email = u["email"]?.text
        let phone = u["phone"]?.text
        guard role == "end-user" else {
            // Staff: not customers, but their names are the tickets' agents.
            if let id {
                staffNames[id] = u["name"]?.text
                requesters.remove(id)
            }
            sink.skip(.customers, record, reason: "staff user (agent or admin), not a customer")
            return
        }
        if let id {
            requesters.set(id, email: email, phone: phone)
            staffNames[id] = nil
        }
        var customer = row(.customers, record)
        customer.set("customer_id", id)
        if u["email"] != nil { customer.set("email", email) }
        if u["phone"] != nil { customer.set("phone", phone) }
        if u["name"] != nil { customer.set("name", u["name"]?.text) }
        // The user's creation: the first time the person wrote in, not a real sign-up.
        if let created = u["created_at"] { customer.set("signup_at", VendorValues.instant(created.text)) }
        try sink.emitDroppingJunkIdentifiers(customer)
    }

    // MARK: tickets

    /// One ticket converted but for its metrics.
    private struct PendingTicket {
        var row: ImportRow
        /// The ticket id, to find its metric set among the page's `metric_sets`.
        var key: String?
        /// The canonical creation time, the base of `first_response_at`.
        var createdAt: String?
        /// Whether the ticket carried its own `metric_set` (already applied).
        var hasMetrics: Bool
    }

    /// A page's tickets waiting for its `metric_sets`, and those metric sets.
    private struct Page {
        var waiting: [PendingTicket] = []
        var metrics: [String: TicketMetrics] = [:]
        var metricsRead = false
    }

    private func convertTickets(_ reader: JSONStreamReader, _ sink: ImportSink) throws {
        // Tickets are handed on in file order. The incremental export returns a ticket again each
        // time it changes (in order of update): within one file the loader keeps the last
        // occurrence of an id (docs/inputs.md, "Reloads, updates and duplicates"), which is the
        // latest version, so repeats are neither merged here nor rejected as duplicates.
        var page = Page()
        func finish(_ pending: PendingTicket) throws {
            var ticket = pending
            if !ticket.hasMetrics, let key = ticket.key, let metrics = page.metrics[key] {
                metrics.apply(to: &ticket.row, createdAt: ticket.createdAt)
            }
            // A ticket without a metric set keeps its metric columns absent: stored values stay.
            try sink.emitDroppingJunkIdentifiers(ticket.row)
        }
        func flush() throws {
            for pending in page.waiting { try finish(pending) }
            page.waiting.removeAll(keepingCapacity: true)
        }
        var pages = VendorJSONPages(reader: reader, recordsKey: "tickets", pageKeys: Self.pageKeys)
        // The members `ticket(_:…)` reads; a ticket's description, tags, URLs … are skipped unbuilt.
        pages.recordKeys = Set(["id", "status", "requester_id", "created_at", "via", "priority", "assignee_id",
                                "satisfaction_rating", "metric_set"])
            .union(settings.categoryField != nil || settings.handleTimeField != nil ? ["custom_fields", "fields"] : [])
        try pages.forEach(record: { value, line, inPage in
            guard case .object = value else { throw InputError(file: reader.displayName, line: line, message: "expected a ticket object") }
            guard let pending = try ticket(value, line: line, sink) else { return }
            // A page's metric_sets may still follow its tickets: wait for them, unless they were
            // read already or the ticket brought its own (and nothing waits before it).
            if !inPage || (page.waiting.isEmpty && (pending.hasMetrics || page.metricsRead)) {
                try finish(pending)
            } else {
                page.waiting.append(pending)
            }
        }, member: { key in
            guard key == "metric_sets" else { return false }
            try VendorJSONPages.forEachElement(reader) { value in
                guard let id = value["ticket_id"]?.idText else { return }
                page.metrics[id] = TicketMetrics(value)
            }
            page.metricsRead = true
            try flush()
            return true
        }, pageEnd: {
            try flush()
            page = Page()
        })
    }

    /// A ticket's canonical row but for side-loaded metrics, or nil when it is skipped.
    private func ticket(_ t: JSONValue, line: Int, _ sink: ImportSink) throws -> PendingTicket? {
        let id = t["id"]?.idText
        // A ticket without an id is handed on with an empty ticket_id: the loader rejects it,
        // naming the column and the vendor line, and the rest of the file loads.
        let record = SourceRecord(line: line, label: id.map { "ticket \($0)" } ?? "ticket without an id")
        let status = t["status"]?.text
        if status?.lowercased() == "deleted" {
            sink.skip(.tickets, record, reason: "deleted ticket")
            return nil
        }
        var row = self.row(.tickets, record)
        row.set("ticket_id", id)
        let requester = t["requester_id"]?.idText
        row.set("customer_id", requester)
        // E-mail and phone come from the users file only (never from via.source.from: the sender
        // may not be the requester); a requester the users file does not list keeps what is stored.
        if usersRead, let requester, let contact = requesters.lookup(requester) {
            row.set("email", contact.email)
            row.set("phone", contact.phone)
        }
        let createdAt = VendorValues.instant(t["created_at"]?.text)
        row.set("created_at", createdAt)
        if let via = t["via"] { row.set("channel", Self.channel(via["channel"])) }
        if let field = settings.categoryField, let value = customField(t, field) { row.set("category", value.fieldText) }
        if let priority = t["priority"] { row.set("priority", priority.text) }
        if t["status"] != nil { row.set("status", Self.status(status)) }
        if let assignee = t["assignee_id"] {
            let id = assignee.idText
            row.set("agent", id.map { staffNames[$0] ?? $0 })
        }
        if let field = settings.handleTimeField, let value = customField(t, field) { row.set("handle_seconds", value.fieldText) }
        if let rating = t["satisfaction_rating"] { row.set("csat", Self.csat(rating)) }
        var hasMetrics = false
        if let nested = t["metric_set"], case .object = nested {
            TicketMetrics(nested).apply(to: &row, createdAt: createdAt)
            hasMetrics = true
        }
        return PendingTicket(row: row, key: id, createdAt: createdAt, hasMetrics: hasMetrics)
    }

    /// The value of the custom field with this id (`custom_fields`, or `fields` in older
    /// exports), or nil when the ticket does not have the field.
    private func customField(_ t: JSONValue, _ fieldID: String) -> JSONValue? {
        guard let fields = (t["custom_fields"] ?? t["fields"])?.array else { return nil }
        for field in fields where field["id"]?.idText == fieldID { return field["value"] ?? .null }
        return nil
    }

    /// `status`: `hold` (waiting on a third party) → pending; the canonical five as they are;
    /// anything else as written, for the loader to reject.
    static func status(_ status: String?) -> String? {
        guard let status else { return nil }
        return status.lowercased() == "hold" ? "pending" : status
    }

    /// `satisfaction_rating.score`: good → 5, bad → 1 (so the share of tickets rated 4 or more is
    /// Zendesk's own satisfaction score); offered (asked, no answer), unoffered and null → empty.
    static func csat(_ rating: JSONValue) -> String? {
        guard let score = rating["score"]?.text else { return nil }
        switch score.lowercased() {
        case "good": return "5"
        case "bad": return "1"
        case "offered", "unoffered", "": return nil
        default: return score
        }
    }

    /// `via.channel` (a via type, or a via id in some exports) → the canonical channel.
    public static func channel(_ via: JSONValue?) -> String? {
        guard let via, let text = via.text else { return nil }
        if case .number = via {
            // The via ids whose type is sure: 0 web form, 4 e-mail; the others are rare on tickets.
            switch text {
            case "0": return "web"
            case "4": return "email"
            default: return "other"
            }
        }
        let type = text.lowercased()
        switch type {
        case "email", "mail": return "email"
        case "web", "web_form", "web_widget", "help_center", "mobile_sdk", "mobile", "dropbox", "iphone": return "web"
        case "chat", "native_messaging", "sms", "whatsapp", "line", "wechat", "telegram", "viber", "apple_business_chat",
             "google_rcs", "kakaotalk", "sunshine_conversations_api": return "chat"
        case "voice", "phone", "phone_call_inbound", "phone_call_outbound", "voicemail": return "phone"
        case "": return nil
        default:
            if type.contains("twitter") || type.contains("facebook") || type.contains("instagram") { return "social" }
            return "other"
        }
    }
}

/// The part of a Zendesk ticket metric set Patron uses.
struct TicketMetrics {
    var replies: JSONValue?
    var reopens: JSONValue?
    var solvedAt: String?
    /// `reply_time_in_seconds.calendar` (messaging tickets), `reply_time_in_minutes.calendar`.
    var replySeconds: Int64?
    var replyMinutes: Int64?

    init(_ m: JSONValue) {
        replies = m["replies"]
        reopens = m["reopens"]
        solvedAt = m["solved_at"]?.text
        replySeconds = m["reply_time_in_seconds"]?["calendar"]?.int64
        replyMinutes = m["reply_time_in_minutes"]?["calendar"]?.int64
    }

    /// Sets the metric columns: first_response_at = created_at + the calendar reply time (never
    /// the business one, another clock), only when an agent replied publicly (`replies > 0`:
    /// with no reply the reply time is 0 or null, not an instant answer); resolved_at is the last
    /// solve, also on a ticket open again since.
    func apply(to row: inout ImportRow, createdAt: String?) {
        row.set("agent_replies", replies?.fieldText)
        row.set("reopens", reopens?.fieldText)
        row.set("resolved_at", VendorValues.instant(solvedAt))
        var firstResponse: String?
        if let replies = replies?.int64, replies > 0, let createdAt {
            if let seconds = replySeconds {
                firstResponse = VendorValues.adding(seconds: seconds, to: createdAt)
            } else if let minutes = replyMinutes {
                let (seconds, overflow) = minutes.multipliedReportingOverflow(by: 60)
                if !overflow { firstResponse = VendorValues.adding(seconds: seconds, to: createdAt) }
            }
        }
        row.set("first_response_at", firstResponse)
    }
}
