import Foundation
import PostgresClient

/// Which database Patron talks to, and why (README, "Connecting"):
/// `--database` > `PATRON_DATABASE_URL` > libpq's `PG*` variables > Patron's private local
/// cluster (`scripts/pg-local`) > libpq's defaults.
public struct DatabaseTarget: Sendable, CustomStringConvertible {
    /// A libpq conninfo string or URI; "" lets libpq read `PG*` variables, service files, .pgpass.
    public let conninfo: String
    public let origin: String

    public var description: String { "\(origin)" }

    /// Host, port, database and user only, for logs: the conninfo itself may hold a password.
    public var summary: String { conninfoSummary(conninfo) }

    public init(conninfo: String, origin: String) {
        self.conninfo = conninfo
        self.origin = origin
    }

    static let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGSERVICEFILE"]

    public static func resolve(
        option: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        sqlDirectory: SQLDirectory? = nil
    ) -> DatabaseTarget {
        if let option, !option.isEmpty { return DatabaseTarget(conninfo: option, origin: "--database") }
        if let url = environment["PATRON_DATABASE_URL"], !url.isEmpty {
            return DatabaseTarget(conninfo: url, origin: "PATRON_DATABASE_URL")
        }
        if libpqVariables.contains(where: { environment[$0].map { !$0.isEmpty } ?? false }) {
            return DatabaseTarget(conninfo: "", origin: "PG* environment variables")
        }
        if let url = localClusterURL(environment: environment, sqlDirectory: sqlDirectory) {
            return DatabaseTarget(conninfo: url, origin: "the private local cluster (scripts/pg-local)")
        }
        return DatabaseTarget(conninfo: "", origin: "libpq defaults")
    }

    /// `scripts/pg-local start` writes its URL to `<cluster dir>/url`.
    private static func localClusterURL(environment: [String: String], sqlDirectory: SQLDirectory?) -> String? {
        var files: [URL] = []
        if let dir = environment["PATRON_PG_DIR"], !dir.isEmpty {
            files.append(URL(fileURLWithPath: dir).appendingPathComponent("url"))
        }
        files.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".patron/pg/url"))
        if let sqlDirectory {
            files.append(sqlDirectory.url.deletingLastPathComponent().appendingPathComponent(".patron/pg/url"))
        }
        for file in files {
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !url.isEmpty { return url }
            }
        }
        return nil
    }
}
