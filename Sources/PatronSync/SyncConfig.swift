import Foundation
import PatronCore
import PatronImport
import PatronInput
import PatronLoad
import TOMLKit

/// `patron sync`'s configuration file (docs/sync.md): which files of which sources to load, and
/// how. Everything is checked before anything is loaded; an error names the file, the line and
/// the key.
public struct SyncConfig: Sendable {
    /// The warehouse schema, when the file names one (the connection itself is never in the file).
    public var schema: String?
    public var sources: [SyncSource]
    /// The configuration file, as given.
    public let path: String

    /// One `[[source]]`: canonical files of one entity, or one vendor's export files.
    public struct SyncSource: Sendable {
        public enum Kind: Sendable, Equatable {
            case entity(Entity)
            case vendor(String)
        }

        public var name: String
        public var kind: Kind
        /// The patterns as written (relative to the configuration file's folder).
        public var patterns: [String]
        /// Every file the patterns match, absolute, in pattern order and then name order.
        public var files: [String]
        /// Options by their command-line name (`max-rejects`), as text.
        public var options: [String: String]
        /// The line of the `[[source]]` header.
        public var line: Int
    }

    /// The keys a `[[source]]` may have besides name, vendor/entity and files.
    public static let commonOptions = ["tz", "currency", "max_rejects", "max_record_bytes"]
    public static let canonicalOptions = ["format"]
    public static let vendorOptions: [String: [String]] = [
        "zendesk": ["category_field", "handle_time_field"],
        "delighted": ["ticket_property", "ticket_source"],
    ]

    public init(schema: String?, sources: [SyncSource], path: String) {
        self.schema = schema
        self.sources = sources
        self.path = path
    }

    /// Reads and checks `path`. Throws `SyncConfigError` naming the line and key.
    public static func load(path: String) throws -> SyncConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SyncConfigError(file: path, line: nil, message: "cannot read the configuration file (create one with `patron sync --init`)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SyncConfigError(file: path, line: nil, message: "not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws -> SyncConfig {
        let locator = KeyLocator(text: text)
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw SyncConfigError(file: path, line: error.source.begin.line, message: "not valid TOML: \(error.description)")
        }
        func fail(_ message: String, key: String? = nil, source: Int? = nil) -> SyncConfigError {
            SyncConfigError(file: path, line: locator.line(of: key, inSource: source), message: message)
        }
        for key in table.keys where key != "schema" && key != "source" {
            throw fail("unknown key '\(key)' (the top level has: schema, and [[source]] tables)", key: key)
        }
        var schema: String?
        if let value = table["schema"] {
            guard let s = value.string, !s.isEmpty else { throw fail("schema must be a non-empty string", key: "schema") }
            schema = s
        }
        guard let sourceArray = table["source"]?.array else {
            throw fail("no [[source]] tables: name at least one source to load")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var sources: [SyncSource] = []
        for (index, element) in sourceArray.enumerated() {
            guard let source = element.table else { throw fail("source must be a [[source]] table") }
            func failHere(_ message: String, key: String? = nil) -> SyncConfigError {
                fail("[[source]] \(index + 1): " + message, key: key, source: index)
            }
            func string(_ key: String) throws -> String? {
                guard let value = source[key] else { return nil }
                if let s = value.string { return s }
                if let i = value.int { return String(i) }  // ids such as category_field may be written as numbers
                throw failHere("\(key) must be a string", key: key)
            }
            guard let name = try string("name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                throw failHere("name is missing (the source name rows are stored under, like --source)", key: "name")
            }
            let vendor = try string("vendor")
            let entityName = try string("entity")
            let kind: SyncSource.Kind
            switch (vendor, entityName) {
            case (let v?, nil):
                guard Vendors.named(v) != nil else {
                    throw failHere("unknown vendor '\(v)' (one of: \(Vendors.all.map { $0.vendor }.joined(separator: ", ")))", key: "vendor")
                }
                kind = .vendor(v)
            case (nil, let e?):
                guard let entity = Entity(rawValue: e) else {
                    throw failHere("unknown entity '\(e)' (one of: \(Entity.allCases.map(\.rawValue).joined(separator: ", ")))", key: "entity")
                }
                kind = .entity(entity)
            case (.some, .some):
                throw failHere("give vendor or entity, not both", key: "entity")
            case (nil, nil):
                throw failHere("say what the files are: vendor = \"zendesk\" (an export) or entity = \"tickets\" (canonical files)", key: "name")
            }
            let allowed: [String]
            switch kind {
            case .entity: allowed = commonOptions + canonicalOptions
            case .vendor(let v): allowed = commonOptions + (vendorOptions[v] ?? [])
            }
            let kindKey: String
            if case .entity = kind { kindKey = "entity" } else { kindKey = "vendor" }
            for key in source.keys where !["name", "vendor", "entity", "files"].contains(key) && !allowed.contains(key) {
                throw failHere("unknown key '\(key)' for this source (allowed: name, \(kindKey), files, \(allowed.joined(separator: ", ")))", key: key)
            }
            var options: [String: String] = [:]
            for key in allowed {
                if let value = try string(key) { options[key.replacingOccurrences(of: "_", with: "-")] = value }
            }
            try check(options: options, kind: kind, fail: { failHere($0, key: $1) })

            var patterns: [String] = []
            if let s = source["files"]?.string { patterns = [s] } else if let array = source["files"]?.array {
                for item in array {
                    guard let s = item.string else { throw failHere("files must be strings", key: "files") }
                    patterns.append(s)
                }
            } else {
                throw failHere("files is missing: a list of paths or globs, relative to this file", key: "files")
            }
            guard !patterns.isEmpty else { throw failHere("files is empty", key: "files") }
            var files: [String] = []
            for pattern in patterns {
                let absolute = pattern.hasPrefix("/") ? pattern : folder.appendingPathComponent(pattern).path
                let matches = expandGlob(absolute)
                guard !matches.isEmpty else { throw failHere("'\(pattern)' matches no file", key: "files") }
                for m in matches where !files.contains(m) { files.append(m) }
            }
            sources.append(SyncSource(name: name, kind: kind, patterns: patterns, files: files, options: options,
                                      line: locator.sourceLines.indices.contains(index) ? locator.sourceLines[index] : 0))
        }
        return SyncConfig(schema: schema, sources: sources, path: path)
    }

    private static func check(options: [String: String], kind: SyncSource.Kind,
                              fail: (String, String) -> SyncConfigError) throws {
        if let tz = options["tz"], TimeZone(identifier: tz) == nil {
            throw fail("unknown time zone '\(tz)' (a tz database name like Europe/Berlin, or UTC)", "tz")
        }
        if let currency = options["currency"], (try? Normalize.currency(currency)) == nil {
            throw fail("currency takes a three-letter code like EUR, not '\(currency)'", "currency")
        }
        if let format = options["format"], !["csv", "jsonl"].contains(format) {
            throw fail("format is csv or jsonl, not '\(format)'", "format")
        }
        if let maxRejects = options["max-rejects"], RejectLimit(maxRejects) == nil {
            throw fail("max_rejects takes a count (100) or a percentage (\"2%\"), not '\(maxRejects)'", "max_rejects")
        }
        if let maxRecordBytes = options["max-record-bytes"], RecordLimit.parse(maxRecordBytes) == nil {
            throw fail("max_record_bytes takes a size from 1KiB to 1GiB, in bytes or with a unit (\"64MiB\"), not '\(maxRecordBytes)'",
                       "max_record_bytes")
        }
        if case .vendor(let vendor) = kind {
            if vendor == "meltwater", options["tz"] == nil {
                throw fail("a meltwater source needs tz: the time zone the exporting Meltwater user displays (its times carry no offset)", "vendor")
            }
            if vendor == "delighted", options["ticket-source"] != nil, options["ticket-property"] == nil {
                throw fail("ticket_source needs ticket_property: the person property that holds the ticket id", "ticket_source")
            }
        }
    }

    /// Matches a path pattern (`*`, `?`, `[…]`) with glob(3); sorted; a plain existing path matches itself.
    static func expandGlob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let p = result.gl_pathv[i] { paths.append(String(cString: p)) }
        }
        return paths.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}

/// A configuration problem: file, line (when known) and what is wrong.
public struct SyncConfigError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String { file + (line.map { ", line \($0)" } ?? "") + ": " + message }
}

/// Finds on which line a key is written, for error messages (the TOML library reports positions
/// only for syntax errors): the top level before the first `[[source]]`, or within the n-th one.
struct KeyLocator {
    let lines: [Substring]
    /// 1-based lines of each `[[source]]` header, in order.
    let sourceLines: [Int]

    init(text: String) {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines = all
        sourceLines = all.indices.filter { all[$0].trimmingCharacters(in: .whitespaces).hasPrefix("[[source]]") }.map { $0 + 1 }
    }

    func line(of key: String?, inSource source: Int?) -> Int? {
        let start = source.flatMap { sourceLines.indices.contains($0) ? sourceLines[$0] : nil } ?? 1
        let end = source.flatMap { sourceLines.indices.contains($0 + 1) ? sourceLines[$0 + 1] - 1 : nil }
            ?? (source == nil ? (sourceLines.first.map { $0 - 1 } ?? lines.count) : lines.count)
        guard let key else { return source == nil ? nil : start }
        for n in max(1, start)...max(start, end) where n <= lines.count {
            let line = lines[n - 1].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix(key), line.dropFirst(key.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") { return n }
        }
        return source == nil ? nil : start
    }
}

extension SyncConfig {
    /// What `patron sync --init` writes: a commented example to edit.
    public static let example = """
        # patron sync: the nightly load in one command. Reference: docs/sync.md
        #
        # Paths are relative to this file; globs (*, ?, [abc]) are allowed. Each option is named as
        # on the command line, with - written _ (max_rejects). The database connection is never
        # written here: PATRON_DATABASE_URL, the PG* variables, ~/.pgpass or a service file.
        #
        # A file already loaded under the same source and kind (same SHA-256) is skipped, so a
        # folder that keeps old exports, or a job that runs twice, changes nothing.

        # schema = "patron"            # optional: the warehouse schema (default patron)

        # A vendor's exports: vendor = shopify | zendesk | intercom | stripe | meltwater | delighted
        [[source]]
        name = "shop"
        vendor = "shopify"
        files = ["exports/shopify/customers_export*.csv", "exports/shopify/orders_export*.csv"]
        # tz = "America/New_York"      # times without an offset (Shopify's carry one)

        [[source]]
        name = "helpdesk"
        vendor = "zendesk"
        files = ["exports/zendesk/*.json"]
        # category_field = "360000111222"     # custom field holding the ticket category
        # handle_time_field = "360000333444"  # custom field holding handle seconds

        # [[source]]
        # name = "surveys"
        # vendor = "delighted"
        # files = ["exports/delighted/*.json"]
        # ticket_property = "ticket_id"  # person property holding the ticket id
        # ticket_source = "helpdesk"     # the source those tickets are loaded under

        # [[source]]
        # name = "social"
        # vendor = "meltwater"
        # files = ["exports/meltwater/*.csv"]
        # tz = "Europe/Berlin"           # required: the exporting user's display time zone

        # Canonical files (docs/inputs.md): entity = customers | purchases | returns | tickets | surveys | mentions
        # [[source]]
        # name = "crm"
        # entity = "customers"
        # files = ["exports/crm/customers-*.csv.gz"]
        # tz = "Europe/Berlin"
        # currency = "EUR"
        # max_rejects = "2%"

        """
}
