import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("Support: backlog")
struct SupportBacklogTests {
    @Test("open tickets at each month end, aged more than 3 days, and the flows")
    func perMonth() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("backlog")
        #expect(r.columns == ["segment", "period", "opened", "resolved", "open_at_end", "aged", "aged_share", "complete"])
        // Open intervals: T1 [Jan 10, Jan 10], T2 [Jan 15, Jan 16], T3 [Jan 20, Feb 2],
        // T4 [Jan 31 23:00, —) (reopened: open ever since), T5 [Jan 22, Jan 22],
        // T6 [Feb 10, Feb 10], T7 [Feb 20, —), T8 [Apr 5, —).
        // Feb 1: T3 (12 days old: aged), T4 (1 hour) → 2 open, 1 aged.
        // Mar 1: T4, T7 (both > 3 days) → 2, 2. Apr 1: the same. May 1: T4, T7, T8 → 3, 3.
        // Flows: Jan opened 5, resolved T1 T2 T5; Feb opened T6 T7, resolved T3 T6; Apr T8.
        #expect(r.column("period") == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
        #expect(r.column("opened") == ["5", "2", "0", "1"])
        #expect(r.column("resolved") == ["3", "2", "0", "0"])
        #expect(r.column("open_at_end") == ["2", "2", "2", "3"])
        #expect(r.column("aged") == ["1", "2", "2", "3"])
        expectColumn(r, "aged_share", [0.5, 1, 1, 1])
        #expect(r.column("complete") == ["t", "t", "t", "f"])
    }

    @Test("resolved exactly at the period end is still open; older than --aged is strict")
    func boundaries() throws {
        let w = try ScratchWarehouse()
        // Day periods; the row of May 3 is the backlog at May 4 00:00.
        // B1: created May 1 00:00, solved May 4 00:00 exactly: open at May 4 00:00, exactly
        //     3 days old then (not aged); resolved before May 5.
        // B2: created Apr 30 23:59:59, open: 3 days + 1 s old at May 4 00:00 → aged.
        // B3: reopened (open, old resolved_at May 2): open at both ends; exactly 3 days at
        //     May 4 00:00 (not aged), 4 days at May 5 (aged).
        try w.loadCleanly(.tickets, "t.csv", """
            ticket_id,customer_id,created_at,resolved_at,status
            B1,X,2024-05-01T00:00:00Z,2024-05-04T00:00:00Z,solved
            B2,Y,2024-04-30T23:59:59Z,,open
            B3,Z,2024-05-01T00:00:00Z,2024-05-02T00:00:00Z,open

            """)
        let r = try w.analysis("backlog", ["period": "day", "from": "2024-05-03", "to": "2024-05-05"])
        #expect(r.column("period") == ["2024-05-03", "2024-05-04"])
        #expect(r.column("open_at_end") == ["3", "2"])
        #expect(r.column("aged") == ["1", "2"])
        #expect(r.column("resolved") == ["0", "1"])
        // --aged 0: every open ticket is older than 0 days.
        let all = try w.analysis("backlog", ["period": "day", "from": "2024-05-03", "to": "2024-05-05", "aged": "0"])
        #expect(all.column("aged") == ["3", "2"])
    }

    @Test("by segment: only combinations with open tickets or flows")
    func bySegment() throws {
        let w = try SupportDesk.warehouse()
        let r = try w.analysis("backlog", ["segment": "channel"])
        // chat: Jan opened T2 T5, resolved both (end 0); Feb nothing → not listed; Mar not;
        //   Apr T8 → 1. email: T1 T3 T4 in Jan (T1 resolved): end 2; Feb T3 resolved: 1;
        //   Mar 1; Apr 1. phone: Feb T6 opened and resolved. web: T7 from Feb on.
        #expect(r.column("segment") == ["chat", "chat", "email", "email", "email", "email", "phone", "web", "web", "web"])
        #expect(r.column("period") == ["2024-01-01", "2024-04-01", "2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01",
                                       "2024-02-01", "2024-02-01", "2024-03-01", "2024-04-01"])
        #expect(r.column("open_at_end") == ["0", "1", "2", "1", "1", "1", "0", "1", "1", "1"])
    }

    @Test("open_at_end = previous open_at_end + opened − resolved, for every period length and segment")
    func flowIdentity() throws {
        let w = try SupportDesk.warehouse()
        for period in ["day", "week", "month", "quarter"] {
            for segment in [nil, "channel", "agent"] as [String?] {
                var arguments = ["period": period, "tz": "Europe/Berlin"]
                arguments["segment"] = segment
                let r = try w.analysis("backlog", arguments)
                #expect(!r.rows.isEmpty)
                // Periods start at the first ticket, so nothing is open before the first row; a
                // segment's missing rows have nothing open and no flows.
                var running: [String: Int] = [:]
                for (index, row) in r.rows.enumerated() {
                    let key = row[0] ?? "-"
                    let opened = Int(r.column("opened")[index] ?? "") ?? -1
                    let resolved = Int(r.column("resolved")[index] ?? "") ?? -1
                    running[key, default: 0] += opened - resolved
                    #expect(String(running[key]!) == r.column("open_at_end")[index], "\(period) \(key) \(row[1] ?? "")")
                }
            }
        }
    }
}
