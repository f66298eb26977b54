import Foundation
import PatronCore

/// Every analysis Patron knows: the built-in ones in `sql/analyses/`, then the analyst's own
/// directories (`--analyses DIR`, `$PATRON_ANALYSES_DIR`, colon-separated). An analysis in a
/// later directory replaces a built-in one of the same name, so a tweaked copy can stand in.
public struct AnalysisCatalog: Sendable {
    public let analyses: [AnalysisDefinition]
    /// Directories read, in order.
    public let directories: [URL]

    public init(directories: [URL]) throws {
        var byName: [String: AnalysisDefinition] = [:]
        var order: [String] = []
        for directory in directories {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                    .filter { $0.hasSuffix(".sql") }.sorted()
            } catch {
                throw PatronError.configuration("cannot read the analyses directory \(directory.path): \(error.localizedDescription)")
            }
            var seenHere: [String: String] = [:]
            for file in names {
                let definition = try AnalysisFileParser.parse(contentsOf: directory.appendingPathComponent(file))
                if let other = seenHere[definition.name] {
                    throw PatronError.configuration("analysis \(definition.name) is defined twice in \(directory.path): \(other) and \(file)")
                }
                seenHere[definition.name] = file
                if byName[definition.name] == nil { order.append(definition.name) }
                byName[definition.name] = definition
            }
        }
        self.analyses = order.sorted().compactMap { byName[$0] }
        self.directories = directories
    }

    /// The built-in analyses of `sql` plus the user's directories: `extra` (from `--analyses`)
    /// and, if set, `$PATRON_ANALYSES_DIR`.
    public static func load(sql: SQLDirectory, extra: [String] = [],
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AnalysisCatalog {
        var directories = [sql.file("analyses")]
        let fromEnvironment = (environment["PATRON_ANALYSES_DIR"] ?? "").split(separator: ":").map(String.init)
        for path in fromEnvironment + extra where !path.isEmpty {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw PatronError.configuration("analyses directory \(path) does not exist")
            }
            directories.append(URL(fileURLWithPath: path, isDirectory: true))
        }
        return try AnalysisCatalog(directories: directories)
    }

    public func analysis(named name: String) throws -> AnalysisDefinition {
        if let found = analyses.first(where: { $0.name == name }) { return found }
        let names = analyses.map(\.name).joined(separator: ", ")
        throw PatronError.usage("no analysis named '\(name)' (known: \(names); `patron list` describes them)")
    }
}
