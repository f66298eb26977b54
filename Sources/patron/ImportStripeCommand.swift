import ArgumentParser
import PatronImport

struct ImportStripeCommand: VendorImportCommand {
    typealias Importer = StripeImporter
    static let configuration = CommandConfiguration(
        commandName: "stripe",
        abstract: "Import Stripe's payments export (CSV) and refunds list (JSON).",
        discussion: """
            Files: the payments export (Dashboard → Payments → Export, unified_payments.csv; any \
            column set that keeps id, Created date (UTC), Amount, Currency, Captured, Status and the \
            Customer ID / Email / Phone columns; older exports' Created (UTC) is read too) and the \
            refunds list as the API returns it (`stripe refunds list --limit 100 > refunds.json`, \
            or GET /v1/refunds; pages may be saved one after another in one file).

            Each captured charge is a purchase (order id = the charge id, ch_… or py_…; amount \
            gross, in major units; the creation time is UTC whatever --tz says). Failed and \
            uncaptured charges, and rows without a charge id, are skipped and listed. Each \
            succeeded refund is a return of its charge (amount converted from minor units by the \
            currency's decimals: JPY 0, KWD 3 …); pending, failed and canceled refunds are skipped. \
            The export's cumulative Amount Refunded is not read: returns come from the refunds \
            list only. A junk Customer Phone is dropped with a warning when the row keeps another \
            identifier. Load both files under one --source.
            """
    )

    @OptionGroup var common: ImportCommonOptions

    func vendorSettings(_ settings: inout ImportSettings) throws {}
}
