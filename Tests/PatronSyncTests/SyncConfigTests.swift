import Foundation
import Testing
import PatronCore
@testable import PatronSync

/// `patron sync`'s config: what it accepts, and that every mistake is named by line and key
/// before anything is loaded.
@Suite struct SyncConfigTests {
    /// A folder with a config and a few export files.
    final class Folder {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("patron-sync-\(UUID().uuidString)")
            for sub in ["exports/zendesk", "exports/crm"] {
                try FileManager.default.createDirectory(at: url.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            for file in ["exports/zendesk/tickets-2.json", "exports/zendesk/tickets-1.json", "exports/zendesk/users.json",
                         "exports/crm/customers-a.csv.gz"] {
                FileManager.default.createFile(atPath: url.appendingPathComponent(file).path, contents: Data("x".utf8))
            }
        }
        deinit { try? FileManager.default.removeItem(at: url) }

        func parse(_ toml: String) throws -> SyncConfig {
            let path = url.appendingPathComponent("patron.toml").path
            try Data(toml.utf8).write(to: URL(fileURLWithPath: path))
            return try SyncConfig.load(path: path)
        }

        /// The error's text for a config that must be refused.
        func refusal(_ toml: String) -> String {
            do {
                _ = try parse(toml)
                return "accepted"
            } catch {
                return "\(error)".replacingOccurrences(of: url.path + "/", with: "")
            }
        }
    }

    @Test func theIssuesExampleParsesWithFilesRelativeToTheConfig() throws {
        let folder = try Folder()
        let config = try folder.parse("""
            schema = "patron"                   # optional

            [[source]]
            name = "helpdesk"
            vendor = "zendesk"
            files = ["exports/zendesk/*.json"]
            category_field = "360000111222"

            [[source]]
            name = "crm"
            entity = "customers"
            files = ["exports/crm/customers-*.csv.gz"]
            tz = "Europe/Berlin"
            max_rejects = "2%"
            """)
        #expect(config.schema == "patron")
        #expect(config.sources.map(\.name) == ["helpdesk", "crm"])
        #expect(config.sources[0].kind == .vendor("zendesk"))
        #expect(config.sources[1].kind == .entity(.customers))
        // A glob's matches in name order, absolute.
        #expect(config.sources[0].files.map { URL(fileURLWithPath: $0).lastPathComponent }
                    == ["tickets-1.json", "tickets-2.json", "users.json"])
        #expect(config.sources[0].files.allSatisfy { $0.hasPrefix(folder.url.path) })
        #expect(config.sources[0].options == ["category-field": "360000111222"])
        #expect(config.sources[1].options == ["tz": "Europe/Berlin", "max-rejects": "2%"])
        #expect(config.sources.map(\.line) == [3, 9])
    }

    @Test func maxRecordBytesIsASourceOptionWrittenAsASizeOrANumber() throws {
        let folder = try Folder()
        let config = try folder.parse("""
            [[source]]
            name = "crm"
            entity = "customers"
            files = ["exports/crm/*.gz"]
            max_record_bytes = "64MiB"

            [[source]]
            name = "helpdesk"
            vendor = "zendesk"
            files = ["exports/zendesk/*.json"]
            max_record_bytes = 33554432
            """)
        #expect(config.sources.map { $0.options["max-record-bytes"] } == ["64MiB", "33554432"])
    }

    @Test func theExampleThatInitWritesIsValidTOMLThatNamesNoMissingFiles() throws {
        let folder = try Folder()
        // Its globs name files this folder does not have: the refusal must be about that, not the syntax.
        #expect(folder.refusal(SyncConfig.example).contains("matches no file"))
    }

    @Test(arguments: [
        ("colour = \"red\"\n[[source]]\nname = \"a\"\nentity = \"customers\"\nfiles = [\"exports/crm/*.gz\"]\n",
         "patron.toml, line 1: unknown key 'colour'"),
        ("[[source]]\nname = \"a\"\nentity = \"customers\"\nfiles = [\"exports/crm/*.gz\"]\ncategoryfield = \"1\"\n",
         "patron.toml, line 5: [[source]] 1: unknown key 'categoryfield'"),
        ("[[source]]\nname = \"a\"\nvendor = \"zendesk\"\nfiles = [\"exports/zendesk/*.json\"]\n\n[[source]]\nname = \"b\"\nvendor = \"freshdesk\"\nfiles = [\"x\"]\n",
         "patron.toml, line 8: [[source]] 2: unknown vendor 'freshdesk'"),
        ("[[source]]\nname = \"a\"\nentity = \"orders\"\nfiles = [\"x\"]\n",
         "patron.toml, line 3: [[source]] 1: unknown entity 'orders'"),
        ("[[source]]\nname = \"a\"\nentity = \"customers\"\nfiles = [\"exports/nothing/*.csv\"]\n",
         "patron.toml, line 4: [[source]] 1: 'exports/nothing/*.csv' matches no file"),
        ("[[source]]\nname = \"a\"\nvendor = \"meltwater\"\nfiles = [\"exports/crm/*.gz\"]\n",
         "patron.toml, line 3: [[source]] 1: a meltwater source needs tz"),
        ("[[source]]\nname = \"a\"\nentity = \"customers\"\nfiles = [\"exports/crm/*.gz\"]\ntz = \"Mars/Olympus\"\n",
         "patron.toml, line 5: [[source]] 1: unknown time zone 'Mars/Olympus'"),
        ("[[source]]\nname = \"a\"\nentity = \"customers\"\nvendor = \"zendesk\"\nfiles = [\"x\"]\n",
         "[[source]] 1: give vendor or entity, not both"),
        ("[[source]]\nname = \"a\"\nentity = \"customers\"\n", "patron.toml, line 1: [[source]] 1: files is missing"),
        ("[[source]\nname = 1\n", "patron.toml, line 1: not valid TOML"),
        ("schema = \"patron\"\n", "no [[source]] tables"),
        ("[[source]]\nname = \"a\"\nentity = \"customers\"\nfiles = [\"exports/crm/*.gz\"]\nmax_record_bytes = \"huge\"\n",
         "patron.toml, line 5: [[source]] 1: max_record_bytes takes a size from 1KiB to 1GiB"),
    ])
    func aBadConfigIsRefusedNamingLineAndKey(toml: String, expected: String) throws {
        let folder = try Folder()
        let refusal = folder.refusal(toml)
        #expect(refusal.contains(expected), "\(refusal)")
    }
}
