// Predictive customer lifetime value from a BG/NBD purchase model and a Gamma-Gamma value model
// (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis"):
//
//   CLV = Σ_{i=1..H} (E[Y(i·M) | x, t_x, T] − E[Y((i−1)·M) | x, t_x, T]) · E[Z | x, m] · margin / (1 + d)^i
//
// with E[Y(t) | ·] the BG/NBD conditional expectation of purchases in (T, T + t], E[Z | ·] the
// Gamma-Gamma expected transaction value, H the horizon in months, d the monthly discount rate
// and M the length of a month in the model's time unit (365.25 / 12 days; 30.4375 / 7 weeks).
// Purchases in month i are discounted by (1 + d)^i, i.e. as if they happened at its end.
import Dispatch

/// How far ahead and how to value the forecast.
public struct CLVSettings: Equatable, Sendable {
    public var horizonMonths: Int
    public var monthlyDiscount: Double
    public var margin: Double
    /// The unit recency and T are measured in.
    public var timeUnit: TimeUnit

    public init(horizonMonths: Int = 12, monthlyDiscount: Double = 0.01, margin: Double = 1, timeUnit: TimeUnit = .week) {
        self.horizonMonths = horizonMonths
        self.monthlyDiscount = monthlyDiscount
        self.margin = margin
        self.timeUnit = timeUnit
    }

    func validate() throws {
        guard horizonMonths >= 1 else { throw ModelError.invalidSetting("the horizon must be at least 1 month (got \(horizonMonths))") }
        guard monthlyDiscount.isFinite, monthlyDiscount > -1 else {
            throw ModelError.invalidSetting("the monthly discount rate must be finite and > −1 (got \(monthlyDiscount))")
        }
        guard margin.isFinite else { throw ModelError.invalidSetting("the margin must be finite (got \(margin))") }
        guard timeUnit.days.isFinite, timeUnit.days > 0 else {
            throw ModelError.invalidSetting("the time unit must be a positive number of days (got \(timeUnit.days))")
        }
    }
}

/// One customer's forecast.
public struct CustomerValue: Equatable, Sendable {
    public var pAlive: Double
    /// Expected purchases over the whole horizon, undiscounted.
    public var expectedPurchases: Double
    public var expectedAverageValue: Double
    /// True when the expected value is the population mean: no repeat purchase, or a repeat
    /// buyer whose monetary value is missing or not positive.
    public var valueIsPopulationMean: Bool
    public var clv: Double
}

/// Both fitted models and every customer's forecast, in input order.
public struct PredictiveCLV: Sendable {
    public var purchases: BGNBDParameters
    public var value: GammaGammaParameters
    public var customers: [CustomerValue]
}

public enum CLV {
    /// Fits BG/NBD and Gamma-Gamma on `customers` and forecasts each of them.
    public static func fitAndPredict(_ customers: [RFM], settings: CLVSettings = CLVSettings()) throws -> PredictiveCLV {
        try settings.validate()
        let purchases = try BGNBD.fit(customers)
        let value = try GammaGamma.fit(customers)
        return PredictiveCLV(purchases: purchases, value: value,
                             customers: try predict(customers, purchases: purchases, value: value, settings: settings))
    }

    /// Forecasts every customer, in input order. The expected purchases of a customer still
    /// alive depend on (x, T) only and are computed once per distinct pair; P(alive), which also
    /// depends on t_x, once per distinct (x, t_x, T).
    public static func predict(_ customers: [RFM], purchases: BGNBDParameters, value: GammaGammaParameters,
                               settings: CLVSettings = CLVSettings()) throws -> [CustomerValue] {
        try settings.validate()
        for (index, customer) in customers.enumerated() {
            if let problem = customer.problem { throw ModelError.invalidInput(model: "CLV", index: index, reason: problem) }
        }
        // Sorted as (x, T, t_x, index) side by side: sorting indices into `customers` cost twice
        // as much (every comparison read two customers far apart); the same stable sort with the
        // same comparisons, so the same order.
        var keyed = customers.indices.map { i in
            (frequency: customers[i].frequency, T: customers[i].T, recency: customers[i].recency, index: i)
        }
        keyed.sort { p, q in
            if p.frequency != q.frequency { return p.frequency < q.frequency }
            if p.T != q.T { return p.T < q.T }
            return p.recency < q.recency
        }
        let order = keyed.map(\.index)
        // The alive curves of the distinct (x, T), in that order, computed in parallel (each as
        // one thread would); the loop below reads them in the same order, so a curve that fails
        // throws the same error as when they were computed in the loop.
        var curveStarts: [Int] = []
        for (position, index) in order.enumerated() {
            if position == 0 { curveStarts.append(index); continue }
            let previous = customers[order[position - 1]], customer = customers[index]
            if previous.frequency != customer.frequency || previous.T != customer.T { curveStarts.append(index) }
        }
        let curves = aliveCurves(curveStarts.map { customers[$0] }, purchases: purchases, settings: settings)
        var results = [CustomerValue?](repeating: nil, count: customers.count)
        var aliveCurve: (frequency: Double, T: Double, values: [Double])?
        var nextCurve = 0
        var previous: (customer: RFM, forecast: PurchaseForecast)?
        for index in order {
            let customer = customers[index]
            let forecast: PurchaseForecast
            if let previous, previous.customer.frequency == customer.frequency,
               previous.customer.recency == customer.recency, previous.customer.T == customer.T {
                forecast = previous.forecast
            } else {
                if aliveCurve == nil || aliveCurve!.frequency != customer.frequency || aliveCurve!.T != customer.T {
                    aliveCurve = (customer.frequency, customer.T, try curves[nextCurve].get())
                    nextCurve += 1
                }
                forecast = purchaseForecast(customer, aliveExpectations: aliveCurve!.values, purchases: purchases, settings: settings)
                previous = (customer, forecast)
            }
            results[index] = try combine(customer, forecast, value: value, settings: settings)
        }
        return results.map { $0! }
    }

    /// `aliveExpectations` of each customer, in parallel chunks.
    static func aliveCurves(_ customers: [RFM], purchases: BGNBDParameters,
                            settings: CLVSettings) -> [Result<[Double], any Error>] {
        let chunkSize = 256
        let chunks = (customers.count + chunkSize - 1) / chunkSize
        let out = UnsafeMutableBufferPointer<Result<[Double], any Error>>.allocate(capacity: max(customers.count, 1))
        defer { out.deallocate() }
        // Each chunk writes its own elements only.
        let target = UncheckedSendable(out.baseAddress!)
        let fill: @Sendable (Int) -> Void = { chunk in
            for i in chunk * chunkSize..<min(customers.count, (chunk + 1) * chunkSize) {
                (target.value + i).initialize(to: Result { try aliveExpectations(customers[i], purchases: purchases, settings: settings) })
            }
        }
        if chunks <= 1 {
            if chunks == 1 { fill(0) }
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: fill)
        }
        let results = Array(out[0..<customers.count])
        (out.baseAddress!).deinitialize(count: customers.count)
        return results
    }

    /// Forecasts one customer.
    public static func predict(_ customer: RFM, purchases: BGNBDParameters, value: GammaGammaParameters,
                               settings: CLVSettings = CLVSettings()) throws -> CustomerValue {
        try settings.validate()
        if let problem = customer.problem { throw ModelError.invalidInput(model: "CLV", index: 0, reason: problem) }
        return try combine(customer, try purchaseForecast(customer, purchases: purchases, settings: settings),
                           value: value, settings: settings)
    }

    struct PurchaseForecast {
        var pAlive: Double
        var total: Double
        /// Σᵢ (expected purchases in month i) / (1 + d)^i
        var discounted: Double
    }

    static func purchaseForecast(_ customer: RFM, purchases: BGNBDParameters, settings: CLVSettings) throws -> PurchaseForecast {
        purchaseForecast(customer, aliveExpectations: try aliveExpectations(customer, purchases: purchases, settings: settings),
                         purchases: purchases, settings: settings)
    }

    /// E[purchases in (T, T + i months] | alive] for i = 1…H.
    static func aliveExpectations(_ customer: RFM, purchases: BGNBDParameters, settings: CLVSettings) throws -> [Double] {
        let month = settings.timeUnit.perMonth
        return try (1...settings.horizonMonths).map { i in try purchases.aliveExpectation(customer, t: Double(i) * month) }
    }

    /// The forecast from the alive expectations: month i's purchases are P(alive) × (E_i − E_{i−1}).
    static func purchaseForecast(_ customer: RFM, aliveExpectations: [Double], purchases: BGNBDParameters,
                                 settings: CLVSettings) -> PurchaseForecast {
        let alive = purchases.pAlive(customer)
        var cumulative = 0.0
        var discounted = 0.0
        var factor = 1.0
        for expectation in aliveExpectations {
            let next = alive * expectation
            factor /= 1 + settings.monthlyDiscount
            discounted += (next - cumulative) * factor
            cumulative = next
        }
        return PurchaseForecast(pAlive: alive, total: cumulative, discounted: discounted)
    }

    static func combine(_ customer: RFM, _ forecast: PurchaseForecast, value: GammaGammaParameters,
                        settings: CLVSettings) throws -> CustomerValue {
        let averageValue = try value.expectedAverageValue(frequency: customer.frequency, monetary: customer.monetary)
        let fromPopulation = !(customer.frequency > 0 && (customer.monetary ?? 0) > 0)
        return CustomerValue(pAlive: forecast.pAlive, expectedPurchases: forecast.total,
                             expectedAverageValue: averageValue, valueIsPopulationMean: fromPopulation,
                             clv: forecast.discounted * averageValue * settings.margin)
    }
}

/// A value handed to the threads of `DispatchQueue.concurrentPerform` that the compiler cannot
/// prove safe: a pointer whose chunks each thread writes apart.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
