import Foundation
import PatronTestSupport
import Testing

/// `patron report` rendered by a real browser (headless Chromium): every section there, no
/// console error or failed load with the network off, and the heatmap's cells carrying the
/// values of `patron run retention --pivot` for the same warehouse.
@Suite("HTML report in a browser")
struct ReportBrowserTests {
    @Test("every section renders, nothing is fetched, the heatmap holds retention's values")
    func rendersInChromium() throws {
        // RetentionFixture: retention --pivot gives Jan 1, 0.5, 0.5, 0.5*; Feb 1, 0, 0*.
        let w = try RetentionFixture.warehouse()
        let page = w.directory.appendingPathComponent("report.html").path
        let report = try PatronProcess.run(["report", "--out", page, "--schema", w.schema], url: w.url)
        try #require(report.status == 0, "\(report.stderr)")

        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>"), "the page is written whole")
        for outside in ["http://", "https://", "<script", "<link", "src=", "@import"] {
            #expect(!html.contains(outside), "the page must not reference anything outside it: \(outside)")
        }

        let rendering = try HeadlessBrowser.render(page)
        #expect(rendering.consoleMessages.isEmpty, "\(rendering.consoleMessages)")
        for section in ["headline", "cohort-retention", "retention-curves", "historical-value", "predictive", "churn", "first-response", "response-grid", "resolution", "backlog", "agents", "satisfaction", "nps", "effort", "support-impact", "freshness"] {
            #expect(rendering.dom.contains("<section id=\"\(section)\""), "section \(section) missing; chromium: \(rendering.logTail)")
        }

        // The heatmap's cells, in row order, against the analysis' own numbers.
        let csv = try PatronProcess.run(["run", "retention", "--pivot", "--format", "csv", "--schema", w.schema], url: w.url)
        try #require(csv.status == 0, "\(csv.stderr)")
        let expected = csv.stdout.split(separator: "\n").dropFirst().flatMap { line in
            // segment, cohort, cohort_size, complete_through, then one value per period offset.
            line.split(separator: ",", omittingEmptySubsequences: false).dropFirst(4).filter { !$0.isEmpty }.map(String.init)
        }
        #expect(expected == ["1", "0.5", "0.5", "0.5", "1", "0", "0"], "\(csv.stdout)")
        let heatmap = try #require(rendering.dom.range(of: "<table class=\"heatmap\"").map { rendering.dom[$0.lowerBound...] })
        let table = heatmap[..<(heatmap.range(of: "</table>")?.upperBound ?? heatmap.endIndex)]
        let cells = table.matches(of: /data-value="([^"]*)"/).map { String($0.output.1) }
        #expect(cells == expected, "\(table)")
        // The cells of April (not over) are marked, never coloured as a fall.
        #expect(table.contains("50.0%*") && table.contains("0.0%*"))
        #expect(table.matches(of: /class="incomplete"/).count == 2)
    }

    @Test("the browser check sees what it must fail on: a console error")
    func consoleCheckCanFail() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patron-browser-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("bad.html").path
        try """
            <!DOCTYPE html><html><head><title>bad</title></head><body>
            <script>console.error("boom")</script></body></html>
            """.write(toFile: page, atomically: true, encoding: .utf8)
        let rendering = try HeadlessBrowser.render(page)
        #expect(rendering.consoleMessages.contains { $0.contains("boom") }, "\(rendering.logTail)")
    }

    @Test("--segment: one heatmap per segment value, each with retention --pivot --segment's cells; the headline stays the total")
    func segmented() throws {
        // First-purchase channel: A and C web, B store. web: Jan {A} 1, 1 (Feb), 0 (Mar), 1* (Apr);
        // Feb {C} 1, 0, 0*. store: Jan {B} 1, 0, 1 (Mar), 0*.
        let purchases = """
            order_id,customer_id,ordered_at,amount,channel
            A1,A,2024-01-05T10:00:00Z,10,web
            B1,B,2024-01-07T10:00:00Z,10,store
            A2,A,2024-02-10T10:00:00Z,10,web
            C1,C,2024-02-02T10:00:00Z,10,web
            B2,B,2024-03-03T10:00:00Z,10,web
            A3,A,2024-04-20T10:00:00Z,10,web
            """
        let w = try RetentionFixture.warehouse(purchases)
        let page = w.directory.appendingPathComponent("segmented.html").path
        let report = try PatronProcess.run(["report", "--out", page, "--segment", "channel", "--schema", w.schema], url: w.url)
        try #require(report.status == 0, "\(report.stderr)")
        let rendering = try HeadlessBrowser.render(page)
        #expect(rendering.consoleMessages.isEmpty, "\(rendering.consoleMessages)")

        let csv = try PatronProcess.run(["run", "retention", "--pivot", "--segment", "channel", "--format", "csv", "--schema", w.schema], url: w.url)
        try #require(csv.status == 0, "\(csv.stderr)")
        var expected: [String: [String]] = [:]
        for line in csv.stdout.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            expected[fields[0], default: []] += fields.dropFirst(4).filter { !$0.isEmpty }
        }
        #expect(expected == ["web": ["1", "1", "0", "1", "1", "0", "0"], "store": ["1", "0", "1", "0"]], "\(csv.stdout)")
        for (segment, cells) in expected {
            let start = try #require(rendering.dom.range(of: "<section id=\"cohort-retention-\(segment)\""), "no heatmap for \(segment)")
            let rest = rendering.dom[start.upperBound...]
            let table = rest[..<(rest.range(of: "</table>")?.upperBound ?? rest.endIndex)]
            #expect(table.matches(of: /data-value="([^"]*)"/).map { String($0.output.1) } == cells, "\(segment): \(table)")
        }
        // The page says how it is split.
        #expect(rendering.dom.contains("by channel where an analysis offers it"))
    }
}
