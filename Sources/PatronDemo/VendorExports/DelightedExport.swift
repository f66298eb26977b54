import Foundation

/// The demo survey tool as Delighted's API lists its responses (delighted.md of the vendor
/// layout notes): `survey_responses.json`, one JSON array of survey responses with the person
/// expanded (`GET /v1/survey_responses.json?expand[]=person`).
///
/// Mapping from the canonical `surveys.csv` (source `helpdesk`):
/// - `survey_type`: nps → `nps`, csat → `csat`; canonical ces answers are not exported
///   (Delighted's CES scale and direction are unverified; counted in the manifest).
/// - `id`: strings from "900001", in the order written: customer by customer, each customer's
///   answers by time (a real listing is ordered by time across everyone).
/// - `person`: one per customer: `id` = String(55000000 + customer index), `email` the
///   customer's address (as the shop has it, not as typed into the answer), `name`,
///   `phone_number` the shop phone in E.164 or null, `created_at` one hour before their first
///   answer (when the first survey went out).
/// - `created_at` = canonical responded_at (whole minutes) in unix seconds; `updated_at` the
///   same, or a few minutes later when there is a comment (Delighted moves it when a comment is
///   added: not the answer time).
/// - `comment`: the canonical comment, null when empty.
/// - `person_properties`: `{"Delighted Source": "Email"}`, plus `"ticket_id"` = the Zendesk
///   ticket id (as text) when the canonical answer is about a ticket.
final class DelightedExport {
    let file: VendorFile
    private let responses: StreamedJSONArray
    private var nextResponseID = 900_001
    /// Canonical ces answers left out.
    private(set) var skippedCES = 0
    private(set) var linkedToTickets = 0

    init(directory: URL) throws {
        let dir = directory.appendingPathComponent("delighted")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        file = try VendorFile(directory: dir, name: "survey_responses.json")
        responses = StreamedJSONArray(file: file)
    }

    func write(_ journey: JourneyRecord, zendeskIDs: [String: Int], _ random: inout DemoRandom) {
        let answers = journey.surveys.filter { $0.kind == "nps" || $0.kind == "csat" }
        skippedCES += journey.surveys.count - answers.count
        guard let firstAt = answers.map(\.at).min() else { return }
        let c = journey.customer
        let person = Wire.Person(created_at: firstAt - 3600, email: c.email, id: String(55_000_000 + c.index), name: c.name,
                                 phone_number: c.phone)
        // By time; answers in the same minute keep the generator's order.
        let byTime = answers.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        for answer in byTime {
            let id = nextResponseID
            nextResponseID += 1
            var properties = ["Delighted Source": "Email"]
            if let ticket = answer.ticketID, let zendesk = zendeskIDs[ticket] {
                properties["ticket_id"] = String(zendesk)
                linkedToTickets += 1
            }
            responses.append(Wire.Response(
                additional_answers: [], comment: answer.comment.isEmpty ? nil : answer.comment, created_at: answer.at,
                id: String(id), notes: [], permalink: "https://delighted.com/r/\(DemoID.make("", index: c.index, sequence: id))",
                person: person, person_properties: properties, score: answer.score, survey_type: answer.kind, tags: [],
                updated_at: answer.comment.isEmpty ? answer.at : answer.at + random.int(30...900)))
        }
    }

    func close() throws {
        responses.finish()
        try file.close()
    }

    /// Delighted's JSON objects, named as Delighted names them (written with sorted keys).
    enum Wire {
        struct Response: Encodable {
            let additional_answers: [String]
            @Null var comment: String?
            let created_at: Int
            let id: String
            let notes: [String]
            let permalink: String
            let person: Person
            let person_properties: [String: String]
            let score: Int
            let survey_type: String
            let tags: [String]
            let updated_at: Int
        }

        struct Person: Encodable {
            let created_at: Int
            let email: String
            let id: String
            let name: String
            @Null var phone_number: String?
        }
    }
}
