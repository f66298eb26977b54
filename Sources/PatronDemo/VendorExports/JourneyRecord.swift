/// One customer's story in plain values, as the canonical files show it before any row is
/// broken on purpose: what the vendor exports are written from. Kept for one customer at a
/// time (a few dozen values), so memory does not grow with the number of customers.
/// Instants are whole unix seconds, exactly the instants the canonical files write.
struct JourneyRecord {
    struct Customer {
        var index: Int
        var customerID: String
        var firstName: String
        var lastName: String
        var email: String
        var country: String
        /// E.164 (`+14150001234`) of the phone the shop knows, if any, and its national form.
        var phone: String?
        var nationalPhone: String?
        var handle: (platform: String, name: String)?
        var signup: Int
        var segment: String

        var name: String { "\(firstName) \(lastName)" }
    }

    struct Return {
        var returnID: String
        var at: Int
        var cents: Int
        var reason: String
        /// The whole order refunded at once.
        var full: Bool
    }

    struct Order {
        var orderID: String
        var at: Int
        var cents: Int
        var currency: String
        var channel: String
        var items: Int
        var status: String
        var returns: [Return] = []
    }

    struct Ticket {
        var ticketID: String
        var created: Int
        var channel: String
        var category: String
        var priority: String
        var status: String
        var agent: DemoAgent
        var firstResponse: Int?
        /// The last solve (or, for a reopened ticket that is open again, the earlier one).
        var resolved: Int?
        /// The first solve of a reopened ticket.
        var firstSolve: Int?
        var reopens: Int
        var agentReplies: Int
        var customerReplies: Int
        var handleSeconds: Int?
        var csat: Int?
        var ces: Int?
        /// The identifiers the ticket row carries (as written: odd case, desk phone formats).
        var email: String
        var phone: String
        var handle: String
        /// E.164 of the number a phone ticket came from.
        var phoneE164: String?
    }

    struct Survey {
        var responseID: String
        var kind: String
        var score: Int
        /// Whole minutes: the survey file has no seconds.
        var at: Int
        var ticketID: String?
        var comment: String
    }

    var customer: Customer
    var orders: [Order] = []
    var tickets: [Ticket] = []
    var surveys: [Survey] = []
}
