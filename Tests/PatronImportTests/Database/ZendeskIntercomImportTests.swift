import Foundation
import PatronCore
import PatronImport
import PatronLoad
import PatronTestSupport
import Testing

/// `patron import zendesk|intercom` against the real warehouse: the fixtures of
/// ZendeskImporterTests and IntercomImporterTests store exactly their hand-written rows, a
/// re-import changes nothing, a bad file changes nothing, skipped records are in import_notices.
@Suite("Zendesk and Intercom imports into the warehouse")
struct ZendeskIntercomImportTests {
    /// Recognizes, orders and imports the files as `patron import VENDOR` does.
    static func importFiles(_ w: ScratchWarehouse, _ importer: any VendorImporter, _ paths: [String],
                            source: String) throws -> [ImportReport] {
        let loader = Loader(warehouse: w.warehouse)
        return try importer.recognizeAll(paths).map { path, kind in
            var options = LoadOptions(entity: kind.entities[0])
            options.source = source
            return try loader.importFile(path: path, kind: kind, importer: importer, options: options)
        }
    }

    static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    static func storedTickets(_ w: ScratchWarehouse, source: String) throws -> [[String?]] {
        try w.rows("""
            SELECT ticket_id, customer_id, email, phone, \(utc("created_at")), channel, category, priority, status, agent,
                   \(utc("first_response_at")), \(utc("resolved_at")), reopens::text, agent_replies::text,
                   customer_replies::text, handle_seconds::text, csat::text, ces::text
            FROM tickets WHERE source = $1 ORDER BY ticket_id
            """, [source])
    }

    static func notices(_ w: ScratchWarehouse) throws -> [[String?]] {
        try w.rows("""
            SELECT r.entity, n.kind, n.source_line::text, n.source_ref, n.column_name, n.value, n.reason
            FROM import_notices n JOIN load_runs r USING (run_id) ORDER BY n.run_id, n.seq
            """)
    }

    @Test("Zendesk: exactly the expected tickets and customers; re-import unchanged; a truncated page changes nothing")
    func zendesk() throws {
        let w = try ScratchWarehouse()
        var settings = ImportSettings()
        settings.categoryField = "360000111222"
        settings.handleTimeField = "360000333444"
        let tickets = try w.write("tickets.json", ZendeskImporterTests.tickets)
        let users = try w.write("users.json", ZendeskImporterTests.users)

        let reports = try Self.importFiles(w, ZendeskImporter(settings: settings), [tickets, users], source: "helpdesk")
        #expect(reports.map(\.kind.name) == ["users", "tickets"])
        let customers = reports[0].loads[0].counts, ticketCounts = reports[1].loads[0].counts
        #expect((customers.read, customers.inserted, customers.rejected) == (3, 3, 0))
        // Seven tickets handed on (48209 deleted, skipped); 48201's first version superseded by its second.
        #expect((ticketCounts.read, ticketCounts.inserted, ticketCounts.superseded, ticketCounts.rejected) == (7, 6, 1, 0))
        #expect(reports[0].skipped == [.customers: ["staff user (agent or admin), not a customer": 2]])
        #expect(reports[1].skipped == [.tickets: ["deleted ticket": 1]])

        // Identifiers stored normalized: e-mail lower-cased, phone digits only. Absent columns
        // (no metric set, no satisfaction member, no custom field) are NULL on first insert.
        let expected: [[String?]] = [
            ["48201", "9101001", "ana@example.com", nil, "2024-11-04T14:02:11Z", "email", "shipping", "normal", "closed",
             "Marta Agent", "2024-11-04T14:49:11Z", "2024-11-05T09:30:00Z", "0", "2", nil, "1260", "5", nil],
            ["48205", "9101001", "ana@example.com", nil, "2024-11-04T15:10:00Z", "web", nil, nil, "open",
             nil, nil, nil, "0", "0", nil, nil, nil, nil],
            ["48208", "9101001", "ana@example.com", nil, "2024-11-06T08:00:00Z", "social", nil, "low", "open",
             "Al Admin", "2024-11-06T08:30:00Z", "2024-11-06T10:00:00Z", "1", "3", nil, nil, nil, nil],
            ["48211", "9101002", nil, "16175550199", "2024-11-05T17:30:00Z", "phone", "billing", "high", "pending",
             "9100999", "2024-11-06T09:30:00Z", nil, "0", "1", nil, "600", "1", nil],
            ["48212", "9101002", nil, "16175550199", "2024-11-07T12:00:00Z", "chat", "returns", "normal", "solved",
             "Marta Agent", "2024-11-07T12:01:35Z", "2024-11-07T12:30:00Z", "0", "1", nil, nil, nil, nil],
            ["48213", "9101003", "jp@example.com", nil, "2024-11-08T07:15:00Z", "other", nil, "urgent", "new",
             nil, nil, nil, nil, nil, nil, nil, nil, nil],
        ]
        #expect(try Self.storedTickets(w, source: "helpdesk") == expected)
        #expect(try w.rows("SELECT customer_id, email, phone, name, \(Self.utc("signup_at")) FROM customer_profiles ORDER BY 1") == [
            ["9101001", "ana@example.com", nil, "Ana Silva", "2024-10-01T08:00:00Z"],
            ["9101002", nil, "16175550199", "Caller +1 617-555-0199", "2024-11-05T17:29:40Z"],
            ["9101003", "jp@example.com", nil, "Jo Park", "2024-11-01T08:00:00Z"],
        ])
        // Each ticket belongs to its requester's customer.
        #expect(try w.value("""
            SELECT count(*) FROM tickets t JOIN customer_profiles p USING (source, customer_id)
            WHERE t.customer_key = p.customer_key
            """) == "6")
        let notices = try Self.notices(w)
        #expect(notices.map { Array($0.prefix(6)) } == [
            ["customers", "skipped", "4", "user 9100001 (line 4)", nil, nil],
            ["customers", "skipped", "5", "user 9100002 (line 5)", nil, nil],
            ["customers", "identifier_dropped", "6", "user 9101003 (line 6)", "phone", "n/a"],
            ["tickets", "skipped", "5", "ticket 48209 (line 5)", nil, nil],
            ["tickets", "identifier_dropped", "20", "ticket 48213 (line 20)", "phone", "n/a"],
        ])
        #expect(notices.map { $0[6] ?? "" }.filter { $0.isEmpty }.isEmpty)
        #expect(notices[0][6] == "staff user (agent or admin), not a customer" && notices[3][6] == "deleted ticket")

        // Again, with a fresh importer (another night's command): nothing changes.
        let before = try w.dump()
        let again = try Self.importFiles(w, ZendeskImporter(settings: settings), [users, tickets], source: "helpdesk")
        for load in again.flatMap(\.loads) {
            #expect(load.counts.inserted == 0 && load.counts.updated == 0 && load.counts.rejected == 0)
            #expect(load.counts.unchanged == load.counts.read - load.counts.superseded)
        }
        #expect(try w.dump() == before)

        // A truncated page (cut inside 48201's second version): the file fails and nothing changes,
        // though its first page alone would have set 48201 back to solved.
        let full = ZendeskImporterTests.tickets
        let cut = String(full[..<full.range(of: "\"status\": \"closed\"")!.lowerBound])
        let bad = try w.write("tickets-cut.json", cut)
        #expect {
            _ = try Self.importFiles(w, ZendeskImporter(settings: settings), [users, bad], source: "helpdesk")
        } throws: { error in
            "\(error)".contains("tickets-cut.json, line 19") && "\(error)".contains("truncated")
        }
        #expect(try w.dump() == before)
        #expect(try w.value("SELECT count(*) FROM load_runs WHERE status = 'failed'") == "1")
    }

    @Test("Zendesk: a ticket missing its id is rejected naming the column and the vendor line; the rest loads")
    func ticketWithoutID() throws {
        let w = try ScratchWarehouse()
        let page = """
            {"tickets": [
              {"id": 48401, "created_at": "2024-11-11T08:00:00Z", "status": "open", "requester_id": 9101001},
              {"url": null, "created_at": "2024-11-11T09:00:00Z", "status": "open", "requester_id": 9101002}
            ], "end_of_stream": true}
            """
        let reports = try Self.importFiles(w, ZendeskImporter(settings: ImportSettings()), [try w.write("t.json", page)],
                                           source: "helpdesk")
        let counts = reports[0].loads[0].counts
        #expect((counts.read, counts.inserted, counts.rejected) == (2, 1, 1))
        #expect(reports[0].exitStatus == .rowsRejected)
        #expect(try w.rows("SELECT ticket_id FROM tickets") == [["48401"]])
        let rejected = try w.rows("SELECT column_name, source_line::text FROM rejected_rows")
        #expect(rejected == [["ticket_id", "3"]])
    }

    @Test("Intercom: exactly the expected tickets and customers; re-import unchanged; skipped conversations listed")
    func intercom() throws {
        let w = try ScratchWarehouse()
        let conversations = try w.write("conversations.json", IntercomImporterTests.conversations)
        let contacts = try w.write("contacts.json", IntercomImporterTests.contacts)
        let reports = try Self.importFiles(w, IntercomImporter(settings: ImportSettings()), [conversations, contacts],
                                           source: "intercom")
        #expect(reports.map(\.kind.name) == ["contacts", "conversations"])
        #expect(reports.flatMap(\.loads).map { [$0.counts.read, $0.counts.inserted, $0.counts.rejected] } == [[3, 3, 0], [4, 4, 0]])
        #expect(try Self.storedTickets(w, source: "intercom") == [
            ["215470002", "6650a1", "lena@example.com", "4915112345678", "2024-11-04T15:30:00Z", "email", nil, "high", "solved",
             "7120002", "2024-11-05T09:10:00Z", "2024-11-06T11:00:00Z", "1", nil, nil, nil, "2", nil],
            ["215470006", "6650a2", "visitor@example.com", nil, "2024-11-07T14:00:00Z", "chat", nil, "normal", "open",
             "7120003", "2024-11-07T14:25:00Z", nil, "0", nil, nil, nil, nil, nil],
            ["215470011", "6650a3", "sam@example.com", nil, "2024-11-08T10:00:00Z", "chat", nil, "normal", "pending",
             nil, nil, nil, nil, nil, nil, nil, nil, nil],
            ["215470012", "6650zz", nil, nil, "2024-11-09T08:00:00Z", "phone", nil, "high", "solved",
             "7120002", "2024-11-09T08:05:00Z", "2024-11-09T09:00:00Z", "0", nil, nil, nil, "5", nil],
        ])
        #expect(try w.rows("SELECT customer_id, email, name, country, \(Self.utc("signup_at")) FROM customer_profiles ORDER BY 1") == [
            ["6650a1", "lena@example.com", "Lena Neumann", "Germany", "2024-01-01T01:00:00Z"],
            ["6650a2", "visitor@example.com", nil, "United States", nil],
            ["6650a3", "sam@example.com", "Sam", nil, "2024-09-01T00:00:00Z"],
        ])
        #expect(try Self.notices(w) == [
            ["tickets", "skipped", "4", "conversation 215470009 (line 4)", nil, nil,
             "no customer message (an outbound message nobody answered)"],
        ])

        let before = try w.dump()
        let again = try Self.importFiles(w, IntercomImporter(settings: ImportSettings()), [contacts, conversations],
                                         source: "intercom")
        #expect(again.flatMap(\.loads).map { [$0.counts.read, $0.counts.unchanged] } == [[3, 3], [4, 4]])
        #expect(try w.dump() == before)
    }
}
