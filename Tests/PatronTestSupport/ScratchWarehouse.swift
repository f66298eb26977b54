import Foundation
import Testing
import PatronInput
import PostgresClient
import PatronCore
import PatronLoad

public let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
public let sqlDirectory = SQLDirectory(url: repositoryRoot.appendingPathComponent("sql"))

/// The throwaway database `scripts/test` starts.
public func testDatabaseURL() throws -> String {
    try #require(ProcessInfo.processInfo.environment["PATRON_TEST_DATABASE_URL"],
                 "PATRON_TEST_DATABASE_URL is not set: run the tests with scripts/test")
}

/// A warehouse in a schema of its own (tests run in parallel), migrated, with a scratch
/// directory for input files. The schema and the files are removed when it goes away.
public final class ScratchWarehouse {
    public let warehouse: Warehouse
    public let schema: String
    public let directory: URL
    public let url: String

    public init() throws {
        url = try testDatabaseURL()
        schema = "test_" + UUID().uuidString.prefix(8).lowercased()
        warehouse = try Warehouse(target: DatabaseTarget(conninfo: url, origin: "test"), schema: schema, sql: sqlDirectory)
        try Migrator(warehouse: warehouse).migrate()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("patron-\(schema)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Where `run --into TABLE` writes for this warehouse (`<schema>_reports`).
    public var reportsSchema: String { schema + "_reports" }

    deinit {
        for name in [schema, reportsSchema] {
            if let quoted = try? warehouse.connection.quoteIdentifier(name) {
                _ = try? warehouse.connection.executeScript(unsafeSQL: "DROP SCHEMA IF EXISTS \(quoted) CASCADE")
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes a fixture file and returns its path.
    @discardableResult
    public func write(_ name: String, _ content: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(content.utf8).write(to: url)
        return url.path
    }

    public func write(_ name: String, bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    public func load(_ entity: Entity, _ name: String, _ content: String, source: String = "default",
              _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> LoadReport {
        let path = try write(name, content)
        return try load(entity, path: path, source: source, configure)
    }

    public func load(_ entity: Entity, path: String, source: String = "default",
              _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> LoadReport {
        var options = LoadOptions(entity: entity)
        options.source = source
        configure(&options)
        return try Loader(warehouse: warehouse).load(path: path, options: options)
    }

    /// Runs a query and returns its rows as text (NULL as nil).
    public func rows(_ sql: String, _ parameters: [PostgresBindable?] = []) throws -> [[String?]] {
        let result = try warehouse.connection.execute(sql, parameters)
        return result.rows.map { row in (0..<result.columns.count).map { row[$0] } }
    }

    public func value(_ sql: String, _ parameters: [PostgresBindable?] = []) throws -> String? {
        try rows(sql, parameters).first?.first ?? nil
    }

    public func count(_ table: String) throws -> Int {
        Int(try value("SELECT count(*) FROM \(table)") ?? "-1") ?? -1
    }

    /// Every row of every warehouse table, in a stable order: equal dumps mean equal contents.
    public func dump(excluding: Set<String> = ["load_runs", "rejected_rows"]) throws -> [String: [String]] {
        let tables = ["customers", "customer_identifiers", "customer_merges", "customer_profiles", "purchases",
                      "returns", "tickets", "mentions", "surveys", "load_runs", "rejected_rows"]
        var dump: [String: [String]] = [:]
        for table in tables where !excluding.contains(table) {
            dump[table] = try rows("SELECT t::text FROM \(table) AS t ORDER BY t::text").map { $0[0] ?? "" }
        }
        return dump
    }
}

/// Turns a CSV fixture (simple: no quoted commas) into JSON Lines with the same values;
/// empty fields become absent keys when `dropEmpty`, else JSON null.
public func jsonLines(fromCSV csv: String, dropEmpty: Bool = false) throws -> String {
    let lines = csv.split(separator: "\n").map(String.init)
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    var out = ""
    for line in lines.dropFirst() where !line.isEmpty {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var object: [String: Any] = [:]
        for (key, field) in zip(header, fields) {
            if field.isEmpty { if !dropEmpty { object[key] = NSNull() } } else { object[key] = field }
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        out += String(decoding: data, as: UTF8.self) + "\n"
    }
    return out
}
