import ArgumentParser
import PatronImport

struct ImportDelightedCommand: VendorImportCommand {
    typealias Importer = DelightedImporter
    static let configuration = CommandConfiguration(
        commandName: "delighted",
        abstract: "Import Delighted's survey responses (API JSON).",
        discussion: """
            File: the survey responses as the API lists them, with the person expanded so that \
            e-mail and phone come along: \
            GET https://api.delighted.com/v1/survey_responses.json?expand[]=person&per_page=100&page=N \
            (pages may be saved one after another in one file). Without expand[]=person only \
            Delighted's person id is known.

            NPS (0–10) and CSAT (1–5) answers are loaded; CES (its scale and direction are not \
            confirmed), eNPS (about employees) and other survey types are skipped and listed. \
            The time is the response's created_at (never updated_at). A score outside its \
            survey's range is rejected.
            """
    )

    @OptionGroup var common: ImportCommonOptions

    @Option(name: .customLong("ticket-property"), help: ArgumentHelp(
        "The person property your survey integration stores the help-desk ticket id in (e.g. ticket_id).",
        valueName: "key"))
    var ticketProperty: String?

    @Option(name: .customLong("ticket-source"), help: ArgumentHelp(
        "The --source the help-desk tickets were loaded under, so each answer links to its ticket there.",
        valueName: "name"))
    var ticketSource: String?

    func validate() throws {
        if let ticketProperty, ticketProperty.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--ticket-property must not be empty")
        }
        if let ticketSource, ticketSource.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--ticket-source must not be empty")
        }
        if ticketSource != nil && ticketProperty == nil {
            throw ValidationError("--ticket-source names where the tickets of --ticket-property are: give --ticket-property too")
        }
    }

    func vendorSettings(_ settings: inout ImportSettings) throws {
        settings.ticketProperty = ticketProperty
        settings.ticketSource = ticketSource
    }
}
