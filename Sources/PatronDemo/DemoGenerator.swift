import Foundation
import PatronCore

/// Generates a demo data set: six CSV files in the canonical shapes of docs/inputs.md, the
/// same world as vendor exports under `vendors/` (Shopify, Zendesk, Delighted: see
/// `VendorExports`), a `manifest.json` and a README. Customers are generated one at a time and
/// written as they go, so memory does not grow with their number; the same options give the
/// same bytes.
public struct DemoGenerator {
    public let options: DemoOptions

    public init(options: DemoOptions) { self.options = options }

    /// Where each file comes from, and its columns.
    static let layout: [(entity: Entity, source: String, header: [String])] = [
        (.customers, "shop", ["customer_id", "email", "phone", "handle", "name", "country", "signup_at", "segment"]),
        (.purchases, "shop", ["order_id", "customer_id", "ordered_at", "amount", "currency", "channel", "items", "status"]),
        (.returns, "shop", ["return_id", "order_id", "customer_id", "returned_at", "amount", "currency", "reason"]),
        (.tickets, "helpdesk", ["ticket_id", "email", "phone", "handle", "created_at", "channel", "category", "priority",
                                "status", "agent", "first_response_at", "resolved_at", "reopens", "agent_replies",
                                "customer_replies", "handle_seconds", "csat", "ces"]),
        (.mentions, "social", ["mention_id", "platform", "handle", "posted_at", "text", "sentiment", "is_complaint",
                               "reach", "responded_at"]),
        (.surveys, "helpdesk", ["response_id", "email", "kind", "score", "responded_at", "ticket_id", "comment"]),
    ]

    /// Writes the data set into `directory` (created if needed; files of the same names are
    /// replaced). `progress` is called with the number of customers done, now and then.
    @discardableResult
    public func generate(into directory: URL, progress: ((Int) -> Void)? = nil) throws -> DemoManifest {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let writers = try Self.layout.map {
            try DemoFileWriter(directory: directory, entity: $0.entity, source: $0.source, header: $0.header,
                               gzip: options.gzip, badRowInterval: options.badRowInterval)
        }
        let files = DemoFiles(customers: writers[0], purchases: writers[1], returns: writers[2],
                              tickets: writers[3], mentions: writers[4], surveys: writers[5])
        let world = DemoWorld(options: options)
        let vendors = options.vendorExports ? try VendorExports(directory: directory, world: world) : nil
        if !options.vendorExports { VendorExports.removeStale(in: directory) }
        for index in 0..<options.customers {
            var journey = CustomerJourney(index: index, world: world)
            journey.write(to: files)
            vendors?.write(journey.record)
            if (index + 1) % 10_000 == 0 { progress?(index + 1) }
        }
        for writer in writers { try writer.close() }
        let vendorFiles = try vendors?.close()

        let manifest = DemoManifest(
            generator: "patron demo generate", seed: options.seed, customers: options.customers,
            start: DemoTime.dateText(days: options.startDay), end: DemoTime.dateText(days: DemoTime.dayNumber(options.end)),
            years: options.years, gzip: options.gzip,
            files: writers.map { w in
                DemoManifest.File(file: w.fileName, entity: w.entity.rawValue, source: w.source, rows: w.rows,
                                  badRows: w.planted.count, bad: w.planted,
                                  load: "patron load \(w.entity.rawValue) \(w.fileName) --source \(w.source)")
            },
            vendorExports: vendorFiles)
        try manifest.write(to: directory)
        return manifest
    }
}
