import Foundation
import Testing
import PatronCore
import PatronImport
import PatronLoad
import PatronTestSupport

/// The six vendors together, as a nightly job sees them: each vendor's fixture exports (the
/// ones its own tests check row by row) converted and imported, and all of them plus a
/// canonical file loaded by one `patron sync`.
@Suite struct AllVendorsTests {
    /// One vendor's fixture files and the settings its source needs.
    struct Fixture {
        let vendor: String
        let source: String
        let files: [(name: String, bytes: [UInt8])]
        let settings: ImportSettings
        /// The same settings as sync config lines.
        let configLines: [String]
    }

    static var fixtures: [Fixture] {
        var zendesk = ImportSettings()
        zendesk.categoryField = "360000111222"
        zendesk.handleTimeField = "360000333444"
        var meltwater = ImportSettings()
        meltwater.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
        let delighted = DelightedImporterTests.settings(ticketProperty: "ticket_id", ticketSource: "helpdesk")
        return [
            Fixture(vendor: "shopify", source: "shop",
                    files: [("orders_export.csv", Array(ShopifyImporterTests.orders.utf8)),
                            ("customers_export.csv", Array(ShopifyImporterTests.customers.utf8))],
                    settings: ImportSettings(), configLines: []),
            Fixture(vendor: "zendesk", source: "helpdesk",
                    files: [("tickets.json", Array(ZendeskImporterTests.tickets.utf8)),
                            ("users.json", Array(ZendeskImporterTests.users.utf8))],
                    settings: zendesk, configLines: ["category_field = \"360000111222\"", "handle_time_field = 360000333444"]),
            Fixture(vendor: "intercom", source: "messenger",
                    files: [("conversations.json", Array(IntercomImporterTests.conversations.utf8)),
                            ("contacts.json", Array(IntercomImporterTests.contacts.utf8))],
                    settings: ImportSettings(), configLines: []),
            Fixture(vendor: "stripe", source: "payments",
                    files: [("unified_payments.csv", Array(StripeImporterTests.payments.utf8)),
                            ("refunds.json", Array(StripeImporterTests.refunds.utf8))],
                    settings: ImportSettings(), configLines: []),
            Fixture(vendor: "meltwater", source: "social",
                    files: [("mentions.csv", MeltwaterImporterTests.utf16LE(MeltwaterImporterTests.text()))],
                    settings: meltwater, configLines: ["tz = \"Europe/Copenhagen\""]),
            Fixture(vendor: "delighted", source: "surveys",
                    files: [("survey_responses.json", Array(DelightedImporterTests.pages.utf8))],
                    settings: delighted, configLines: ["ticket_property = \"ticket_id\"", "ticket_source = \"helpdesk\""]),
        ]
    }

    static func importerType(_ vendor: String) throws -> any VendorImporter.Type {
        try #require(Vendors.named(vendor))
    }

    /// For every vendor: what `--convert-to` writes, loaded by `patron load`, equals what the import stores.
    @Test(arguments: fixtures.map(\.vendor))
    func convertedRowsAreTheImportedRows(vendor: String) throws {
        let fixture = try #require(Self.fixtures.first { $0.vendor == vendor })
        let folder = try FixtureFolder()
        let paths = try fixture.files.map { try folder.write($0.name, bytes: $0.bytes) }
        func check<I: VendorImporter>(_ type: I.Type) throws {
            _ = try expectConvertedEqualsImported(type, paths, source: fixture.source, settings: fixture.settings)
        }
        try check(try Self.importerType(vendor))
    }

    @Test func oneSyncLoadsSixVendorsAndACanonicalFileThenSkipsEverything() throws {
        let w = try ScratchWarehouse()
        var config = ""
        for fixture in Self.fixtures {
            let folder = w.directory.appendingPathComponent(fixture.vendor)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in fixture.files { try Data(file.bytes).write(to: folder.appendingPathComponent(file.name)) }
            config += "[[source]]\nname = \"\(fixture.source)\"\nvendor = \"\(fixture.vendor)\"\nfiles = [\"\(fixture.vendor)/*\"]\n"
                + fixture.configLines.map { $0 + "\n" }.joined() + "\n"
        }
        try w.write("crm.csv", "customer_id,email,name,segment\nK1,isabel.romero@example.com,Isabel,vip\n")
        config += "[[source]]\nname = \"crm\"\nentity = \"customers\"\nfiles = \"crm.csv\"\n"
        let path = try w.write("patron.toml", config)

        let first = try PatronProcess.run(["sync", "--config", path, "--schema", w.schema, "--log-format", "json"], url: w.url)
        let events = first.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let files = events.filter { $0["event"] as? String == "file" }
        // 10 vendor files and the canonical one, every one loaded; some fixture rows are bad on
        // purpose (Shopify's Excel time, Stripe's guest payment …): the most serious outcome is 2.
        #expect(files.count == 11, "\(first.stderr)")
        #expect(files.allSatisfy { ["loaded", "loaded_with_rejects"].contains($0["status"] as? String ?? "") }, "\(first.stderr)")
        #expect(first.status == 2, "\(first.stderr)")
        for table in ["customer_profiles", "purchases", "returns", "tickets", "surveys", "mentions"] {
            #expect(try w.count(table) > 0, "\(table) is empty")
        }
        // Sources as configured; the Delighted answers link to Zendesk tickets of source helpdesk.
        #expect(try w.rows("SELECT DISTINCT source FROM tickets ORDER BY 1").map { $0[0] ?? "" } == ["helpdesk", "messenger"])
        #expect(try w.value("SELECT count(*) FROM surveys WHERE ticket_source = 'helpdesk'") != "0")

        // The same rows as importing each vendor on its own, plus loading the canonical file.
        let separately = try ScratchWarehouse()
        for fixture in Self.fixtures {
            let paths = try fixture.files.map { try separately.write(fixture.vendor + "-" + $0.name, bytes: $0.bytes) }
            func load<I: VendorImporter>(_ type: I.Type) throws {
                try separately.importFiles(type, paths, source: fixture.source, settings: fixture.settings)
            }
            try load(try Self.importerType(fixture.vendor))
        }
        _ = try separately.load(.customers, "crm.csv", "customer_id,email,name,segment\nK1,isabel.romero@example.com,Isabel,vip\n",
                                source: "crm")
        #expect(try w.entitySnapshot() == separately.entitySnapshot())

        let before = try w.dump()
        let second = try PatronProcess.run(["sync", "--config", path, "--schema", w.schema], url: w.url)
        #expect(second.status == 0, "\(second.stderr)")
        let statuses = second.stdout.split(separator: "\n").dropFirst(2).map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        #expect(statuses.count == 11)
        #expect(statuses.allSatisfy { $0.contains("skipped") }, "\(second.stdout)")
        #expect(try w.dump() == before)
    }
}
