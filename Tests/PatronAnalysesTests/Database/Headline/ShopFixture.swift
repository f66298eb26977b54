import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

/// A small shop, January–April 2024 (UTC), whose analyses are worked out by hand in the tests.
///
///     customer  valid purchases (amount)                          other
///     A         Jan 5 (100), Feb 10 (50), Apr 1 00:00 (30)       return 20 of Feb 10 order on Feb 20;
///                                                                  NPS 5 on Feb 15, NPS 9 on Apr 15
///     B         Jan 20 (40), Mar 15 09:00 (60), Mar 15 18:00 (10)
///     C         Feb 3 (25)                                         cancelled Mar 1 (999) + its return 999
///     D         —                                                  only a cancelled order (Feb 20): no buyer
///     E         Feb 25 (75)                                        ticket Mar 10
///
/// Data horizon: the latest timestamp loaded = NPS answer of Apr 15, so April is incomplete.
/// `withHistory` adds two customers of 2023 for clv: F Feb 20 2023 (40); G Mar 15 2023 (10)
/// and Mar 20 2024 (20).
enum ShopFixture {
    static let purchases = """
        order_id,customer_id,ordered_at,amount,currency,status
        A1,A,2024-01-05T10:00:00Z,100,EUR,
        A2,A,2024-02-10T10:00:00Z,50,EUR,
        A3,A,2024-04-01T00:00:00Z,30,EUR,
        B1,B,2024-01-20T10:00:00Z,40,EUR,
        B2,B,2024-03-15T09:00:00Z,60,EUR,
        B3,B,2024-03-15T18:00:00Z,10,EUR,
        C1,C,2024-02-03T10:00:00Z,25,EUR,
        C2,C,2024-03-01T10:00:00Z,999,EUR,cancelled
        D1,D,2024-02-20T10:00:00Z,10,EUR,cancelled
        E1,E,2024-02-25T10:00:00Z,75,EUR,

        """

    static let history = """
        order_id,customer_id,ordered_at,amount,currency,status
        F1,F,2023-02-20T10:00:00Z,40,EUR,
        G1,G,2023-03-15T10:00:00Z,10,EUR,
        G2,G,2024-03-20T10:00:00Z,20,EUR,

        """

    static let returns = """
        return_id,order_id,returned_at,amount,currency
        R1,A2,2024-02-20T10:00:00Z,20,EUR
        R2,C2,2024-03-02T10:00:00Z,999,EUR

        """

    static let tickets = """
        ticket_id,customer_id,created_at,status
        T1,E,2024-03-10T10:00:00Z,open

        """

    static let surveys = """
        response_id,customer_id,kind,score,responded_at
        S1,A,nps,5,2024-02-15T10:00:00Z
        S2,A,nps,9,2024-04-15T10:00:00Z

        """

    /// A scratch warehouse holding the shop (and, with `withHistory`, F and G).
    static func warehouse(withHistory: Bool = false) throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.expectLoaded(.purchases, "purchases.csv", purchases)
        if withHistory { try w.expectLoaded(.purchases, "history.csv", history) }
        try w.expectLoaded(.returns, "returns.csv", returns)
        try w.expectLoaded(.tickets, "tickets.csv", tickets)
        try w.expectLoaded(.surveys, "surveys.csv", surveys)
        return w
    }
}

extension ScratchWarehouse {
    func expectLoaded(_ entity: Entity, _ name: String, _ content: String) throws {
        let report = try load(entity, name, content)
        #expect(report.counts.rejected == 0, "\(name) had rejects")
    }

    /// A runner over the repository's sql/analyses.
    func runner() throws -> AnalysisRunner {
        try AnalysisRunner(warehouse: warehouse, catalog: AnalysisCatalog(directories: [sqlDirectory.file("analyses")]))
    }

    /// The customer_key of shop customer `id` (source default).
    func key(_ id: String) throws -> String {
        try #require(try value("SELECT customer_key::text FROM customer_identifiers WHERE kind = 'customer_id' AND value = $1", [id]))
    }
}

/// An analysis result as rows keyed by column name, for readable expectations. Every analysis
/// suite reads results through this one type (Support, Satisfaction and Commerce name it their
/// own way: `SupportResult`, `Satisfaction.ResultRows`, `CommerceTable`).
struct AnalysisResult {
    let columns: [String]
    let rows: [[String?]]

    init(_ result: (columns: [String], rows: [[String?]])) {
        columns = result.columns
        rows = result.rows
    }

    /// The values of `column`, in row order.
    func column(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String?] {
        guard let index = columns.firstIndex(of: name) else {
            Issue.record("no column \(name) in \(columns)", sourceLocation: sourceLocation)
            return []
        }
        return rows.map { $0[index] }
    }

    func values(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String?] {
        column(name, sourceLocation: sourceLocation)
    }

    /// Numbers of `column` as Doubles (nil for NULL), for comparing rates and means.
    func numbers(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Double?] {
        column(name, sourceLocation: sourceLocation).map { $0.flatMap(Double.init) }
    }

    /// The rows whose `column` equals `value` (nil matches NULL).
    func filter(_ name: String, _ value: String?) -> AnalysisResult {
        guard let index = columns.firstIndex(of: name) else { return self }
        return AnalysisResult((columns, rows.filter { $0[index] == value }))
    }

    func only(_ name: String, _ value: String?) -> AnalysisResult { filter(name, value) }
}

/// Compares numbers to within 1e-9 (NULL must match NULL).
func expectNumbers(_ actual: [Double?], _ expected: [Double?], _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual) vs \(expected)", sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
        switch (a, e) {
        case (nil, nil): continue
        case let (a?, e?) where abs(a - e) < 1e-9: continue
        default:
            Issue.record("\(what): \(actual.map { $0.map { "\($0)" } ?? "NULL" }) vs expected \(expected.map { $0.map { "\($0)" } ?? "NULL" })",
                         sourceLocation: sourceLocation)
            return
        }
    }
}
