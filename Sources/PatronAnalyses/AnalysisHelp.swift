import Foundation
import PatronCore

/// The text `patron list`, `patron describe NAME` and `patron run NAME --help` print.
public enum AnalysisHelp {
    public static func list(_ catalog: AnalysisCatalog) -> TextTable {
        TextTable(columns: ["analysis", "summary"], rows: catalog.analyses.map { [$0.name, $0.summary] })
    }

    /// The definition, parameters and columns of one analysis.
    public static func describe(_ definition: AnalysisDefinition) -> String {
        var out = "\(definition.name) — \(definition.summary)\n"
        if !definition.description.isEmpty { out += "\n" + wrap(definition.description, indent: "") + "\n" }
        if !definition.grain.isEmpty { out += "\nGrain: \(definition.grain)\n" }
        let shapes = definition.queries.filter { !$0.isStep }
        if let unique = shapes.count == 1 ? definition.unique(for: shapes[0]) : definition.unique {
            out += (definition.grain.isEmpty ? "\n" : "") + "Unique: \(unique.joined(separator: ", "))\n"
        }
        out += "\n" + parameters(definition)
        if !definition.columns.isEmpty {
            out += "\nColumns:\n" + columnList(definition.columns)
        }
        for query in shapes {
            guard let columns = definition.columnsByQuery[query.name] else { continue }
            out += "\nColumns of \(query.name):\n" + columnList(columns)
        }
        if shapes.count > 1 {
            out += "\nOutput shapes:\n"
            for query in shapes {
                let when = query.conditions.isEmpty ? "default" : "when " + query.conditions.map { "--" + $0.description.replacingOccurrences(of: "_", with: "-") }.joined(separator: " ")
                let unique = definition.uniqueByQuery[query.name].map { " (unique: \($0.joined(separator: ", ")))" } ?? ""
                out += "  \(query.name): \(when)\(unique)\n"
            }
        }
        out += "\nSource: \(definition.path)\n"
        return out
    }

    private static func columnList(_ columns: [AnalysisColumn]) -> String {
        let width = columns.map { $0.name.count + $0.type.count + 1 }.max() ?? 0
        return columns.map { column in
            "  " + "\(column.name) \(column.type)".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + column.help + "\n"
        }.joined()
    }

    /// The usage line and option list of `patron run NAME`.
    public static func runHelp(_ definition: AnalysisDefinition) -> String {
        var out = "\(definition.name) — \(definition.summary)\n\n"
        out += "USAGE: patron run \(definition.name) [<analysis options>] [--format table|csv|json|jsonl|markdown] [--output <file>]\n"
        out += "                  [--into <[schema.]table> [--replace|--append]] [--sql] [--analyses <dir>] [--database <uri>] [--schema <name>]\n\n"
        out += parameters(definition)
        out += """

            Run options:
              --format <format>      table (default on a terminal), csv (default otherwise), json, jsonl, markdown
              --output <file>        Write to a file instead of standard output; its extension (.csv .json
                                     .jsonl .ndjson .md .markdown .txt) names the format unless --format is given.
              --into <[schema.]table>
                                     Write the result into a PostgreSQL table (server-side); without a schema,
                                     in <schema>_reports (patron_reports). Unquoted names fold to lower case.
              --replace, --append    With --into: recreate an existing table, or add to it.
              --sql                  Print the SQL that would run, with its bound values, and stop.

            `patron describe \(definition.name)` also lists the output columns.

            """
        return out
    }

    static func parameters(_ definition: AnalysisDefinition) -> String {
        guard !definition.parameters.isEmpty else { return "Options: none\n" }
        var out = "Options:\n"
        let heads = definition.parameters.map { p -> String in
            p.type == .flag ? p.optionName : "\(p.optionName) <\(p.type)>"
        }
        let width = heads.map(\.count).max() ?? 0
        for (parameter, head) in zip(definition.parameters, heads) {
            var help = parameter.help
            if let value = parameter.defaultValue { help += " (default: \(value))" }
            out += "  " + head.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + help + "\n"
        }
        return out
    }

    static func wrap(_ text: String, indent: String, width: Int = 96) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > width, line.count > indent.count {
                lines.append(line)
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + word
        }
        if line.count > indent.count { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}
