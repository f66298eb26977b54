import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput
import PatronLoad
import PatronTestSupport

/// `patron import stripe` against the real database: the payments export and the refunds list
/// of StripeImporterTests store exactly the rows written there by hand, skipped records are
/// listed with their reasons, and a re-import changes nothing.
@Suite("Import: Stripe")
struct StripeImportTests {
    static func importAll(_ w: ScratchWarehouse, _ paths: [String]) throws -> [ImportReport] {
        let importer = StripeImporter(settings: StripeImporterTests.copenhagen)
        var options = LoadOptions(entity: .purchases)
        options.source = "stripe"
        options.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
        return try importer.recognizeAll(paths).map { path, kind in
            try Loader(warehouse: w.warehouse).importFile(path: path, kind: kind, importer: importer, options: options)
        }
    }

    static let utc = #"to_char(%@ AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"#

    @Test func importStoresTheExpectedRowsAndAReimportChangesNothing() throws {
        let w = try ScratchWarehouse()
        let refunds = try w.write("refunds.json", StripeImporterTests.refunds)
        let payments = try w.write("unified_payments.csv", StripeImporterTests.payments)
        let reports = try Self.importAll(w, [refunds, payments])
        #expect(reports.map(\.kind.description) == ["stripe payments", "stripe refunds"])
        // 5 purchases handed on, the guest one rejected; 4 returns.
        #expect(reports[0].loads.map(\.counts.inserted) == [4] && reports[0].loads.map(\.counts.rejected) == [1])
        #expect(reports[1].loads.map(\.counts.inserted) == [4] && reports[1].loads.map(\.counts.rejected) == [0])
        #expect(reports.map(\.skippedTotal) == [3, 4])
        #expect(reports[0].droppedIdentifiers == [.purchases: 1])

        let purchases = try w.rows("""
            SELECT order_id, customer_id, email, phone, \(String(format: Self.utc, "ordered_at")), amount::text, currency, status
            FROM purchases WHERE source = 'stripe' ORDER BY order_id
            """)
        #expect(purchases == [
            ["ch_3Q1chloe", "cus_Chloe", "chloe.martin@example.com", nil, "2024-11-09T23:59:59Z", "49.90", "EUR", "completed"],
            ["ch_3Q2kenji", "cus_Kenji", "kenji@example.jp", "81312345678", "2024-11-02T03:15:00Z", "5000", "JPY", "completed"],
            // The junk phone was dropped before loading: NULL.
            ["ch_3Q7lena", "cus_Lena", "lena@example.com", nil, "2024-11-05T09:30:00Z", "14.99", "USD", "completed"],
            ["py_3Q3omar", nil, "omar@example.com", nil, "2024-11-03T10:00:00Z", "12.345", "KWD", "completed"],
        ])
        let returns = try w.rows("""
            SELECT return_id, order_id, \(String(format: Self.utc, "returned_at")), amount::text, currency, reason
            FROM returns WHERE source = 'stripe' ORDER BY return_id
            """)
        #expect(returns == [
            ["re_1kenjiA", "ch_3Q2kenji", "2024-11-08T12:00:00Z", "1500", "JPY", "requested_by_customer"],
            ["re_2kenjiB", "ch_3Q2kenji", "2024-11-08T00:00:00Z", "500", "JPY", nil],
            ["re_3omar", "py_3Q3omar", "2024-11-08T00:00:00Z", "2.500", "KWD", "duplicate"],
            ["re_5chloe", "ch_3Q1chloe", "2024-11-12T08:00:00Z", "25.50", "EUR", "requested_by_customer"],
        ])
        // Each return finds the purchase of the charge it refunds (and through it, the person).
        #expect(try w.value("""
            SELECT count(*) FROM returns r JOIN purchases p ON p.source = r.source AND p.order_id = r.order_id
            """) == "4")
        // The guest charge: rejected, naming the line of the export.
        #expect(try w.rows("SELECT source_line::text, reason FROM rejected_rows ORDER BY run_id, line").map { $0[0] } == ["9"])
        let notices = try w.rows("""
            SELECT n.kind, n.source_line::text, n.source_ref, n.column_name, n.value, n.reason
            FROM import_notices n JOIN load_runs r USING (run_id) ORDER BY n.run_id, n.seq
            """)
        #expect(notices == [
            ["skipped", "5", "charge ch_3Q4fail (line 5)", nil, nil, "failed charge: nothing was bought"],
            ["skipped", "6", "charge ch_3Q5hold (line 6)", nil, nil, "uncaptured charge (Captured=false): nothing was bought"],
            ["skipped", "7", "line 7", nil, nil, "no charge: a payment attempt without a charge id (Status requires_payment_method)"],
            ["identifier_dropped", "8", "charge ch_3Q7lena (line 8)", "phone", "lena_n", "not a phone (contains letters)"],
            ["skipped", "11", "refund re_4pending (line 11)", nil, nil, "refund pending: it may still fail"],
            ["skipped", "21", "refund re_6canceled (line 21)", nil, nil, "refund canceled: no money was returned"],
            ["skipped", "23", "refund re_7nocharge (line 23)", nil, nil, "refund of no charge: it cannot be tied to a purchase"],
            ["skipped", "25", "refund re_8undated (line 25)", nil, nil, "undatable refund: it has no created time"],
        ])

        let before = try w.dump()
        let again = try Self.importAll(w, [payments, refunds])
        #expect(again.flatMap(\.loads).map(\.counts.unchanged) == [4, 4])
        #expect(again.flatMap(\.loads).map { $0.counts.inserted + $0.counts.updated } == [0, 0])
        #expect(try w.dump() == before)
    }
}
