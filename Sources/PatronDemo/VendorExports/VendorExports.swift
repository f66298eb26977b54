import Foundation

/// The demo world written a second time, as the vendors' own export files under `vendors/`,
/// for the importers (`patron import shopify|zendesk|delighted …`): the same customers, orders,
/// tickets and answers as the canonical files, clean (no row broken on purpose), written one
/// customer at a time. Vendor-only details (line-item split, `hold`, sources, marketing flags)
/// are drawn from a stream of their own, so the canonical files are the same bytes with or
/// without these.
final class VendorExports {
    static let directoryName = "vendors"

    let shopify: ShopifyExport
    let zendesk: ZendeskExport
    let delighted: DelightedExport
    private let seed: UInt64

    init(directory: URL, world: DemoWorld) throws {
        let dir = directory.appendingPathComponent(Self.directoryName)
        let end = Int(world.end), start = Int(world.start)
        shopify = try ShopifyExport(directory: dir, end: end)
        zendesk = try ZendeskExport(directory: dir, agents: world.agents, start: start, end: end)
        delighted = try DelightedExport(directory: dir)
        seed = world.options.seed
    }

    static let files = [
        "shopify/customers_export.csv", "shopify/orders_export.csv", "zendesk/tickets.json", "zendesk/users.json",
        "delighted/survey_responses.json",
    ]

    /// Removes the vendor files of an earlier run from `directory/vendors` (only those, by name),
    /// so that a run without vendor exports leaves none that belong to other data.
    static func removeStale(in directory: URL) {
        let dir = directory.appendingPathComponent(directoryName)
        for file in files { try? FileManager.default.removeItem(at: dir.appendingPathComponent(file)) }
    }

    func write(_ journey: JourneyRecord) {
        var random = DemoRandom(seed: seed, stream: DemoStream.vendor.rawValue, index: UInt64(journey.customer.index))
        shopify.write(journey, &random)
        let ticketIDs = zendesk.write(journey, &random)
        delighted.write(journey, zendeskIDs: ticketIDs, &random)
    }

    /// Closes every file; returns what the manifest says about them.
    func close() throws -> [DemoManifest.VendorFile] {
        try shopify.close()
        try zendesk.close()
        try delighted.close()
        let prefix = Self.directoryName + "/"
        return [
            .init(file: prefix + "shopify/customers_export.csv", vendor: "shopify", records: shopify.customersFile.records,
                  from: ["customers.csv"], notes: "one row per customer"),
            .init(file: prefix + "shopify/orders_export.csv", vendor: "shopify", records: shopify.ordersFile.records,
                  from: ["purchases.csv", "returns.csv"],
                  notes: "\(shopify.orders) orders, one row per line item; \(shopify.datedReturns) full refunds as "
                      + "cancelled, refunded orders (Cancelled at = returned_at); \(shopify.undatedReturns) partial "
                      + "refunds only in Refunded Amount (no date: not importable as returns)"),
            .init(file: prefix + "zendesk/tickets.json", vendor: "zendesk", records: zendesk.tickets,
                  from: ["tickets.csv"],
                  notes: "\(zendesk.pages) incremental export pages (≤ \(zendesk.pageSize) tickets with their "
                      + "metric_sets), one per line; category in custom field \(ZendeskExport.categoryField), "
                      + "handle time in \(ZendeskExport.handleTimeField)"),
            .init(file: prefix + "zendesk/users.json", vendor: "zendesk", records: zendesk.usersFile.records,
                  from: ["tickets.csv"], notes: "agents and one end-user per customer with tickets"),
            .init(file: prefix + "delighted/survey_responses.json", vendor: "delighted", records: delighted.file.records,
                  from: ["surveys.csv"],
                  notes: "nps and csat answers (\(delighted.skippedCES) ces answers left out); \(delighted.linkedToTickets) "
                      + "link a Zendesk ticket in person_properties.ticket_id"),
        ]
    }
}
