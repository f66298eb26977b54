import Foundation
import ArgumentParser
import PatronAnalyses
import PatronCore
import PatronReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the HTML report: headline figures, cohort retention heatmap, churn, support, data freshness.",
        discussion: """
            One self-contained HTML file (no script, style, font or image fetched from anywhere): it \
            opens from an e-mail attachment or a shared drive, and prints. Every number in it is the \
            number `patron run NAME` prints with the same --period, --tz, --from and --to; each \
            analysis runs once. A section whose analysis cannot be computed from this warehouse \
            says why instead. The file is written whole or not at all (a temporary file renamed \
            over FILE).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var analyses: AnalysesOptions

    @Option(name: .customLong("out"), help: ArgumentHelp("The HTML file to write.", valueName: "file.html"))
    var out: String

    @Option(help: ArgumentHelp("Period of every time series: day, week, month, quarter or year.", valueName: "period"))
    var period = "month"

    @Option(help: ArgumentHelp("Reporting time zone of periods (tz database name).", valueName: "zone"))
    var tz = "UTC"

    @Option(help: ArgumentHelp("First period reported (the period holding this local date).", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("Report periods starting before this local date.", valueName: "date"))
    var to: String?

    @Option(help: ArgumentHelp(
        "Split the sections whose analysis offers it by this: channel, country, segment, cohort, category, priority, agent or origin (the headline stays the total).",
        valueName: "by"))
    var segment: String?

    func validate() throws {
        let segments = ["channel", "country", "segment", "cohort", "category", "priority", "agent", "origin"]
        if let segment, !segments.contains(segment) {
            throw ValidationError("--segment must be one of \(segments.joined(separator: ", ")), not '\(segment)'")
        }
        let lower = out.lowercased()
        guard lower.hasSuffix(".html") || lower.hasSuffix(".htm") else {
            throw ValidationError("--out names an HTML file (.html), not '\(out)'")
        }
    }

    func run() throws {
        try reportingErrors {
            let catalog = try analyses.catalog()
            let logger = global.makeLogger("patron.report")
            let warehouse = try global.openUpToDateWarehouse(logger: logger)
            var request = ReportRequest()
            request.period = period
            request.timeZone = tz
            request.from = from
            request.to = to
            request.segment = segment
            let started = Date()
            let page = ReportPage(warehouse: warehouse, runner: AnalysisRunner(warehouse: warehouse, catalog: catalog), request: request)
            let html = try page.render()
            let file = try AtomicOutputFile(path: out)
            defer { file.discard() }
            let sink = OutputSink(atomic: file)
            try sink.write(html)
            try sink.flush()
            try file.commit()
            for run in page.analysesRun { logger.debug("\(run.key): \(String(format: "%.3f", run.seconds)) s") }
            if !global.quiet {
                Terminal.line("patron: wrote \(out) (\(page.analysesRun.count) analyses in \(String(format: "%.1f", Date().timeIntervalSince(started))) s)")
            }
            return .success
        }
    }
}
