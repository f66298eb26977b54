import Foundation
import Testing
import PatronCore
@testable import PatronImport
import PatronInput

/// Meltwater mentions exports built from the 37-column layout (UTF-16 LE with BOM, TAB, CRLF;
/// `Alternate Date Format` + `Time` in the exporting user's zone), the same file re-saved as
/// UTF-8, and a newer export with extra and renamed columns; expected rows written by hand.
/// The export's zone here is Europe/Copenhagen: CET (+01) in winter, CEST (+02) from
/// 2024-03-31 02:00 (clocks jump to 03:00) to 2024-10-27 03:00 (clocks go back to 02:00).
@Suite struct MeltwaterImporterTests {
    static let header = [
        "Date", "Headline", "URL", "Opening Text", "Hit Sentence", "Source", "Influencer", "Country", "Subregion",
        "Language", "Reach", "Desktop Reach", "Mobile Reach", "Twitter Social Echo", "Facebook Social Echo",
        "Reddit Social Echo", "National Viewership", "Engagement", "AVE", "Sentiment", "Key Phrases", "Input Name",
        "Keywords", "Twitter Authority", "Tweet Id", "Twitter Id", "Twitter Client", "Twitter Screen Name",
        "User Profile Url", "Twitter Bio", "Twitter Followers", "Twitter Following", "Alternate Date Format", "Time",
        "State", "City", "Document Tags",
    ]

    /// A newer export: engagement columns added, `Twitter User Profile Url`, columns moved.
    static let driftedHeader = [
        "Alternate Date Format", "Time", "Date", "Source", "Influencer", "Hit Sentence", "Opening Text", "Headline",
        "URL", "Tweet Id", "Twitter Screen Name", "Twitter User Profile Url", "Sentiment", "Reach", "Social Echo Total",
        "Editorial Echo", "Views", "Estimated Views", "Likes", "Replies", "Retweets", "Comments", "Shares",
        "Reactions", "Threads", "Is Verified", "Country", "Language", "Input Name", "Document Tags",
    ]

    static let mentions: [[String: String]] = [
        // line 2: X, emoji as surrogate pairs in UTF-16; 09:12 CET = 08:12Z; 12,400 → 12400.
        ["Date": "04-Nov-2024 09:12AM", "URL": "https://x.com/lena_n/status/1853460000000000001",
         "Hit Sentence": "Love the new app 😍🚀", "Source": "Twitter", "Influencer": "@lena_n", "Country": "Denmark",
         "Language": "English", "Reach": "12,400", "Sentiment": "Positive", "Input Name": "Acme brand",
         "Tweet Id": "1853460000000000001", "Twitter Id": "1400000000000000077", "Twitter Screen Name": "@lena_n",
         "Twitter Followers": "12400", "Alternate Date Format": "04-Nov-24", "Time": "09:12 AM"],
        // line 3: Instagram, username without @; no Hit Sentence → Opening Text; 12:05 PM CET = 11:05Z.
        ["URL": "https://www.instagram.com/p/C9xYz/", "Opening Text": "Unboxing my Acme kettle ☕",
         "Source": "Instagram", "Influencer": "kenji.t", "Reach": "850", "Sentiment": "Not Rated",
         "Alternate Date Format": "05-Nov-24", "Time": "12:05 PM"],
        // lines 4–5: Facebook, a page's display name (no handle); a quoted text over two lines;
        // 12:30 AM on 27 Oct is 00:30 CEST (+02) = 26 Oct 22:30Z.
        ["URL": "https://www.facebook.com/acme/posts/991", "Hit Sentence": "\"So disappointed\"\nnever again",
         "Source": "Facebook", "Influencer": "Chloé Martin", "Reach": "0", "Sentiment": "Negative",
         "Alternate Date Format": "27-Oct-24", "Time": "12:30 AM"],
        // line 6: Reddit, u/name; 02:30 on 27 Oct happens twice: the earlier, 02:30 CEST = 00:30Z.
        ["URL": "https://www.reddit.com/r/kettles/comments/1gd/", "Hit Sentence": "acme kettle died after a week",
         "Source": "Reddit", "Influencer": "u/snowfan", "Reach": "1", "Sentiment": "Unknown",
         "Alternate Date Format": "27-Oct-24", "Time": "02:30 AM"],
        // line 7: a newspaper: outlet → news, the journalist is no handle; only a Headline;
        // 02:30 on 31 Mar does not exist (clocks jump 02:00 → 03:00): handed on as local text.
        ["Headline": "Acme recalls 10,000 kettles", "URL": "https://www.theguardian.com/business/acme-recall",
         "Source": "The Guardian", "Influencer": "Jane Doe", "Reach": "1.234.567", "Sentiment": "Neutral",
         "Alternate Date Format": "31-Mar-24", "Time": "02:30 AM"],
        // line 8: a spreadsheet rounded the Tweet Id: skipped with the reason.
        ["URL": "https://x.com/bo/status/1853469999999999999", "Hit Sentence": "meh", "Source": "Twitter",
         "Influencer": "@bo", "Tweet Id": "1.85347E+18", "Twitter Screen Name": "@bo",
         "Alternate Date Format": "06-Nov-24", "Time": "10:00 AM"],
        // line 9: TikTok with a display name where the handle should be: dropped, the mention kept;
        // 11:59 PM CET = 22:59Z.
        ["URL": "https://www.tiktok.com/@lenanowak/video/73", "Hit Sentence": "acme haul", "Source": "TikTok",
         "Influencer": "Lena Nowak", "Alternate Date Format": "31-Dec-24", "Time": "11:59 PM"],
        // line 10: YouTube: a channel name, no handle; 12:00 PM is noon, CET = 11:00Z.
        ["URL": "https://www.youtube.com/watch?v=abc", "Hit Sentence": "Acme kettle review", "Source": "Youtube",
         "Influencer": "Acme Reviews", "Reach": "3 500", "Sentiment": "positive",
         "Alternate Date Format": "06-Nov-24", "Time": "12:00 PM"],
    ]

    static let expected: [[String: String]] = [
        ["mention_id": "1853460000000000001", "platform": "x", "handle": "@lena_n", "posted_at": "2024-11-04T08:12:00Z",
         "text": "Love the new app 😍🚀", "sentiment": "positive", "reach": "12400"],
        ["mention_id": "https://www.instagram.com/p/C9xYz/", "platform": "instagram", "handle": "@kenji.t",
         "posted_at": "2024-11-05T11:05:00Z", "text": "Unboxing my Acme kettle ☕", "sentiment": "", "reach": "850"],
        ["mention_id": "https://www.facebook.com/acme/posts/991", "platform": "facebook", "handle": "",
         "posted_at": "2024-10-26T22:30:00Z", "text": "\"So disappointed\"\nnever again", "sentiment": "negative",
         "reach": "0"],
        ["mention_id": "https://www.reddit.com/r/kettles/comments/1gd/", "platform": "reddit", "handle": "@snowfan",
         "posted_at": "2024-10-27T00:30:00Z", "text": "acme kettle died after a week", "sentiment": "", "reach": "1"],
        ["mention_id": "https://www.theguardian.com/business/acme-recall", "platform": "news", "handle": "",
         "posted_at": "2024-03-31 02:30", "text": "Acme recalls 10,000 kettles", "sentiment": "neutral",
         "reach": "1234567"],
        // The display name was dropped: no handle key at all.
        ["mention_id": "https://www.tiktok.com/@lenanowak/video/73", "platform": "tiktok",
         "posted_at": "2024-12-31T22:59:00Z", "text": "acme haul", "sentiment": "", "reach": ""],
        ["mention_id": "https://www.youtube.com/watch?v=abc", "platform": "youtube", "handle": "",
         "posted_at": "2024-11-06T11:00:00Z", "text": "Acme kettle review", "sentiment": "positive", "reach": "3500"],
    ]

    /// The export as text: TAB-separated, fields quoted when they hold a quote, TAB or newline.
    static func text(_ header: [String] = header, _ rows: [[String: String]] = mentions, newline: String = "\r\n") -> String {
        func field(_ v: String) -> String {
            v.contains("\"") || v.contains("\t") || v.contains("\n") ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        }
        return ([header.joined(separator: "\t")] + rows.map { row in header.map { field(row[$0] ?? "") }.joined(separator: "\t") })
            .joined(separator: newline) + newline
    }

    /// UTF-16 little-endian with its byte order mark, as Meltwater writes it.
    static func utf16LE(_ text: String) -> [UInt8] {
        [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static var copenhagen: ImportSettings {
        var settings = ImportSettings()
        settings.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
        return settings
    }

    static func summary(_ sink: CollectingSink) -> [String] {
        sink.skipped.map { "skipped \($0.record): \($0.reason)" }
            + sink.dropped.map { "dropped \($0.record) \($0.column)=\($0.value): \($0.reason)" }
    }

    @Test func theUTF16ExportBecomesCanonicalRows() throws {
        let folder = try FixtureFolder()
        let sink = try convert(MeltwaterImporter.self, [try folder.write("mentions.csv", bytes: Self.utf16LE(Self.text()))],
                               settings: Self.copenhagen)
        #expect(sink.rows[.mentions] == Self.expected)
        #expect(sink.records[.mentions]?.map(\.line) == [2, 3, 4, 6, 7, 9, 10])
        #expect(Self.summary(sink) == [
            "skipped tweet 1.85347E+18 (line 8): Tweet Id 1.85347E+18 is not a tweet id (a spreadsheet turned it into a rounded number?): export the mentions again and load the file as Meltwater wrote it",
            "dropped https://www.tiktok.com/@lenanowak/video/73 (line 9) handle=Lena Nowak: not a handle (the name contains whitespace or a control character)",
        ])
    }

    @Test func theSameExportResavedAsUTF8GivesTheSameRows() throws {
        let folder = try FixtureFolder()
        let utf16 = try convert(MeltwaterImporter.self, [try folder.write("a.csv", bytes: Self.utf16LE(Self.text()))],
                                settings: Self.copenhagen)
        let plain = try convert(MeltwaterImporter.self, [try folder.write("b.csv", Self.text(newline: "\n"))],
                                settings: Self.copenhagen)
        let marked = try convert(MeltwaterImporter.self,
                                 [try folder.write("c.csv", bytes: [0xEF, 0xBB, 0xBF] + Array(Self.text().utf8))],
                                 settings: Self.copenhagen)
        for sink in [plain, marked] {
            #expect(sink.rows[.mentions] == utf16.rows[.mentions])
            #expect(sink.records[.mentions] == utf16.records[.mentions])
            #expect(Self.summary(sink) == Self.summary(utf16))
        }
    }

    @Test func aNewerExportWithExtraAndRenamedColumnsGivesTheSameRows() throws {
        let folder = try FixtureFolder()
        let sink = try convert(MeltwaterImporter.self,
                               [try folder.write("new.csv", bytes: Self.utf16LE(Self.text(Self.driftedHeader)))],
                               settings: Self.copenhagen)
        #expect(sink.rows[.mentions] == Self.expected)
    }

    @Test func columnsLeftOutOfTheExportStayAbsent() throws {
        // A cut-down export (UTF-8): no Tweet Id (the URL is the id), no Sentiment, no Reach.
        let header = ["URL", "Source", "Influencer", "Hit Sentence", "Alternate Date Format", "Time"]
        let folder = try FixtureFolder()
        let sink = try convert(MeltwaterImporter.self, [try folder.write("few.csv", Self.text(header, [Self.mentions[0]]))],
                               settings: Self.copenhagen)
        #expect(sink.rows[.mentions] == [
            ["mention_id": "https://x.com/lena_n/status/1853460000000000001", "platform": "x", "handle": "@lena_n",
             "posted_at": "2024-11-04T08:12:00Z", "text": "Love the new app 😍🚀"],
        ])
    }

    @Test func anEmojiCutByTheMebibyteBoundaryIsKept() throws {
        // One row's Hit Sentence is padded so that the UTF-16 bytes of 😍 (D83D DE0D, 4 bytes)
        // start 2 bytes before the first 1 MiB chunk of the file ends: its high half arrives in
        // the first chunk, its low half in the second. (Cuts inside a code unit are covered by
        // the transcoder's own tests, at every offset.)
        var row = Self.mentions[0]
        row["Hit Sentence"] = "PAD😍 kettle"
        let unpadded = Array(Self.text(Self.header, [row, Self.mentions[1]]).utf16)
        let marker = unpadded.indices.first { unpadded[$0] == 0x50 && unpadded[$0 + 1] == 0x41 && unpadded[$0 + 2] == 0x44 }!
        let target = 1 << 20
        // 😍 starts at byte 2 (the mark) + 2·(marker + padding) = target − 2.
        let padding = (target - 4) / 2 - marker
        let long = String(repeating: "a", count: padding) + "😍 kettle"
        row["Hit Sentence"] = long
        let bytes = Self.utf16LE(Self.text(Self.header, [row, Self.mentions[1]]))
        #expect(Array(bytes[(target - 2)...(target + 1)]) == [0x3D, 0xD8, 0x0D, 0xDE])
        let folder = try FixtureFolder()
        let sink = try convert(MeltwaterImporter.self, [try folder.write("big.csv", bytes: bytes)], settings: Self.copenhagen)
        #expect(sink.rows[.mentions]?.map { $0["text"] } == [long, "Unboxing my Acme kettle ☕"])
    }

    @Test func anUnpairedSurrogateFailsTheFileNamingTheLine() throws {
        var text = Self.text(Self.header, Array(Self.mentions.prefix(2))).utf16.map { $0 }
        // Line 3's first character becomes a lone high surrogate.
        let thirdLine = text.indices.filter { text[$0] == 0x0A }[1] + 1
        text[thirdLine] = 0xD83D
        let bytes: [UInt8] = [0xFF, 0xFE] + text.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let folder = try FixtureFolder()
        let path = try folder.write("broken.csv", bytes: bytes)
        #expect {
            _ = try convert(MeltwaterImporter.self, [path], settings: Self.copenhagen)
        } throws: { error in
            "\(error)".contains("line 3") && "\(error)".contains("unpaired surrogate")
        }
    }

    @Test func aFileInAnotherEncodingFailsSayingWhatIsExpected() throws {
        let folder = try FixtureFolder()
        // UTF-16 big-endian with its mark.
        let bigEndian: [UInt8] = [0xFE, 0xFF] + Self.text().utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let be = try folder.write("be.csv", bytes: bigEndian)
        #expect {
            _ = try convert(MeltwaterImporter.self, [be])
        } throws: { error in
            "\(error)".contains("UTF-16 big-endian") && "\(error)".contains("expected a text file in UTF-16 little-endian with a byte order mark, or in UTF-8")
        }
        // Latin-1 (Windows "ANSI"): é is the single byte 0xE9, on line 5 (the row before it spans lines 4–5).
        let latin1 = Self.text(Self.header, Array(Self.mentions.prefix(3))).unicodeScalars.map { UInt8($0.value < 256 ? $0.value : 0x3F) }
        let l1 = try folder.write("latin1.csv", bytes: latin1)
        #expect {
            _ = try convert(MeltwaterImporter.self, [l1])
        } throws: { error in
            let text = "\(error)"
            return text.contains("line 5") && text.contains("expected UTF-16 little-endian with a byte order mark (as Meltwater writes it) or UTF-8")
        }
        // UTF-16 without its mark.
        let bare = try folder.write("bare.csv", bytes: Array(Self.utf16LE(Self.text()).dropFirst(2)))
        #expect {
            _ = try convert(MeltwaterImporter.self, [bare])
        } throws: { error in
            "\(error)".contains("UTF-16 without a byte order mark")
        }
    }

    @Test func timesAndValuesReadTheWayTheExportWritesThem() throws {
        // 12-hour clock: 12 AM is midnight, 12 PM noon; one-digit hours; seconds; lower-case am/pm.
        #expect(MeltwaterImporter.localTime(date: "04-Nov-24", time: "12:00 AM") == "2024-11-04 00:00")
        #expect(MeltwaterImporter.localTime(date: "04-Nov-24", time: "12:59 PM") == "2024-11-04 12:59")
        #expect(MeltwaterImporter.localTime(date: "4-nov-24", time: "9:05pm") == "2024-11-04 21:05")
        #expect(MeltwaterImporter.localTime(date: "29-Feb-24", time: "01:02:03 PM") == "2024-02-29 13:02:03")
        #expect(MeltwaterImporter.localTime(date: "04-Nov-2024", time: "09:12 AM") == "2024-11-04 09:12")
        #expect(MeltwaterImporter.localTime(date: "04-Noe-24", time: "09:12 AM") == nil)
        #expect(MeltwaterImporter.localTime(date: "04-Nov-24", time: "13:12 PM") == nil)
        #expect(MeltwaterImporter.localTime(date: "2024-11-04", time: "09:12") == nil)
        // Reach: separators only in groups of three.
        #expect(MeltwaterImporter.count("12,400") == "12400")
        #expect(MeltwaterImporter.count("1'234'567") == "1234567")
        #expect(MeltwaterImporter.count("12400") == "12400")
        #expect(MeltwaterImporter.count("1.5") == "1.5")  // not a count: the loader rejects it
        #expect(MeltwaterImporter.count("1,23,456") == "1,23,456")
        // Sentiment: two spellings of "no value".
        #expect(MeltwaterImporter.sentiment("Not Rated") == nil && MeltwaterImporter.sentiment("Unknown") == nil)
        #expect(MeltwaterImporter.sentiment("NEUTRAL") == "neutral")
        #expect(MeltwaterImporter.sentiment("Mixed") == "Mixed")
        // Platforms.
        #expect(["Twitter", "X", "Facebook", "Instagram", "Reddit", "Youtube", "TikTok", "Daily Planet"]
            .map { MeltwaterImporter.platform($0) ?? "" } == ["x", "x", "facebook", "instagram", "reddit", "youtube", "tiktok", "news"])
    }
}
