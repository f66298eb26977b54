import Foundation
import PatronCore
import PostgresClient

/// An analysis ready to run: its definition, validated values and the statement chosen for them.
public struct PreparedAnalysis: Sendable {
    public let definition: AnalysisDefinition
    public let arguments: AnalysisArguments
    public let query: AnalysisQuery
    /// `$1…$N`, as text (nil = NULL).
    public let bindings: [String?]

    /// Every positioned parameter is bound as `text` (OID 25): the SQL casts it, and a `$n` the
    /// chosen statement does not use still has a type.
    var parameterTypes: [UInt32] { Array(repeating: 25, count: bindings.count) }

    public var values: [String: String] { arguments.values }

    public func isSet(_ flag: String) -> Bool { arguments.values[flag] == "true" }

    /// The exact SQL `run` sends, preceded by comments naming the values bound to it.
    public var listing: String {
        var lines = ["-- analysis: \(definition.name) (\(definition.path)), query \(query.name)"]
        for parameter in definition.parameters {
            guard let position = parameter.position else { continue }
            let value = bindings[position - 1].map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL"
            lines.append("-- $\(position) \(parameter.name) = \(value)")
        }
        return lines.joined(separator: "\n") + "\n" + query.sql + ";\n"
    }
}

/// A result column as the writers see it.
public struct ResultColumn: Sendable, Equatable {
    public enum Kind: Sendable { case integer, decimal, boolean, json, text }
    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    init(_ info: ColumnInfo) {
        name = info.name
        switch info.typeOID {
        case 20, 21, 23, 26: kind = .integer          // int8, int2, int4, oid
        case 700, 701, 1700: kind = .decimal          // float4, float8, numeric
        case 16: kind = .boolean
        case 114, 3802: kind = .json
        default: kind = .text
        }
    }
}

/// Runs named analyses against a warehouse: validates parameters, picks the statement, binds
/// the values (never splices them) and streams the rows.
public final class AnalysisRunner {
    public let warehouse: Warehouse
    public let catalog: AnalysisCatalog
    /// Fits the models of `clv --method predictive` (BG/NBD + Gamma-Gamma by default; tests may
    /// plug in another).
    public var clvModel: (any CLVModelFitting)? = BGNBDGammaGammaModel()

    public init(warehouse: Warehouse, catalog: AnalysisCatalog) {
        self.warehouse = warehouse
        self.catalog = catalog
    }

    /// A runner over the built-in analyses (plus `$PATRON_ANALYSES_DIR`).
    public convenience init(warehouse: Warehouse, extraDirectories: [String] = []) throws {
        self.init(warehouse: warehouse, catalog: try AnalysisCatalog.load(sql: warehouse.sql, extra: extraDirectories))
    }

    public func prepare(_ name: String, _ given: [String: String]) throws -> PreparedAnalysis {
        try Self.prepare(try catalog.analysis(named: name), given)
    }

    public static func prepare(_ definition: AnalysisDefinition, _ given: [String: String]) throws -> PreparedAnalysis {
        let arguments = try AnalysisArguments(definition, given)
        guard let query = definition.query(for: arguments.values) else {
            throw PatronError.usage("analysis \(definition.name) has no statement for this combination of options")
        }
        // A flag that selects some statement but not the chosen one would be silently ignored.
        let selecting = Set(definition.queries.flatMap(\.conditions).compactMap { condition -> String? in
            if case .flag(let name) = condition { return name } else { return nil }
        })
        let chosen = Set(query.conditions.compactMap { condition -> String? in
            if case .flag(let name) = condition { return name } else { return nil }
        })
        for name in selecting.subtracting(chosen).sorted() where arguments.values[name] == "true" {
            let option = definition.parameter(named: name)?.optionName ?? name
            let others = query.conditions.map { condition -> String in
                switch condition {
                case .flag(let flag): return definition.parameter(named: flag)?.optionName ?? flag
                case .equals(let param, let value): return "\(definition.parameter(named: param)?.optionName ?? param) \(value)"
                }
            }
            throw PatronError.usage("\(option) does not apply" + (others.isEmpty ? "" : " with " + others.joined(separator: " ")) + " (see `patron describe \(definition.name)`)")
        }
        return PreparedAnalysis(definition: definition, arguments: arguments, query: query,
                                bindings: arguments.bindings(definition))
    }

    /// Streams the result: `onColumns` once, then `onRow` per row. With `pivot` set and the
    /// analysis declaring a `pivot:` spec, the rows are pivoted (which needs them all first).
    public func run(_ prepared: PreparedAnalysis, onColumns: ([ResultColumn]) throws -> Void,
                    onRow: ([String?]) throws -> Void) throws {
        try prepareInputs(prepared)
        if prepared.isSet("pivot"), let spec = prepared.definition.pivot {
            var pivot: Pivot?
            try streamRaw(prepared, onColumns: { pivot = try Pivot(spec: spec, columns: $0) }, onRow: { pivot?.add($0) })
            guard let pivot else { return }
            try onColumns(pivot.columns)
            for row in pivot.rows { try onRow(row) }
            return
        }
        try streamRaw(prepared, onColumns: onColumns, onRow: onRow)
    }

    /// The whole result in memory (tests, small results).
    public func collect(_ name: String, _ arguments: [String: String] = [:]) throws -> (columns: [String], rows: [[String?]]) {
        try collect(try prepare(name, arguments))
    }

    public func collect(_ prepared: PreparedAnalysis) throws -> (columns: [String], rows: [[String?]]) {
        var columns: [String] = []
        var rows: [[String?]] = []
        try run(prepared, onColumns: { columns = $0.map(\.name) }, onRow: { rows.append($0) })
        return (columns, rows)
    }

    /// Runs the analysis into a writer (table, CSV, JSON, …).
    public func write(_ prepared: PreparedAnalysis, to writer: any ResultWriter) throws {
        try run(prepared, onColumns: { try writer.begin(columns: $0) }, onRow: { try writer.row($0) })
        try writer.end()
    }

    private func streamRaw(_ prepared: PreparedAnalysis, onColumns: ([ResultColumn]) throws -> Void,
                           onRow: ([String?]) throws -> Void) throws {
        try warehouse.run {
            try withWorkerSearchPath {
                try warehouse.connection.stream(
                    prepared.query.sql, prepared.bindings, parameterTypes: prepared.parameterTypes,
                    onColumns: { try onColumns($0.map(ResultColumn.init)) },
                    onRow: { row in try onRow((0..<row.count).map { row[$0] }) })
            }
        }
    }

    private var sessionConfigured = false
    /// On a Citus coordinator (see analysis_session.sql): the statement that hands Patron's
    /// search_path to the workers; nil elsewhere. `into` runs it in its own transaction.
    private(set) var handSearchPathToWorkers: String?

    /// On a Citus coordinator, runs `body` in a transaction that hands Patron's search_path to
    /// the workers (analysis_session.sql, `hand_search_path_to_workers`; docs/scale-out.md).
    /// Elsewhere, just `body`.
    private func withWorkerSearchPath<T>(_ body: () throws -> T) throws -> T {
        guard let statement = handSearchPathToWorkers else { return try body() }
        let connection = warehouse.connection
        return try connection.transaction {
            try connection.execute(statement)
            return try body()
        }
    }

    /// The analyses' session settings (analysis_session.sql, `configure`), once per runner.
    private func configureSession() throws {
        guard !sessionConfigured else { return }
        let session = try warehouse.sql.queries("internal/analysis_session.sql")
        let configured = try warehouse.run { try warehouse.connection.execute(try session["configure"]) }
        if configured.bool(0, "citus") ?? false {
            handSearchPathToWorkers = try session["hand_search_path_to_workers"]
        }
        sessionConfigured = true
    }

    /// Runs `body`, statements that read the analyses' models outside a named analysis (`patron
    /// customer`), as an analysis statement runs: in the analyses' session and, on a Citus
    /// coordinator, in a transaction that hands the search_path to the workers, without which
    /// the models' SQL functions inlined into what the workers run find no table.
    func inAnalysisSession<T>(_ body: () throws -> T) throws -> T {
        try configureSession()
        return try warehouse.run { try withWorkerSearchPath(body) }
    }

    /// Work some statements need before they run: session settings once, and the `prepare:`
    /// headers of the analysis whose conditions hold (e.g. clv's model fit for `--method predictive`).
    func prepareInputs(_ prepared: PreparedAnalysis) throws {
        try configureSession()
        for preparation in prepared.definition.preparations where preparation.applies(to: prepared.values) {
            switch preparation.kind {
            case .predictiveCLV: try CLVPredictiveStep(runner: self, step: preparation.step).prepare(prepared)
            }
        }
    }

    /// Runs a `-- query:` statement of the analysis other than the chosen one (e.g. a model's
    /// input), with the same bindings, and returns its rows.
    /// `binaryResults`: the values in binary format (see `Connection.execute`).
    func runStatement(_ name: String, of prepared: PreparedAnalysis, binaryResults: Bool = false) throws -> QueryResult {
        guard let statement = prepared.definition.queries.first(where: { $0.name == name }) else {
            throw PatronError.configuration("\(prepared.definition.path) has no query named \(name)")
        }
        return try warehouse.run {
            try withWorkerSearchPath {
                try warehouse.connection.execute(statement.sql, prepared.bindings, parameterTypes: prepared.parameterTypes,
                                                 binaryResults: binaryResults)
            }
        }
    }
}
