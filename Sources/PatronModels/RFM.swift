/// One customer's purchase history summarized at the calibration end, in the model's time unit.
///
/// - `frequency` x: repeat transactions (transactions after the first one).
/// - `recency` t_x: time from the first to the last transaction (0 when x = 0).
/// - `T`: time from the first transaction to the calibration end (the customer's age).
/// - `monetary` m: mean value of the repeat transactions; nil or non-positive values keep the
///   customer out of the Gamma-Gamma fit.
public struct RFM: Equatable, Sendable {
    public var frequency: Double
    public var recency: Double
    public var T: Double
    public var monetary: Double?

    public init(frequency: Double, recency: Double, T: Double, monetary: Double? = nil) {
        self.frequency = frequency
        self.recency = recency
        self.T = T
        self.monetary = monetary
    }

    /// Nil when the row is a valid BG/NBD observation, else what is wrong with it.
    var problem: String? {
        guard frequency.isFinite, recency.isFinite, T.isFinite else {
            return "frequency, recency and T must be finite (got \(frequency), \(recency), \(T))"
        }
        if frequency < 0 || frequency != frequency.rounded() {
            return "frequency must be a whole number ≥ 0 (got \(frequency))"
        }
        if T < 0 { return "T must be ≥ 0 (got \(T))" }
        if recency < 0 { return "recency must be ≥ 0 (got \(recency))" }
        if recency > T * (1 + 1e-12) { return "recency \(recency) exceeds T \(T)" }
        if frequency == 0 && recency != 0 { return "recency must be 0 when frequency is 0 (got \(recency))" }
        if let monetary, !monetary.isFinite { return "monetary must be finite (got \(monetary))" }
        return nil
    }
}

/// The model's time unit, and so the length of a month in it: a month is 365.25 / 12 = 30.4375
/// days, i.e. 30.4375 / 7 ≈ 4.348 weeks.
public struct TimeUnit: Equatable, Sendable {
    public var days: Double

    public init(days: Double) { self.days = days }

    public static let day = TimeUnit(days: 1)
    public static let week = TimeUnit(days: 7)

    public static let daysPerMonth = 365.25 / 12

    /// Length of one month in this unit.
    public var perMonth: Double { Self.daysPerMonth / days }
}
