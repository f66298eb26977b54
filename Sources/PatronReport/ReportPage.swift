import Foundation
import Plot
import PatronAnalyses
import PatronCore

/// Builds the report: runs what each section needs (each analysis once, `AnalysisResults`)
/// and renders one self-contained HTML page with Plot — no script, no external style, font or
/// image.
public struct ReportPage {
    let warehouse: Warehouse
    let results: AnalysisResults
    let request: ReportRequest

    public init(warehouse: Warehouse, runner: AnalysisRunner, request: ReportRequest) {
        self.warehouse = warehouse
        self.request = request
        results = AnalysisResults(runner: runner, request: request)
    }

    /// The analyses run so far, with their seconds (for `--verbose` and the benchmark).
    public var analysesRun: [(key: String, seconds: Double)] { results.runs }

    /// The whole page as HTML text.
    public func render(generatedAt: Date = Date()) throws -> String {
        let sections: [Node<HTML.BodyContext>] = [
            try section("headline") { try headline() },
            try section("cohort-retention") {
                let table = try results.table("retention", ["pivot": "true"])
                guard table.isSplit else { return CohortHeatmapSection(table: table).node }
                return .div(.forEach(table.segmentGroups) { group in
                    CohortHeatmapSection(table: table.with(rows: group.rows), segment: group.segment).node
                })
            },
            try section("retention-curves") {
                RetentionCurvesSection(table: try results.table("retention", ["pivot": "true"])).node
            },
            try periodSection(.churn),
            try section("historical-value") {
                HistoricalValueSection(table: try results.table("clv", ["method": "historical"])).node
            },
            try section("predictive") {
                AliveSection(table: try results.table("clv", ["method": "predictive", "per_customer": "true"])).node
            },
            try periodSection(.firstResponse),
            try section("response-grid") {
                ResponseGridSection(table: try results.table("first_response_time", ["by": "weekday_hour"], segmented: false)).node
            },
            try periodSection(.resolution),
            try periodSection(.backlog),
            try section("agents") { AgentSection(table: try results.table("agent_performance")).node },
            try periodSection(.satisfaction),
            try periodSection(.nps),
            try periodSection(.effort),
            try section("support-impact") { SupportImpactSection(table: try results.table("support_impact", ["pooled": "true"])).node },
            try section("freshness") { FreshnessSection(table: try freshness()).node },
        ]
        let stamp = ISO8601DateFormatter().string(from: generatedAt)
        let html = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title("Patron report"),
                .style(ReportStyle.css)
            ),
            .body(
                .header(
                    .h1("Customer journey report"),
                    .p(.class("meta"), .text(
                        "Schema \(warehouse.schema) · periods: \(request.period) in \(request.timeZone)"
                        + (request.from.map { " · from \($0)" } ?? "") + (request.to.map { " · before \($0)" } ?? "")
                        + (request.segment.map { " · by \($0) where an analysis offers it" } ?? "")
                        + " · generated \(stamp)"))
                ),
                .main(.group(sections)),
                .footer(.text("Every number comes from a named analysis: `patron run NAME` with the same options prints it. Made by Patron."))
            )
        )
        return html.render(indentedBy: .spaces(1))
    }

    /// A section, or a note that it is not available and why (an analysis that cannot be
    /// computed from this warehouse must not cost the whole report).
    private func section(_ id: String, _ build: () throws -> Node<HTML.BodyContext>) throws -> Node<HTML.BodyContext> {
        do { return try build() } catch PatronError.analysisFailed(let reason) {
            return .section(.id(id), .h2(.text(id)), .p(.class("unavailable"), .text("Not available: \(reason)")))
        }
    }

    /// A section of one `PeriodChart`, from its analysis' result.
    private func periodSection(_ chart: PeriodChart) throws -> Node<HTML.BodyContext> {
        try section(chart.id) { PeriodSection(chart: chart, table: try results.table(chart.analysis)).node }
    }

    private func headline() throws -> Node<HTML.BodyContext> {
        var figures = HeadlineFigure.all
        // Totals: the headline is about everyone, --segment or not.
        for i in figures.indices { figures[i].read(try results.table(figures[i].analysis, segmented: false)) }
        return HeadlineSection(figures: figures).node
    }

    private func freshness() throws -> ResultTable {
        let table = try WarehouseStatus(warehouse: warehouse).freshness()
        return ResultTable(columns: table.columns, rows: table.rows)
    }
}
