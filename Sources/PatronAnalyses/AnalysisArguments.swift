import Foundation
import PatronCore

/// Checks one parameter value against its declared type and returns it in the form bound to
/// the query (e.g. `yes` → `true`). Errors name the option and the value (exit 64).
public enum ParameterValidator {
    public static func validate(_ raw: String, for parameter: AnalysisParameter) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces)
        func bad(_ expected: String) -> PatronError {
            PatronError.usage("\(parameter.optionName) takes \(expected), not '\(raw)'")
        }
        switch parameter.type {
        case .text:
            return raw
        case .int:
            guard let number = Int(value) else { throw bad("a whole number") }
            return String(number)
        case .boundedInt(let low, let high):
            guard let number = Int(value), number >= (low ?? .min), number <= (high ?? .max) else {
                switch (low, high) {
                case let (low?, high?): throw bad("a whole number from \(low) to \(high)")
                case let (low?, nil): throw bad("a whole number of at least \(low)")
                default: throw bad("a whole number of at most \(high ?? 0)")
                }
            }
            return String(number)
        case .numeric:
            guard value.range(of: #"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil
            else { throw bad("a number") }
            return value
        case .date:
            guard isCalendarDate(value) else { throw bad("a date YYYY-MM-DD") }
            return value
        case .bool, .flag:
            switch value.lowercased() {
            case "true", "t", "yes", "y", "1", "on": return "true"
            case "false", "f", "no", "n", "0", "off": return "false"
            default: throw bad("true or false")
            }
        case .timezone:
            guard !value.isEmpty, TimeZone(identifier: value) != nil else {
                throw bad("a time zone name like Europe/Berlin or UTC")
            }
            return value
        case .file:
            guard FileManager.default.isReadableFile(atPath: value) else { throw bad("a readable file") }
            return value
        case .schedule:
            return try BusinessSchedule.load(path: value).canonicalJSON
        case .choice(let options):
            guard options.contains(value) else { throw bad("one of \(options.joined(separator: ", "))") }
            return value
        }
    }

    /// `YYYY-MM-DD` naming a real day.
    static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }
}

/// The values of an analysis' parameters for one run, validated, defaults filled in.
public struct AnalysisArguments: Sendable {
    /// Every parameter's value by name; absent = SQL NULL. Flags are "true" or "false".
    public let values: [String: String]

    public init(_ definition: AnalysisDefinition, _ given: [String: String]) throws {
        var values: [String: String] = [:]
        for (name, _) in given where definition.parameter(named: name) == nil {
            throw PatronError.usage("analysis \(definition.name) has no parameter --\(name.replacingOccurrences(of: "_", with: "-")) (see `patron describe \(definition.name)`)")
        }
        for parameter in definition.parameters {
            if let raw = given[parameter.name] {
                values[parameter.name] = try ParameterValidator.validate(raw, for: parameter)
            } else if parameter.type == .flag {
                values[parameter.name] = "false"
            } else if let value = parameter.defaultValue {
                values[parameter.name] = try ParameterValidator.validate(value, for: parameter)
            }
        }
        // A window that ends before it starts is a mistake, not an empty report.
        if let from = values["from"], let to = values["to"],
           definition.parameter(named: "from")?.type == .date, definition.parameter(named: "to")?.type == .date,
           from > to {  // YYYY-MM-DD: text order is date order
            throw PatronError.usage("--from \(from) is after --to \(to): --from is the first day reported, --to the end (exclusive)")
        }
        self.values = values
    }

    /// The values bound to `$1…$N`, in order (nil = NULL).
    public func bindings(_ definition: AnalysisDefinition) -> [String?] {
        let positioned = definition.parameters.compactMap { p in p.position.map { ($0, p.name) } }
        let count = positioned.map(\.0).max() ?? 0
        var bound = [String?](repeating: nil, count: count)
        for (position, name) in positioned { bound[position - 1] = values[name] }
        return bound
    }

    /// Reads `--name value`, `--name=value` and `--flag` tokens into parameter names and raw
    /// values (dashes or underscores in the name). Unknown options are usage errors.
    public static func parseOptions(_ tokens: [String], for definition: AnalysisDefinition) throws -> [String: String] {
        var given: [String: String] = [:]
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            guard token.hasPrefix("--"), token.count > 2 else {
                throw PatronError.usage("unexpected argument '\(token)' (parameters are given as --name value)")
            }
            var name = String(token.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            name = name.replacingOccurrences(of: "-", with: "_")
            guard let parameter = definition.parameter(named: name) else {
                throw PatronError.usage("analysis \(definition.name) has no option \(token.split(separator: "=")[0]) (see `patron run \(definition.name) --help`)")
            }
            guard given[name] == nil else { throw PatronError.usage("\(parameter.optionName) is given twice") }
            if parameter.type == .flag {
                given[name] = inlineValue ?? "true"
            } else if let inlineValue {
                given[name] = inlineValue
            } else {
                guard index < tokens.count else { throw PatronError.usage("\(parameter.optionName) needs a value (\(parameter.type))") }
                given[name] = tokens[index]
                index += 1
            }
        }
        return given
    }
}
