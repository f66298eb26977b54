import ArgumentParser
import PatronImport

struct ImportZendeskCommand: VendorImportCommand {
    typealias Importer = ZendeskImporter
    static let configuration = CommandConfiguration(
        commandName: "zendesk",
        abstract: "Import Zendesk Support's incremental ticket export (with metric sets) and users export (JSON).",
        discussion: """
            Files: the incremental ticket export with its metrics, \
            GET /api/v2/incremental/tickets/cursor.json?start_time=UNIX&include=metric_sets, each \
            page saved as returned (one file per page, or the pages appended to one file); the \
            admin-centre JSON export (one ticket per line) is read too. And the users, \
            GET /api/v2/incremental/users/cursor.json?start_time=0, saved the same way: it gives \
            the customers, the requesters' e-mail and phone, and the agents' names; it is read \
            before the tickets whatever the order of the files.

            Tickets become tickets: first response = created + the calendar reply time (only when \
            an agent replied), resolved = the metric set's solved_at, csat good → 5 and bad → 1, \
            status hold → pending. Deleted tickets and staff users are skipped and listed. A solved \
            ticket without its metric set has no solve time and is rejected: export with \
            include=metric_sets. End-users become customers. Mapping: docs/vendors/zendesk.md.
            """
    )

    @OptionGroup var common: ImportCommonOptions

    @Option(name: .customLong("category-field"), help: ArgumentHelp(
        "The id of the ticket custom field holding the category (e.g. a \"Contact reason\" drop-down); without it tickets carry no category.",
        valueName: "id"))
    var categoryField: String?

    @Option(name: .customLong("handle-time-field"), help: ArgumentHelp(
        "The id of the ticket custom field holding the agents' time spent in seconds (the Time Tracking app's \"Total time spent (sec)\").",
        valueName: "id"))
    var handleTimeField: String?

    func validate() throws {
        for (option, value) in [("--category-field", categoryField), ("--handle-time-field", handleTimeField)] {
            guard let value else { continue }
            if value.isEmpty || !value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw ValidationError("\(option) takes the number of a ticket field (Admin Center → Objects and rules → Tickets → Fields), not '\(value)'")
            }
        }
    }

    func vendorSettings(_ settings: inout ImportSettings) throws {
        settings.categoryField = categoryField
        settings.handleTimeField = handleTimeField
    }
}
