import Foundation
import PatronCore
import PatronInput

/// Meltwater's mentions export (Explore or Monitor → Export → CSV): UTF-16 little-endian with
/// a byte order mark, TAB-separated, one row per mention; the same file re-saved as UTF-8 (with
/// or without its mark, still TAB-separated) reads the same. Times are written without an
/// offset in the exporting user's display time zone (`--tz`). Mapping and its choices:
/// docs/vendors/meltwater.md.
public final class MeltwaterImporter: VendorImporter {
    public static let vendor = "meltwater"
    static let mentions = VendorFileKind(vendor: vendor, name: "mentions",
                                         summary: "mentions export (Export → CSV: UTF-16, TAB-separated)",
                                         entities: [.mentions], readOrder: 0)
    public static let kinds = [mentions]

    public static func columns(for entity: Entity) -> [String] {
        entity == .mentions ? ["mention_id", "platform", "handle", "posted_at", "text", "sentiment", "reach"] : []
    }

    /// The columns Patron reads, by name (case-insensitive), never by position: exports add
    /// and rename columns over time.
    static let mentionColumns = [
        "Tweet Id", "URL", "Source", "Influencer", "Twitter Screen Name", "Alternate Date Format", "Time",
        "Hit Sentence", "Opening Text", "Headline", "Sentiment", "Reach",
    ]

    static let tab = UInt8(ascii: "\t")

    private let timeZone: TimeZone
    private let parser: TimestampParser

    public init(settings: ImportSettings) {
        timeZone = settings.timeZone
        parser = TimestampParser(timeZone: settings.timeZone)
    }

    public func recognize(_ file: InputFile) throws -> VendorFileKind? {
        file.transcodeUTF16()
        let header = Set(try explainingEncoding(file) { try csvHeader(file, delimiter: Self.tab) }.map { $0.lowercased() })
        if header.contains("hit sentence") && header.contains("influencer") && header.contains("source")
            && header.contains("url") {
            return Self.mentions
        }
        return nil
    }

    public func convert(_ file: InputFile, kind: VendorFileKind, into sink: ImportSink) throws {
        file.transcodeUTF16()
        try explainingEncoding(file) { try convertMentions(file, sink) }
    }

    private func convertMentions(_ file: InputFile, _ sink: ImportSink) throws {
        let names = Self.mentionColumns.map { $0.lowercased() }
        let reader = try makeRowReader(file: file, format: .csv, columns: names,
                                       required: ["url", "source", "alternate date format", "time"], delimiter: Self.tab)
        var row = InputRow(columnCount: names.count)
        while try reader.next(into: &row) {
            if row.rejection != nil {
                // A malformed line: passed on with no mention_id, so the loader rejects it.
                var bad = self.row(.mentions, SourceRecord(line: row.line, label: ""))
                bad.set("mention_id", nil)
                try sink.emit(bad)
                continue
            }
            let v = row.values
            let tweetID = VendorValues.trimmed(v[0])
            let url = VendorValues.trimmed(v[1])
            let record = SourceRecord(line: row.line, label: tweetID.map { "tweet \($0)" } ?? url ?? "")
            if let tweetID, !tweetID.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                sink.skip(.mentions, record, reason: "Tweet Id \(tweetID) is not a tweet id (a spreadsheet turned it into a rounded number?): export the mentions again and load the file as Meltwater wrote it")
                continue
            }
            let platform = Self.platform(VendorValues.trimmed(v[2]))
            var mention = self.row(.mentions, record)
            mention.set("mention_id", tweetID ?? url)
            mention.set("platform", platform)
            mention.set("posted_at", postedAt(date: VendorValues.trimmed(v[5]), time: VendorValues.trimmed(v[6])))
            // Columns left out of the export (header drift) leave their canonical column absent.
            let present = row.present
            if present[7] || present[8] || present[9] { mention.set("text", v[7] ?? v[8] ?? v[9]) }
            if present[10] { mention.set("sentiment", Self.sentiment(VendorValues.trimmed(v[10]))) }
            if present[11] { mention.set("reach", Self.count(VendorValues.trimmed(v[11]))) }
            if present[3] || present[4] { mention.set("handle", nil) }
            if let platform, Self.handlePlatforms.contains(platform), present[3] || present[4] {
                let written = platform == "x" ? VendorValues.trimmed(v[4]) ?? VendorValues.trimmed(v[3])
                    : VendorValues.trimmed(v[3])
                if let written, let handle = Self.handle(written, platform: platform) {
                    do {
                        _ = try Normalize.handle(handle, defaultPlatform: platform)
                        mention.set("handle", handle)
                    } catch let error as ValueError {
                        // Not a handle (a display name with spaces): dropped, the mention kept.
                        mention.unset("handle")
                        sink.dropIdentifier(.mentions, record, column: "handle", value: written, reason: error.reason)
                    }
                }
            }
            try sink.emit(mention)
        }
    }

    // MARK: values

    /// Platforms whose `Influencer` (or `Twitter Screen Name`) is a handle people can be found
    /// by; on the others it is a page, channel or author name.
    static let handlePlatforms: Set<String> = ["x", "instagram", "tiktok", "reddit"]

    /// `Source` → platform: social networks by name, anything else (an outlet) → `news`.
    static func platform(_ source: String?) -> String? {
        guard let source else { return nil }
        switch source.lowercased() {
        case "twitter", "x", "x (twitter)", "twitter/x": return "x"
        case "facebook": return "facebook"
        case "instagram": return "instagram"
        case "reddit": return "reddit"
        case "youtube": return "youtube"
        case "tiktok": return "tiktok"
        case "pinterest": return "pinterest"
        case "twitch": return "twitch"
        case "linkedin": return "linkedin"
        case "threads": return "threads"
        default: return "news"
        }
    }

    /// `@name` (an `@` added when missing; Reddit's `u/` dropped); nil when there is none.
    static func handle(_ written: String, platform: String) -> String? {
        var name = written
        if platform == "reddit" && (name.hasPrefix("u/") || name.hasPrefix("/u/")) {
            name = String(name.drop(while: { $0 == "/" }).dropFirst(2))
        }
        if name.isEmpty { return nil }
        return name.hasPrefix("@") ? name : "@" + name
    }

    /// `Positive`, `Negative`, `Neutral` → the labels; `Not Rated`, `Unknown` and empty → no
    /// value (not neutral: nobody rated it). Anything else is passed on for the loader to reject.
    static func sentiment(_ label: String?) -> String? {
        guard let label else { return nil }
        switch label.lowercased() {
        case "positive", "negative", "neutral": return label.lowercased()
        case "not rated", "unknown": return nil
        default: return label
        }
    }

    /// An audience count with its thousands separators removed (`12,400`, `12.400`, `12 400`
    /// → `12400`); anything else as written (the loader rejects what is not a count).
    static func count(_ text: String?) -> String? {
        guard let text else { return nil }
        let separators: Set<Character> = [",", ".", " ", "'", "\u{00A0}", "\u{202F}"]
        guard let separator = text.first(where: { separators.contains($0) }) else { return text }
        let groups = text.split(separator: separator, omittingEmptySubsequences: false)
        let digits = groups.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard digits, let first = groups.first, (1...3).contains(first.count),
              groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return text }
        return groups.joined()
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Alternate Date Format` (`04-Nov-24`: day, English month abbreviation, two-digit year →
    /// 20yy) and `Time` (`09:12 AM`) → the instant, read in the export's zone. A local time that
    /// does not exist there (skipped by a DST change) is passed on as local text, for the loader
    /// to reject with the reason; in the repeated hour the earlier instant is taken (the rules of
    /// times without an offset). Text that is not such a date is passed on as written.
    func postedAt(date: String?, time: String?) -> String? {
        guard let date else { return time }
        guard let time else { return date }
        guard let local = Self.localTime(date: date, time: time) else { return date + " " + time }
        guard let instant = try? parser.parse(local) else { return local }
        return VendorValues.iso8601(microseconds: instant)
    }

    /// `04-Nov-24` + `09:12 AM` → `2024-11-04 09:12`; nil when either does not read.
    static func localTime(date: String, time: String) -> String? {
        let parts = date.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let day = Int(parts[0]), (1...31).contains(day), parts[0].count <= 2,
              let monthIndex = months.firstIndex(of: String(parts[1].prefix(3)).lowercased()),
              parts[1].count == 3 || parts[1].lowercased() == "sept",
              parts[2].allSatisfy({ $0.isASCII && $0.isNumber }), parts[2].count == 2 || parts[2].count == 4,
              var year = Int(parts[2])
        else { return nil }
        if parts[2].count == 2 { year += 2000 }
        // `09:12 AM`, `9:12AM`, `09:12:30 pm`.
        var t = time.uppercased().replacingOccurrences(of: " ", with: "")
        let pm: Bool
        if t.hasSuffix("AM") { pm = false } else if t.hasSuffix("PM") { pm = true } else { return nil }
        t.removeLast(2)
        let hms = t.split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 2 || hms.count == 3, hms.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy(\.isNumber) }),
              let hour12 = Int(hms[0]), (1...12).contains(hour12), let minute = Int(hms[1]), minute < 60
        else { return nil }
        let second = hms.count == 3 ? Int(hms[2]) ?? 60 : 0
        guard second < 60 else { return nil }
        let hour = hour12 % 12 + (pm ? 12 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        let calendarDay = "\(year)-\(two(monthIndex + 1))-\(two(day))"
        return calendarDay + " " + two(hour) + ":" + two(minute) + (hms.count == 3 ? ":" + two(second) : "")
    }

    // MARK: encoding

    /// Runs `body`, saying what encodings are read when the file is in another one.
    private func explainingEncoding<T>(_ file: InputFile, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as InputError {
            guard error.message.hasPrefix("not valid UTF-8") || error.message.hasPrefix("contains a NUL byte") else { throw error }
            throw InputError(file: error.file, line: error.line, column: error.column, message: """
                is not in an encoding a Meltwater export is read in: expected UTF-16 little-endian with a \
                byte order mark (as Meltwater writes it) or UTF-8, TAB-separated (\(error.message))
                """)
        }
    }
}
