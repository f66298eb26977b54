import PatronCore
import PatronInput

/// Intercom's conversations and contacts as the REST API (2.x) returns them: list pages
/// (`{"type": "conversation.list", "conversations": […]}`, `{"type": "list", "data": […]}`), one
/// per document or concatenated, or one object per line as tools that dump them write.
/// Mapping and its choices, for users: docs/vendors/intercom.md.
///
/// Memory: one conversation at a time, plus the contacts' e-mail and phone packed in a
/// `ContactBook` for the conversations that name only a contact id.
public final class IntercomImporter: VendorImporter {
    public static let vendor = "intercom"
    static let contacts = VendorFileKind(
        vendor: vendor, name: "contacts",
        summary: "contacts list JSON ({\"type\": \"list\", \"data\": [contacts…]}) or one contact object per line",
        entities: [.customers], readOrder: 0)
    static let conversations = VendorFileKind(
        vendor: vendor, name: "conversations",
        summary: "conversations list JSON ({\"type\": \"conversation.list\", \"conversations\": […]}) or one conversation object per line",
        entities: [.tickets], readOrder: 1)
    public static let kinds = [contacts, conversations]

    public static func columns(for entity: Entity) -> [String] {
        switch entity {
        case .customers: return ["customer_id", "email", "phone", "name", "country", "signup_at"]
        case .tickets:
            return ["ticket_id", "customer_id", "email", "phone", "created_at", "channel", "priority", "status", "agent",
                    "first_response_at", "resolved_at", "reopens", "csat"]
        default: return []
        }
    }

    /// Without the contacts file, tickets have no e-mail or phone: not even as columns.
    public func filledColumns(for entity: Entity) -> [String] {
        Self.columns(for: entity).filter { entity != .tickets || contactsRead || ($0 != "email" && $0 != "phone") }
    }

    /// Members only a list page has.
    static let pageKeys: Set<String> = ["pages", "total_count"]

    /// Contacts of the contacts file (id → e-mail, phone), for the conversations they are in.
    private var contactBook = ContactBook()
    private var contactsRead = false

    public init(settings: ImportSettings) {}

    public func recognize(_ file: InputFile) throws -> VendorFileKind? {
        switch try VendorJSONPages.shape(of: file, listKeys: ["conversations", "data"], pageKeys: Self.pageKeys) {
        case .list("conversations", _):
            return Self.conversations
        case .list(_, let first):
            // `data` holds contacts in a contacts list (other Intercom lists use it too).
            guard let first else { return Self.contacts }
            return Self.isContact(first) ? Self.contacts : nil
        case .record(let object):
            if Self.isContact(.object(object)) { return Self.contacts }
            if object["type"]?.text == "conversation"
                || (object["id"] != nil && (object["first_contact_reply"] != nil || object["conversation_parts"] != nil)) {
                return Self.conversations
            }
            return nil
        case .unknown:
            return nil
        }
    }

    private static func isContact(_ value: JSONValue) -> Bool {
        if let type = value["type"]?.text { return type == "contact" }
        return value["id"] != nil && value["role"] != nil
    }

    public func convert(_ file: InputFile, kind: VendorFileKind, into sink: ImportSink) throws {
        let reader = try JSONStreamReader(file: file)
        if kind == Self.contacts {
            contactsRead = true
            try VendorJSONPages(reader: reader, recordsKey: "data", pageKeys: Self.pageKeys).forEach { value, line, _ in
                guard case .object = value else { throw InputError(file: reader.displayName, line: line, message: "expected a contact object") }
                try contact(value, line: line, sink)
            }
            contactBook.compact()
        } else {
            try VendorJSONPages(reader: reader, recordsKey: "conversations", pageKeys: Self.pageKeys).forEach { value, line, _ in
                guard case .object = value else {
                    throw InputError(file: reader.displayName, line: line, message: "expected a conversation object")
                }
                try conversation(value, line: line, sink)
            }
        }
    }

    // MARK: contacts

    private func contact(_ c: JSONValue, line: Int, _ sink: ImportSink) throws {
        let id = c["id"]?.idText
        let record = SourceRecord(line: line, label: id.map { "contact \($0)" } ?? "contact without an id")
        let email = c["email"]?.text
        let phone = c["phone"]?.text
        if let id { contactBook.set(id, email: email, phone: phone) }
        // Users and leads alike: leads are people who wrote in without signing up.
        var customer = row(.customers, record)
        customer.set("customer_id", id)
        if c["email"] != nil { customer.set("email", email) }
        if c["phone"] != nil { customer.set("phone", phone) }
        if c["name"] != nil { customer.set("name", c["name"]?.text) }
        // The country's name as Intercom writes it (`United States`), not an ISO code.
        if let location = c["location"] { customer.set("country", location["country"]?.text) }
        if let signedUp = c["signed_up_at"] { customer.set("signup_at", VendorValues.unixSeconds(signedUp)) }
        try sink.emitDroppingJunkIdentifiers(customer)
    }

    // MARK: conversations

    private func conversation(_ c: JSONValue, line: Int, _ sink: ImportSink) throws {
        let id = c["id"]?.idText
        // A conversation without an id is handed on with an empty ticket_id: the loader rejects it.
        let record = SourceRecord(line: line, label: id.map { "conversation \($0)" } ?? "conversation without an id")
        let statistics = c["statistics"].flatMap { $0.object == nil ? nil : $0 }
        let firstContactReply = c["first_contact_reply"]
        let firstContactReplyAt = VendorValues.unixSeconds(statistics?["first_contact_reply_at"])
            ?? VendorValues.unixSeconds(firstContactReply?["created_at"])
        if firstContactReplyAt == nil && firstContactReply?.object == nil && !Self.customerInitiated(c, firstContactReply) {
            sink.skip(.tickets, record, reason: "no customer message (an outbound message nobody answered)")
            return
        }
        var row = self.row(.tickets, record)
        row.set("ticket_id", id)
        let customer = Self.contactID(c)
        row.set("customer_id", customer)
        // The conversation names its contact by id only: e-mail and phone come from the contacts
        // file; a contact it does not list keeps what is stored.
        if contactsRead, let customer, let details = contactBook.lookup(customer) {
            row.set("email", details.email)
            row.set("phone", details.phone)
        }
        // The request starts with the customer's first message: for a conversation we started
        // (an outbound message) created_at is when we sent it, hours or days before.
        row.set("created_at", firstContactReplyAt ?? VendorValues.unixSeconds(c["created_at"]))
        if let source = c["source"] { row.set("channel", Self.channel(source["type"]?.text)) }
        if let priority = c["priority"] { row.set("priority", Self.priority(priority.text)) }
        if let state = c["state"] { row.set("status", Self.status(state.text)) }
        if let assignee = c["admin_assignee_id"] { row.set("agent", assignee.idText) }
        if let statistics {
            // Timestamps, not the durations beside them (those subtract office hours).
            row.set("first_response_at", VendorValues.unixSeconds(statistics["first_admin_reply_at"]))
            row.set("resolved_at", VendorValues.unixSeconds(statistics["last_close_at"]))
            row.set("reopens", statistics["count_reopens"]?.fieldText)
        }
        // statistics null: the metric columns stay absent (stored values are kept).
        if let rating = c["conversation_rating"] { row.set("csat", (rating["rating"] ?? rating["score"])?.fieldText) }
        try sink.emitDroppingJunkIdentifiers(row)
    }

    /// When `first_contact_reply` is not in the object at all (some tools leave it out), a
    /// conversation the customer started still has a customer message.
    private static func customerInitiated(_ c: JSONValue, _ firstContactReply: JSONValue?) -> Bool {
        guard firstContactReply == nil else { return false }
        guard let deliveredAs = c["source"]?["delivered_as"]?.text else { return true }
        return deliveredAs == "customer_initiated"
    }

    /// The conversation's first contact (`contacts.contacts[0].id`); when the list is null or
    /// empty, the author of its first message if that is a contact (user or lead).
    static func contactID(_ c: JSONValue) -> String? {
        let list = c["contacts"].flatMap { $0.array ?? $0["contacts"]?.array }
        if let first = list?.first?["id"]?.idText { return first }
        if let author = c["source"]?["author"], let type = author["type"]?.text, ["user", "lead", "contact"].contains(type) {
            return author["id"]?.idText
        }
        return nil
    }

    /// `source.type` → the canonical channel: Messenger, WhatsApp and SMS → chat; Facebook,
    /// Instagram and Twitter → social; calls → phone; push and anything else → other.
    static func channel(_ type: String?) -> String? {
        guard let type, !type.isEmpty else { return nil }
        switch type.lowercased() {
        case "conversation", "chat", "whatsapp", "sms": return "chat"
        case "email": return "email"
        case "phone_call", "phone_switch", "call": return "phone"
        case "facebook", "instagram", "twitter": return "social"
        default: return "other"
        }
    }

    /// Intercom has two levels: `priority` → high, `not_priority` → normal.
    static func priority(_ priority: String?) -> String? {
        switch priority {
        case "priority": return "high"
        case "not_priority": return "normal"
        default: return priority
        }
    }

    /// `open` → open, `snoozed` → pending, `closed` → solved (a closed conversation reopens on the
    /// customer's next message, like a solved ticket).
    static func status(_ state: String?) -> String? {
        switch state?.lowercased() {
        case "snoozed": return "pending"
        case "closed": return "solved"
        default: return state
        }
    }
}
