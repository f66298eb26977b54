import Foundation
import PatronCore

/// Reads an analysis file: the `-- key: value` header block, then one or more statements each
/// introduced by `-- query: NAME [when COND, …]` (the format of sql/analyses/README.md).
/// A file without any `query:` line is one statement, `main`, after the header.
public enum AnalysisFileParser {
    static let headerKeys: Set<String> = [
        "analysis", "summary", "description", "grain", "param", "column", "query", "pivot", "prepare", "unique",
    ]
    /// Options of `patron run` itself; an analysis parameter may not take these names.
    public static let reservedNames: Set<String> = [
        "format", "output", "into", "replace", "append", "sql", "help", "database", "schema",
        "quiet", "verbose", "analyses",
    ]

    public static func parse(contentsOf url: URL) throws -> AnalysisDefinition {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw PatronError.configuration("cannot read analysis \(url.path): \(error.localizedDescription)")
        }
        return try parse(text: text, path: url.path)
    }

    public static func parse(text: String, path: String) throws -> AnalysisDefinition {
        func fail(_ line: Int, _ message: String) -> PatronError {
            PatronError.configuration("\(path):\(line): \(message)")
        }
        var entries: [(key: String, value: String, line: Int)] = []
        var queries: [AnalysisQuery] = []
        var currentQuery: (name: String, conditions: [QueryCondition], line: Int)?
        var currentIsStep = false
        var body: [Substring] = []
        var inHeader = true

        func closeQuery() throws {
            guard let query = currentQuery else { return }
            let sql = body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            let trimmed = sql.hasSuffix(";") ? String(sql.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) : sql
            guard !trimmed.isEmpty else { throw fail(query.line, "query '\(query.name)' has no SQL") }
            guard !queries.contains(where: { $0.name == query.name }) else {
                throw fail(query.line, "query '\(query.name)' is defined twice")
            }
            queries.append(AnalysisQuery(name: query.name, conditions: query.conditions, sql: trimmed, isStep: currentIsStep))
            body = []
        }

        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 1
            if line.hasPrefix("-- query:") || line.hasPrefix("-- step:") {
                try closeQuery()
                inHeader = false
                currentIsStep = line.hasPrefix("-- step:")
                let rest = line.drop(while: { $0 != ":" }).dropFirst()
                currentQuery = try parseQueryLine(String(rest), fail: { fail(lineNumber, $0) })
                currentQuery?.line = lineNumber
                if currentIsStep, currentQuery?.conditions.isEmpty == false {
                    throw fail(lineNumber, "a step has no conditions")
                }
                continue
            }
            if inHeader {
                if line.hasPrefix("--") {
                    let content = line.dropFirst(2)
                    if content.hasPrefix("  "), !entries.isEmpty {
                        // A continuation line: two or more spaces after `--`.
                        entries[entries.count - 1].value += " " + content.trimmingCharacters(in: .whitespaces)
                        continue
                    }
                    let trimmed = content.trimmingCharacters(in: .whitespaces)
                    if let colon = trimmed.firstIndex(of: ":") {
                        let key = String(trimmed[..<colon])
                        if headerKeys.contains(key) || queryName(of: key, "unique") != nil || queryName(of: key, "column") != nil {
                            entries.append((key, trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces), lineNumber))
                            continue
                        }
                    }
                    continue  // a free comment inside the header
                }
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                // SQL without a `query:` line: one statement named main.
                inHeader = false
                currentIsStep = false
                currentQuery = ("main", [], lineNumber)
            }
            body.append(line)
        }
        try closeQuery()

        var definition = AnalysisDefinition(name: "", summary: "", description: "", grain: "", parameters: [],
                                            columns: [], queries: queries, pivot: nil, path: path)
        for entry in entries {
            switch entry.key {
            case "analysis": definition.name = entry.value
            case "summary": definition.summary = entry.value
            case "description": definition.description = entry.value
            case "grain": definition.grain = entry.value
            case "param":
                definition.parameters.append(try parseParameter(entry.value, fail: { fail(entry.line, $0) }))
            case "column":
                definition.columns.append(try parseColumn(entry.value, fail: { fail(entry.line, $0) }))
            case "pivot":
                definition.pivot = try parsePivot(entry.value, fail: { fail(entry.line, $0) })
            case "prepare":
                definition.preparations.append(try parsePreparation(entry.value, fail: { fail(entry.line, $0) }))
            default:
                if let query = queryName(of: entry.key, "column") {
                    guard queries.contains(where: { $0.name == query && !$0.isStep }) else {
                        throw fail(entry.line, "\(entry.key): the file has no query named '\(query)'")
                    }
                    let column = try parseColumn(entry.value, fail: { fail(entry.line, $0) })
                    guard !(definition.columnsByQuery[query] ?? []).contains(where: { $0.name == column.name }) else {
                        throw fail(entry.line, "\(entry.key): column '\(column.name)' is declared twice")
                    }
                    definition.columnsByQuery[query, default: []].append(column)
                }
            }
        }
        try check(definition, fail: { fail(1, $0) })
        for entry in entries where entry.key == "unique" || queryName(of: entry.key, "unique") != nil {
            try parseUnique(entry.key, entry.value, into: &definition, fail: { fail(entry.line, $0) })
        }
        return definition
    }

    /// `QUERY` of a `unique[QUERY]` or `column[QUERY]` key (`base` names which).
    static func queryName(of key: String, _ base: String) -> String? {
        guard key.hasPrefix(base + "["), key.hasSuffix("]") else { return nil }
        return String(key.dropFirst(base.count + 1).dropLast())
    }

    /// `unique: COLUMN[, COLUMN…]` (every statement without a key of its own) or
    /// `unique[QUERY]: COLUMN[, COLUMN…]`: output columns, each declared by a `column:` line
    /// (for `unique[QUERY]`, by the statement's own `column[QUERY]:` lines if it has them).
    static func parseUnique(_ key: String, _ text: String, into definition: inout AnalysisDefinition,
                            fail: (String) -> PatronError) throws {
        let columns = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty, columns.allSatisfy(isIdentifier) else {
            throw fail("\(key) '\(text)': expected COLUMN[, COLUMN…]")
        }
        guard Set(columns).count == columns.count else { throw fail("\(key): a column is listed twice") }
        let query = queryName(of: key, "unique")
        let declared = Set((query.flatMap { definition.columnsByQuery[$0] } ?? definition.columns).map(\.name))
        for column in columns where !declared.contains(column) {
            throw fail("\(key): column '\(column)' is not declared by a 'column:' line")
        }
        if let query {
            guard definition.queries.contains(where: { $0.name == query && !$0.isStep }) else {
                throw fail("\(key): the file has no query named '\(query)'")
            }
            guard definition.uniqueByQuery[query] == nil else { throw fail("\(key) is declared twice") }
            definition.uniqueByQuery[query] = columns
        } else {
            guard definition.unique == nil else { throw fail("unique is declared twice") }
            definition.unique = columns
        }
    }

    /// `NAME [when COND, COND…]`
    static func parseQueryLine(_ text: String, fail: (String) -> PatronError) throws -> (name: String, conditions: [QueryCondition], line: Int) {
        let parts = text.trimmingCharacters(in: .whitespaces).components(separatedBy: " when ")
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard isIdentifier(name), parts.count <= 2 else { throw fail("bad query line '\(text)': expected NAME [when COND, …]") }
        return (name, parts.count == 2 ? try parseConditions(parts[1], fail: fail) : [], 0)
    }

    /// `COND[, COND…]`, each `FLAG` or `PARAM=VALUE`.
    static func parseConditions(_ text: String, fail: (String) -> PatronError) throws -> [QueryCondition] {
        try text.split(separator: ",").map { raw in
            let condition = raw.trimmingCharacters(in: .whitespaces)
            if let equals = condition.firstIndex(of: "=") {
                let param = condition[..<equals].trimmingCharacters(in: .whitespaces)
                let value = condition[condition.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                guard isIdentifier(param), !value.isEmpty else { throw fail("bad condition '\(condition)'") }
                return .equals(param, value)
            }
            guard isIdentifier(condition) else { throw fail("bad condition '\(condition)'") }
            return .flag(condition)
        }
    }

    /// `KIND from STEP [when COND, …]`
    static func parsePreparation(_ text: String, fail: (String) -> PatronError) throws -> AnalysisPreparation {
        let kinds = AnalysisPreparation.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        let usage = "prepare '\(text)': expected KIND from STEP [when COND, …] (KIND: \(kinds))"
        let parts = text.trimmingCharacters(in: .whitespaces).components(separatedBy: " when ")
        let words = parts[0].split(separator: " ").map(String.init)
        guard parts.count <= 2, words.count == 3, words[1] == "from", isIdentifier(words[2]),
              let kind = AnalysisPreparation.Kind(rawValue: words[0]) else { throw fail(usage) }
        return AnalysisPreparation(kind: kind, step: words[2],
                                   conditions: parts.count == 2 ? try parseConditions(parts[1], fail: fail) : [])
    }

    /// `[$N] NAME TYPE [= DEFAULT] : HELP`
    static func parseParameter(_ text: String, fail: (String) -> PatronError) throws -> AnalysisParameter {
        guard let separator = text.range(of: " : ") ?? text.range(of: " :", options: .backwards).flatMap({ $0.upperBound == text.endIndex ? $0 : nil }) else {
            throw fail("param '\(text)' has no ' : HELP'")
        }
        var spec = text[..<separator.lowerBound].trimmingCharacters(in: .whitespaces)
        let help = text[separator.upperBound...].trimmingCharacters(in: .whitespaces)
        var defaultValue: String?
        if let equals = spec.range(of: "=") {
            defaultValue = spec[equals.upperBound...].trimmingCharacters(in: .whitespaces)
            spec = spec[..<equals.lowerBound].trimmingCharacters(in: .whitespaces)
        }
        var words = spec.split(separator: " ", maxSplits: 2).map(String.init)
        var position: Int?
        if let first = words.first, first.hasPrefix("$") {
            guard let n = Int(first.dropFirst()), n >= 1 else { throw fail("bad position '\(first)' in param '\(text)'") }
            position = n
            words.removeFirst()
        }
        guard words.count == 2, isIdentifier(words[0]) else { throw fail("param '\(text)': expected [$N] NAME TYPE [= DEFAULT] : HELP") }
        let typeText = words[1].replacingOccurrences(of: " ", with: "")
        guard let type = ParameterType(typeText) else { throw fail("param \(words[0]): unknown type '\(words[1])'") }
        if type == .flag, defaultValue != nil { throw fail("param \(words[0]): a flag has no default") }
        return AnalysisParameter(position: position, name: words[0], type: type, defaultValue: defaultValue, help: help)
    }

    /// `NAME TYPE : HELP`
    static func parseColumn(_ text: String, fail: (String) -> PatronError) throws -> AnalysisColumn {
        let pieces = text.components(separatedBy: " : ")
        let words = pieces[0].split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard words.count == 2, isIdentifier(words[0]) else { throw fail("column '\(text)': expected NAME TYPE : HELP") }
        let help = pieces.dropFirst().joined(separator: " : ").trimmingCharacters(in: .whitespaces)
        return AnalysisColumn(name: words[0], type: words[1], help: help)
    }

    /// `ROW[, ROW…] by COLUMN value VALUE [percent] [complete FLAG]`
    static func parsePivot(_ text: String, fail: (String) -> PatronError) throws -> PivotSpec {
        let usage = "pivot '\(text)': expected ROW, … by COLUMN value VALUE [percent] [complete FLAG]"
        let byParts = text.components(separatedBy: " by ")
        guard byParts.count == 2 else { throw fail(usage) }
        var words = byParts[1].split(separator: " ").map(String.init)
        let percent = words.count > 3 && words[3] == "percent"
        if percent { words.remove(at: 3) }
        guard words.count == 3 || words.count == 5, words[1] == "value", words.count == 3 || words[3] == "complete" else {
            throw fail(usage)
        }
        let rows = byParts[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let spec = PivotSpec(rowKeys: rows, columnKey: words[0], valueColumn: words[2],
                             completeColumn: words.count == 5 ? words[4] : nil, percent: percent)
        guard !rows.isEmpty, (rows + [spec.columnKey, spec.valueColumn] + (spec.completeColumn.map { [$0] } ?? [])).allSatisfy(isIdentifier) else {
            throw fail("pivot '\(text)': names must be plain column names")
        }
        return spec
    }

    static func check(_ definition: AnalysisDefinition, fail: (String) -> PatronError) throws {
        guard isIdentifier(definition.name) else { throw fail("missing or bad '-- analysis: NAME' line") }
        guard !definition.summary.isEmpty else { throw fail("missing '-- summary:' line") }
        guard definition.queries.contains(where: { !$0.isStep }) else { throw fail("no SQL") }
        var names = Set<String>(), positions = Set<Int>()
        for parameter in definition.parameters {
            guard names.insert(parameter.name).inserted else { throw fail("param \(parameter.name) is declared twice") }
            guard !reservedNames.contains(parameter.name) else {
                throw fail("param \(parameter.name) clashes with an option of `patron run`; choose another name")
            }
            if let position = parameter.position {
                guard positions.insert(position).inserted else { throw fail("position $\(position) is used by two params") }
            }
            if let value = parameter.defaultValue {
                do { _ = try ParameterValidator.validate(value, for: parameter) } catch let error as PatronError {
                    throw fail("default of param \(parameter.name): \(error.description)")
                }
            }
        }
        if let highest = positions.max(), positions.count != highest {
            throw fail("param positions must be $1…$\(highest) without gaps")
        }
        for query in definition.queries {
            for condition in query.conditions {
                let name: String
                switch condition { case .flag(let n): name = n; case .equals(let n, _): name = n }
                guard names.contains(name) else { throw fail("query \(query.name): condition on unknown param '\(name)'") }
            }
        }
        for preparation in definition.preparations {
            guard definition.queries.contains(where: { $0.isStep && $0.name == preparation.step }) else {
                throw fail("prepare \(preparation.kind.rawValue): no '-- step: \(preparation.step)' in the file")
            }
            for condition in preparation.conditions {
                let name: String
                switch condition { case .flag(let n): name = n; case .equals(let n, _): name = n }
                guard names.contains(name) else {
                    throw fail("prepare \(preparation.kind.rawValue): condition on unknown param '\(name)'")
                }
            }
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && CharacterSet.letters.contains(first)) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }
}
