import Foundation
import PatronCore
import PostgresClient

/// One customer's RFM summary at the calibration end (`clv`, step `rfm_summary`; docs/metrics.md, "clv"):
/// durations in the `--unit` (weeks or days); `monetary` is nil without repeat purchases.
public struct RFMRow: Sendable, Equatable {
    public var customerKey: Int64
    public var frequency: Double
    public var recency: Double
    public var T: Double
    public var monetary: Double?

    public init(customerKey: Int64, frequency: Double, recency: Double, T: Double, monetary: Double?) {
        self.customerKey = customerKey
        self.frequency = frequency
        self.recency = recency
        self.T = T
        self.monetary = monetary
    }
}

/// What the CLV sum needs besides the fitted models (`--horizon`, `--discount`, `--margin`, `--unit`).
public struct CLVModelSettings: Sendable, Equatable {
    /// Months summed over (H).
    public var horizonMonths: Int
    /// Monthly discount rate d: month i is divided by (1 + d)^i.
    public var monthlyDiscount: Double
    public var margin: Double
    /// "week" or "day": the unit of frequency/recency/T (a month is 365.25 / 12 days of it).
    public var unit: String

    public init(horizonMonths: Int, monthlyDiscount: Double, margin: Double, unit: String) {
        self.horizonMonths = horizonMonths
        self.monthlyDiscount = monthlyDiscount
        self.margin = margin
        self.unit = unit
    }
}

/// One customer's prediction.
public struct CLVPrediction: Sendable, Equatable {
    public var customerKey: Int64
    public var pAlive: Double
    /// Expected purchases over the horizon.
    public var expectedPurchases: Double
    /// Gamma-Gamma's expected average purchase value.
    public var expectedAverageValue: Double
    public var clv: Double

    public init(customerKey: Int64, pAlive: Double, expectedPurchases: Double, expectedAverageValue: Double, clv: Double) {
        self.customerKey = customerKey
        self.pAlive = pAlive
        self.expectedPurchases = expectedPurchases
        self.expectedAverageValue = expectedAverageValue
        self.clv = clv
    }
}

/// A row of `clv --params`: `model` is `bgnbd` or `gamma_gamma`; parameters r, alpha, a, b and
/// p, q, gamma, plus `log_likelihood` and `customers` for each model.
public struct CLVParameter: Sendable, Equatable {
    public var model: String
    public var parameter: String
    public var value: Double

    public init(model: String, parameter: String, value: Double) {
        self.model = model
        self.parameter = parameter
        self.value = value
    }
}

public struct CLVFit: Sendable {
    public var predictions: [CLVPrediction]
    public var parameters: [CLVParameter]

    public init(predictions: [CLVPrediction], parameters: [CLVParameter]) {
        self.predictions = predictions
        self.parameters = parameters
    }
}

/// The hook for `clv --method predictive`: fits BG/NBD and Gamma-Gamma on the RFM rows and
/// predicts every customer. Implemented with the `PatronModels` target
/// (`BGNBDGammaGammaModel`) and plugged into ``AnalysisRunner/clvModel``.
public protocol CLVModelFitting: Sendable {
    func fit(_ rows: [RFMRow], settings: CLVModelSettings) throws -> CLVFit
}

/// The `prepare: predictive_clv from STEP` of an analysis (clv.sql): runs the step, hands its rows to the model, and stores the predictions
/// in the session's temporary tables `clv_predictions` and `clv_model_params`, which the
/// predictive statements of clv.sql read.
struct CLVPredictiveStep {
    let runner: AnalysisRunner
    /// The `step:` statement whose rows the models are fitted on (clv.sql: rfm_summary).
    let step: String

    func prepare(_ prepared: PreparedAnalysis) throws {
        guard let model = runner.clvModel else {
            throw PatronError.configuration(
                "clv --method predictive is not available in this build (the BG/NBD and Gamma-Gamma models are not wired in); use --method historical or --method formula")
        }
        let values = prepared.values
        let settings = CLVModelSettings(
            horizonMonths: Int(values["horizon"] ?? "12") ?? 12,
            monthlyDiscount: Double(values["discount"] ?? "0.01") ?? 0.01,
            margin: Double(values["margin"] ?? "1") ?? 1,
            unit: values["unit"] ?? "week")
        // Binary results: a float8 arrives as its IEEE bits (the same number its text form parses
        // to), so the million rows are neither formatted there nor parsed here. A step with
        // other column types (numeric, …) is read as text.
        var result = try runner.runStatement(step, of: prepared, binaryResults: true)
        // The columns by position, looked up once (by name per row, that lookup cost more than the parse).
        func columns(of result: QueryResult) throws -> [Int] {
            try ["customer_key", "frequency", "recency", "T", "monetary"].map { name in
                guard let index = result.columnIndex(named: name) else {
                    throw PatronError.configuration("\(prepared.definition.path): step \(step) returns no column \(name)")
                }
                return index
            }
        }
        var indices = try columns(of: result)
        let binary = QueryResult.binaryIntegerTypes.contains(result.columns[indices[0]].typeOID)
            && indices.dropFirst().allSatisfy { QueryResult.binaryFloatTypes.contains(result.columns[$0].typeOID) }
        if !binary {
            result = try runner.runStatement(step, of: prepared)
            indices = try columns(of: result)
        }
        let key = indices[0], frequency = indices[1], recency = indices[2], age = indices[3], monetary = indices[4]
        var rows: [RFMRow] = binary
            ? (0..<result.rowCount).map { row in
                RFMRow(customerKey: result.binaryInt64(row, key) ?? 0, frequency: result.binaryDouble(row, frequency) ?? 0,
                       recency: result.binaryDouble(row, recency) ?? 0, T: result.binaryDouble(row, age) ?? 0,
                       monetary: result.binaryDouble(row, monetary))
            }
            : (0..<result.rowCount).map { row in
                RFMRow(customerKey: result.int64(row, key) ?? 0, frequency: result.double(row, frequency) ?? 0,
                       recency: result.double(row, recency) ?? 0, T: result.double(row, age) ?? 0,
                       monetary: result.double(row, monetary))
            }
        // The fits' sums run over the rows in their order, so the engine puts them in customer
        // order (a sort by a unique key: one order whatever the step's plan). The steps have no
        // ORDER BY: rfm_summary reads customer_rfm in its physical order, which is usually the
        // customers' already, and then this is one pass (a sort there cost a tenth of the run).
        if !zip(rows, rows.dropFirst()).allSatisfy({ $0.customerKey < $1.customerKey }) {
            rows.sort { $0.customerKey < $1.customerKey }
        }
        let fit = try model.fit(rows, settings: settings)
        // The model returns one prediction per row, in row order; pair them by position (a
        // dictionary by key cost more than the fit's own sort at a million customers).
        let inRowOrder = fit.predictions.count == rows.count
            && zip(rows, fit.predictions).allSatisfy { $0.customerKey == $1.customerKey }
        let byKey = inRowOrder ? [:] : Dictionary(rows.map { ($0.customerKey, $0) }, uniquingKeysWith: { first, _ in first })
        let connection = runner.warehouse.connection
        let statements = try runner.warehouse.sql.queries("internal/clv_predictive.sql")
        try runner.warehouse.run {
            try connection.execute(try statements["create_predictions"])
            try connection.execute(try statements["create_params"])
            try connection.execute(try statements["clear"])
            try connection.copyIn(try statements["copy_predictions"]) { stream in
                // Binary COPY: the doubles go as their IEEE bits, neither formatted here nor parsed there.
                var encoder = BinaryCopyEncoder()
                for (index, p) in fit.predictions.enumerated() {
                    let rfm = inRowOrder ? rows[index] : byKey[p.customerKey]
                    encoder.beginRow(fieldCount: 9)
                    encoder.append(int64: p.customerKey)
                    for field in [rfm?.frequency, rfm?.recency, rfm?.T, rfm?.monetary,
                                  p.pAlive, p.expectedPurchases, p.expectedAverageValue, p.clv] {
                        if let field { encoder.append(float64: field) } else { encoder.appendNull() }
                    }
                    try encoder.flushIfLarger(than: 256 * 1024, into: stream)
                }
                try encoder.finish(into: stream)
            }
            try connection.execute(try statements["index_predictions"])
            try connection.copyIn(try statements["copy_params"]) { stream in
                for p in fit.parameters {
                    try stream.write("\(p.model)\t\(p.parameter)\t\(copyText(p.value))\n")
                }
            }
        }
    }
}

/// A double in COPY's text format (`\N` for nil).
private func copyText(_ value: Double?) -> String {
    guard let value else { return "\\N" }
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
    return value.description
}
