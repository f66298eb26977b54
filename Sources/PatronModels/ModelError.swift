/// Why a model could not be fitted or applied. The models never return parameters or predictions
/// they could not stand behind: every such case is one of these.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer usable customers than the model needs to be identified.
    case tooFewCustomers(model: String, found: Int, required: Int)
    /// Nobody bought twice: neither the purchase rate's spread nor the value of repeat
    /// transactions can be estimated.
    case noRepeatBuyers(model: String, customers: Int)
    /// An input row breaks the RFM definitions (position in the input, and what is wrong).
    case invalidInput(model: String, index: Int, reason: String)
    /// The maximum-likelihood search stopped without a trustworthy optimum.
    case didNotConverge(model: String, reason: String, iterations: Int, last: [ParameterValue], logLikelihood: Double)
    /// The fitted parameters give no finite answer to the question asked.
    case undefined(model: String, reason: String)
    /// A setting of the prediction is out of its range.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .tooFewCustomers(model, found, required):
            return "\(model): \(found) usable customers, at least \(required) are needed to fit the model"
        case let .noRepeatBuyers(model, customers):
            return "\(model): none of the \(customers) customers made a repeat purchase; the model cannot be fitted"
        case let .invalidInput(model, index, reason):
            return "\(model): input row \(index + 1): \(reason)"
        case let .didNotConverge(model, reason, iterations, last, logLikelihood):
            let values = last.map { "\($0.name)=\(formatNumber($0.value))" }.joined(separator: " ")
            return "\(model): the fit did not converge after \(iterations) iterations: \(reason) (last: \(values), log-likelihood \(formatNumber(logLikelihood)))"
        case let .undefined(model, reason):
            return "\(model): \(reason)"
        case let .invalidSetting(reason):
            return reason
        }
    }
}

/// One named parameter value, in the order the model lists its parameters.
public struct ParameterValue: Equatable, Sendable {
    public var name: String
    public var value: Double
    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }
}

/// How a fit ended: iterations of the optimizer, likelihood evaluations, and the largest
/// component of the gradient of the mean log-likelihood in log-parameters at the optimum.
public struct FitDiagnostics: Equatable, Sendable {
    public var iterations: Int
    public var evaluations: Int
    public var gradientNorm: Double
    public var stopReason: String
}

func formatNumber(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    let magnitude = abs(value)
    if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e7) { return "\(value)" }
    // Six significant digits without Foundation's String(format:).
    let scale = 1e6
    return "\((value * scale).rounded() / scale)"
}
