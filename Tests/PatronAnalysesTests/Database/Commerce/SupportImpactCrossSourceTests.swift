import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

extension CommerceSupportImpactTests {
    /// SupportImpactJourney with its csat surveys loaded by a survey tool (source `delighted`)
    /// that names the tickets' source (`default`) in ticket_source: the same survey CSAT before
    /// s, so the same March segments.
    @Test("a linked csat survey of another source (ticket_source) classifies the ticket like one of its own")
    func surveysOfAnotherSource() throws {
        let w = try SupportImpactJourney.warehouse()
        _ = try w.rows("DELETE FROM surveys")
        let report = try w.load(.surveys, "delighted.csv", """
            response_id,customer_id,kind,score,responded_at,ticket_id,ticket_source
            V1,S2,csat,4,2024-02-16T10:00:00Z,TS2,default
            V2,U1,csat,2,2024-02-20T10:00:00Z,TU1,default
            V3,U1,csat,5,2024-03-03T10:00:00Z,TU1,default

            """, source: "delighted")
        #expect(report.counts.rejected == 0)
        let r = try w.commerceAnalysis("support_impact", ["window": "30", "from": "2024-03-01", "to": "2024-04-01"])
        // As in the March test: resolved_satisfied S1, S2 (V1 4, before s), F1; resolved_unsatisfied
        // U1 (V2 2; V3's 5 is after s). The surveys' customer_ids (S2, U1 of source delighted)
        // are other people than the tickets' (source default): the link is by ticket alone.
        #expect(r.values("segment") == Self.segments)
        #expect(r.values("customers") == ["11", "5", "3", "1", "2", "1", "2"])
        #expect(r.values("lost") == ["6", "2", "1", "1", "2", "0", "1"])
    }
}
