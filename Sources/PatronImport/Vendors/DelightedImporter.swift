import PatronCore
import PatronInput

/// Delighted's survey responses as its API lists them (`GET /v1/survey_responses.json`, best with
/// `expand[]=person`): a JSON array of responses; pages saved one after another in one file are
/// read in turn. Mapping and its choices: docs/vendors/delighted.md.
public final class DelightedImporter: VendorImporter {
    public static let vendor = "delighted"
    static let responses = VendorFileKind(vendor: vendor, name: "responses",
                                          summary: "survey responses JSON (GET /v1/survey_responses.json?expand[]=person)",
                                          entities: [.surveys], readOrder: 0)
    public static let kinds = [responses]

    public static func columns(for entity: Entity) -> [String] {
        entity == .surveys
            ? ["response_id", "customer_id", "email", "phone", "kind", "score", "responded_at", "ticket_id", "ticket_source", "comment"]
            : []
    }

    private let ticketProperty: String?
    private let ticketSource: String?

    /// `ticket_id` and `ticket_source` are filled only when configured; otherwise they are not in
    /// the converted files at all (so stored links stay as they are).
    public func filledColumns(for entity: Entity) -> [String] {
        Self.columns(for: entity).filter { column in
            switch column {
            case "ticket_id": return ticketProperty != nil
            case "ticket_source": return ticketSource != nil
            default: return true
            }
        }
    }

    public init(settings: ImportSettings) {
        ticketProperty = settings.ticketProperty.flatMap(VendorValues.trimmed)
        ticketSource = settings.ticketSource.flatMap(VendorValues.trimmed)
    }

    public func recognize(_ file: InputFile) throws -> VendorFileKind? {
        let json = try JSONStreamReader(file: file)
        do {
            guard try json.beginDocument() == UInt8(ascii: "[") else { return nil }
            // An empty page is a page of responses too (the last page of a listing is `[]`).
            guard try json.nextElement() else { return Self.responses }
            guard let first = try json.readValue().object else { return nil }
            return first["score"] != nil && (first["person"] != nil || first["survey_type"] != nil) ? Self.responses : nil
        } catch is InputError {
            return nil
        }
    }

    public func convert(_ file: InputFile, kind: VendorFileKind, into sink: ImportSink) throws {
        let json = try JSONStreamReader(file: file)
        while let opening = try json.beginDocument() {
            guard opening == UInt8(ascii: "[") else {
                throw json.error("expected a JSON array of survey responses (as GET /v1/survey_responses.json returns), found an object")
            }
            while try json.nextElement() {
                let line = try json.lineOfNextValue()
                let value = try json.readValue()
                guard let response = value.object else {
                    throw InputError(file: json.displayName, line: line, message: "expected a survey response object, found \(value.shown)")
                }
                try self.response(response, line: line, sink)
            }
        }
    }

    private func response(_ response: JSONObject, line: Int, _ sink: ImportSink) throws {
        let id = response["id"]?.text.flatMap(VendorValues.trimmed)
        let record = SourceRecord(line: line, label: id.map { "response \($0)" } ?? "")
        let surveyType = response["survey_type"]?.text.flatMap(VendorValues.trimmed)?.lowercased()
        let kind: String
        switch surveyType {
        case "nps": kind = "nps"
        case "csat": kind = "csat"
        case "ces":
            sink.skip(.surveys, record, reason: "CES answer: Delighted's CES scale and direction are not confirmed (Patron's CES is 1–7, lower is better), so they are not loaded")
            return
        case "enps":
            sink.skip(.surveys, record, reason: "eNPS answer: it is about employees, not customers")
            return
        case nil:
            sink.skip(.surveys, record, reason: "no survey_type: the kind of survey (and its scale) is unknown")
            return
        case let other?:
            sink.skip(.surveys, record, reason: "survey type \(other) has no kind in Patron (only nps and csat are loaded)")
            return
        }
        var row = self.row(.surveys, record)
        row.set("response_id", id)
        switch response["person"] {
        case .object(let person)?:
            row.set("customer_id", person["id"]?.text.flatMap(VendorValues.trimmed))
            row.set("email", person["email"]?.text.flatMap(VendorValues.trimmed))
            row.set("phone", person["phone_number"]?.text.flatMap(VendorValues.trimmed))
        case let person?:
            // Not expanded: only the person's id.
            row.set("customer_id", person.text.flatMap(VendorValues.trimmed))
        case nil:
            row.set("customer_id", nil)
        }
        row.set("kind", kind)
        // Out of range or not a whole number: passed on, the loader rejects it with the reason.
        row.set("score", response["score"]?.text)
        // created_at, never updated_at: that one moves when a comment or note is added later.
        row.set("responded_at", VendorValues.unixSeconds(response["created_at"]))
        if let ticketProperty {
            row.set("ticket_id", response["person_properties"]?[ticketProperty]?.text.flatMap(VendorValues.trimmed))
        }
        if let ticketSource { row.set("ticket_source", ticketSource) }
        row.set("comment", response["comment"]?.text)
        try sink.emitDroppingJunkIdentifiers(row)
    }
}
