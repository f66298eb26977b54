import ArgumentParser
import PatronImport

struct ImportMeltwaterCommand: VendorImportCommand {
    typealias Importer = MeltwaterImporter
    static let configuration = CommandConfiguration(
        commandName: "meltwater",
        abstract: "Import Meltwater's mentions export (UTF-16, TAB-separated).",
        discussion: """
            File: the mentions export (Explore or Monitor → select the mentions → Export → CSV), \
            as Meltwater writes it: UTF-16 with a byte order mark, TAB-separated. The same file \
            re-saved as UTF-8 (still TAB-separated) is read too; other encodings are refused.

            --tz must be the time zone the exporting Meltwater user displays times in (their \
            profile setting): the export writes its dates and times in that zone without an \
            offset. A time skipped by a daylight-saving change there is rejected; in the repeated \
            hour the earlier time is taken.

            Each row is a mention: id = Tweet Id, else URL; platform from Source (Twitter/X → x, \
            Facebook, Instagram, Reddit, YouTube, TikTok …; any news outlet → news); handle only \
            for x, instagram, tiktok and reddit; sentiment Positive/Negative/Neutral, with Not \
            Rated and Unknown left empty. A Tweet Id a spreadsheet turned into 1.85346E+18 is \
            skipped and listed: export again and load the file as Meltwater wrote it.
            """
    )

    @OptionGroup var common: ImportCommonOptions

    func validate() throws {
        if common.loading.tz == nil {
            throw ValidationError("meltwater needs --tz: the time zone the exporting Meltwater user displays times in (its times carry no offset)")
        }
    }

    func vendorSettings(_ settings: inout ImportSettings) throws {}
}
