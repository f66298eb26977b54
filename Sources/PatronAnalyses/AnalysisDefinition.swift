import Foundation

/// One named analysis: a `.sql` file with a header block (sql/analyses/README.md).
public struct AnalysisDefinition: Sendable {
    public var name: String
    public var summary: String
    public var description: String
    public var grain: String
    public var parameters: [AnalysisParameter]
    public var columns: [AnalysisColumn]
    public var queries: [AnalysisQuery]
    /// `pivot:` header: how `--pivot` turns the long result into a wide table, if it can.
    public var pivot: PivotSpec?
    /// `prepare:` headers: work the engine does before a statement runs (e.g. fitting a model).
    public var preparations: [AnalysisPreparation] = []
    /// The file it was read from.
    public var path: String
    /// `unique:` — the output columns that together identify a row (NULLs equal), for every
    /// statement without a `unique[QUERY]:` of its own.
    public var unique: [String]? = nil
    /// `unique[QUERY]:` — the same for one statement.
    public var uniqueByQuery: [String: [String]] = [:]

    /// `column[QUERY]:` — the output columns of one statement whose shape differs from the
    /// file's `column:` lines (e.g. a `--by weekday_hour` grid), in order.
    public var columnsByQuery: [String: [AnalysisColumn]] = [:]

    /// The output columns of `query`'s result, in order: its own `column[QUERY]:` lines, else
    /// the file's `column:` lines.
    public func columns(for query: AnalysisQuery) -> [AnalysisColumn] {
        columnsByQuery[query.name] ?? columns
    }

    /// The columns that identify a row of `query`'s result, if the file declares them.
    public func unique(for query: AnalysisQuery) -> [String]? {
        uniqueByQuery[query.name] ?? unique
    }

    public func parameter(named name: String) -> AnalysisParameter? {
        parameters.first { $0.name == name }
    }

    /// The statement to run for these (validated) values: the first whose conditions all hold.
    public func query(for values: [String: String]) -> AnalysisQuery? {
        queries.first { query in !query.isStep && query.conditions.allSatisfy { $0.holds(in: values) } }
    }
}

/// `param: [$N] NAME TYPE [= DEFAULT] : HELP`
public struct AnalysisParameter: Sendable, Equatable {
    /// `$N` it is bound to, or nil for a parameter only the engine reads (e.g. `pivot`).
    public var position: Int?
    public var name: String
    public var type: ParameterType
    public var defaultValue: String?
    public var help: String

    /// `--min-orders` for `min_orders`.
    public var optionName: String { "--" + name.replacingOccurrences(of: "_", with: "-") }
}

public enum ParameterType: Sendable, Equatable, CustomStringConvertible {
    case text, int, numeric, date, bool, flag, timezone, file
    /// A business-hours schedule file (BusinessSchedule), bound as its canonical JSON.
    case schedule
    case choice([String])
    /// `int(MIN..)`, `int(..MAX)` or `int(MIN..MAX)`: a whole number in that range (inclusive).
    case boundedInt(min: Int?, max: Int?)

    init?(_ text: String) {
        switch text {
        case "text": self = .text
        case "int", "integer": self = .int
        case "numeric": self = .numeric
        case "date": self = .date
        case "bool", "boolean": self = .bool
        case "flag": self = .flag
        case "timezone": self = .timezone
        case "file": self = .file
        case "schedule": self = .schedule
        default:
            if text.hasPrefix("int("), text.hasSuffix(")") {
                let bounds = text.dropFirst("int(".count).dropLast().components(separatedBy: "..")
                guard bounds.count == 2 else { return nil }
                let low = bounds[0].isEmpty ? nil : Int(bounds[0]), high = bounds[1].isEmpty ? nil : Int(bounds[1])
                guard bounds[0].isEmpty || low != nil, bounds[1].isEmpty || high != nil, low != nil || high != nil else { return nil }
                self = .boundedInt(min: low, max: high)
                return
            }
            guard text.hasPrefix("choice("), text.hasSuffix(")") else { return nil }
            let options = text.dropFirst("choice(".count).dropLast()
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !options.isEmpty, !options.contains(where: \.isEmpty) else { return nil }
            self = .choice(options)
        }
    }

    public var description: String {
        switch self {
        case .text: return "text"
        case .int: return "int"
        case .numeric: return "numeric"
        case .date: return "date"
        case .bool: return "bool"
        case .flag: return "flag"
        case .timezone: return "timezone"
        case .file: return "file"
        case .schedule: return "schedule"
        case .choice(let options): return options.joined(separator: "|")
        case .boundedInt(let low, let high): return "int(\(low.map(String.init) ?? "")..\(high.map(String.init) ?? ""))"
        }
    }
}

/// `column: NAME TYPE : HELP` — documentation of an output column.
public struct AnalysisColumn: Sendable, Equatable {
    public var name: String
    public var type: String
    public var help: String
}

/// `query: NAME [when COND[, COND…]]` and the SQL below it; or `step: NAME`, a statement the
/// engine runs itself as an input (e.g. the RFM summary a model is fitted on), never the output.
public struct AnalysisQuery: Sendable {
    public var name: String
    public var conditions: [QueryCondition]
    public var sql: String
    public var isStep = false
}

/// `prepare: KIND from STEP [when COND[, COND…]]` — work the engine does in Swift before the
/// chosen statement runs, when the conditions hold: it runs the `step:` STEP and acts on its
/// rows. The kinds are the engine's own, so an analysis file says what it needs instead of the
/// engine knowing analyses by name.
public struct AnalysisPreparation: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Fit BG/NBD + Gamma-Gamma on STEP's RFM rows (customer_key, frequency, recency, T,
        /// monetary) and write the temporary tables `clv_predictions` and `clv_model_params`
        /// (sql/internal/clv_predictive.sql) that the statement then reads.
        case predictiveCLV = "predictive_clv"
    }

    public var kind: Kind
    public var step: String
    public var conditions: [QueryCondition]

    func applies(to values: [String: String]) -> Bool { conditions.allSatisfy { $0.holds(in: values) } }
}

/// `FLAG` (the flag is set) or `PARAM=VALUE`.
public enum QueryCondition: Sendable, Equatable, CustomStringConvertible {
    case flag(String)
    case equals(String, String)

    func holds(in values: [String: String]) -> Bool {
        switch self {
        case .flag(let name): return values[name] == "true"
        case .equals(let name, let value): return values[name] == value
        }
    }

    public var description: String {
        switch self {
        case .flag(let name): return name
        case .equals(let name, let value): return "\(name)=\(value)"
        }
    }
}

/// `pivot: ROW[, ROW…] by COLUMN value VALUE [percent] [complete FLAG]` — `--pivot` keeps the ROW
/// columns, makes one column per distinct COLUMN value (in order of appearance) and fills it
/// with VALUE. With `complete FLAG` (a boolean column), a `complete_through` column after the
/// row keys gives the last COLUMN value whose cell was complete. `percent`: VALUE is a fraction,
/// shown in the terminal table as a percentage (the data formats keep the fraction).
public struct PivotSpec: Sendable, Equatable {
    public var rowKeys: [String]
    public var columnKey: String
    public var valueColumn: String
    public var completeColumn: String?
    public var percent = false
}
