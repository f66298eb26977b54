import PatronCore
import PatronLoad

/// One customer's journey for `patron customer`, hand-computed (docs/metrics.md, "One
/// customer's journey"). Alice buys in the shop as customer C1 (source `shop`) and writes to
/// the help desk as alice@example.com (source `desk`): two customers, until the shop's customer
/// list ties C1 to that email (and to twitter:@alice) in the last load, which merges them.
/// X1 is the id of one shop customer and of another, unrelated, help-desk customer, whose
/// ticket T9 was first answered after 20 minutes (FRT 1/3 h).
///
/// Times are UTC. The data horizon is O3's ordered_at, 2024-03-05T09:00Z (the latest instant
/// of any kind), so as_of = 2024-03-05.
/// - Valid orders: O1 100.00 and O2 50.00 (O3 is cancelled): orders = 2, gross = 150.00.
/// - Returns: R1 20.00 of O1: returned = 20.00, value_to_date = 150.00 − 20.00 = 130.00;
///   O1's net value 100.00 − 20.00 = 80.00, O2's 50.00.
/// - Last purchase O2, 2024-03-01T12:00Z: days since = 2024-03-05 − 2024-03-01 = 4.
/// - Churn, W = 90: t = end of 2024-03-05 = 2024-03-06T00:00Z, t − 90 days = 2023-12-07; O2 is
///   after it → active; active until O2 + 90 days = 2024-05-30T12:00Z (Mar 31 is +30, Apr 30
///   +60, May 30 +90). W = 3: t − 3 days = 2024-03-03T00:00Z, O2 is before → churned, active
///   until 2024-03-04T12:00Z.
/// - T1: FRT = 10:30 − 09:00 = 1.5 h; TTR = 2024-02-02T09:00 − 2024-02-01T09:00 = 24 h; no
///   CSAT of its own, so its CSAT is its linked survey S1's, 4.
/// - M1 (twitter, @alice, −0.5): negative, a complaint, answered after 2 h; linked through the
///   handle the customer list gave.
/// - Timeline: O1 01-10, R1 01-20, T1 02-01, S1 02-02, M1 02-15, O2 03-01, S2 03-02, O3 03-05.
public enum AliceJourney {
    public static let purchases = """
        order_id,customer_id,ordered_at,amount,currency,channel,items,status
        O1,C1,2024-01-10T10:00:00Z,100.00,EUR,web,2,completed
        O2,C1,2024-03-01T12:00:00Z,50.00,EUR,store,1,completed
        O3,C1,2024-03-05T09:00:00Z,30.00,EUR,web,1,cancelled
        O9,X1,2024-02-10T10:00:00Z,10.00,EUR,web,1,completed
        """

    public static let returns = """
        return_id,order_id,returned_at,amount,currency,reason
        R1,O1,2024-01-20T00:00:00Z,20.00,EUR,damaged
        """

    public static let tickets = """
        ticket_id,customer_id,email,created_at,channel,category,status,agent,first_response_at,resolved_at,reopens
        T1,,Alice@Example.com,2024-02-01T09:00:00Z,email,billing,solved,ann,2024-02-01T10:30:00Z,2024-02-02T09:00:00Z,0
        T9,X1,,2024-02-11T09:00:00Z,chat,,open,,2024-02-11T09:20:00Z,,
        """

    public static let surveys = """
        response_id,email,kind,score,responded_at,ticket_id,comment
        S1,alice@example.com,csat,4,2024-02-02T12:00:00Z,T1,quick
        S2,alice@example.com,nps,9,2024-03-02T08:00:00Z,,
        """

    /// The text carries an escape sequence that would clear a terminal.
    public static let mentions = "mention_id,platform,handle,posted_at,text,sentiment,is_complaint,reach,responded_at\n"
        + "M1,twitter,@alice,2024-02-15T08:00:00Z,late again \u{1B}[2J,-0.5,yes,120,2024-02-15T10:00:00Z\n"

    public static let customers = """
        customer_id,email,handle,name
        C1,alice@example.com,twitter:@Alice,Alice
        """

    /// The run ids of the six loads, in load order.
    public struct Runs {
        public var purchases, returns, tickets, surveys, mentions, customers: Int64
    }

    /// Loads the fixture in the order above: the merge happens in the last load.
    @discardableResult
    public static func load(into w: ScratchWarehouse) throws -> Runs {
        func run(_ entity: Entity, _ content: String, _ source: String) throws -> Int64 {
            let report = try w.load(entity, "\(entity.rawValue).csv", content, source: source)
            guard report.counts.rejected == 0, let id = report.runID else {
                throw PatronError.usage("fixture \(entity.rawValue) did not load cleanly: \(report)")
            }
            return id
        }
        return Runs(purchases: try run(.purchases, purchases, "shop"), returns: try run(.returns, returns, "shop"),
                    tickets: try run(.tickets, tickets, "desk"), surveys: try run(.surveys, surveys, "desk"),
                    mentions: try run(.mentions, mentions, "social"), customers: try run(.customers, customers, "shop"))
    }
}
