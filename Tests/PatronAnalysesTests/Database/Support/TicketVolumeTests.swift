import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("Support: ticket_volume")
struct SupportTicketVolumeTests {
    @Test("tickets and customers per month, the empty March included")
    func perMonth() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("ticket_volume")
        #expect(r.columns == ["segment", "period", "tickets", "customers", "share", "complete"])
        // Created: Jan T1 T2 T3 T4 T5 (customers C1 C2 C3), Feb T6 T7 (C4 C1), Mar none, Apr T8 (C5).
        #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
        #expect(r.column("tickets") == ["5", "2", "0", "1"])
        #expect(r.column("customers") == ["3", "2", "0", "1"])
        // Without --segment the share is the whole (1.0), empty for a period without tickets.
        expectColumn(r, "share", [1, 1, nil, 1])
        // Horizon Apr 5 11:00: April is not over.
        #expect(r.column("complete") == ["t", "t", "t", "f"])
    }

    @Test("channel mix: the share of each period's tickets per channel, only combinations with tickets")
    func channelMix() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("ticket_volume", ["segment": "channel"])
        // Jan: email T1 T3 T4 = 3 of 5, chat T2 T5 = 2 of 5; Feb: phone T6, web T7 (1 of 2 each);
        // Apr: chat T8 (1 of 1). March has no tickets: no rows.
        #expect(r.column("segment") == ["chat", "chat", "email", "phone", "web"])
        #expect(r.column("period") == ["2024-01-01", "2024-04-01", "2024-01-01", "2024-02-01", "2024-02-01"])
        #expect(r.column("tickets") == ["2", "1", "3", "1", "1"])
        expectColumn(r, "share", [0.4, 1, 0.6, 0.5, 0.5])
    }

    @Test("a ticket without the segment value counts under (unknown); --from/--to bound the periods")
    func unknownAndRange() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("ticket_volume", ["segment": "priority", "from": "2024-01-01", "to": "2024-02-01"])
        // January only: high T1 T3, low T2 T5, (unknown) T4 (no priority).
        #expect(r.column("segment") == ["(unknown)", "high", "low"])
        #expect(r.column("tickets") == ["1", "2", "2"])
        expectColumn(r, "share", [0.2, 0.4, 0.4])
    }

    @Test("weekly periods in a time zone: labels are local Monday dates")
    func weeklyInZone() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("ticket_volume", ["period": "week", "tz": "America/New_York",
                                                  "from": "2024-01-29", "to": "2024-02-05"])
        // The week of Mon Jan 29 in New York: T4 (Jan 31 23:00 UTC = 18:00 EST) only.
        #expect(r.column("period") == ["2024-01-29"])
        #expect(r.column("tickets") == ["1"])
    }
}
