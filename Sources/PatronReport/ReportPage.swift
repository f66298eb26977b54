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
                let groups = table.segmentGroups
                guard groups.count > 1 || groups.first.map({ !$0.segment.isEmpty }) == true else {
                    return CohortHeatmapSection(table: table).node
                }
                return .div(.forEach(groups) { group in
                    CohortHeatmapSection(table: table.with(rows: group.rows), segment: group.segment).node
                })
            },
            try section("retention-curves") {
                RetentionCurvesSection(table: try results.table("retention", ["pivot": "true"])).node
            },
            try section("churn") {
                PeriodSection(
                    id: "churn", title: "Churn rate per period: customers lost of those active at its start",
                    note: "From patron run churn_rate: active = a purchase in the previous 90 days; lost = active at the start, not at the end; new and reactivated customers make up the rest.",
                    table: try results.table("churn_rate"), plotted: [("churn_rate", "churn rate")], yLabel: "churn rate (%)",
                    format: Formats.percent,
                    columns: [("customers_start", "Active at start", Formats.count), ("new", "New", Formats.count),
                              ("lost", "Lost", Formats.count), ("reactivated", "Reactivated", Formats.count),
                              ("customers_end", "Active at end", Formats.count), ("churn_rate", "Churn rate", Formats.percent)]).node
            },
            try section("historical-value") {
                HistoricalValueSection(table: try results.table("clv", ["method": "historical"])).node
            },
            try section("predictive") {
                AliveSection(table: try results.table("clv", ["method": "predictive", "per_customer": "true"])).node
            },
            try section("first-response") {
                PeriodSection(
                    id: "first-response", title: "First response time per period: median and 90th percentile, in hours",
                    note: "From patron run first_response_time: hours from a ticket's creation to its first agent response, by the period the ticket was created in.",
                    table: try results.table("first_response_time"),
                    plotted: [("median_hours", "median"), ("p90_hours", "90th percentile")], yLabel: "hours",
                    format: Formats.plain1,
                    columns: [("created", "Tickets", Formats.count), ("responded", "Responded", Formats.count),
                              ("median_hours", "Median", Formats.hours), ("p90_hours", "90th percentile", Formats.hours)]).node
            },
            try section("response-grid") {
                ResponseGridSection(table: try results.table("first_response_time", ["by": "weekday_hour"], segmented: false)).node
            },
            try section("resolution") {
                PeriodSection(
                    id: "resolution", title: "Time to resolution per period: median and 90th percentile, in hours",
                    note: "From patron run time_to_resolution: hours from a ticket's creation to its resolution, by the period it was resolved in.",
                    table: try results.table("time_to_resolution"),
                    plotted: [("median_hours", "median"), ("p90_hours", "90th percentile")], yLabel: "hours",
                    format: Formats.plain1,
                    columns: [("resolved", "Resolved", Formats.count), ("median_hours", "Median", Formats.hours),
                              ("p90_hours", "90th percentile", Formats.hours)]).node
            },
            try section("backlog") {
                PeriodSection(
                    id: "backlog", title: "Backlog at each period's end: open tickets, and those older than 3 days",
                    note: "From patron run backlog: tickets created before the period end and not resolved by then.",
                    table: try results.table("backlog"),
                    plotted: [("open_at_end", "open"), ("aged", "older than 3 days")], yLabel: "tickets",
                    format: Formats.count,
                    columns: [("opened", "Opened", Formats.count), ("resolved", "Resolved", Formats.count),
                              ("open_at_end", "Open at end", Formats.count), ("aged", "Aged", Formats.count),
                              ("aged_share", "Aged share", Formats.percent)]).node
            },
            try section("agents") { AgentSection(table: try results.table("agent_performance")).node },
            try section("satisfaction") {
                PeriodSection(
                    id: "satisfaction", title: "CSAT per period: share of satisfied answers (4 or 5 of 5)",
                    note: "From patron run csat, by the period the answer was given in.",
                    table: try results.table("csat"), plotted: [("csat", "CSAT")], yLabel: "satisfied answers (%)",
                    format: Formats.percent,
                    columns: [("answered", "Answers", Formats.count), ("satisfied", "Satisfied", Formats.count),
                              ("csat", "CSAT", Formats.percent), ("mean_score", "Mean score", Formats.plain1)]).node
            },
            try section("nps") {
                PeriodSection(
                    id: "nps", title: "NPS per period: promoters minus detractors, of 100",
                    note: "From patron run nps: 100 × (promoters − detractors) ÷ answers, by the period the answer was given in.",
                    table: try results.table("nps"), plotted: [("nps", "NPS")], yLabel: "NPS (−100 to 100)",
                    format: Formats.plain1,
                    columns: [("responses", "Answers", Formats.count), ("promoters", "Promoters", Formats.count),
                              ("detractors", "Detractors", Formats.count), ("nps", "NPS", Formats.plain1)]).node
            },
            try section("effort") {
                PeriodSection(
                    id: "effort", title: "Customer effort per period: mean CES answer (1 = very easy, 7 = very hard)",
                    note: "From patron run ces, by the period the answer was given in.",
                    table: try results.table("ces"), plotted: [("mean_effort", "mean"), ("median_effort", "median")],
                    yLabel: "effort (1–7)", format: Formats.plain1,
                    columns: [("responses", "Answers", Formats.count), ("mean_effort", "Mean", Formats.plain1),
                              ("median_effort", "Median", Formats.plain1)]).node
            },
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

    private func headline() throws -> Node<HTML.BodyContext> {
        var figures = HeadlineFigure.all
        // Totals: the headline is about everyone, --segment or not.
        for i in figures.indices { figures[i].read(try results.table(figures[i].analysis, segmented: false)) }
        return HeadlineSection(figures: figures).node
    }

    private func freshness() throws -> ResultTable {
        let queries = try warehouse.sql.queries("internal/report.sql")
        return try warehouse.run {
            let result = try warehouse.connection.execute(try queries["freshness"])
            return ResultTable(columns: result.columns.map(\.name),
                               rows: result.rows.map { row in (0..<result.columns.count).map { row[$0] } })
        }
    }
}
