import Foundation
import PatronCore
@testable import PatronLoad
import PatronTestSupport
import Testing

/// An id or identifier is a key of a B-tree index, whose entries must fit a third of a page: a
/// value too long for it rejects its row with line, column and reason — by both load paths —
/// instead of failing the whole file at the index (54000 "index row size … exceeds maximum").
@Suite("Ids and identifiers too long for an index")
struct LongValueTests {
    /// Text that does not compress (PostgreSQL compresses a long index entry before it checks
    /// the size: 3,000 × "x" would fit).
    static func incompressible(_ count: Int, seed: UInt64) -> String {
        var state = seed
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return String(decoding: (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return letters[Int(state >> 33) % letters.count]
        }, as: UTF8.self)
    }

    static let longID = incompressible(3_000, seed: 1)
    static let longEmail = incompressible(2_100, seed: 2) + "@example.com"
    static let purchases = """
        order_id,customer_id,email,ordered_at,amount
        P1,C1,,2024-01-01,1
        \(longID),C2,,2024-01-02,2
        P3,\(incompressible(2_500, seed: 3)),,2024-01-03,3
        P4,,\(longEmail),2024-01-04,4
        P5,C5,,2024-01-05,5

        """

    @Test("rejected on their lines, the other rows load", arguments: [true, false])
    func rejectsTheRowNotTheFile(direct: Bool) throws {
        let w = try ScratchWarehouse()
        let report = try w.load(.purchases, "long.csv", Self.purchases) { $0.directPath = direct }
        #expect(report.counts.read == 5)
        #expect(report.counts.inserted == 2)
        #expect(report.counts.rejected == 3)
        let rejected = try w.rows("SELECT line::text, column_name, length(value)::text, reason FROM rejected_rows ORDER BY line")
        #expect(rejected.map { [$0[0] ?? "", $0[1] ?? "", $0[2] ?? ""] } == [
            ["3", "order_id", "3000"], ["4", "customer_id", "2500"], ["5", "email", String(Self.longEmail.count)],
        ])
        for row in rejected { #expect(row[3]?.contains("longer than 2000 bytes") == true, "\(row[3] ?? "")") }
        #expect(try w.rows("SELECT order_id FROM purchases ORDER BY order_id").map { $0[0] ?? "" } == ["P1", "P5"])
    }

    @Test("exactly the limit is accepted")
    func theLimitItself() throws {
        let w = try ScratchWarehouse()
        let id = String(repeating: "y", count: RowValidator.maxIdentifierBytes)
        let report = try w.load(.purchases, "edge.csv", "order_id,customer_id,ordered_at,amount\n\(id),C1,2024-01-01,1\n")
        #expect(report.counts.inserted == 1)
    }
}
