import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput
import PatronLoad
import PatronTestSupport

/// `patron import meltwater` against the real database: the UTF-16 export of
/// MeltwaterImporterTests stores exactly the rows written there by hand (the time in the DST gap
/// rejected by the loader), and the same export re-saved as UTF-8 changes nothing.
@Suite("Import: Meltwater")
struct MeltwaterImportTests {
    static func importFile(_ w: ScratchWarehouse, _ path: String) throws -> ImportReport {
        let importer = MeltwaterImporter(settings: MeltwaterImporterTests.copenhagen)
        var options = LoadOptions(entity: .mentions)
        options.source = "meltwater"
        options.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
        let (file, kind) = try #require(try importer.recognizeAll([path]).first)
        return try Loader(warehouse: w.warehouse).importFile(path: file, kind: kind, importer: importer, options: options)
    }

    @Test func importStoresTheExpectedRowsAndTheUTF8CopyChangesNothing() throws {
        let w = try ScratchWarehouse()
        let utf16 = try w.write("mentions.csv", bytes: MeltwaterImporterTests.utf16LE(MeltwaterImporterTests.text()))
        let report = try Self.importFile(w, utf16)
        #expect(report.kind.description == "meltwater mentions")
        #expect(report.loads.map(\.counts.inserted) == [6] && report.loads.map(\.counts.rejected) == [1])
        #expect(report.skippedTotal == 1 && report.droppedIdentifiers == [.mentions: 1])

        let mentions = try w.rows("""
            SELECT mention_id, platform, handle,
                   to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), text, sentiment::text, reach::text
            FROM mentions WHERE source = 'meltwater' ORDER BY posted_at
            """)
        // Handles stored as platform:@name; the labels as numbers; "Not Rated"/"Unknown" NULL.
        #expect(mentions == [
            ["https://www.facebook.com/acme/posts/991", "facebook", nil, "2024-10-26T22:30:00Z",
             "\"So disappointed\"\nnever again", "-1", "0"],
            ["https://www.reddit.com/r/kettles/comments/1gd/", "reddit", "reddit:@snowfan", "2024-10-27T00:30:00Z",
             "acme kettle died after a week", nil, "1"],
            ["1853460000000000001", "x", "x:@lena_n", "2024-11-04T08:12:00Z", "Love the new app 😍🚀", "1", "12400"],
            ["https://www.instagram.com/p/C9xYz/", "instagram", "instagram:@kenji.t", "2024-11-05T11:05:00Z",
             "Unboxing my Acme kettle ☕", nil, "850"],
            ["https://www.youtube.com/watch?v=abc", "youtube", nil, "2024-11-06T11:00:00Z", "Acme kettle review", "1", "3500"],
            ["https://www.tiktok.com/@lenanowak/video/73", "tiktok", nil, "2024-12-31T22:59:00Z", "acme haul", nil, nil],
        ])
        // 02:30 on 2024-03-31 does not exist in Copenhagen: rejected, naming line 7 of the export.
        let rejected = try w.rows("SELECT source_line::text, column_name, value, reason FROM rejected_rows")
        #expect(rejected.map { [$0[0], $0[1], $0[2]] } == [["7", "posted_at", "2024-03-31 02:30"]])
        let notices = try w.rows("SELECT kind, source_line::text, column_name, value FROM import_notices ORDER BY seq")
        #expect(notices == [["skipped", "8", nil, nil], ["identifier_dropped", "9", "handle", "Lena Nowak"]])

        let before = try w.dump()
        let utf8 = try w.write("mentions-utf8.csv", MeltwaterImporterTests.text())
        let again = try Self.importFile(w, utf8)
        #expect(again.loads.map(\.counts.unchanged) == [6] && again.loads.map(\.counts.rejected) == [1])
        #expect(try w.dump() == before)
    }
}
