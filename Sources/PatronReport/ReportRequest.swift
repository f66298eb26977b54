import PatronAnalyses

/// What the report covers, as `patron report` was asked: the options the analyses share.
/// Each analysis gets the ones it declares (`arguments(for:)`), so every number in the report
/// is the number `patron run NAME` prints with the same options.
public struct ReportRequest: Sendable {
    public var period = "month"
    public var timeZone = "UTC"
    public var from: String?
    public var to: String?
    public var segment: String?

    public init() {}

    /// Whether `definition` can be split by the report's `--segment` (its `segment` option
    /// offers that value).
    func segments(_ definition: AnalysisDefinition) -> Bool {
        guard let segment, let parameter = definition.parameters.first(where: { $0.name == "segment" }),
              case .choice(let values) = parameter.type else { return false }
        return values.contains(segment)
    }

    /// The options for one analysis: those of its parameters that the report sets, plus `extra`;
    /// `--segment` when `segmented` and the analysis offers the value.
    func arguments(for definition: AnalysisDefinition, _ extra: [String: String] = [:], segmented: Bool = true) -> [String: String] {
        var given: [String: String] = [:]
        let declared = Set(definition.parameters.map(\.name))
        func set(_ name: String, _ value: String?) {
            if let value, declared.contains(name) { given[name] = value }
        }
        set("period", period)
        set("tz", timeZone)
        set("from", from)
        set("to", to)
        if segmented && segments(definition) { set("segment", segment) }
        for (name, value) in extra { set(name, value) }
        return given
    }
}
