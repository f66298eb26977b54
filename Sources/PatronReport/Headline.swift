import Foundation
import Plot

/// One headline figure: the last complete period of an analysis' column, and its change
/// against the period before.
struct HeadlineFigure {
    enum Style {
        /// A count: change as a percentage of the earlier value.
        case count
        /// Money: as a count, two decimals.
        case money
        /// A fraction shown as a percentage; change in percentage points.
        case fraction
        /// A number on its own scale (NPS, hours); change as a difference.
        case score(unit: String)
    }

    let label: String
    let analysis: String
    let column: String
    let style: Style
    var period: String?
    var value: Double?
    var previous: Double?

    /// Picks the last complete period and the one before it from `table` (whole population).
    mutating func read(_ table: ResultTable) {
        let complete = table.unsegmentedRows.filter { ["t", "true"].contains(table.value($0, "complete") ?? "") }
        guard let last = complete.last else { return }
        period = table.value(last, "period")
        value = table.number(last, column)
        if complete.count >= 2 { previous = table.number(complete[complete.count - 2], column) }
    }

    var formattedValue: String {
        guard let value else { return "–" }
        switch style {
        case .count: return Self.grouped(value, decimals: 0)
        case .money: return Self.grouped(value, decimals: 2)
        case .fraction: return String(format: "%.1f%%", value * 100)
        case .score(let unit): return String(format: "%.1f", value) + unit
        }
    }

    var formattedChange: String {
        guard let value else { return period == nil ? "no complete period yet" : "no data in this period" }
        guard let previous else { return "no value for the period before" }
        switch style {
        case .count, .money:
            guard previous != 0 else { return "earlier period: 0" }
            return String(format: "%+.1f%%", (value - previous) / abs(previous) * 100) + " vs earlier period"
        case .fraction:
            return String(format: "%+.1f pp", (value - previous) * 100) + " vs earlier period"
        case .score(let unit):
            return String(format: "%+.1f", value - previous) + unit + " vs earlier period"
        }
    }

    /// `value` with `decimals` decimals and a comma between thousands: 15599.471 → 15,599.47.
    static func grouped(_ value: Double, decimals: Int) -> String {
        let fixed = String(format: "%.\(decimals)f", abs(value))
        let parts = fixed.split(separator: ".", maxSplits: 1)
        var digits = Array(parts[0])
        var grouped: [Character] = []
        while digits.count > 3 {
            grouped = [","] + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        let integer = String(digits + grouped)
        let sign = value < 0 && fixed.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + integer + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// The figures of the report's head, in order.
    static let all: [HeadlineFigure] = [
        HeadlineFigure(label: "Customers who bought", analysis: "revenue", column: "customers", style: .count),
        HeadlineFigure(label: "Net revenue", analysis: "revenue", column: "net_revenue", style: .money),
        HeadlineFigure(label: "Churn rate", analysis: "churn_rate", column: "churn_rate", style: .fraction),
        HeadlineFigure(label: "Loyal-customer rate", analysis: "loyal_customer_rate", column: "loyal_rate", style: .fraction),
        HeadlineFigure(label: "CSAT", analysis: "csat", column: "csat", style: .fraction),
        HeadlineFigure(label: "NPS", analysis: "nps", column: "nps", style: .score(unit: "")),
        HeadlineFigure(label: "Median first response", analysis: "first_response_time", column: "median_hours", style: .score(unit: " h")),
    ]
}

/// The report's first section: the headline figures as cards.
struct HeadlineSection {
    let figures: [HeadlineFigure]

    var node: Node<HTML.BodyContext> {
        .section(
            .id("headline"),
            .h2("Headline: the last complete period"),
            .p(.class("note"), .text("Each figure is the last period that is over, from the analysis named under it; the change is against the period before.")),
            .div(.class("cards"), .forEach(figures) { figure in
                .div(
                    .class("card"),
                    .attribute(named: "data-analysis", value: figure.analysis),
                    .div(.class("label"), .text(figure.label)),
                    .div(.class("value"), .text(figure.formattedValue)),
                    .div(.class("change"), .text(figure.formattedChange)),
                    .div(.class("source"), .text("\(figure.period ?? "no complete period") · patron run \(figure.analysis) (\(figure.column))"))
                )
            })
        )
    }
}
