import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput

/// Zendesk exports built from the API's layouts (incremental ticket export pages with side-loaded
/// `metric_sets` or nested `metric_set`, the incremental users export, the admin-centre export's
/// one ticket per line); expected rows written by hand, the arithmetic beside them.
@Suite struct ZendeskImporterTests {
    /// Incremental users export: two end-users, an agent, an admin, an end-user with a junk phone.
    static let users = """
        {"users": [
          {"id": 9101001, "url": "https://acme.zendesk.com/api/v2/users/9101001.json", "name": "Ana Silva", "email": "ana@example.com", "phone": null, "role": "end-user", "created_at": "2024-10-01T08:00:00Z", "updated_at": "2024-11-04T14:02:11Z", "time_zone": "Lisbon", "iana_time_zone": "Europe/Lisbon", "locale": "pt", "organization_id": null, "external_id": null, "tags": [], "verified": true, "active": true, "suspended": false, "user_fields": {"plan": "gold"}},
          {"id": 9101002, "name": "Caller +1 617-555-0199", "email": null, "phone": "+16175550199", "role": "end-user", "created_at": "2024-11-05T17:29:40Z", "active": true},
          {"id": 9100001, "name": "Marta Agent", "email": "marta@shop.example", "phone": null, "role": "agent", "created_at": "2023-01-01T00:00:00Z"},
          {"id": 9100002, "name": "Al Admin", "email": "al@shop.example", "phone": null, "role": "admin", "created_at": "2023-01-01T00:00:00Z"},
          {"id": 9101003, "name": "Jo Park", "email": "jp@example.com", "phone": "n/a", "role": "end-user", "created_at": "2024-11-01T10:00:00+02:00"}
        ], "next_page": null, "count": 5, "end_time": 1730799000, "end_of_stream": true}

        """

    /// Two pages of the incremental ticket export, concatenated. Page 1 lists its tickets before
    /// its metric_sets (they wait for them), page 2 its metric_sets first; ticket 48212 brings its
    /// own nested metric_set; 48201 comes again in page 2 (it changed: solved → closed).
    static let tickets = """
        {"tickets": [
          {"id": 48201, "url": "https://acme.zendesk.com/api/v2/tickets/48201.json", "created_at": "2024-11-04T14:02:11Z", "updated_at": "2024-11-05T09:30:00Z", "generated_timestamp": 1730799000, "status": "solved", "priority": "normal", "type": "question", "subject": "Where is my parcel?", "description": "Hi,\\nit did not arrive.", "via": {"channel": "email", "source": {"from": {"address": "someone.else@example.com", "name": "Someone"}, "to": {"address": "help@acme.example"}, "rel": null}}, "requester_id": 9101001, "submitter_id": 9101001, "assignee_id": 9100001, "group_id": 360001, "organization_id": null, "tags": ["shipping"], "custom_fields": [{"id": 360000111222, "value": "shipping"}, {"id": 360000333444, "value": 1260}], "satisfaction_rating": {"id": 7700001, "score": "good", "comment": "Quick, thanks"}},
          {"id": 48205, "created_at": "2024-11-04T15:10:00Z", "status": "open", "priority": null, "via": {"channel": "web"}, "requester_id": 9101001, "assignee_id": null, "custom_fields": [{"id": 360000111222, "value": null}], "satisfaction_rating": {"score": "offered"}},
          {"id": 48211, "created_at": "2024-11-05T17:30:00Z", "status": "hold", "priority": "high", "via": {"channel": "voice"}, "requester_id": 9101002, "assignee_id": 9100999, "custom_fields": [{"id": 360000111222, "value": "billing"}, {"id": 360000333444, "value": "600"}], "satisfaction_rating": {"score": "bad", "comment": "Waited all night"}},
          {"id": 48209, "created_at": "2024-11-05T18:00:00Z", "status": "deleted", "priority": null, "via": {"channel": "email"}, "requester_id": 9101001}
        ],
        "metric_sets": [
          {"id": 1, "ticket_id": 48201, "created_at": "2024-11-04T14:02:12Z", "replies": 2, "reopens": 0, "solved_at": "2024-11-05T09:30:00Z", "reply_time_in_minutes": {"calendar": 47, "business": 47}, "full_resolution_time_in_minutes": {"calendar": 1168, "business": 500}},
          {"id": 2, "ticket_id": 48205, "replies": 0, "reopens": 0, "solved_at": null, "reply_time_in_minutes": {"calendar": 0, "business": 0}},
          {"id": 3, "ticket_id": 48211, "replies": 1, "reopens": 0, "solved_at": null, "reply_time_in_minutes": {"calendar": 960, "business": 60}}
        ],
        "after_url": "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=MTU3", "after_cursor": "MTU3", "before_url": null, "before_cursor": null, "end_of_stream": false}
        {"metric_sets": [
          {"ticket_id": 48208, "replies": 3, "reopens": 1, "solved_at": "2024-11-06T10:00:00Z", "reply_time_in_minutes": {"calendar": 30, "business": 30}},
          {"ticket_id": 48201, "replies": 2, "reopens": 0, "solved_at": "2024-11-05T09:30:00Z", "reply_time_in_minutes": {"calendar": 47, "business": 47}}
        ], "tickets": [
          {"id": 48208, "created_at": "2024-11-06T08:00:00Z", "status": "open", "priority": "low", "via": {"channel": "twitter"}, "requester_id": 9101001, "assignee_id": 9100002, "satisfaction_rating": {"score": "unoffered"}},
          {"id": 48212, "created_at": "2024-11-07T12:00:00Z", "status": "solved", "priority": "normal", "via": {"channel": "native_messaging"}, "requester_id": 9101002, "assignee_id": 9100001, "custom_fields": [{"id": 360000111222, "value": "returns"}], "satisfaction_rating": null, "metric_set": {"ticket_id": 48212, "replies": 1, "reopens": 0, "solved_at": "2024-11-07T12:30:00Z", "reply_time_in_seconds": {"calendar": 95}, "reply_time_in_minutes": {"calendar": 2, "business": 2}}},
          {"id": 48201, "created_at": "2024-11-04T14:02:11Z", "updated_at": "2024-11-09T00:00:00Z", "status": "closed", "priority": "normal", "via": {"channel": "email"}, "requester_id": 9101001, "assignee_id": 9100001, "custom_fields": [{"id": 360000111222, "value": "shipping"}, {"id": 360000333444, "value": 1260}], "satisfaction_rating": {"id": 7700001, "score": "good", "comment": "Quick, thanks"}},
          {"id": 48213, "created_at": "2024-11-08T07:15:00Z", "status": "new", "priority": "urgent", "via": {"channel": "api"}, "requester_id": 9101003, "assignee_id": null, "custom_fields": []}
        ], "after_url": null, "after_cursor": null, "end_of_stream": true}

        """

    static var configured: ImportSettings {
        var settings = ImportSettings()
        settings.categoryField = "360000111222"
        settings.handleTimeField = "360000333444"
        return settings
    }

    /// The tickets of the two pages, with both custom fields configured and the users file given.
    static let expectedTickets: [[String: String]] = [
        // 14:02:11 + 47 calendar minutes = 14:49:11; good → 5; the agent's name from the users file.
        ["ticket_id": "48201", "customer_id": "9101001", "email": "ana@example.com", "phone": "",
         "created_at": "2024-11-04T14:02:11Z", "channel": "email", "category": "shipping", "priority": "normal",
         "status": "solved", "agent": "Marta Agent", "first_response_at": "2024-11-04T14:49:11Z",
         "resolved_at": "2024-11-05T09:30:00Z", "reopens": "0", "agent_replies": "2", "handle_seconds": "1260", "csat": "5"],
        // replies 0 with a reply time of 0: no first response (not an instant one); offered → no
        // answer; the category field is null; the handle-time field is not on the ticket (absent).
        ["ticket_id": "48205", "customer_id": "9101001", "email": "ana@example.com", "phone": "",
         "created_at": "2024-11-04T15:10:00Z", "channel": "web", "category": "", "priority": "", "status": "open",
         "agent": "", "first_response_at": "", "resolved_at": "", "reopens": "0", "agent_replies": "0", "csat": ""],
        // hold → pending; 17:30 + 960 calendar minutes (16 h) = next day 09:30, not + 60 business
        // minutes; an assignee the users file does not list is named by id; bad → 1.
        ["ticket_id": "48211", "customer_id": "9101002", "email": "", "phone": "+16175550199",
         "created_at": "2024-11-05T17:30:00Z", "channel": "phone", "category": "billing", "priority": "high",
         "status": "pending", "agent": "9100999", "first_response_at": "2024-11-06T09:30:00Z", "resolved_at": "",
         "reopens": "0", "agent_replies": "1", "handle_seconds": "600", "csat": "1"],
        // 48209 is deleted: skipped. Page 2: reopened, open again with its old solved_at kept;
        // 08:00 + 30 min = 08:30; an admin assignee's name; unoffered → no answer.
        ["ticket_id": "48208", "customer_id": "9101001", "email": "ana@example.com", "phone": "",
         "created_at": "2024-11-06T08:00:00Z", "channel": "social", "priority": "low", "status": "open",
         "agent": "Al Admin", "first_response_at": "2024-11-06T08:30:00Z", "resolved_at": "2024-11-06T10:00:00Z",
         "reopens": "1", "agent_replies": "3", "csat": ""],
        // A messaging ticket: 12:00:00 + 95 calendar seconds = 12:01:35 (seconds win over the
        // minutes); nested metric_set; satisfaction_rating null → no answer.
        ["ticket_id": "48212", "customer_id": "9101002", "email": "", "phone": "+16175550199",
         "created_at": "2024-11-07T12:00:00Z", "channel": "chat", "category": "returns", "priority": "normal",
         "status": "solved", "agent": "Marta Agent", "first_response_at": "2024-11-07T12:01:35Z",
         "resolved_at": "2024-11-07T12:30:00Z", "reopens": "0", "agent_replies": "1", "csat": ""],
        // 48201 again, closed since: the loader keeps this last occurrence.
        ["ticket_id": "48201", "customer_id": "9101001", "email": "ana@example.com", "phone": "",
         "created_at": "2024-11-04T14:02:11Z", "channel": "email", "category": "shipping", "priority": "normal",
         "status": "closed", "agent": "Marta Agent", "first_response_at": "2024-11-04T14:49:11Z",
         "resolved_at": "2024-11-05T09:30:00Z", "reopens": "0", "agent_replies": "2", "handle_seconds": "1260", "csat": "5"],
        // No metric set: the metric columns are absent (stored values stay); no satisfaction_rating
        // member: csat absent too; the junk phone is dropped, the e-mail kept.
        ["ticket_id": "48213", "customer_id": "9101003", "email": "jp@example.com",
         "created_at": "2024-11-08T07:15:00Z", "channel": "other", "priority": "urgent", "status": "new", "agent": ""],
    ]

    static let expectedCustomers: [[String: String]] = [
        ["customer_id": "9101001", "email": "ana@example.com", "phone": "", "name": "Ana Silva", "signup_at": "2024-10-01T08:00:00Z"],
        ["customer_id": "9101002", "email": "", "phone": "+16175550199", "name": "Caller +1 617-555-0199",
         "signup_at": "2024-11-05T17:29:40Z"],
        // 10:00 +02:00 = 08:00Z; the junk phone dropped.
        ["customer_id": "9101003", "email": "jp@example.com", "name": "Jo Park", "signup_at": "2024-11-01T08:00:00Z"],
    ]

    @Test func pagesWithMetricSetsAndUsersBecomeCanonicalRows() throws {
        let folder = try FixtureFolder()
        // Tickets first on the command line: the users file is still read first.
        let sink = try convert(ZendeskImporter.self, [try folder.write("tickets.json", Self.tickets),
                                                      try folder.write("users.json", Self.users)],
                               settings: Self.configured)
        #expect(sink.rows[.customers] == Self.expectedCustomers)
        #expect(sink.rows[.tickets] == Self.expectedTickets)
        #expect(sink.records[.tickets]?.map(\.line) == [2, 3, 4, 17, 18, 19, 20])
        #expect(sink.skipped.map { "\($0.entity.rawValue) \($0.record): \($0.reason)" } == [
            "customers user 9100001 (line 4): staff user (agent or admin), not a customer",
            "customers user 9100002 (line 5): staff user (agent or admin), not a customer",
            "tickets ticket 48209 (line 5): deleted ticket",
        ])
        #expect(sink.dropped.map { "\($0.entity.rawValue) \($0.record.label) \($0.column)=\($0.value)" } == [
            "customers user 9101003 phone=n/a", "tickets ticket 48213 phone=n/a",
        ])
    }

    @Test func withoutTheUsersFileOrFieldsTheirColumnsStayAbsent() throws {
        let folder = try FixtureFolder()
        let sink = try convert(ZendeskImporter.self, [try folder.write("tickets.json", Self.tickets)])
        let rows = try #require(sink.rows[.tickets])
        #expect(rows.count == 7)
        for row in rows {
            for column in ["email", "phone", "category", "handle_seconds"] { #expect(row[column] == nil) }
        }
        // Agents named by id without the users file.
        #expect(rows.map { $0["agent"] } == ["9100001", "", "9100999", "9100002", "9100001", "9100001", ""])
        #expect(sink.rows[.customers] == nil)
    }

    @Test func unconfiguredFieldsAndAMissingUsersFileLeaveTheirColumnsOutOfTheConvertedFiles() throws {
        let bare = ZendeskImporter(settings: ImportSettings())
        #expect(bare.filledColumns(for: .tickets) == [
            "ticket_id", "customer_id", "created_at", "channel", "priority", "status", "agent", "first_response_at",
            "resolved_at", "reopens", "agent_replies", "csat",
        ])
        let folder = try FixtureFolder()
        let full = ZendeskImporter(settings: Self.configured)
        try full.convert(try InputFile(path: try folder.write("users.json", Self.users)), kind: try #require(full.recognize(
            try InputFile(path: try folder.write("u.json", Self.users)))), into: CollectingSink())
        #expect(full.filledColumns(for: .tickets) == ZendeskImporter.columns(for: .tickets))
    }

    @Test func oneTicketPerLineAsTheAdminCentreExportWritesThem() throws {
        let folder = try FixtureFolder()
        let lines = """
            {"id": 48301, "created_at": "2024-11-10T09:00:00Z", "status": "solved", "priority": "low", "via": {"channel": "whatsapp", "source": {"rel": null}}, "requester_id": 9101001, "assignee_id": 9100001, "satisfaction_rating": {"score": "good"}, "metric_set": {"replies": 1, "reopens": 0, "solved_at": "2024-11-10T11:00:00Z", "reply_time_in_minutes": {"calendar": 5, "business": 0}}}
            {"id": 48302, "created_at": "2024-11-10T10:00:00Z", "status": "pending", "priority": null, "via": {"channel": "facebook"}, "requester_id": 9101002, "assignee_id": null}

            {"id": 48302, "created_at": "2024-11-10T10:00:00Z", "status": "open", "priority": null, "via": {"channel": "help_center"}, "requester_id": 9101002, "assignee_id": null}

            """
        let sink = try convert(ZendeskImporter.self, [try folder.write("export.json", lines)])
        #expect(sink.rows[.tickets] == [
            // 09:00 + 5 calendar minutes (business 0: outside office hours) = 09:05.
            ["ticket_id": "48301", "customer_id": "9101001", "created_at": "2024-11-10T09:00:00Z", "channel": "chat",
             "priority": "low", "status": "solved", "agent": "9100001", "first_response_at": "2024-11-10T09:05:00Z",
             "resolved_at": "2024-11-10T11:00:00Z", "reopens": "0", "agent_replies": "1", "csat": "5"],
            ["ticket_id": "48302", "customer_id": "9101002", "created_at": "2024-11-10T10:00:00Z", "channel": "social",
             "priority": "", "status": "pending", "agent": ""],
            // The same ticket again, later in the file (the loader keeps this one).
            ["ticket_id": "48302", "customer_id": "9101002", "created_at": "2024-11-10T10:00:00Z", "channel": "web",
             "priority": "", "status": "open", "agent": ""],
        ])
        #expect(sink.records[.tickets]?.map(\.line) == [1, 2, 4])
    }

    @Test func aTicketMissingItsIdIsHandedOnForTheLoaderToReject() throws {
        let folder = try FixtureFolder()
        let page = """
            {"tickets": [
              {"id": 48401, "created_at": "2024-11-11T08:00:00Z", "status": "open", "requester_id": 9101001},
              {"url": null, "created_at": "2024-11-11T09:00:00Z", "status": "open", "requester_id": 9101002}
            ], "end_of_stream": true}
            """
        let sink = try convert(ZendeskImporter.self, [try folder.write("tickets.json", page)])
        #expect(sink.rows[.tickets] == [
            ["ticket_id": "48401", "customer_id": "9101001", "created_at": "2024-11-11T08:00:00Z", "status": "open"],
            ["ticket_id": "", "customer_id": "9101002", "created_at": "2024-11-11T09:00:00Z", "status": "open"],
        ])
        #expect(sink.records[.tickets]?.map(\.description) == ["ticket 48401 (line 2)", "ticket without an id (line 3)"])
    }

    @Test func aTruncatedPageFailsTheFileNamingTheLine() throws {
        let folder = try FixtureFolder()
        // Cut inside page 2's third ticket (line 19).
        let cut = String(Self.tickets[..<Self.tickets.range(of: "\"status\": \"closed\"")!.lowerBound])
        let path = try folder.write("tickets.json", cut)
        #expect {
            _ = try convert(ZendeskImporter.self, [path])
        } throws: { error in
            let message = "\(error)"
            return message.contains("tickets.json, line 19:") && message.contains("truncated")
        }
    }

    @Test func filesAreRecognizedFromTheirContent() throws {
        let folder = try FixtureFolder()
        let importer = ZendeskImporter(settings: ImportSettings())
        func kind(_ content: String) throws -> String? {
            try importer.recognize(try InputFile(path: try folder.write("f-\(UUID().uuidString).json", content)))?.name
        }
        #expect(try kind(Self.users) == "users")
        #expect(try kind(Self.tickets) == "tickets")
        #expect(try kind("{\"after_url\": null, \"metric_sets\": [], \"tickets\": []}") == "tickets")
        #expect(try kind("{\"id\": 1, \"via\": {\"channel\": \"web\"}, \"status\": \"open\"}\n") == "tickets")
        #expect(try kind("{\"type\": \"list\", \"data\": []}") == nil)
        #expect(try kind("ticket_id,email\n1,a@example.com\n") == nil)
        let csv = try folder.write("tickets.csv", "ticket_id,email,created_at\nT1,a@example.com,2024-01-01\n")
        #expect {
            _ = try convert(ZendeskImporter.self, [csv])
        } throws: { error in
            "\(error)".contains("expected one of: users (incremental users export") && "\(error)".contains("tickets (incremental ticket export")
        }
    }

    @Test func viaChannelsMapOntoTheCanonicalChannels() {
        let cases: [(JSONValue?, String?)] = [
            (.string("email"), "email"), (.string("web_form"), "web"), (.string("web_widget"), "web"),
            (.string("mobile_sdk"), "web"), (.string("help_center"), "web"), (.string("chat"), "chat"),
            (.string("sms"), "chat"), (.string("whatsapp"), "chat"), (.string("voice"), "phone"),
            (.string("instagram_dm"), "social"), (.string("facebook"), "social"), (.string("api"), "other"),
            (.string("rule"), "other"), (.string("merge"), "other"), (.number("4"), "email"), (.number("0"), "web"),
            (.number("8"), "other"), (.null, nil), (nil, nil),
        ]
        for (via, expected) in cases { #expect(ZendeskImporter.channel(via) == expected, "\(String(describing: via))") }
    }
}
