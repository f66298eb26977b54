import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("Support: first_contact_resolution, resolution_rate, repeat_contact_rate")
struct SupportTicketOutcomeTests {
    @Test("FCR: at most one agent reply and no reopen, over resolved tickets with both known")
    func firstContactResolution() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("first_contact_resolution")
        #expect(r.columns == ["segment", "period", "resolved", "assessed", "first_contact", "fcr_rate", "complete"])
        // January resolved: T1 (1 reply, 0 reopens: first contact), T2 (2 replies: no), T5
        //   (replies unknown: not assessed) → 1 / 2 = 0.5.
        // February resolved: T3 (1 reply but reopened: no), T6 (reopens unknown: not assessed)
        //   → 0 / 1 = 0.
        #expect(r.column("resolved") == ["3", "2"])
        #expect(r.column("assessed") == ["2", "1"])
        #expect(r.column("first_contact") == ["1", "0"])
        expectColumn(r, "fcr_rate", [0.5, 0])
    }

    @Test("resolution rate: created in the period and resolved now")
    func resolutionRate() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("resolution_rate")
        #expect(r.columns == ["segment", "period", "created", "resolved", "resolution_rate", "complete"])
        // January: T1 T2 T3 T5 resolved now (T3 in February: still counts), T4 open again → 4/5.
        // February: T6 of T6, T7 → 1/2. March: no tickets → empty. April: T8 pending → 0/1.
        #expect(r.column("created") == ["5", "2", "0", "1"])
        #expect(r.column("resolved") == ["4", "1", "0", "0"])
        expectColumn(r, "resolution_rate", [0.8, 0.5, nil, 0])
    }

    @Test("repeat contacts within 7 days on the desk")
    func repeatContacts() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("repeat_contact_rate")
        #expect(r.columns == ["segment", "period", "tickets", "followed", "repeat_contact_rate", "window_closed", "complete"])
        // C1: T1 Jan 10 → T2 Jan 15 (5 days: followed); T2 → T7 Feb 20 (no). C2: T3 Jan 20 →
        // T5 Jan 22 (followed). Everyone else has one ticket. Jan 2/5, Feb 0/2, Mar —, Apr 0/1.
        #expect(r.column("tickets") == ["5", "2", "0", "1"])
        #expect(r.column("followed") == ["2", "0", "0", "0"])
        expectColumn(r, "repeat_contact_rate", [0.4, 0, nil, 0])
        // Horizon Apr 5 11:00: March's end + 7 days (Apr 8) is after it.
        #expect(r.column("window_closed") == ["t", "t", "f", "f"])
    }

    @Test("the --within window is half-open [created_at, created_at + W); simultaneous tickets repeat each other")
    func windowEdges() throws {
        let w = try ScratchWarehouse()
        // X: R2 exactly 7 days after R1 → R1 not followed. Y: R4 one second less → R3
        // followed. Z: R5 and R6 at the same instant → each is followed by the other.
        // The same person under two identifiers (email on R8) is one customer: R7 followed.
        try w.loadCleanly(.tickets, "t.csv", """
            ticket_id,customer_id,email,created_at,channel
            R1,X,,2024-06-01T00:00:00Z,email
            R2,X,,2024-06-08T00:00:00Z,email
            R3,Y,y@example.com,2024-06-01T00:00:00Z,email
            R4,Y,,2024-06-07T23:59:59Z,email
            R5,Z,,2024-06-02T00:00:00Z,email
            R6,Z,,2024-06-02T00:00:00Z,chat
            R7,V,v@example.com,2024-06-03T00:00:00Z,chat
            R8,,v@example.com,2024-06-04T00:00:00Z,web

            """)
        let r = try w.analysis("repeat_contact_rate")
        // Followed: R3, R5, R6, R7 of 8 → 0.5.
        #expect(r.column("tickets") == ["8"])
        #expect(r.column("followed") == ["4"])
        expectColumn(r, "repeat_contact_rate", [0.5])
        let longer = try w.analysis("repeat_contact_rate", ["within": "8"])
        // With 8 days R1 is followed too: 5/8.
        #expect(longer.column("followed") == ["5"])
        let byChannel = try w.analysis("repeat_contact_rate", ["segment": "channel"])
        // chat R6 (followed), R7 (followed); email R1 R2 R3 R4 R5 → R3 R5; web R8 (no).
        #expect(byChannel.column("segment") == ["chat", "email", "web"])
        #expect(byChannel.column("followed") == ["2", "2", "0"])
    }
}
