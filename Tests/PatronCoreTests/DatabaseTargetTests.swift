import Foundation
import Testing
@testable import PatronCore

/// `DatabaseTarget.resolve` (README, "Connecting"): `--database` > `PATRON_DATABASE_URL` >
/// libpq's `PG*` variables > the private local cluster's url file (`$PATRON_PG_DIR/url`, then
/// `.patron/pg/url` in the current directory, then beside `sql/`) > libpq's defaults; an empty
/// value counts as unset. Pure: the environment is a dictionary, the url files live in a
/// temporary directory.
///
/// The current directory's `.patron/pg/url` cannot be controlled from a test (the directory is
/// the process's, shared by tests running in parallel): it sits between `$PATRON_PG_DIR/url` and
/// the file beside `sql/`. Where a case reaches that far, the expectation is the current
/// directory's url if it has one (then the file beside `sql/` and libpq's defaults cannot be
/// observed in that run), else the case's own. `scripts/test` runs in the package root, which
/// has no `.patron/` unless someone started a local cluster there.
@Suite("DatabaseTarget.resolve: which database, first match wins")
struct DatabaseTargetTests {
    static let localOrigin = "the private local cluster (scripts/pg-local)"

    /// A temporary checkout `root/` with `root/sql/`, a url file beside it
    /// (`root/.patron/pg/url`) and a cluster directory for `PATRON_PG_DIR` (`root/cluster/url`).
    final class Checkout {
        let root: URL
        var sql: SQLDirectory { SQLDirectory(url: root.appendingPathComponent("sql")) }
        var clusterDirectory: String { root.appendingPathComponent("cluster").path }

        init(checkoutURL: String? = "postgresql://checkout@127.0.0.1:5500/patron",
             clusterURL: String? = "postgresql://cluster@127.0.0.1:5501/patron") throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("patron-target-\(UUID().uuidString.prefix(8))")
            let files = FileManager.default
            try files.createDirectory(at: root.appendingPathComponent("sql/migrations"), withIntermediateDirectories: true)
            try files.createDirectory(at: root.appendingPathComponent(".patron/pg"), withIntermediateDirectories: true)
            try files.createDirectory(at: root.appendingPathComponent("cluster"), withIntermediateDirectories: true)
            if let checkoutURL { try write(checkoutURL, to: ".patron/pg/url") }
            if let clusterURL { try write(clusterURL, to: "cluster/url") }
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        func write(_ text: String, to relativePath: String) throws {
            try Data(text.utf8).write(to: root.appendingPathComponent(relativePath))
        }
    }

    /// The url in the current directory's `.patron/pg/url`, if any (normally none: the tests run
    /// in the package root, which has no local cluster).
    static var currentDirectoryURL: String? {
        let file = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".patron/pg/url")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return url.isEmpty ? nil : url
    }

    /// What resolve must give once it gets past `$PATRON_PG_DIR/url`: the current directory's
    /// url if there is one, else `expected`.
    static func pastClusterDirectory(_ expected: Resolved) -> Resolved {
        currentDirectoryURL.map { Resolved($0, localOrigin) } ?? expected
    }

    static let everything: [String: String] = [
        "PATRON_DATABASE_URL": "postgresql://env@127.0.0.1:5502/patron",
        "PGHOST": "db.example", "PGPORT": "5503", "PGDATABASE": "warehouse",
    ]

    /// What resolve chose: the conninfo and the origin it reports.
    struct Resolved: Equatable, CustomStringConvertible {
        var conninfo: String
        var origin: String
        init(_ conninfo: String, _ origin: String) { self.conninfo = conninfo; self.origin = origin }
        var description: String { "\(conninfo.isEmpty ? "\"\"" : conninfo) from \(origin)" }
    }

    func resolve(_ option: String?, _ environment: [String: String], _ checkout: Checkout?) -> Resolved {
        let target = DatabaseTarget.resolve(option: option, environment: environment, sqlDirectory: checkout?.sql)
        #expect(target.description == target.origin)
        return Resolved(target.conninfo, target.origin)
    }

    @Test("--database wins over everything else")
    func option() throws {
        let checkout = try Checkout()
        var environment = Self.everything
        environment["PATRON_PG_DIR"] = checkout.clusterDirectory
        #expect(resolve("host=/tmp dbname=mine", environment, checkout) == Resolved("host=/tmp dbname=mine", "--database"))
        #expect(resolve("postgresql://opt@h/db", [:], nil) == Resolved("postgresql://opt@h/db", "--database"))
    }

    @Test("an empty --database is ignored: PATRON_DATABASE_URL next")
    func emptyOption() throws {
        let checkout = try Checkout()
        var environment = Self.everything
        environment["PATRON_PG_DIR"] = checkout.clusterDirectory
        #expect(resolve("", environment, checkout) == Resolved("postgresql://env@127.0.0.1:5502/patron", "PATRON_DATABASE_URL"))
        #expect(resolve(nil, environment, checkout) == Resolved("postgresql://env@127.0.0.1:5502/patron", "PATRON_DATABASE_URL"))
    }

    @Test("PATRON_DATABASE_URL wins over the PG* variables and the local cluster; empty, it is ignored")
    func patronDatabaseURL() throws {
        let checkout = try Checkout()
        var environment = Self.everything
        environment["PATRON_PG_DIR"] = checkout.clusterDirectory
        #expect(resolve(nil, environment, checkout).origin == "PATRON_DATABASE_URL")
        environment["PATRON_DATABASE_URL"] = ""
        // Empty: the PG* variables (libpq reads them itself, so the conninfo is empty).
        #expect(resolve("", environment, checkout) == Resolved("", "PG* environment variables"))
    }

    @Test("any one of libpq's variables wins over the local cluster",
          arguments: ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGSERVICEFILE"])
    func libpqVariable(name: String) throws {
        let checkout = try Checkout()
        let environment = [name: "x", "PATRON_PG_DIR": checkout.clusterDirectory, "PATRON_DATABASE_URL": ""]
        #expect(resolve(nil, environment, checkout) == Resolved("", "PG* environment variables"))
    }

    @Test("PG* variables that are empty, or that libpq's list does not name, do not count")
    func emptyOrOtherLibpqVariables() throws {
        let checkout = try Checkout()
        var environment: [String: String] = ["PATRON_PG_DIR": checkout.clusterDirectory]
        for name in ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGSERVICEFILE"] {
            environment[name] = ""
        }
        // Not in the list: a password or an application name alone do not choose a server.
        environment["PGPASSWORD"] = "secret"
        environment["PGAPPNAME"] = "patron-test"
        #expect(resolve(nil, environment, checkout) == Resolved("postgresql://cluster@127.0.0.1:5501/patron", Self.localOrigin))
    }

    @Test("$PATRON_PG_DIR/url wins over the checkout's .patron/pg/url; its text is trimmed")
    func clusterDirectory() throws {
        let checkout = try Checkout(clusterURL: "  postgresql://cluster@127.0.0.1:5501/patron\n\n")
        let environment = ["PATRON_PG_DIR": checkout.clusterDirectory]
        #expect(resolve(nil, environment, checkout) == Resolved("postgresql://cluster@127.0.0.1:5501/patron", Self.localOrigin))
        // Without a sql directory to look beside, the same.
        #expect(resolve(nil, environment, nil) == Resolved("postgresql://cluster@127.0.0.1:5501/patron", Self.localOrigin))
    }

    @Test("a missing, empty or blank $PATRON_PG_DIR/url, or an empty PATRON_PG_DIR, falls through to the checkout's url",
          arguments: ["missing", "empty file", "blank file", "empty variable"])
    func clusterDirectoryFallsThrough(variant: String) throws {
        let checkout = try Checkout(clusterURL: variant == "empty file" ? "" : variant == "blank file" ? " \n\t\n" : nil)
        let environment = ["PATRON_PG_DIR": variant == "empty variable" ? "" : checkout.clusterDirectory]
        #expect(resolve(nil, environment, checkout)
                == Self.pastClusterDirectory(Resolved("postgresql://checkout@127.0.0.1:5500/patron", Self.localOrigin)))
    }

    @Test("the checkout's .patron/pg/url (beside sql/) is found without PATRON_PG_DIR")
    func checkout() throws {
        let checkout = try Checkout(clusterURL: nil)
        #expect(resolve(nil, [:], checkout)
                == Self.pastClusterDirectory(Resolved("postgresql://checkout@127.0.0.1:5500/patron", Self.localOrigin)))
        // Empty PATRON_DATABASE_URL and PG* values change nothing.
        #expect(resolve("", ["PATRON_DATABASE_URL": "", "PGHOST": ""], checkout)
                == Self.pastClusterDirectory(Resolved("postgresql://checkout@127.0.0.1:5500/patron", Self.localOrigin)))
    }

    @Test("nothing set and no url file: libpq's defaults")
    func libpqDefaults() throws {
        let empty = try Checkout(checkoutURL: nil, clusterURL: nil)
        #expect(resolve(nil, [:], nil) == Self.pastClusterDirectory(Resolved("", "libpq defaults")))
        #expect(resolve("", ["PATRON_DATABASE_URL": "", "PGHOST": "", "PATRON_PG_DIR": empty.clusterDirectory], empty)
                == Self.pastClusterDirectory(Resolved("", "libpq defaults")))
        // A blank url file beside sql/ is no url.
        try empty.write("\n", to: ".patron/pg/url")
        #expect(resolve(nil, [:], empty) == Self.pastClusterDirectory(Resolved("", "libpq defaults")))
    }
}
