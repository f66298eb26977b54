import PatronTestSupport
import Testing

/// Three customers' purchases, shared by the terminal-heatmap and HTML-report tests, loaded
/// through the real executable. Cohorts Jan {A, B} and Feb {C}; the data ends on 20 April, so
/// April is not over. retention --pivot, monthly: Jan 100%, 50% (A in Feb), 50% (B in Mar),
/// 50%* (A in Apr, not over); Feb 100%, 0% (nobody in Mar), 0%* (April).
enum RetentionFixture {
    static let purchases = """
        order_id,customer_id,ordered_at,amount
        A1,A,2024-01-05T10:00:00Z,10
        B1,B,2024-01-07T10:00:00Z,10
        A2,A,2024-02-10T10:00:00Z,10
        C1,C,2024-02-02T10:00:00Z,10
        B2,B,2024-03-03T10:00:00Z,10
        A3,A,2024-04-20T10:00:00Z,10
        """

    /// A scratch warehouse holding `purchases` (or other purchases given).
    static func warehouse(_ purchases: String = purchases) throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        let file = try w.write("purchases.csv", purchases)
        let load = try PatronProcess.run(["load", "purchases", file, "--schema", w.schema, "-q"], url: w.url)
        try #require(load.status == 0, "\(load.stderr)")
        return w
    }
}
