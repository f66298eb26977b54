import PatronCore

/// A small multi-source journey used by several tests. One person, Alice, appears as shop
/// customer C1, by email in a ticket and a survey, and by handle in a mention; Bob buys by
/// email only; Carol exists only as a social handle on a ticket; @stranger only mentions us.
public enum Journey {
    public static let customers = """
        customer_id,email,phone,handle,name,country,signup_at,segment
        C1,Alice@Example.com,+44 20 7946 0958,twitter:@Alice,Alice,GB,2024-01-05,vip
        C2,bob@example.com,,,Bob,US,2024-02-01T09:00:00-05:00,
        """

    public static let purchases = """
        order_id,customer_id,email,ordered_at,amount,currency,channel,items,status
        O1,C1,,2024-03-01T10:15:00Z,12.50,eur,web,2,
        O2,,bob@example.com,2024-03-02 08:00:00+02:00,0,,store,,cancelled
        O3,C1,,2024-03-03T10:00:00.123456Z,99.9999,EUR,web,1,completed
        """

    public static let returns = """
        return_id,order_id,customer_id,returned_at,amount,reason
        R1,O1,,2024-03-05,5.25,damaged
        R2,O9,,2024-03-06,1,early
        """

    public static let tickets = """
        ticket_id,email,handle,created_at,channel,category,priority,status,agent,first_response_at,resolved_at,reopens,agent_replies,customer_replies,handle_seconds,csat,ces
        T1,alice@example.com,,2024-03-06T09:00:00Z,Email,billing,high,solved,ann,2024-03-06T10:30:00Z,2024-03-07T09:00:00Z,0,1,1,600,5,2
        T2,,twitter:@carol,2024-03-08T09:00:00Z,social,,,,,,,,,,,,
        """

    public static let mentions = """
        mention_id,platform,handle,posted_at,text,sentiment,is_complaint,reach,responded_at
        M1,Twitter,@Alice,2024-03-09T12:00:00Z,love it,positive,no,150,2024-03-09T13:00:00Z
        M2,twitter,@stranger,2024-03-10T12:00:00Z,meh,-0.2,yes,,
        """

    public static let surveys = """
        response_id,email,kind,score,responded_at,ticket_id,comment
        S1,alice@example.com,NPS,9,2024-03-10T00:00:00Z,,great
        S2,alice@example.com,csat,4,2024-03-07T10:00:00Z,T1,
        """

    public static let all: [(Entity, String)] = [
        (.customers, customers), (.purchases, purchases), (.returns, returns),
        (.tickets, tickets), (.mentions, mentions), (.surveys, surveys),
    ]
}
