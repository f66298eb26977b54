import Foundation
import PatronCore
import PatronInput
import PostgresClient

/// What the text a user typed (`patron customer IDENTIFIER`) can be, each reading normalized by
/// the loader's own rules (docs/inputs.md, "Normalization"): an email, a phone, a handle, a
/// `SOURCE:ID`, or a customer_id in any source. A reading the text does not fit is nil; the
/// look-up tries every reading that fits, so `1234567` is tried as a phone and as an id.
public struct IdentifierReadings: Sendable, Equatable {
    public var email: String?
    public var phone: String?
    public var handle: String?
    /// `SOURCE:ID`: the source as `--source` takes it (trimmed) and the id as the loader keeps it.
    public var source: String?
    public var sourceCustomerID: String?
    /// The whole text as a customer_id of any source (ids may contain `:`, like Shopify's gid://…).
    public var anySourceCustomerID: String?

    public init(_ text: String) {
        email = try? Normalize.email(text)
        phone = try? Normalize.phone(text)
        // A handle always names its platform here: there is no row whose platform a bare @name could take.
        handle = try? Normalize.handle(text, defaultPlatform: nil)
        if let colon = text.firstIndex(of: ":") {
            let source = text[..<colon].trimmingCharacters(in: .whitespaces)
            if !source.isEmpty, let id = Normalize.customerID(String(text[text.index(after: colon)...])) {
                self.source = source
                sourceCustomerID = id
            }
        }
        anySourceCustomerID = Normalize.customerID(text)
    }

    /// Bound to `find_customer`'s $1…$6.
    var bindings: [(any PostgresBindable)?] { [email, phone, handle, source, sourceCustomerID, anySourceCustomerID] }
}

/// One stored identifier that an IDENTIFIER matched.
public struct IdentifierMatch: Sendable, Equatable {
    public var kind: String
    /// Empty for email, phone and handle, which belong to no source.
    public var source: String
    public var value: String
    public var customerKey: Int64

    public init(kind: String, source: String, value: String, customerKey: Int64) {
        self.kind = kind
        self.source = source
        self.value = value
        self.customerKey = customerKey
    }

    /// How a user would type it again: `SOURCE:ID` for a customer_id, else the value.
    public var typed: String { kind == "customer_id" ? "\(source):\(value)" : value }
}

/// A section of the journey as the database returned it: typed columns, rows of text.
public struct JourneyTable: Sendable {
    public var columns: [ResultColumn]
    public var rows: [[String?]]

    init(_ result: QueryResult) {
        columns = result.columns.map(ResultColumn.init)
        rows = result.rows.map { row in (0..<result.columns.count).map { row[$0] } }
    }

    init(columns: [ResultColumn], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }

    public func value(_ row: Int, _ column: String) -> String? {
        guard row < rows.count, let index = columns.firstIndex(where: { $0.name == column }) else { return nil }
        return rows[row][index]
    }
}

/// The predictive model's view of the customer: clv --method predictive --per-customer's row
/// for them, or why there is none.
public struct JourneyPrediction: Sendable, Equatable {
    public var pAlive: String?
    public var expectedPurchases: String?
    public var predictedValue: String?
    public var horizonMonths: Int
    /// Why `pAlive` is empty: the model cannot be fitted on this warehouse (its message), or
    /// the customer has no purchase it could describe.
    public var unavailable: String?
}

/// `patron customer IDENTIFIER`: one customer's identifiers, merges, headline numbers and
/// timeline, each number taken from the model or analysis that defines it
/// (sql/internal/customer_journey.sql; docs/metrics.md, "One customer's journey").
public struct CustomerJourney: Sendable {
    public var customerKey: Int64
    /// The stored identifiers the IDENTIFIER matched (all of this customer).
    public var matched: [IdentifierMatch]
    public var identifiers: JourneyTable
    public var merges: JourneyTable
    /// One row: value_to_date … active_until.
    public var summary: JourneyTable
    public var prediction: JourneyPrediction
    public var timeline: JourneyTable

    /// The months of future purchases the prediction sums (clv's default `--horizon`).
    static let predictionHorizonMonths = 12

    /// Finds the customer and reads their journey. `tz` is the reporting time zone (instants
    /// and days), `windowDays` churn_rate's W. Throws `unknownCustomer` when nothing matches and
    /// `ambiguousCustomer` when the matches belong to more than one customer.
    public static func read(_ identifier: String, warehouse: Warehouse, tz: String = "UTC", windowDays: Int = 90,
                            predict: Bool = true) throws -> CustomerJourney {
        let queries = try warehouse.sql.queries("internal/customer_journey.sql")
        let connection = warehouse.connection
        let matches = try find(identifier, warehouse: warehouse)
        let keys = Set(matches.map(\.customerKey))
        guard let key = keys.first else {
            throw PatronError.unknownCustomer("no customer has the identifier '\(identifier)' (tried it as \(describeReadings(IdentifierReadings(identifier))))")
        }
        guard keys.count == 1 else {
            let table = TextTable(columns: ["identifier", "kind", "source", "customer_key"],
                                  rows: matches.map { [$0.typed, $0.kind, $0.source.isEmpty ? nil : $0.source, String($0.customerKey)] })
            throw PatronError.ambiguousCustomer(
                "'\(identifier)' matches \(keys.count) customers; name one by a more specific identifier (SOURCE:ID, the email, the phone):\n"
                + table.aligned().trimmingCharacters(in: .newlines))
        }
        // The summary and the timeline read the analyses' models: run as the analyses run (on
        // Citus, their inlined functions reach the workers).
        let runner = AnalysisRunner(warehouse: warehouse, catalog: try AnalysisCatalog.load(sql: warehouse.sql, extra: [], environment: [:]))
        func table(_ name: String, _ parameters: [(any PostgresBindable)?]) throws -> JourneyTable {
            JourneyTable(try runner.inAnalysisSession { try connection.execute(try queries[name], parameters) })
        }
        try warehouse.run { _ = try connection.execute(try queries["use_time_zone"], [tz]) }
        let identifiers = try table("identifiers", [key])
        let merges = try table("merges", [key])
        let summary = try table("summary", [key, tz, windowDays])
        let timeline = try table("timeline", [key])
        let prediction = predict
            ? try Self.prediction(for: key, hasPurchases: summary.value(0, "orders").map { $0 != "0" } ?? false,
                                  runner: runner, tz: tz)
            : JourneyPrediction(horizonMonths: predictionHorizonMonths, unavailable: "not computed (--no-prediction)")
        return CustomerJourney(customerKey: key, matched: matches, identifiers: identifiers, merges: merges,
                               summary: summary, prediction: prediction, timeline: timeline)
    }

    /// Every stored identifier the text matches, under any of its readings.
    public static func find(_ identifier: String, warehouse: Warehouse) throws -> [IdentifierMatch] {
        let queries = try warehouse.sql.queries("internal/customer_journey.sql")
        let result = try warehouse.run {
            try warehouse.connection.execute(try queries["find_customer"], IdentifierReadings(identifier).bindings)
        }
        return (0..<result.rowCount).map { row in
            IdentifierMatch(kind: result.string(row, "kind") ?? "", source: result.string(row, "source") ?? "",
                            value: result.string(row, "value") ?? "", customerKey: result.int64(row, "customer_key") ?? 0)
        }
    }

    static func describeReadings(_ readings: IdentifierReadings) -> String {
        var tried: [String] = []
        if let email = readings.email { tried.append("email \(email)") }
        if let phone = readings.phone { tried.append("phone \(phone)") }
        if let handle = readings.handle { tried.append("handle \(handle)") }
        if let source = readings.source, let id = readings.sourceCustomerID { tried.append("customer_id \(id) of source \(source)") }
        if let id = readings.anySourceCustomerID { tried.append("customer_id \(id) of any source") }
        return tried.isEmpty ? "nothing: it is empty" : tried.joined(separator: ", ")
    }

    /// P(alive) as `clv --method predictive --per-customer --tz TZ` computes it for every
    /// buyer (the built-in analysis, not a copy): the model is fitted on the whole warehouse.
    static func prediction(for key: Int64, hasPurchases: Bool, runner: AnalysisRunner, tz: String) throws -> JourneyPrediction {
        var prediction = JourneyPrediction(horizonMonths: predictionHorizonMonths)
        guard hasPurchases else {
            prediction.unavailable = "no purchase: the model describes buyers only"
            return prediction
        }
        let prepared = try runner.prepare("clv", ["method": "predictive", "per_customer": "true", "tz": tz,
                                                  "horizon": String(predictionHorizonMonths)])
        var index: [String: Int] = [:]
        var found = false
        do {
            try runner.run(prepared, onColumns: { columns in
                for (i, column) in columns.enumerated() { index[column.name] = i }
            }, onRow: { row in
                guard !found, let i = index["customer_key"], row[i] == String(key) else { return }
                found = true
                prediction.pAlive = index["p_alive"].flatMap { row[$0] }
                prediction.expectedPurchases = index["expected_purchases"].flatMap { row[$0] }
                prediction.predictedValue = index["clv"].flatMap { row[$0] }
            })
        } catch PatronError.analysisFailed(let message) {
            prediction.unavailable = "the predictive model cannot be fitted on this warehouse: \(message)"
            return prediction
        }
        if !found { prediction.unavailable = "no purchase up to the model's last day (the last purchase day of the warehouse)" }
        return prediction
    }
}
