import Foundation
import PatronCore
import PatronInput
@testable import PatronLoad
import PatronTestSupport
import Testing

/// Each rule of docs/inputs.md ("Bad input") that rejects a row: the row is recorded with line, column and a
/// reason, and the good rows of the same file still load.
@Suite("Rejected rows")
struct RejectedRowTests {
    /// (entity, header, bad row, expected column or nil for a row-level reason, words in the reason)
    static let cases: [(Entity, String, String, String?, String)] = [
        (.purchases, "order_id,email,ordered_at,amount", "B1,n/a,2024-01-01,1", "email", "@"),
        (.purchases, "order_id,phone,ordered_at,amount", "B1,12345,2024-01-01,1", "phone", "7"),
        (.purchases, "order_id,phone,ordered_at,amount", "B1,555-CALL-NOW,2024-01-01,1", "phone", "letter"),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,2024-02-30,1", "ordered_at", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,yesterday,1", "ordered_at", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,1700000000,1", "ordered_at", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,2024-01-01T24:00:00Z,1", "ordered_at", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,2024-01-01T10:00:00,5Z,1", nil, "field"),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,2024-01-01,1.23456", "amount", "decimal"),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,2024-01-01,-3", "amount", "negative"),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,2024-01-01,1e3", "amount", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,2024-01-01,$5", "amount", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount", "B1,C1,2024-01-01,\"1,000\"", "amount", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount,currency", "B1,C1,2024-01-01,1,EURO", "currency", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount,status", "B1,C1,2024-01-01,1,shipped", "status", "completed"),
        (.purchases, "order_id,customer_id,ordered_at,amount,items", "B1,C1,2024-01-01,1,2.5", "items", ""),
        (.purchases, "order_id,customer_id,ordered_at,amount", ",C1,2024-01-01,1", "order_id", "required"),
        (.purchases, "order_id,customer_id,email,ordered_at,amount", "B1,,,2024-01-01,1", nil, "identifier"),
        (.returns, "return_id,order_id,customer_id,returned_at,amount", "B1,,,2024-01-01,1", nil, "order_id"),
        (.tickets, "ticket_id,customer_id,created_at,first_response_at", "B1,C1,2024-01-02,2024-01-01", "first_response_at", "before"),
        (.tickets, "ticket_id,customer_id,created_at,resolved_at", "B1,C1,2024-01-02,2024-01-01", "resolved_at", "before"),
        (.tickets, "ticket_id,customer_id,created_at,status", "B1,C1,2024-01-02,solved", "status", "resolved_at"),
        (.tickets, "ticket_id,customer_id,created_at,csat", "B1,C1,2024-01-02,6", "csat", ""),
        (.tickets, "ticket_id,customer_id,created_at,ces", "B1,C1,2024-01-02,0", "ces", ""),
        (.tickets, "ticket_id,customer_id,created_at,channel", "B1,C1,2024-01-02,fax", "channel", "email"),
        (.tickets, "ticket_id,handle,created_at", "B1,@bare,2024-01-02", "handle", ""),
        (.tickets, "ticket_id,customer_id,created_at,reopens", "B1,C1,2024-01-02,-1", "reopens", ""),
        (.mentions, "mention_id,platform,posted_at,responded_at", "B1,x,2024-01-02,2024-01-01", "responded_at", "before"),
        (.mentions, "mention_id,platform,posted_at,sentiment", "B1,x,2024-01-02,2", "sentiment", ""),
        (.mentions, "mention_id,platform,posted_at,sentiment", "B1,x,2024-01-02,great", "sentiment", ""),
        (.mentions, "mention_id,platform,posted_at,is_complaint", "B1,x,2024-01-02,maybe", "is_complaint", ""),
        (.surveys, "response_id,customer_id,kind,score,responded_at", "B1,C1,nps,11,2024-01-01", "score", ""),
        (.surveys, "response_id,customer_id,kind,score,responded_at", "B1,C1,csat,0,2024-01-01", "score", "1"),
        (.surveys, "response_id,customer_id,kind,score,responded_at", "B1,C1,ces,8,2024-01-01", "score", "7"),
        (.surveys, "response_id,customer_id,kind,score,responded_at", "B1,C1,star,3,2024-01-01", "kind", "nps"),
        (.customers, "customer_id,email", "C9,bob@@x", "email", ""),
    ]

    @Test("each bad-row rule rejects the row with line, column and reason; good rows load", arguments: cases.indices)
    func rejectsBadRow(_ index: Int) throws {
        let (entity, header, bad, column, words) = Self.cases[index]
        let w = try ScratchWarehouse()
        // A good row before and after the bad one (lines 2 and 4); the bad row is line 3.
        let good = goodRow(entity, header: header)
        let report = try w.load(entity, "bad.csv", [header, good("G1"), bad, good("G2")].joined(separator: "\n") + "\n")
        #expect(report.counts.read == 3)
        #expect(report.counts.inserted == 2, "good rows still load (\(bad))")
        #expect(report.counts.rejected == 1, "\(bad)")
        let rejected = try w.rows("SELECT line::text, column_name, value, reason FROM rejected_rows")
        #expect(rejected.count == 1)
        if let row = rejected.first {
            #expect(row[0] == "3")
            #expect(row[1] == column, "\(bad): \(row[3] ?? "")")
            let reason = row[3] ?? ""
            #expect(!reason.isEmpty)
            if !words.isEmpty {
                #expect(reason.lowercased().contains(words.lowercased()), "reason '\(reason)' should mention '\(words)'")
            }
            if column != nil && !reason.contains("required") { #expect(row[2] != nil, "the offending value is recorded") }
        }
    }

    /// A valid row for the same header, with id `id`.
    private func goodRow(_ entity: Entity, header: String) -> (String) -> String {
        let values: [String: String] = [
            "customer_id": "C1", "email": "g@x.com", "phone": "5551234567", "handle": "x:@g", "ordered_at": "2024-01-01",
            "returned_at": "2024-01-01", "created_at": "2024-01-01", "posted_at": "2024-01-01", "responded_at": "2024-01-03",
            "amount": "1", "currency": "USD", "status": entity == .tickets ? "open" : "completed", "items": "1",
            "first_response_at": "2024-01-02", "resolved_at": "2024-01-02", "csat": "4", "ces": "3", "channel": "email",
            "reopens": "0", "platform": "x", "sentiment": "0.5", "is_complaint": "no", "kind": "nps", "score": "8", "order_id": "O1",
        ]
        let columns = header.split(separator: ",").map(String.init)
        return { id in
            columns.enumerated().map { i, c in i == 0 ? id : (values[c] ?? "") }.joined(separator: ",")
        }
    }

    @Test("a local time in a DST gap of --tz is rejected; an ambiguous one takes the earlier instant")
    func daylightSavingTime() throws {
        let w = try ScratchWarehouse()
        let report = try w.load(.purchases, "dst.csv", """
            order_id,customer_id,ordered_at,amount
            O1,C1,2024-03-31 02:30,1
            O2,C1,2024-10-27 02:30,1
            O3,C1,2024-07-01,1
            """) { $0.timeZone = TimeZone(identifier: "Europe/Berlin")! }
        #expect(report.counts.rejected == 1)
        #expect(try w.rows("SELECT line::text, column_name FROM rejected_rows") == [["2", "ordered_at"]])
        // 02:30 CEST (+02) comes before 02:30 CET (+01): 00:30Z. Midnight of July 1st in Berlin is 22:00Z.
        #expect(try w.rows("SELECT order_id, ordered_at::text FROM purchases ORDER BY 1")
                == [["O2", "2024-10-27 00:30:00+00"], ["O3", "2024-06-30 22:00:00+00"]])
    }
}

@Suite("Whole-file failures")
struct FileFailureTests {
    /// Loads a good file, then a broken one; the broken load must change nothing.
    private func expectNothingChanges(_ broken: [UInt8], name: String = "broken.csv", entity: Entity = .purchases,
                                      expecting words: String) throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.purchases, "good.csv", Journey.purchases)
        let before = try w.dump()
        let path = try w.write(name, bytes: broken)
        #expect {
            _ = try w.load(entity, path: path)
        } throws: { error in
            guard let error = error as? PatronError else { return false }
            return error.exitStatus == .loadFailed && error.description.lowercased().contains(words.lowercased())
        }
        #expect(try w.dump() == before)
        // The failure itself is on record.
        #expect(try w.rows("SELECT status, error IS NOT NULL FROM load_runs ORDER BY run_id DESC LIMIT 1") == [["failed", "t"]])
    }

    @Test("invalid UTF-8 after good rows fails the whole file")
    func invalidUTF8() throws {
        let text = Array("order_id,customer_id,ordered_at,amount\nO1,C1,2024-03-01,99\nO7,C".utf8) + [0xC3, 0x28] + Array(",2024-03-01,1\n".utf8)
        try expectNothingChanges(text, expecting: "utf-8")
    }

    @Test("a NUL byte fails the whole file")
    func nulByte() throws {
        try expectNothingChanges(Array("order_id,customer_id,ordered_at,amount\nO1,C1,2024-03-01,99\nO7,C\0,2024-03-01,1\n".utf8), expecting: "nul")
    }

    @Test("an unterminated quote fails the whole file")
    func unterminatedQuote() throws {
        try expectNothingChanges(Array("order_id,customer_id,ordered_at,amount\nO1,C1,2024-03-01,99\nO7,\"C1,2024-03-01,1\n".utf8), expecting: "quote")
    }

    @Test("a header missing a required column fails the whole file")
    func missingRequiredColumn() throws {
        try expectNothingChanges(Array("order_id,customer_id,amount\nO1,C1,99\n".utf8), expecting: "ordered_at")
    }

    @Test("a header with no customer identifier column fails the whole file")
    func noIdentifierColumn() throws {
        try expectNothingChanges(Array("order_id,ordered_at,amount\nO1,2024-03-01,99\n".utf8), expecting: "customer_id")
    }

    @Test("a truncated gzip fails the whole file")
    func truncatedGzip() throws {
        let w = try ScratchWarehouse()
        let csv = try w.write("p.csv", Journey.purchases)
        let gz = try gzip(csv)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: gz)))
        try expectNothingChanges(Array(bytes.prefix(bytes.count - 12)), name: "p.csv.gz", expecting: "gzip")
    }

    @Test("--max-rejects turns too many rejects into a failed load that stores nothing")
    func maxRejects() throws {
        let w = try ScratchWarehouse()
        let csv = "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-01,1\nO2,C1,2024-01-01,-1\nO3,C1,2024-01-01,1\nO4,C1,2024-01-01,1\n"
        #expect(throws: PatronError.self) { _ = try w.load(.purchases, "p.csv", csv) { $0.maxRejects = .count(0) } }
        #expect(try w.count("purchases") == 0)
        #expect(try w.count("rejected_rows") == 0)
        // 1 of 4 = 25% is within 30%.
        let report = try w.load(.purchases, "p.csv", csv) { $0.maxRejects = .percent(30) }
        #expect(report.counts.inserted == 3)
    }

    @Test("gzip input loads like the plain file, with the same line numbers")
    func gzipLoads() throws {
        let w = try ScratchWarehouse()
        let csv = try w.write("p.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-01,1\nO2,C1,2024-01-01,x\n")
        let report = try w.load(.purchases, path: try gzip(csv))
        #expect(report.counts.inserted == 1)
        #expect(try w.rows("SELECT line::text FROM rejected_rows") == [["3"]])
    }
}

/// gzip FILE → FILE.gz with the system's gzip, keeping the original.
func gzip(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-kf", path]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return path + ".gz"
}
