import ArgumentParser
import PatronImport

struct ImportShopifyCommand: VendorImportCommand {
    typealias Importer = ShopifyImporter
    static let configuration = CommandConfiguration(
        commandName: "shopify",
        abstract: "Import Shopify's orders export and customers export (CSV).",
        discussion: """
            Files: orders_export.csv (Orders → Export; one row per line item, grouped into one \
            purchase per order Name) and customers_export.csv (Customers → Export). The orders \
            export gives purchases, and a return for each cancelled order with a refunded amount \
            (a refund on an order that was not cancelled has no date in the export: it is skipped \
            and listed). Order ids are the order Name (#1001). Load both under one --source.
            """
    )

    @OptionGroup var common: ImportCommonOptions

    func vendorSettings(_ settings: inout ImportSettings) throws {}
}
