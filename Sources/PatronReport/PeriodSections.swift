import Foundation
import Plot

/// Sections over time built from one period analysis each: a chart of complete periods and the
/// numbers under it. Periods not over yet are left out of the charts (a partial period would
/// look like a fall) and marked in the tables.
struct PeriodSection {
    let chart: PeriodChart
    let table: ResultTable
    /// Rows shown in the table: the latest ones.
    var tableRows = 12

    private var id: String { chart.id }
    private var title: String { chart.title }
    private var note: String { chart.note }
    private var plotted: [(column: String, name: String)] { chart.plotted }
    private var yLabel: String { chart.yLabel }
    private var format: (Double) -> String { chart.format }
    private var columns: [(column: String, header: String, format: ((Double) -> String)?)] { chart.columns }

    var node: Node<HTML.BodyContext> {
        if table.isSplit { return segmentedNode(table.segmentGroups) }
        let rows = table.unsegmentedRows
        let complete = rows.filter { isComplete($0) }
        let chart = SVGChart.lines(
            title: title, yLabel: yLabel,
            labels: complete.map { table.value($0, "period") ?? "" },
            series: plotted.map { p in SVGChart.Series(name: p.name, values: complete.map { table.number($0, p.column) }) },
            format: format)
        let shown = Array(rows.suffix(tableRows))
        return .section(
            .id(id),
            .h2(.text(title)),
            .p(.class("note"), .text(note)),
            complete.isEmpty ? .p(.class("unavailable"), .text("No complete period yet.")) : chart,
            .table(
                .class("data"),
                .caption(.text("The latest \(shown.count) periods (* not over yet)")),
                .thead(.tr(.th("Period"), .forEach(columns) { .th(.text($0.header)) })),
                .tbody(.forEach(shown) { row in
                    .tr(
                        .td(.text((table.value(row, "period") ?? "") + (isComplete(row) ? "" : " *"))),
                        .forEach(columns) { column in .td(.text(cell(row, column.column, column.format))) }
                    )
                })
            )
        )
    }

    /// Split by `--segment`: one line per segment value (the first plotted column; at most the
    /// eight values with the most rows), and the latest period of each value in the table.
    private func segmentedNode(_ groups: [(segment: String, rows: [[String?]])]) -> Node<HTML.BodyContext> {
        let periods = Array(Set(table.rows.filter { isComplete($0) }.compactMap { table.value($0, "period") })).sorted()
        let shownGroups = groups.sorted { $0.rows.count > $1.rows.count }.prefix(8)
        let first = plotted[0]
        let series = shownGroups.map { group in
            let byPeriod = Dictionary(group.rows.map { (table.value($0, "period") ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            return SVGChart.Series(name: group.segment.isEmpty ? "(none)" : group.segment,
                                   values: periods.map { byPeriod[$0].flatMap { table.number($0, first.column) } })
        }
        let latest = periods.last
        let latestRows = groups.compactMap { group in group.rows.first { table.value($0, "period") == latest } }
        return .section(
            .id(id),
            .h2(.text(title + " — \(first.name) by segment")),
            .p(.class("note"), .text(note + (groups.count > 8 ? " The eight segments with the most periods are drawn." : ""))),
            periods.isEmpty ? .p(.class("unavailable"), .text("No complete period yet.")) :
                SVGChart.lines(title: title, yLabel: yLabel, labels: periods, series: series, format: format),
            .table(
                .class("data"),
                .caption(.text("The last complete period\(latest.map { " (\($0))" } ?? ""), by segment")),
                .thead(.tr(.th("Segment"), .forEach(columns) { .th(.text($0.header)) })),
                .tbody(.forEach(latestRows) { row in
                    .tr(
                        .td(.text(table.value(row, "segment") ?? "")),
                        .forEach(columns) { column in .td(.text(cell(row, column.column, column.format))) }
                    )
                })
            )
        )
    }

    private func isComplete(_ row: [String?]) -> Bool { ["t", "true"].contains(table.value(row, "complete") ?? "") }

    private func cell(_ row: [String?], _ column: String, _ format: ((Double) -> String)?) -> String {
        guard let text = table.value(row, column) else { return "–" }
        guard let format, let number = Double(text) else { return text }
        return format(number)
    }
}

enum Formats {
    static func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
    static func hours(_ v: Double) -> String { String(format: "%.1f h", v) }
    static func count(_ v: Double) -> String { HeadlineFigure.grouped(v, decimals: 0) }
    static func signedPoints(_ v: Double) -> String { String(format: "%+.1f pp", v * 100) }
    static func plain1(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// support_impact --pooled: churn by support experience against customers with no contact,
/// each difference with its 95 % interval and the group sizes, so nobody over-reads a small
/// group.
struct SupportImpactSection {
    let table: ResultTable

    var node: Node<HTML.BodyContext> {
        let rows = table.rows.filter { (table.value($0, "segment") ?? "") != "all" }
        let compared = rows.filter { table.number($0, "churn_rate_diff") != nil }
        let title = "Support experience and churn: difference from customers with no contact (95% interval)"
        return .section(
            .id("support-impact"),
            .h2(.text(title)),
            .p(.class("note"), .text("From patron run support_impact --pooled: customer-periods summed over every complete period. A dot right of 0 means that group churned more than customers who had no contact; the bar is the 95% interval of the difference. Small groups have wide bars: read the size before the dot.")),
            compared.isEmpty ? .p(.class("unavailable"), .text("No complete period with both groups yet.")) :
                SVGChart.intervals(
                    title: title, xLabel: "churn rate minus the no-contact churn rate (percentage points)",
                    rows: compared.map { row in
                        SVGChart.Interval(
                            label: "\(table.value(row, "segment") ?? "") (n=\(table.value(row, "customers") ?? "0"))",
                            estimate: table.number(row, "churn_rate_diff") ?? 0,
                            low: table.number(row, "churn_diff_ci_low") ?? 0,
                            high: table.number(row, "churn_diff_ci_high") ?? 0)
                    },
                    format: Formats.signedPoints),
            .table(
                .class("data"),
                .thead(.tr(.th("Support experience"), .th("Customer-periods"), .th("Churn rate"), .th("Difference"),
                           .th("95% interval"), .th("z"), .th("Mean net value"))),
                .tbody(.forEach(rows) { row in
                    .tr(
                        .td(.text(table.value(row, "segment") ?? "")),
                        .td(.text(table.number(row, "customers").map(Formats.count) ?? "–")),
                        .td(.text(table.number(row, "churn_rate").map(Formats.percent) ?? "–")),
                        .td(.text(table.number(row, "churn_rate_diff").map(Formats.signedPoints) ?? "–")),
                        .td(.text(interval(row))),
                        .td(.text(table.number(row, "churn_z").map { String(format: "%.2f", $0) } ?? "–")),
                        .td(.text(table.number(row, "mean_net_value").map { HeadlineFigure.grouped($0, decimals: 2) } ?? "–"))
                    )
                })
            )
        )
    }

    private func interval(_ row: [String?]) -> String {
        guard let low = table.number(row, "churn_diff_ci_low"), let high = table.number(row, "churn_diff_ci_high") else { return "–" }
        return "\(Formats.signedPoints(low)) to \(Formats.signedPoints(high))"
    }
}
