import PatronAnalyses
import PatronCore
import Testing

/// `--output`'s extension names the format, or `--format` does (no database).
@Suite struct OutputExtensionTests {
    @Test("--output: the format from the extension, --format over any name, else a usage error naming the extensions")
    func outputExtensions() throws {
        #expect(try OutputFormat.forOutput("/tmp/a.csv", explicit: nil) == .csv)
        #expect(try OutputFormat.forOutput("a.NDJSON", explicit: nil) == .jsonl)
        #expect(try OutputFormat.forOutput("a.md", explicit: nil) == .markdown)
        #expect(try OutputFormat.forOutput("a.txt", explicit: nil) == .table)
        #expect(try OutputFormat.forOutput("a.xlsx", explicit: .csv) == .csv)
        #expect(try OutputFormat.forOutput("report", explicit: .json) == .json)
        for path in ["a.xlsx", "report", "dir.csv/report"] {
            #expect(throws: PatronError.self) { try OutputFormat.forOutput(path, explicit: nil) }
        }
        do {
            _ = try OutputFormat.forOutput("a.xlsx", explicit: nil)
        } catch {
            #expect("\(error)".contains(".xlsx"))
            #expect("\(error)".contains(".csv, .json, .jsonl, .ndjson, .md, .markdown or .txt"))
        }
    }
}
