import Foundation
import PatronCore
import PatronTestSupport
import Testing

/// `patron customer` as a user runs it: the executable, its JSON on stdout, its exit codes.
@Suite("patron customer")
struct CustomerCommandTests {
    @Test("--format json: one document with AliceJourney's hand-computed numbers, instants in --tz")
    func json() throws {
        let w = try ScratchWarehouse()
        try AliceJourney.load(into: w)
        let outcome = try PatronProcess.run(["customer", "Alice@Example.com", "--schema", w.schema, "--format", "json",
                                             "--tz", "Europe/Berlin", "--no-prediction"], url: w.url)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let summary = try #require(document["summary"] as? [String: Any])
        #expect((summary["value_to_date"] as? NSNumber)?.doubleValue == 130)
        #expect((summary["orders"] as? NSNumber)?.intValue == 2)
        // 2024-01-10T10:00Z is 11:00 in Berlin (CET, +01).
        #expect(summary["first_purchase_at"] as? String == "2024-01-10T11:00:00+01:00")
        #expect(summary["churn_status"] as? String == "active")
        #expect((summary["days_since_last_purchase"] as? NSNumber)?.intValue == 4)
        let timeline = try #require(document["timeline"] as? [[String: Any]])
        #expect(timeline.count == 8)
        let ticket = try #require(timeline.first { $0["kind"] as? String == "ticket" }?["details"] as? [String: Any])
        #expect((ticket["frt_hours"] as? NSNumber)?.doubleValue == 1.5)
        #expect((ticket["csat"] as? NSNumber)?.intValue == 4)
        #expect(Set(document.keys) == ["customer_key", "matched", "identifiers", "merges", "summary", "timeline"])

        let table = try PatronProcess.run(["customer", "shop:C1", "--schema", w.schema, "--no-prediction"], url: w.url)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("value_to_date") && table.stdout.contains("130"))
        #expect(!table.stdout.contains("\u{1B}"))
    }

    @Test("--help names the identifier forms, the --format values and exit codes 7 and 8")
    func help() throws {
        let w = try ScratchWarehouse()
        let help = try PatronProcess.run(["customer", "--help"], url: w.url)
        #expect(help.status == 0, "\(help.stderr)")
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        #expect(text.contains("values: table, csv, json, jsonl, markdown"), "\(help.stdout)")
        #expect(text.contains("SOURCE:ID") && text.contains("platform:@name"), "\(help.stdout)")
        #expect(text.contains("7 no customer has the identifier") && text.contains("8 it matches several customers"), "\(help.stdout)")
    }

    @Test("unknown identifier: exit 7 and a message; ambiguous: exit 8 listing the candidates")
    func exitCodes() throws {
        let w = try ScratchWarehouse()
        try AliceJourney.load(into: w)
        let unknown = try PatronProcess.run(["customer", "nobody@example.com", "--schema", w.schema], url: w.url)
        #expect(unknown.status == 7, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("no customer has the identifier 'nobody@example.com'"))
        #expect(unknown.stdout.isEmpty)
        let ambiguous = try PatronProcess.run(["customer", "X1", "--schema", w.schema], url: w.url)
        #expect(ambiguous.status == 8, "\(ambiguous.stderr)")
        #expect(ambiguous.stderr.contains("matches 2 customers"))
        #expect(ambiguous.stderr.contains("shop:X1") && ambiguous.stderr.contains("desk:X1"))
        #expect(ambiguous.stdout.isEmpty)
        let usage = try PatronProcess.run(["customer", "C1", "--tz", "Mars/Olympus", "--schema", w.schema], url: w.url)
        #expect(usage.status == 64)
    }
}
