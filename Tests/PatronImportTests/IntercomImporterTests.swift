import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput

/// Intercom REST API 2.x objects: contact list pages, conversation list pages concatenated, and
/// conversations one per line; expected rows written by hand (unix seconds worked out beside them).
@Suite struct IntercomImporterTests {
    static let contacts = """
        {"type": "list", "data": [
          {"type": "contact", "id": "6650a1", "workspace_id": "abc123", "external_id": "usr_01", "role": "user", "email": "Lena@Example.com", "phone": "+4915112345678", "name": "Lena Neumann", "created_at": 1704067200, "updated_at": 1730891100, "signed_up_at": 1704070800, "last_seen_at": 1730891100, "location": {"type": "location", "country": "Germany", "region": "Berlin", "city": "Berlin"}, "tags": {"type": "list", "data": [], "url": "/contacts/6650a1/tags"}},
          {"type": "contact", "id": "6650a2", "external_id": null, "role": "lead", "email": "visitor@example.com", "phone": null, "name": null, "created_at": 1730700000, "signed_up_at": null, "location": {"type": "location", "country": "United States", "region": null, "city": null}},
          {"type": "contact", "id": "6650a3", "external_id": "usr_03", "role": "user", "email": "sam@example.com", "phone": null, "name": "Sam", "created_at": 1725148800, "signed_up_at": 1725148800, "location": null}
        ], "pages": {"type": "pages", "next": null, "page": 1, "per_page": 50, "total_pages": 1}, "total_count": 3}

        """

    /// Two conversation list pages, concatenated.
    static let conversations = """
        {"type": "conversation.list", "conversations": [
          {"type": "conversation", "id": "215470002", "created_at": 1730734200, "updated_at": 1730891100, "waiting_since": null, "snoozed_until": null, "open": false, "state": "closed", "read": true, "priority": "priority", "admin_assignee_id": 7120002, "team_assignee_id": null, "source": {"type": "email", "id": "90001", "delivered_as": "customer_initiated", "subject": "Refund", "body": "<p>Where is my refund?</p>", "author": {"type": "user", "id": "6650a1", "name": "Lena Neumann", "email": "lena@example.com"}}, "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6650a1", "external_id": "usr_01"}]}, "teammates": {"type": "admin.list", "admins": [{"type": "admin", "id": "7120002"}]}, "first_contact_reply": {"created_at": 1730734200, "type": "email", "url": null}, "statistics": {"type": "conversation_statistics", "time_to_assignment": 0, "time_to_admin_reply": 2400, "time_to_first_close": 3600, "first_contact_reply_at": 1730734200, "first_assignment_at": 1730734200, "first_admin_reply_at": 1730797800, "first_close_at": 1730800000, "last_close_at": 1730890800, "last_closed_by_id": "7120002", "count_reopens": 1, "count_assignments": 1, "count_conversation_parts": 11}, "conversation_rating": {"rating": 2, "remark": "Took too long", "created_at": 1730891100, "contact": {"type": "contact", "id": "6650a1"}, "teammate": {"type": "admin", "id": "7120002"}}, "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "9900", "name": "refund"}]}},
          {"type": "conversation", "id": "215470006", "created_at": 1730883600, "updated_at": 1730989500, "state": "open", "open": true, "priority": "not_priority", "admin_assignee_id": 7120003, "source": {"type": "conversation", "delivered_as": "admin_initiated", "author": {"type": "admin", "id": "7120003"}}, "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6650a2", "external_id": null}]}, "first_contact_reply": {"created_at": 1730988000, "type": "conversation", "url": "https://shop.example/help"}, "statistics": {"type": "conversation_statistics", "time_to_admin_reply": 1500, "first_contact_reply_at": 1730988000, "first_admin_reply_at": 1730989500, "first_close_at": null, "last_close_at": null, "count_reopens": 0}, "conversation_rating": null},
          {"type": "conversation", "id": "215470009", "created_at": 1730883600, "state": "closed", "priority": "not_priority", "admin_assignee_id": 7120003, "source": {"type": "email", "delivered_as": "admin_initiated", "author": {"type": "admin", "id": "7120003"}}, "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6650a3"}]}, "first_contact_reply": null, "statistics": {"type": "conversation_statistics", "first_contact_reply_at": null, "first_admin_reply_at": null, "last_close_at": 1730890000, "count_reopens": 0}}
        ], "pages": {"type": "pages", "next": {"page": 2, "starting_after": "WzE3MzA5"}, "page": 1, "per_page": 3, "total_pages": 2}, "total_count": 5}
        {"type": "conversation.list", "conversations": [
          {"type": "conversation", "id": "215470011", "created_at": 1731059940, "state": "snoozed", "snoozed_until": 1731081600, "priority": "not_priority", "admin_assignee_id": null, "source": {"type": "whatsapp", "delivered_as": "customer_initiated", "author": {"type": "user", "id": "6650a3"}}, "contacts": null, "first_contact_reply": {"created_at": 1731060000, "type": "whatsapp", "url": null}, "statistics": null},
          {"type": "conversation", "id": "215470012", "created_at": 1731139200, "state": "closed", "priority": "priority", "admin_assignee_id": "7120002", "source": {"type": "phone_call", "delivered_as": "customer_initiated", "author": {"type": "lead", "id": "6650zz"}}, "contacts": {"type": "contact.list", "contacts": null}, "first_contact_reply": {"created_at": 1731139200, "type": "phone_call", "url": null}, "statistics": {"first_contact_reply_at": 1731139200, "first_admin_reply_at": 1731139500, "last_close_at": 1731142800, "count_reopens": 0}, "conversation_rating": {"rating": 5, "remark": null}}
        ], "pages": {"type": "pages", "next": null, "page": 2, "per_page": 3, "total_pages": 2}, "total_count": 5}

        """

    static let expectedCustomers: [[String: String]] = [
        // 1704070800 = 2024-01-01 01:00 UTC; the country's name as Intercom writes it.
        ["customer_id": "6650a1", "email": "Lena@Example.com", "phone": "+4915112345678", "name": "Lena Neumann",
         "country": "Germany", "signup_at": "2024-01-01T01:00:00Z"],
        // A lead: kept, never signed up.
        ["customer_id": "6650a2", "email": "visitor@example.com", "phone": "", "name": "", "country": "United States",
         "signup_at": ""],
        // location null; 1725148800 = 2024-09-01 00:00 UTC.
        ["customer_id": "6650a3", "email": "sam@example.com", "phone": "", "name": "Sam", "country": "",
         "signup_at": "2024-09-01T00:00:00Z"],
    ]

    static let expectedTickets: [[String: String]] = [
        // 1730734200 = 11-04 15:30; first admin reply 1730797800 = 11-05 09:10 (not created +
        // time_to_admin_reply 2400 s, which leaves out the night); last close 1730890800 = 11-06
        // 11:00 (not the first close); closed → solved; priority → high; rating 2.
        ["ticket_id": "215470002", "customer_id": "6650a1", "email": "Lena@Example.com", "phone": "+4915112345678",
         "created_at": "2024-11-04T15:30:00Z", "channel": "email", "priority": "high", "status": "solved",
         "agent": "7120002", "first_response_at": "2024-11-05T09:10:00Z", "resolved_at": "2024-11-06T11:00:00Z",
         "reopens": "1", "csat": "2"],
        // Outbound: sent 1730883600 = 11-06 09:00, the customer wrote 1730988000 = 11-07 14:00 (the
        // ticket's creation), reply 1730989500 = 14:25; Messenger → chat; not_priority → normal.
        ["ticket_id": "215470006", "customer_id": "6650a2", "email": "visitor@example.com", "phone": "",
         "created_at": "2024-11-07T14:00:00Z", "channel": "chat", "priority": "normal", "status": "open",
         "agent": "7120003", "first_response_at": "2024-11-07T14:25:00Z", "resolved_at": "", "reopens": "0", "csat": ""],
        // 215470009: outbound, nobody answered: skipped. Page 2: statistics null → metric columns
        // absent; contacts null → the author (a user) is the contact; first reply 1731060000 =
        // 11-08 10:00, a minute after created_at; snoozed → pending; no rating member → csat absent.
        ["ticket_id": "215470011", "customer_id": "6650a3", "email": "sam@example.com", "phone": "",
         "created_at": "2024-11-08T10:00:00Z", "channel": "chat", "priority": "normal", "status": "pending", "agent": ""],
        // contacts.contacts null, the author a lead the contacts file does not list: no e-mail or
        // phone (absent); 1731139200 = 11-09 08:00, +300 s reply, 1731142800 = 09:00 close.
        ["ticket_id": "215470012", "customer_id": "6650zz", "created_at": "2024-11-09T08:00:00Z", "channel": "phone",
         "priority": "high", "status": "solved", "agent": "7120002", "first_response_at": "2024-11-09T08:05:00Z",
         "resolved_at": "2024-11-09T09:00:00Z", "reopens": "0", "csat": "5"],
    ]

    @Test func pagesOfConversationsAndContactsBecomeCanonicalRows() throws {
        let folder = try FixtureFolder()
        // Conversations first on the command line: the contacts file is still read first.
        let sink = try convert(IntercomImporter.self, [try folder.write("conversations.json", Self.conversations),
                                                       try folder.write("contacts.json", Self.contacts)])
        #expect(sink.rows[.customers] == Self.expectedCustomers)
        #expect(sink.rows[.tickets] == Self.expectedTickets)
        #expect(sink.records[.tickets]?.map(\.line) == [2, 3, 7, 8])
        #expect(sink.skipped.map { "\($0.entity.rawValue) \($0.record): \($0.reason)" } == [
            "tickets conversation 215470009 (line 4): no customer message (an outbound message nobody answered)",
        ])
        #expect(sink.dropped.isEmpty)
    }

    @Test func withoutTheContactsFileTicketsCarryNoEmailOrPhone() throws {
        let folder = try FixtureFolder()
        let sink = try convert(IntercomImporter.self, [try folder.write("conversations.json", Self.conversations)])
        let expected = Self.expectedTickets.map { row in row.filter { $0.key != "email" && $0.key != "phone" } }
        #expect(sink.rows[.tickets] == expected)
    }

    @Test func oneConversationPerLine() throws {
        let folder = try FixtureFolder()
        let lines = """
            {"type": "conversation", "id": "215470020", "created_at": 1731240000, "state": "open", "priority": "not_priority", "admin_assignee_id": null, "source": {"type": "push", "delivered_as": "customer_initiated", "author": {"type": "user", "id": "6650a1"}}, "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6650a1"}]}, "first_contact_reply": {"created_at": 1731240000, "type": "conversation"}, "statistics": {"first_contact_reply_at": 1731240000, "first_admin_reply_at": null, "last_close_at": null, "count_reopens": 0}}
            {"type": "conversation", "id": 215470021, "created_at": 1731240000, "state": "closed", "priority": "priority", "admin_assignee_id": 7120002, "source": {"type": "instagram", "delivered_as": "customer_initiated", "author": {"type": "user", "id": "6650a3"}}, "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6650a3"}]}, "statistics": {"first_contact_reply_at": 1731240000, "first_admin_reply_at": 1731240060, "last_close_at": 1731243600, "count_reopens": 2}, "conversation_rating": {"rating": null}}

            """
        let sink = try convert(IntercomImporter.self, [try folder.write("conversations.jsonl", lines)])
        #expect(sink.rows[.tickets] == [
            // 1731240000 = 11-10 12:00; push → other; no reply yet.
            ["ticket_id": "215470020", "customer_id": "6650a1", "created_at": "2024-11-10T12:00:00Z", "channel": "other",
             "priority": "normal", "status": "open", "agent": "", "first_response_at": "", "resolved_at": "", "reopens": "0"],
            // A numeric id as decimal text; no first_contact_reply member, but the statistics say
            // when the customer wrote; +60 s reply, +3600 s close; rating null → empty.
            ["ticket_id": "215470021", "customer_id": "6650a3", "created_at": "2024-11-10T12:00:00Z", "channel": "social",
             "priority": "high", "status": "solved", "agent": "7120002", "first_response_at": "2024-11-10T12:01:00Z",
             "resolved_at": "2024-11-10T13:00:00Z", "reopens": "2", "csat": ""],
        ])
        #expect(sink.records[.tickets]?.map(\.line) == [1, 2])
    }

    @Test func aTruncatedPageFailsTheFileNamingTheLine() throws {
        let folder = try FixtureFolder()
        let cut = String(Self.conversations[..<Self.conversations.range(of: "\"id\": \"215470012\"")!.upperBound])
        let path = try folder.write("conversations.json", cut)
        #expect {
            _ = try convert(IntercomImporter.self, [path])
        } throws: { error in
            "\(error)".contains("conversations.json, line 8:") && "\(error)".contains("truncated")
        }
    }

    @Test func filesAreRecognizedFromTheirContent() throws {
        let folder = try FixtureFolder()
        let importer = IntercomImporter(settings: ImportSettings())
        func kind(_ content: String) throws -> String? {
            try importer.recognize(try InputFile(path: try folder.write("f-\(UUID().uuidString).json", content)))?.name
        }
        #expect(try kind(Self.contacts) == "contacts")
        #expect(try kind(Self.conversations) == "conversations")
        #expect(try kind("{\"type\": \"contact\", \"id\": \"1\", \"role\": \"lead\"}\n") == "contacts")
        #expect(try kind("{\"type\": \"conversation\", \"id\": \"1\"}\n") == "conversations")
        #expect(try kind("{\"type\": \"list\", \"data\": [{\"type\": \"tag\", \"id\": \"9900\"}]}") == nil)
        #expect(try kind(ZendeskImporterTests.tickets) == nil)
        let path = try folder.write("users.json", ZendeskImporterTests.users)
        #expect {
            _ = try convert(IntercomImporter.self, [path])
        } throws: { error in
            "\(error)".contains("not a intercom export") || "\(error)".contains("expected one of: contacts")
        }
    }
}
