import ArgumentParser
import Foundation
import PatronCore
import PatronDemo

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Demo data: a fictional shop, help desk, survey tool and social feed.",
        subcommands: [DemoGenerateCommand.self]
    )
}

struct DemoGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a deterministic, realistic demo data set as CSV files.",
        discussion: """
            Writes customers.csv, purchases.csv, returns.csv (source shop), tickets.csv, \
            surveys.csv (source helpdesk) and mentions.csv (source social), plus manifest.json \
            and README.md listing row counts and the rows broken on purpose (one in 1000 per \
            file; `--bad-rows 0` for none). Also writes the same world as vendor exports, for \
            the importers (clean, never gzipped): vendors/shopify/customers_export.csv and \
            orders_export.csv, vendors/zendesk/tickets.json (incremental export pages with \
            metric_sets) and users.json, vendors/delighted/survey_responses.json. The same \
            options give byte-identical files (`--no-vendor-exports` skips the vendor files, \
            which take most of the time, and removes those of an earlier run). Memory does not \
            grow with --customers. Prints the canonical files and their counts.
            """
    )

    @Option(help: ArgumentHelp("How many shop customers.", valueName: "n"))
    var customers = 5000

    @Option(help: ArgumentHelp("Seed of the random generator: same seed, same bytes.", valueName: "n"))
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("Directory to write into (created if needed; same-named files are replaced).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("First day of the history.", valueName: "yyyy-mm-dd"))
    var start = DemoOptions.defaultStart

    @Option(help: ArgumentHelp("Years of history.", valueName: "n"))
    var years = 3

    @Flag(help: "Write gzip-compressed files (.csv.gz).")
    var gzip = false

    @Option(name: .customLong("bad-rows"), help: ArgumentHelp("Break one row in every N of each file on purpose (0: none).", valueName: "n"))
    var badRowInterval = 1000

    @Flag(name: .customLong("no-vendor-exports"), help: "Write only the canonical files, not vendors/ (Shopify, Zendesk, Delighted).")
    var noVendorExports = false

    @Flag(name: [.short, .long], help: "No progress or summary on stderr.")
    var quiet = false

    func validate() throws {
        if customers < 1 { throw ValidationError("--customers must be at least 1") }
        if customers > 10_000_000 { throw ValidationError("--customers is at most 10000000 (phone numbers are made unique per customer)") }
        if DemoOptions.startDay(start) == nil { throw ValidationError("--start takes a date like 2023-01-01, not '\(start)'") }
        if !(1...20).contains(years) { throw ValidationError("--years must be between 1 and 20") }
        if badRowInterval < 0 { throw ValidationError("--bad-rows must be 0 (none) or a positive interval") }
    }

    func run() throws {
        try reportingErrors {
            let options = DemoOptions(customers: customers, seed: seed, startDay: DemoOptions.startDay(start)!,
                                      years: years, gzip: gzip, badRowInterval: badRowInterval,
                                      vendorExports: !noVendorExports)
            let began = Date()
            let showProgress = Terminal.stderrIsTerminal && !quiet
            let manifest: DemoManifest
            do {
                manifest = try DemoGenerator(options: options).generate(into: URL(fileURLWithPath: out)) { done in
                    if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[Kcustomers: \(done.formatted()) of \(customers.formatted())".utf8)) }
                }
            } catch let error as DemoError {
                throw PatronError.configuration(error.description)
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            var table = TextTable(columns: ["file", "entity", "source", "rows", "bad_rows"])
            for f in manifest.files {
                table.rows.append([f.file, f.entity, f.source, String(f.rows), String(f.badRows)])
            }
            Terminal.output(table.aligned())
            if !quiet {
                Terminal.line(String(format: "patron: wrote %d rows (%d broken on purpose, see manifest.json) into %@ in %.1f s",
                                     manifest.totalRows, manifest.totalBadRows, out, Date().timeIntervalSince(began)))
                if let vendors = manifest.vendorExports, !vendors.isEmpty {
                    Terminal.line("patron: and the same as vendor exports: " + vendors.map { "\($0.file) (\($0.records))" }.joined(separator: ", "))
                }
            }
            return .success
        }
    }
}
