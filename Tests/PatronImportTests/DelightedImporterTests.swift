import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput

/// Delighted survey responses as the API lists them (`expand[]=person`, or the bare person id),
/// two pages saved one after another; expected rows written by hand.
/// Times: 1730800800 = 2024-11-05T10:00:00Z; one day = 86400 s.
@Suite struct DelightedImporterTests {
    static let pages = """
        [
          {"id": "901007",
           "person": {"id": "55012001", "email": "Ana.Silva@example.com", "name": "Ana Silva",
                      "phone_number": null, "created_at": 1730541600, "last_sent_at": 1730800000},
           "survey_type": "csat", "score": 5, "comment": null,
           "permalink": "https://delighted.com/r/abc", "created_at": 1730800800, "updated_at": 1731405600,
           "person_properties": {"Delighted Source": "Email", "ticket_id": "48201"},
           "notes": [{"id": "1", "text": "called back"}], "tags": ["vip"], "additional_answers": []},
          {"id": "901008", "person": "55012002", "survey_type": "nps", "score": 9, "comment": "Fast delivery",
           "created_at": 1730887200, "updated_at": 1730887200, "person_properties": {"ticket_id": 48202}},
          {"id": "901009", "person": "55012003", "survey_type": "ces", "score": 6, "comment": null,
           "created_at": 1730887200, "person_properties": {}},
          {"id": "901010", "person": "55012004", "survey_type": "enps", "score": 8, "comment": null,
           "created_at": 1730887200, "person_properties": {}},
          {"id": "901011", "person": {"id": "55012005", "email": "bo@example.com", "phone_number": "+4520123456"},
           "survey_type": "nps", "score": 11, "comment": "", "created_at": 1730973600, "person_properties": null}
        ]
        [
          {"id": "901012", "person": "55012006", "survey_type": "csat", "score": 0, "comment": "zero?",
           "created_at": 1730973600},
          {"id": "901013", "person": "55012007", "survey_type": "smileys", "score": 4, "created_at": 1730973600},
          {"id": "901014", "person": {"id": "55012008", "email": "not an email", "phone_number": "+45 20 12 34 57"},
           "survey_type": "CSAT", "score": 3, "comment": "ok\\nfine", "created_at": 1731060000,
           "person_properties": {"Delighted Source": "Web"}}
        ]
        []
        """

    static func settings(ticketProperty: String? = nil, ticketSource: String? = nil) -> ImportSettings {
        var settings = ImportSettings()
        settings.ticketProperty = ticketProperty
        settings.ticketSource = ticketSource
        return settings
    }

    @Test func responsesBecomeSurveysOfTheirKind() throws {
        let folder = try FixtureFolder()
        let sink = try convert(DelightedImporter.self, [try folder.write("responses.json", Self.pages)])
        // Without --ticket-property no ticket_id, without --ticket-source no ticket_source: absent.
        #expect(sink.rows[.surveys] == [
            // Expanded person: id, e-mail, phone (null → empty); created_at, not updated_at.
            ["response_id": "901007", "customer_id": "55012001", "email": "Ana.Silva@example.com", "phone": "",
             "kind": "csat", "score": "5", "responded_at": "2024-11-05T10:00:00Z", "comment": ""],
            // A bare person id: only customer_id; e-mail and phone absent. 1730800800 + 86400.
            ["response_id": "901008", "customer_id": "55012002", "kind": "nps", "score": "9",
             "responded_at": "2024-11-06T10:00:00Z", "comment": "Fast delivery"],
            // NPS 11 is out of range: handed on, the loader rejects it. 1730800800 + 2·86400.
            ["response_id": "901011", "customer_id": "55012005", "email": "bo@example.com", "phone": "+4520123456",
             "kind": "nps", "score": "11", "responded_at": "2024-11-07T10:00:00Z", "comment": ""],
            // CSAT 0 likewise.
            ["response_id": "901012", "customer_id": "55012006", "kind": "csat", "score": "0",
             "responded_at": "2024-11-07T10:00:00Z", "comment": "zero?"],
            // survey_type in capitals; the junk e-mail dropped, id and phone keep the row.
            // 1731060000 = 1730800800 + 3·86400.
            ["response_id": "901014", "customer_id": "55012008", "phone": "+45 20 12 34 57", "kind": "csat",
             "score": "3", "responded_at": "2024-11-08T10:00:00Z", "comment": "ok\nfine"],
        ])
        #expect(sink.records[.surveys]?.map(\.line) == [2, 9, 15, 19, 22])
        #expect(sink.skipped.map { "\($0.record): \($0.reason)" } == [
            "response 901009 (line 11): CES answer: Delighted's CES scale and direction are not confirmed (Patron's CES is 1–7, lower is better), so they are not loaded",
            "response 901010 (line 13): eNPS answer: it is about employees, not customers",
            "response 901013 (line 21): survey type smileys has no kind in Patron (only nps and csat are loaded)",
        ])
        #expect(sink.dropped.map { "\($0.record) \($0.column)=\($0.value)" } == ["response 901014 (line 22) email=not an email"])
    }

    @Test func theTicketPropertyAndTicketSourceLinkAnswersToTickets() throws {
        let folder = try FixtureFolder()
        let path = try folder.write("responses.json", Self.pages)
        let linked = try convert(DelightedImporter.self, [path],
                                 settings: Self.settings(ticketProperty: "ticket_id", ticketSource: " helpdesk "))
        // A number property is read as its text; a response without the property (or without
        // person_properties) gets an empty ticket_id; the source on every row, trimmed.
        #expect(linked.rows[.surveys]?.map { [$0["response_id"]!, $0["ticket_id"]!, $0["ticket_source"]!] } == [
            ["901007", "48201", "helpdesk"], ["901008", "48202", "helpdesk"], ["901011", "", "helpdesk"],
            ["901012", "", "helpdesk"], ["901014", "", "helpdesk"],
        ])
        // Only the property: ticket_source stays absent (the ticket is of the survey's own source).
        let own = try convert(DelightedImporter.self, [path], settings: Self.settings(ticketProperty: "ticket_id"))
        #expect(own.rows[.surveys]?.first?["ticket_id"] == "48201")
        #expect(own.rows[.surveys]?.allSatisfy { $0["ticket_source"] == nil } == true)
        // Another key: nothing found there.
        let other = try convert(DelightedImporter.self, [path], settings: Self.settings(ticketProperty: "Zendesk Ticket"))
        #expect(other.rows[.surveys]?.allSatisfy { $0["ticket_id"] == "" } == true)
    }

    @Test func anObjectAtTheTopIsNotAResponsesPage() throws {
        let folder = try FixtureFolder()
        let wrapped = try folder.write("wrapped.json", #"{"survey_responses": [{"id": "1", "score": 9, "survey_type": "nps"}]}"#)
        #expect {
            _ = try convert(DelightedImporter.self, [wrapped])
        } throws: { error in
            "\(error)".contains("expected one of: responses (survey responses JSON")
        }
        // Recognized by its first page, a later page that is an object fails the file.
        let mixed = try folder.write("mixed.json", "[]\n{\"id\": 1}\n")
        #expect {
            _ = try convert(DelightedImporter.self, [mixed])
        } throws: { error in
            "\(error)".contains("line 2") && "\(error)".contains("expected a JSON array of survey responses")
        }
    }
}
