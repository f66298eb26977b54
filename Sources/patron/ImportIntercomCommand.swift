import ArgumentParser
import PatronImport

struct ImportIntercomCommand: VendorImportCommand {
    typealias Importer = IntercomImporter
    static let configuration = CommandConfiguration(
        commandName: "intercom",
        abstract: "Import Intercom's conversations and contacts (REST API 2.x JSON).",
        discussion: """
            Files: conversation list pages (POST /conversations/search or GET /conversations, \
            {"type": "conversation.list", "conversations": […]}) and contact list pages \
            (GET /contacts, {"type": "list", "data": […]}), each page saved as returned (one file \
            per page, or the pages appended to one file), or any tool's dump of the same objects \
            one per line. The contacts file gives the customers (users and leads) and the \
            conversations' e-mail and phone; it is read before the conversations whatever the \
            order of the files.

            Conversations become tickets, created when the customer first wrote (not when an \
            outbound message was sent); closed → solved, snoozed → pending, priority → high. \
            Conversations with no customer message are skipped and listed. Unix times become UTC \
            instants. Mapping: docs/vendors/intercom.md.
            """
    )

    @OptionGroup var common: ImportCommonOptions

    func vendorSettings(_ settings: inout ImportSettings) throws {}
}
