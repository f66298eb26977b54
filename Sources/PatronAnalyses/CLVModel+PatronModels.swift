import PatronCore
import PatronModels

/// `clv --method predictive` with the models of `PatronModels`: BG/NBD for the number of future
/// purchases and Gamma-Gamma for their average value, fitted by maximum likelihood on the RFM
/// rows of clv.sql's `rfm_summary` step. A fit the models cannot stand behind (too few
/// customers, no repeat buyers, no convergence) is an `analysisFailed` error, never a number.
public struct BGNBDGammaGammaModel: CLVModelFitting {
    public init() {}

    public func fit(_ rows: [RFMRow], settings: CLVModelSettings) throws -> CLVFit {
        let customers = rows.map { RFM(frequency: $0.frequency, recency: $0.recency, T: $0.T, monetary: $0.monetary) }
        let modelSettings = CLVSettings(
            horizonMonths: settings.horizonMonths, monthlyDiscount: settings.monthlyDiscount,
            margin: settings.margin, timeUnit: settings.unit == "day" ? .day : .week)
        let result: PredictiveCLV
        do {
            result = try CLV.fitAndPredict(customers, settings: modelSettings)
        } catch let error as ModelError {
            throw PatronError.analysisFailed("clv --method predictive: \(error.description)")
        }
        let predictions = zip(rows, result.customers).map { row, value in
            CLVPrediction(customerKey: row.customerKey, pAlive: value.pAlive, expectedPurchases: value.expectedPurchases,
                          expectedAverageValue: value.expectedAverageValue, clv: value.clv)
        }
        return CLVFit(predictions: predictions, parameters: Self.parameterRows(result))
    }

    /// The `--params` rows: each model's parameters, its log-likelihood and the customers it
    /// was fitted on; Gamma-Gamma also counts the repeat buyers it left out (monetary ≤ 0).
    static func parameterRows(_ result: PredictiveCLV) -> [CLVParameter] {
        func rows(_ model: String, _ values: [ParameterValue], _ extra: [(String, Double)]) -> [CLVParameter] {
            values.map { CLVParameter(model: model, parameter: $0.name, value: $0.value) }
                + extra.map { CLVParameter(model: model, parameter: $0.0, value: $0.1) }
        }
        let purchases = result.purchases, value = result.value
        return rows("bgnbd", purchases.values, [
            ("log_likelihood", purchases.logLikelihood), ("customers", Double(purchases.customers)),
        ]) + rows("gamma_gamma", value.values, [
            ("log_likelihood", value.logLikelihood), ("customers", Double(value.customers)),
            ("excluded_customers", Double(value.excluded)),
        ])
    }
}
