import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

/// A small help desk, January–April 2024 (UTC), whose support analyses are worked out by hand
/// in the tests of this folder.
///
///     ticket cust created          first response   resolved         status  channel cat     prio agent reopens replies handle
///     T1     C1   Jan 10 09:00     +1 h             Jan 10 13:00 +4h  solved  email   billing high ann   0       1       1800
///     T2     C1   Jan 15 09:00     +3 h             Jan 16 09:00 +24h solved  chat    billing low  bob   0       2       3600
///     T3     C2   Jan 20 12:00     +6 h             Feb 2 12:00 +312h closed  email   tech    high ann   1       1       —
///     T4     C3   Jan 31 23:00     +2 h             (Feb 1 05:00)     open    email   tech    —    ann   1       3       600
///     T5     C2   Jan 22 12:00     —                Jan 22 18:00 +6h  solved  chat    billing low  bob   0       —       —
///     T6     C4   Feb 10 08:00     +0.5 h           Feb 10 10:00 +2h  solved  phone   billing low  bob   —       0       900
///     T7     C1   Feb 20 10:00     —                —                 new     web     —       —    —     —       —       —
///     T8     C5   Apr 5 10:00      +1 h             —                 pending chat    tech    low  ann   —       —       —
///
/// T4 was reopened: it is open again, its old resolved_at (Feb 1 05:00) must be ignored.
/// No ticket is created in March (an empty period). Data horizon: Apr 5 11:00 (T8's first
/// response), so April is incomplete.
enum SupportDesk {
    static let tickets = """
        ticket_id,customer_id,created_at,first_response_at,resolved_at,status,channel,category,priority,agent,reopens,agent_replies,handle_seconds
        T1,C1,2024-01-10T09:00:00Z,2024-01-10T10:00:00Z,2024-01-10T13:00:00Z,solved,email,billing,high,ann,0,1,1800
        T2,C1,2024-01-15T09:00:00Z,2024-01-15T12:00:00Z,2024-01-16T09:00:00Z,solved,chat,billing,low,bob,0,2,3600
        T3,C2,2024-01-20T12:00:00Z,2024-01-20T18:00:00Z,2024-02-02T12:00:00Z,closed,email,tech,high,ann,1,1,
        T4,C3,2024-01-31T23:00:00Z,2024-02-01T01:00:00Z,2024-02-01T05:00:00Z,open,email,tech,,ann,1,3,600
        T5,C2,2024-01-22T12:00:00Z,,2024-01-22T18:00:00Z,solved,chat,billing,low,bob,0,,
        T6,C4,2024-02-10T08:00:00Z,2024-02-10T08:30:00Z,2024-02-10T10:00:00Z,solved,phone,billing,low,bob,,0,900
        T7,C1,2024-02-20T10:00:00Z,,,new,web,,,,,,
        T8,C5,2024-04-05T10:00:00Z,2024-04-05T11:00:00Z,,pending,chat,tech,low,ann,,,

        """

    static func warehouse() throws -> ScratchWarehouse {
        let w = try ScratchWarehouse()
        try w.loadCleanly(.tickets, "tickets.csv", tickets)
        return w
    }
}

extension ScratchWarehouse {
    /// Loads a fixture through the real loader and expects no rejects.
    func loadCleanly(_ entity: Entity, _ name: String, _ content: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try load(entity, name, content)
        #expect(report.counts.rejected == 0, "\(name) had rejects", sourceLocation: sourceLocation)
    }

    func supportRunner() throws -> AnalysisRunner { try runner() }

    /// Runs an analysis and returns its result keyed by column.
    func analysis(_ name: String, _ arguments: [String: String] = [:]) throws -> SupportResult {
        SupportResult(try runner().collect(name, arguments))
    }
}

typealias SupportResult = AnalysisResult

/// Expects the numbers of `column` to equal `expected` within 1e-9 (nil = NULL).
func expectColumn(_ result: SupportResult, _ column: String, _ expected: [Double?],
                  sourceLocation: SourceLocation = #_sourceLocation) {
    expectNumbers(result.numbers(column, sourceLocation: sourceLocation), expected, column, sourceLocation: sourceLocation)
}
