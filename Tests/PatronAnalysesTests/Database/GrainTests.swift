import Foundation
import Testing
@testable import PatronAnalyses
import PatronCore
import PatronDemo
import PatronLoad
import PatronTestSupport

/// Every analysis in sql/analyses returns the grain its header declares: each statement
/// (`query:`), run on a demo data set with its default options, with each `--segment` value and
/// with each flag that is not a statement's condition, returns at least one row; its `unique:`
/// columns identify the rows (NULLs compared as equal); and its columns are exactly the
/// statement's `column[QUERY]:` lines, else the file's `column:` lines. The files are read from the directory, so a new analysis is checked too —
/// and fails here until it declares `unique:`.
@Suite("Every analysis returns the grain its header declares")
struct GrainTests {
    static let analysesDirectory = sqlDirectory.file("analyses")

    /// The analysis files in sql/analyses, by file name.
    static func analysisFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: analysesDirectory.path).filter { $0.hasSuffix(".sql") }.sorted()
    }

    /// One run: a statement and the options that select it.
    struct Run: CustomStringConvertible {
        var query: AnalysisQuery
        var arguments: [String: String]
        var description: String {
            "query \(query.name)" + (arguments.isEmpty ? "" : " with " + arguments.sorted { $0.key < $1.key }.map { "--\($0.key) \($0.value)" }.joined(separator: " "))
        }
    }

    /// Each statement with the options its conditions name; then again with each value of a
    /// `segment` choice, and with each flag no statement is conditioned on (not `pivot`, which
    /// reshapes the result in the client).
    static func runs(_ definition: AnalysisDefinition) -> [Run] {
        let conditionNames = Set(definition.queries.flatMap(\.conditions).map { condition -> String in
            switch condition { case .flag(let name), .equals(let name, _): return name }
        })
        let otherFlags = definition.parameters.filter { $0.type == .flag && !conditionNames.contains($0.name) && $0.name != "pivot" }
        var segments: [String] = []
        if let segment = definition.parameter(named: "segment"), case .choice(let values) = segment.type { segments = values }
        var runs: [Run] = []
        for query in definition.queries where !query.isStep {
            var base: [String: String] = [:]
            for condition in query.conditions {
                switch condition {
                case .flag(let name): base[name] = "true"
                case .equals(let name, let value): base[name] = value
                }
            }
            runs.append(Run(query: query, arguments: base))
            for value in segments { runs.append(Run(query: query, arguments: base.merging(["segment": value]) { $1 })) }
            for flag in otherFlags { runs.append(Run(query: query, arguments: base.merging([flag.name: "true"]) { $1 })) }
        }
        return runs
    }

    @Test("every analysis file declares unique: for each of its statements, naming declared columns")
    func everyFileDeclaresUnique() throws {
        let files = try Self.analysisFiles()
        #expect(files.count >= 22, "\(files)")
        for file in files {
            let definition = try AnalysisFileParser.parse(contentsOf: Self.analysesDirectory.appendingPathComponent(file))
            for query in definition.queries where !query.isStep {
                let unique = definition.unique(for: query)
                #expect(unique?.isEmpty == false, "\(file): no unique: for query \(query.name)")
            }
        }
    }

    @Test("each statement of each analysis: rows, a unique key, exactly the declared columns")
    func grain() throws {
        let w = try ScratchWarehouse()
        let directory = w.directory.appendingPathComponent("demo")
        // 400 customers over three years (seed fixed): every file has rows of every kind, the
        // predictive models fit, and all the runs below take a few seconds.
        let manifest = try DemoGenerator(options: DemoOptions(customers: 400, seed: 20261206)).generate(into: directory)
        for file in manifest.files {
            let entity = try #require(Entity(rawValue: file.entity))
            let report = try w.load(entity, path: directory.appendingPathComponent(file.file).path, source: file.source)
            #expect(report.counts.rejected == Int64(file.badRows), "\(file.file)")
        }
        let runner = try w.runner()
        var checked = 0
        for file in try Self.analysisFiles() {
            let definition = try AnalysisFileParser.parse(contentsOf: Self.analysesDirectory.appendingPathComponent(file))
            for run in Self.runs(definition) {
                let declared = definition.columns(for: run.query).map(\.name)
                let what = "\(definition.name) \(run)"
                let result: (columns: [String], rows: [[String?]])
                do {
                    let prepared = try runner.prepare(definition.name, run.arguments)
                    #expect(prepared.query.name == run.query.name, "\(what): ran \(prepared.query.name)")
                    result = try runner.collect(prepared)
                } catch {
                    Issue.record("\(what): \(error)")
                    continue
                }
                checked += 1
                #expect(!result.rows.isEmpty, "\(what): no rows")

                // The key identifies every row.
                if let unique = definition.unique(for: run.query) {
                    let indexes = unique.compactMap { result.columns.firstIndex(of: $0) }
                    #expect(indexes.count == unique.count, "\(what): unique \(unique) not all in the result's columns \(result.columns)")
                    var seen: [[String?]: Int] = [:]
                    var duplicates: [[String?]] = []
                    for row in result.rows {
                        let key = indexes.map { row[$0] }
                        seen[key, default: 0] += 1
                        if seen[key] == 2 { duplicates.append(key) }
                    }
                    #expect(duplicates.isEmpty,
                            "\(what): \(duplicates.count) values of (\(unique.joined(separator: ", "))) repeat, e.g. \(duplicates.prefix(3).map { $0.map { $0 ?? "NULL" } })")
                } else {
                    Issue.record("\(what): \(file) declares no unique: for query \(run.query.name)")
                }

                // The columns are the declared ones (the statement's `column[QUERY]:` lines, else
                // the file's `column:` lines), in order.
                if result.columns != declared {
                    let missing = declared.filter { !result.columns.contains($0) }
                    let extra = result.columns.filter { !declared.contains($0) }
                    Issue.record("\(what): columns \(result.columns) are not the declared \(declared) (not returned: \(missing); not declared: \(extra)\(missing.isEmpty && extra.isEmpty ? "; order differs" : ""))")
                }
            }
        }
        // 22 files, 30 statements, with their --segment values and flags: 110 runs today.
        #expect(checked >= 100, "\(checked) runs")
    }
}
