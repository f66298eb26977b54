import Foundation
import PatronCore
import PatronTestSupport
import Testing

@Suite("status, rejects and list as JSON")
struct ReportFormatTests {
    @Test("--format json gives parseable JSON with typed numbers; a rejected line is stored without its line ending")
    func jsonReports() throws {
        let w = try ScratchWarehouse()
        // CRLF line ends; line 3 has a field too many.
        let file = try w.write("crlf.csv", "order_id,customer_id,ordered_at,amount\r\nA,1,2024-01-01,5\r\nB,1,2024-01-01,5,extra\r\n")
        let load = try PatronProcess.run(["load", "purchases", file, "--schema", w.schema, "-q"], url: w.url)
        #expect(load.status == 2, "\(load.stderr)")

        let rejects = try PatronProcess.run(["rejects", "--schema", w.schema, "--format", "json"], url: w.url)
        #expect(rejects.status == 0, "\(rejects.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(rejects.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["line"] as? Int == 3)
        #expect(rows.first?["value"] as? String == "B,1,2024-01-01,5,extra")
        #expect(rows.first?["column_name"] is NSNull)

        let status = try PatronProcess.run(["status", "--schema", w.schema, "--format", "json", "--runs", "5"], url: w.url)
        #expect(status.status == 0, "\(status.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let entities = try #require(object["entities"] as? [[String: Any]])
        #expect(entities.first { $0["entity"] as? String == "purchases" }?["rows_stored"] as? Int == 1)
        #expect((object["runs"] as? [[String: Any]])?.count == 1)
        #expect(object["customers"] is [[String: Any]])

        let list = try PatronProcess.run(["list", "--format", "json"], url: w.url)
        #expect(list.status == 0, "\(list.stderr)")
        let analyses = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(analyses.contains { $0["analysis"] as? String == "retention" })
    }
}
