import Foundation

/// Where Patron's SQL lives. SQL is the source of truth for every statement Patron runs; the
/// code loads it by name (yesql style) from `sql/` at run time, so an analyst can read exactly
/// what runs and an installed Patron carries its SQL beside the binary.
public struct SQLDirectory: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    /// Finds `sql/`: `$PATRON_SQL_DIR`; else `<prefix>/share/patron/sql` for an installed binary
    /// at `<prefix>/bin/patron`; else the nearest `sql/` above the executable (a build tree).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SQLDirectory {
        if let explicit = environment["PATRON_SQL_DIR"], !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit, isDirectory: true)
            guard isSQLDirectory(url) else {
                throw PatronError.configuration("PATRON_SQL_DIR=\(explicit) has no migrations/ folder")
            }
            return SQLDirectory(url: url)
        }
        var candidates: [URL] = []
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        var dir = executable.deletingLastPathComponent()
        candidates.append(dir.deletingLastPathComponent().appendingPathComponent("share/patron/sql"))
        for _ in 0..<8 {
            candidates.append(dir.appendingPathComponent("sql"))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("sql"))
        if let found = candidates.first(where: isSQLDirectory) {
            return SQLDirectory(url: found)
        }
        throw PatronError.configuration(
            "cannot find Patron's sql/ directory (looked beside the executable); set PATRON_SQL_DIR")
    }

    private static func isSQLDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("migrations").path, isDirectory: &isDir)
            && isDir.boolValue
    }

    public func file(_ relativePath: String) -> URL { url.appendingPathComponent(relativePath) }

    /// A whole file run as one script (`citus/distribute.sql`).
    public func script(_ relativePath: String) throws -> String {
        do { return try String(contentsOf: file(relativePath), encoding: .utf8) } catch {
            throw PatronError.configuration("cannot read \(file(relativePath).path): \(error.localizedDescription)")
        }
    }

    /// The named statements of one file, e.g. `queries("load/purchases.sql")`.
    public func queries(_ relativePath: String) throws -> NamedQueries {
        try NamedQueries(contentsOf: file(relativePath))
    }
}

/// A `.sql` file holding several statements, each introduced by a `-- name: NAME` line.
/// Comment lines right after the name line document the statement; text before the first
/// name is the file's header.
public struct NamedQueries: Sendable {
    public let path: String
    public let header: String
    private let statements: [String: String]

    public init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw PatronError.configuration("cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(text: text, path: url.path)
    }

    public init(text: String, path: String) throws {
        self.path = path
        var header: [Substring] = []
        var statements: [String: String] = [:]
        var current: String?
        var body: [Substring] = []
        func close() throws {
            guard let name = current else { return }
            let sql = body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !sql.isEmpty else { throw PatronError.configuration("\(path): statement '\(name)' is empty") }
            guard statements[name] == nil else { throw PatronError.configuration("\(path): statement '\(name)' is defined twice") }
            statements[name] = sql
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("-- name:") {
                try close()
                current = line.dropFirst("-- name:".count).trimmingCharacters(in: .whitespaces)
                body = []
            } else if current == nil {
                header.append(line)
            } else {
                body.append(line)
            }
        }
        try close()
        self.header = header.joined(separator: "\n")
        self.statements = statements
    }

    public var names: [String] { statements.keys.sorted() }

    public func contains(_ name: String) -> Bool { statements[name] != nil }

    public subscript(name: String) -> String {
        get throws {
            guard let sql = statements[name] else {
                throw PatronError.configuration("\(path) has no statement named '\(name)'")
            }
            return sql
        }
    }
}
