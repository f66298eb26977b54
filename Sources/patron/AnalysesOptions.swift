import ArgumentParser
import PatronAnalyses
import PatronCore

/// `--analyses DIR`, shared by list, describe and run.
struct AnalysesOptions: ParsableArguments {
    @Option(name: .customLong("analyses"), help: ArgumentHelp(
        "A directory of your own analyses (same header format); repeatable. Also $PATRON_ANALYSES_DIR (colon-separated).",
        valueName: "dir"))
    var directories: [String] = []

    func catalog() throws -> AnalysisCatalog {
        try AnalysisCatalog.load(sql: try SQLDirectory.locate(), extra: directories)
    }
}
