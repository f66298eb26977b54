import Foundation
import PostgresClient

/// One file of `sql/models/`: a view or function (or a tight family of them) that analyses or
/// the loader share, defined with CREATE OR REPLACE so that it can be created again whenever
/// its file changes (sql/models/README.md). Its header names the models it needs first:
/// `-- depends on: valid_purchases, reporting_currency` (or `none`).
public struct Model: Sendable, Equatable {
    /// The file's name without `.sql`; what other models' `depends on` lines name.
    public let name: String
    public let sql: String
    public let dependencies: [String]
    /// SHA-256 of the file's exact text, as recorded in `schema_models`.
    public let checksum: String
    /// As `sql/` holds it: `models/purchase_facts.sql`.
    public var file: String { "models/\(name).sql" }

    init(name: String, sql: String) throws {
        self.name = name
        self.sql = sql
        checksum = sha256Hex(sql)
        dependencies = try Self.dependencies(in: sql, file: "models/\(name).sql")
    }

    /// The one `-- depends on:` line of the header (the comment lines before the first statement).
    static func dependencies(in sql: String, file: String) throws -> [String] {
        let prefix = "-- depends on:"
        var found: [[String]] = []
        for trimmed in headerLines(sql) where trimmed.hasPrefix(prefix) {
            let list = trimmed.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            found.append(list == "none" ? [] : list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        guard found.count == 1, let names = found.first else {
            throw PatronError.configuration(
                "\(file): its header needs exactly one `-- depends on:` line (the models it needs first, comma-separated, or `none`)")
        }
        if let bad = names.first(where: { $0.isEmpty || !$0.allSatisfy(Model.isNameCharacter) }) {
            throw PatronError.configuration("\(file): `-- depends on:` lists '\(bad)', which is no model name (a file name in sql/models/ without .sql)")
        }
        return names
    }

    static func isNameCharacter(_ c: Character) -> Bool {
        c == "_" || (c.isASCII && (c.isLowercase || c.isNumber))
    }

    /// The models in the order to create them: each after the models it depends on (ties in
    /// name order, so the order is the same on every machine). Throws, naming the files, on a
    /// dependency that is no model and on a cycle.
    static func ordered(_ models: [Model]) throws -> [Model] {
        let byName = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for model in models.sorted(by: { $0.name < $1.name }) {
            for dependency in model.dependencies where byName[dependency] == nil {
                throw PatronError.configuration(
                    "\(model.file) depends on '\(dependency)', but there is no models/\(dependency).sql")
            }
        }
        var ordered: [Model] = []
        var done: Set<String> = []
        var remaining = models.sorted { $0.name < $1.name }
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { $0.dependencies.allSatisfy(done.contains) }) else {
                throw PatronError.configuration("models depend on each other in a cycle: \(cycle(among: remaining, byName: byName))")
            }
            let model = remaining.remove(at: next)
            ordered.append(model)
            done.insert(model.name)
        }
        return ordered
    }

    /// One cycle among models none of which can be created first, as `a.sql → b.sql → a.sql`.
    private static func cycle(among models: [Model], byName: [String: Model]) -> String {
        let stuck = Set(models.map(\.name))
        var path: [String] = []
        var current = models[0].name
        // Every stuck model waits for another stuck one; following them must come back around.
        while !path.contains(current) {
            path.append(current)
            current = byName[current]!.dependencies.sorted().first(where: stuck.contains)!
        }
        let loop = path[path.firstIndex(of: current)!...] + [current]
        return loop.map { "models/\($0).sql" }.joined(separator: " → ")
    }
}

/// The comment lines of a SQL file's header — those before its first statement — without the
/// blanks around them. Only the header is read, byte by byte: `patron load` looks at every
/// migration and model file on every run.
func headerLines(_ sql: String) -> [String] {
    let bytes = sql.utf8
    func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0d }
    var lines: [String] = []
    var start = bytes.startIndex
    while start < bytes.endIndex {
        let end = bytes[start...].firstIndex(of: 0x0a) ?? bytes.endIndex
        var first = start, last = end
        while first < last, isBlank(bytes[first]) { first = bytes.index(after: first) }
        while first < last, isBlank(bytes[bytes.index(before: last)]) { last = bytes.index(before: last) }
        start = end == bytes.endIndex ? end : bytes.index(after: end)
        if first == last { continue }
        let line = String(decoding: bytes[first..<last], as: UTF8.self)
        guard line.hasPrefix("--") else { break }
        lines.append(line)
    }
    return lines
}

extension Migrator {
    /// Every file of `sql/models/`, in the order to create them. A missing folder means no models.
    public func models() throws -> [Model] {
        let dir = warehouse.sql.file("models")
        guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }.sorted()
        let models = try files.map { file in
            let name = String(file.dropLast(4))
            guard !name.isEmpty, name.allSatisfy(Model.isNameCharacter) else {
                throw PatronError.configuration("model file models/\(file): name it with lowercase letters, digits and _ only")
            }
            let sql: String
            do { sql = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) } catch {
                throw PatronError.configuration("cannot read models/\(file): \(error.localizedDescription)")
            }
            return try Model(name: name, sql: sql)
        }
        return try Model.ordered(models)
    }

    /// Creates every model again, in dependency order, in one transaction under the migration
    /// lock, if any differs from what the schema recorded (checked again under the lock: another
    /// migrator may have just done it). Returns the models created, or none.
    func createModels(_ models: [Model], _ queries: NamedQueries, quotedSchema: String) throws -> [Model] {
        let connection = warehouse.connection
        return try warehouse.run {
            try connection.transaction { () throws -> [Model] in
                try lockAndPrepare(queries, quotedSchema: quotedSchema)
                let created = try createdModels(queries)
                let upToDate = created.count == models.count && models.allSatisfy { created[$0.name] == $0.checksum }
                if upToDate { return [] }
                for model in models {
                    do {
                        try connection.executeScript(unsafeSQL: model.sql)
                    } catch let error as PostgresError {
                        throw modelError(error, model: model)
                    }
                }
                try connection.execute(try queries["forget_models"])
                for model in models {
                    try connection.execute(try queries["record_model"], [model.name, model.checksum])
                }
                return models
            }
        }
    }

    /// Names the model file that failed. A view whose columns changed (42P16) or a function
    /// whose result type changed (42P13) cannot be replaced in place: a migration must drop it.
    private func modelError(_ error: PostgresError, model: Model) -> Error {
        let path = warehouse.sql.file(model.file).path
        if error.sqlState == "42P16" || error.sqlState == "42P13" {
            return PatronError.configuration("""
                \(path): cannot replace what schema \(warehouse.schema) holds under this name: \
                \(error.message) (SQLSTATE \(error.sqlState ?? "")). Its shape changed in a way \
                CREATE OR REPLACE cannot do (a view's columns, a function's result or parameters): \
                a migration must DROP the old object first (see sql/models/README.md)
                """)
        }
        var error = error
        error.message = "\(path): \(error.message)"
        return PatronError.database(error)
    }
}
