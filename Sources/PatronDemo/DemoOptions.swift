/// What `patron demo generate` makes: how many customers, from which seed, over which years.
public struct DemoOptions: Sendable, Equatable {
    public var customers: Int
    public var seed: UInt64
    /// First day of the history, as days since 1970-01-01 (UTC).
    public var startDay: Int
    public var years: Int
    public var gzip: Bool
    /// Deliberately broken rows, one per `badRowInterval` rows of each file (0: none).
    public var badRowInterval: Int
    /// Also write the world as vendor exports (`vendors/`: Shopify, Zendesk, Delighted).
    public var vendorExports: Bool

    public static let defaultStart = "2023-01-01"

    public init(customers: Int, seed: UInt64, startDay: Int? = nil,
                years: Int = 3, gzip: Bool = false, badRowInterval: Int = 1000, vendorExports: Bool = true) {
        self.customers = customers
        self.seed = seed
        self.startDay = startDay ?? DemoTime.parseDate(DemoOptions.defaultStart)!
        self.years = years
        self.gzip = gzip
        self.badRowInterval = badRowInterval
        self.vendorExports = vendorExports
    }

    /// Parses a start date `YYYY-MM-DD`.
    public static func startDay(_ text: String) -> Int? { DemoTime.parseDate(text) }

    var start: Double { Double(startDay) * DemoTime.day }

    /// The export instant: every source is "exported" at midnight after the last day.
    var end: Double {
        let (y, m, d) = DemoTime.civil(days: startDay)
        return Double(DemoTime.days(year: y + years, month: m, day: d)) * DemoTime.day
    }
}
