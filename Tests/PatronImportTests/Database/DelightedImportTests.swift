import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput
import PatronLoad
import PatronTestSupport

/// `patron import delighted --ticket-property ticket_id --ticket-source helpdesk` against the real
/// database: the responses of DelightedImporterTests store exactly the rows written there by
/// hand, each answer links to the help desk's ticket, and a re-import changes nothing.
@Suite("Import: Delighted")
struct DelightedImportTests {
    static func importFile(_ w: ScratchWarehouse, _ path: String) throws -> ImportReport {
        let importer = DelightedImporter(settings: DelightedImporterTests.settings(ticketProperty: "ticket_id",
                                                                                   ticketSource: "helpdesk"))
        var options = LoadOptions(entity: .surveys)
        options.source = "delighted"
        let (file, kind) = try #require(try importer.recognizeAll([path]).first)
        return try Loader(warehouse: w.warehouse).importFile(path: file, kind: kind, importer: importer, options: options)
    }

    @Test func answersLinkToTheHelpDesksTicketsAndAReimportChangesNothing() throws {
        let w = try ScratchWarehouse()
        let tickets = try w.load(.tickets, "tickets.csv", """
            ticket_id,email,created_at,status,resolved_at
            48201,ana.silva@example.com,2024-11-01T09:00:00Z,solved,2024-11-04T09:00:00Z
            48202,carl@example.com,2024-11-02T09:00:00Z,open,
            """, source: "helpdesk")
        #expect(tickets.counts.inserted == 2)

        let path = try w.write("responses.json", DelightedImporterTests.pages)
        let report = try Self.importFile(w, path)
        #expect(report.kind.description == "delighted responses")
        // 5 handed on: NPS 11 and CSAT 0 rejected by the loader.
        #expect(report.loads.map(\.counts.inserted) == [3] && report.loads.map(\.counts.rejected) == [2])
        #expect(report.skippedTotal == 3 && report.droppedIdentifiers == [.surveys: 1])

        let surveys = try w.rows("""
            SELECT response_id, customer_id, email, phone, kind, score::text,
                   to_char(responded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ticket_id, ticket_source, comment
            FROM surveys WHERE source = 'delighted' ORDER BY response_id
            """)
        #expect(surveys == [
            ["901007", "55012001", "ana.silva@example.com", nil, "csat", "5", "2024-11-05T10:00:00Z", "48201", "helpdesk", nil],
            ["901008", "55012002", nil, nil, "nps", "9", "2024-11-06T10:00:00Z", "48202", "helpdesk", "Fast delivery"],
            ["901014", "55012008", nil, "4520123457", "csat", "3", "2024-11-08T10:00:00Z", nil, "helpdesk", "ok\nfine"],
        ])
        // Each linked answer finds the help desk's ticket; Ana's answer and her ticket are one person.
        let links = try w.rows("""
            SELECT s.response_id, t.source, t.ticket_id, (s.customer_key = t.customer_key)::text
            FROM surveys s JOIN tickets t ON t.source = coalesce(s.ticket_source, s.source) AND t.ticket_id = s.ticket_id
            ORDER BY 1
            """)
        #expect(links == [["901007", "helpdesk", "48201", "true"], ["901008", "helpdesk", "48202", "false"]])
        let rejected = try w.rows("SELECT source_line::text, column_name, value FROM rejected_rows r JOIN load_runs USING (run_id) WHERE entity = 'surveys' ORDER BY 1")
        #expect(rejected == [["15", "score", "11"], ["19", "score", "0"]])
        let notices = try w.rows("SELECT kind, source_line::text, source_ref, column_name FROM import_notices ORDER BY seq")
        #expect(notices == [
            ["skipped", "11", "response 901009 (line 11)", nil],
            ["skipped", "13", "response 901010 (line 13)", nil],
            ["skipped", "21", "response 901013 (line 21)", nil],
            ["identifier_dropped", "22", "response 901014 (line 22)", "email"],
        ])

        let before = try w.dump()
        let again = try Self.importFile(w, path)
        #expect(again.loads.map(\.counts.unchanged) == [3] && again.loads.map(\.counts.inserted) == [0])
        #expect(try w.dump() == before)
    }
}
