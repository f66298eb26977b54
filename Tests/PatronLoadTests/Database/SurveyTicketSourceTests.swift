import Foundation
import PatronCore
@testable import PatronLoad
import PatronTestSupport
import Testing

/// A survey's `ticket_source` names the source of the ticket its `ticket_id` refers to (a
/// survey tool's answers about a help desk's tickets); empty means the survey's own source
/// (docs/inputs.md, "Source"). Stored trimmed, exactly as spelled otherwise; NULL when empty.
@Suite("Surveys: ticket_source")
struct SurveyTicketSourceTests {
    /// The first load of source `delighted` takes the direct path, the later ones the staging
    /// path (the source has rows); `staged` takes the staging path every time.
    static let first = """
        response_id,email,kind,score,responded_at,ticket_id,ticket_source
        S1,a@example.com,csat,4,2024-01-05,48201,  helpdesk\t
        S2,a@example.com,csat,5,2024-01-06,48202,
        S3,b@example.com,nps,9,2024-01-07,,\u{20}\u{20}\u{20}
        S4,b@example.com,ces,2,2024-01-08,48203,HelpDesk
        """

    /// No ticket_source column: every stored ticket_source stays.
    static let absent = """
        response_id,email,kind,score,responded_at,ticket_id
        S1,a@example.com,csat,3,2024-01-05,48201
        S4,b@example.com,ces,2,2024-01-08,48203
        """

    /// The column present: empty clears S1's, S2 gets one, S4's is unchanged.
    static let cleared = """
        response_id,email,kind,score,responded_at,ticket_id,ticket_source
        S1,a@example.com,csat,3,2024-01-05,48201,
        S2,a@example.com,csat,5,2024-01-06,48202,helpdesk
        S4,b@example.com,ces,2,2024-01-08,48203,HelpDesk
        """

    static func stored(_ w: ScratchWarehouse) throws -> [[String?]] {
        try w.rows("SELECT response_id, ticket_id, ticket_source, score::text FROM surveys ORDER BY 1")
    }

    @Test("trimmed, empty is NULL, case kept; an absent column keeps the stored value, an empty one clears it; both load paths")
    func loadsAndUpdates() throws {
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        for w in [direct, staged] {
            let isDirect = w === direct
            let report = try w.load(.surveys, "first.csv", Self.first, source: "delighted") { $0.directPath = isDirect }
            #expect(report.direct == isDirect)
            #expect(report.counts.inserted == 4 && report.counts.rejected == 0)
            // Outer spaces and the tab trimmed; only spaces → NULL; `HelpDesk` kept as spelled.
            #expect(try Self.stored(w) == [["S1", "48201", "helpdesk", "4"], ["S2", "48202", nil, "5"],
                                           ["S3", nil, nil, "9"], ["S4", "48203", "HelpDesk", "2"]])
        }
        try DirectLoadTests.expectSameWarehouse(direct, staged)

        for w in [direct, staged] {
            let isDirect = w === direct
            // S1's score changes; without the column its ticket_source stays; S4 is unchanged.
            let report = try w.load(.surveys, "absent.csv", Self.absent, source: "delighted") { $0.directPath = isDirect }
            #expect(!report.direct)
            #expect(report.counts.updated == 1 && report.counts.unchanged == 1)
            #expect(try Self.stored(w) == [["S1", "48201", "helpdesk", "3"], ["S2", "48202", nil, "5"],
                                           ["S3", nil, nil, "9"], ["S4", "48203", "HelpDesk", "2"]])

            // With the column: S1's empty value clears it, S2 gets one, S4 stays as it was.
            let cleared = try w.load(.surveys, "cleared.csv", Self.cleared, source: "delighted") { $0.directPath = isDirect }
            #expect(cleared.counts.updated == 2 && cleared.counts.unchanged == 1)
            #expect(try Self.stored(w) == [["S1", "48201", nil, "3"], ["S2", "48202", "helpdesk", "5"],
                                           ["S3", nil, nil, "9"], ["S4", "48203", "HelpDesk", "2"]])

            // The same file again changes nothing.
            let again = try w.load(.surveys, "cleared.csv", Self.cleared, source: "delighted") { $0.directPath = isDirect }
            #expect(again.counts.unchanged == 3 && again.counts.updated == 0 && again.counts.inserted == 0)
        }
        try DirectLoadTests.expectSameWarehouse(direct, staged)
    }

    @Test("JSON Lines: a missing key keeps the stored value, null clears it; the same by both paths")
    func jsonLines() throws {
        let direct = try ScratchWarehouse()
        let staged = try ScratchWarehouse()
        let first = """
            {"response_id": "S1", "email": "a@example.com", "kind": "csat", "score": 4, "responded_at": "2024-01-05", "ticket_id": 48201, "ticket_source": " helpdesk "}
            {"response_id": "S2", "email": "a@example.com", "kind": "csat", "score": 5, "responded_at": "2024-01-06", "ticket_id": "48202", "ticket_source": "helpdesk"}

            """
        let second = """
            {"response_id": "S1", "email": "a@example.com", "kind": "csat", "score": 4, "responded_at": "2024-01-05", "ticket_id": "48201"}
            {"response_id": "S2", "email": "a@example.com", "kind": "csat", "score": 5, "responded_at": "2024-01-06", "ticket_id": "48202", "ticket_source": null}

            """
        for w in [direct, staged] {
            let isDirect = w === direct
            let a = try w.load(.surveys, "first.jsonl", first, source: "delighted") { $0.directPath = isDirect }
            #expect(a.direct == isDirect && a.counts.inserted == 2)
            #expect(try Self.stored(w) == [["S1", "48201", "helpdesk", "4"], ["S2", "48202", "helpdesk", "5"]])
            let b = try w.load(.surveys, "second.jsonl", second, source: "delighted") { $0.directPath = isDirect }
            #expect(b.counts.unchanged == 1 && b.counts.updated == 1)
            #expect(try Self.stored(w) == [["S1", "48201", "helpdesk", "4"], ["S2", "48202", nil, "5"]])
        }
        try DirectLoadTests.expectSameWarehouse(direct, staged)
    }
}
