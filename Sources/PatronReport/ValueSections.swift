import Plot

/// Retention curves: the share of a cohort active k periods after its first purchase, for the
/// latest cohorts with at least three complete periods and for all cohorts together (each
/// offset's complete cells weighted by cohort size: retained ÷ customers), from the same
/// `retention --pivot` result as the heatmap.
struct RetentionCurvesSection {
    let table: ResultTable
    var cohorts = 4

    var node: Node<HTML.BodyContext> {
        let offsets = table.columns.filter { $0.hasPrefix("period_offset_") }
        let groups = table.segmentGroups
        let segmented = table.isSplit
        let rows = table.rows
        func through(_ row: [String?]) -> Int { table.value(row, "complete_through").flatMap { Int($0) } ?? -1 }
        // Split by --segment: one all-cohorts curve per segment value instead of single cohorts.
        let chosen = segmented ? [] : rows.filter { through($0) >= 3 }.suffix(cohorts)
        let maxOffset = rows.map(through).max() ?? -1
        let shown = offsets.filter { Int($0.dropFirst("period_offset_".count)).map { $0 <= maxOffset } ?? false }
        var series = chosen.map { row in
            SVGChart.Series(name: "cohort \(table.value(row, "cohort") ?? "")", values: shown.map { column in
                let k = Int(column.dropFirst("period_offset_".count)) ?? 0
                return k <= through(row) ? table.number(row, column) : nil
            })
        }
        func average(_ rows: [[String?]]) -> [Double?] {
            shown.map { column in
                let k = Int(column.dropFirst("period_offset_".count)) ?? 0
                var retained = 0.0, customers = 0.0
                for row in rows where k <= through(row) {
                    guard let rate = table.number(row, column), let size = table.number(row, "cohort_size") else { continue }
                    retained += rate * size
                    customers += size
                }
                return customers > 0 ? retained / customers : nil
            }
        }
        if segmented {
            for group in groups.sorted(by: { $0.rows.count > $1.rows.count }).prefix(8) {
                series.append(SVGChart.Series(name: group.segment.isEmpty ? "(none)" : group.segment, values: average(group.rows)))
            }
        } else {
            series.append(SVGChart.Series(name: "all cohorts", values: average(rows)))
        }
        let title = "Retention curves: share of a cohort active k periods after its first purchase"
        return .section(
            .id("retention-curves"),
            .h2(.text(title)),
            .p(.class("note"), .text("From the heatmap's numbers (patron run retention --pivot): the latest \(chosen.count) cohorts with at least three complete periods, and all cohorts together (complete cells only, weighted by cohort size).")),
            shown.isEmpty ? .p(.class("unavailable"), .text("No complete period yet.")) :
                SVGChart.lines(title: title, xLabel: "k: periods since the first purchase", yLabel: "active share of the cohort (%)",
                               labels: shown.map { "k=" + $0.dropFirst("period_offset_".count) }, series: series, format: Formats.percent),
            .table(
                .class("data"),
                .thead(.tr(.th("k"), .forEach(series) { .th(.text($0.name)) })),
                .tbody(.forEach(Array(shown.enumerated())) { i, column in
                    .tr(.td(.text(String(column.dropFirst("period_offset_".count)))),
                        .forEach(series) { s in .td(.text(s.values[i].map(Formats.percent) ?? "")) })
                })
            )
        )
    }
}

/// Historical CLV by cohort: `clv --method historical`, each cohort's customers and their net
/// value to date (mean, median, p90, total).
struct HistoricalValueSection {
    let table: ResultTable

    var node: Node<HTML.BodyContext> {
        let cohorts = table.rows.filter { !(table.value($0, "cohort") ?? "").isEmpty }
        let all = table.rows.first { (table.value($0, "cohort") ?? "").isEmpty }
        let title = "Customer value to date by cohort: mean net value per customer"
        let money = { (v: Double) in HeadlineFigure.grouped(v, decimals: 2) }
        return .section(
            .id("historical-value"),
            .h2(.text(title)),
            .p(.class("note"), .text("From patron run clv --method historical: each buyer's orders minus their returns, to date; cancelled orders never count. Older cohorts have had longer to buy.")),
            cohorts.isEmpty ? .p(.class("unavailable"), .text("No purchases yet.")) :
                SVGChart.lines(title: title, xLabel: "cohort (first-purchase period)", yLabel: "mean net value per customer",
                               labels: cohorts.map { table.value($0, "cohort") ?? "" },
                               series: [SVGChart.Series(name: "mean", values: cohorts.map { table.number($0, "mean_value") }),
                                        SVGChart.Series(name: "median", values: cohorts.map { table.number($0, "median_value") })],
                               format: { HeadlineFigure.grouped($0, decimals: 0) }),
            .table(
                .class("data"),
                .thead(.tr(.th("Cohort"), .th("Customers"), .th("Mean"), .th("Median"), .th("90th percentile"), .th("Total"))),
                .tbody(.forEach(cohorts + (all.map { [$0] } ?? [])) { row in
                    .tr(
                        .td(.text(table.value(row, "cohort") ?? "all customers")),
                        .td(.text(table.number(row, "customers").map(Formats.count) ?? "–")),
                        .td(.text(table.number(row, "mean_value").map(money) ?? "–")),
                        .td(.text(table.number(row, "median_value").map(money) ?? "–")),
                        .td(.text(table.number(row, "p90_value").map(money) ?? "–")),
                        .td(.text(table.number(row, "total_value").map(money) ?? "–"))
                    )
                })
            )
        )
    }
}

/// The predictive model's view: how many customers are likely still buying. P(alive) of every
/// buyer from `clv --method predictive --per-customer`, in ten bins, with the expected value.
struct AliveSection {
    let table: ResultTable

    var node: Node<HTML.BodyContext> {
        let alive = table.rows.compactMap { table.number($0, "p_alive") }
        var bins = [Double](repeating: 0, count: 10)
        for p in alive { bins[min(9, max(0, Int(p * 10)))] += 1 }
        let labels = (0..<10).map { "\($0 * 10)–\($0 * 10 + 10)%" }
        let clv = table.rows.compactMap { table.number($0, "clv") }
        let title = "Predicted: how likely each customer is still buying (P(alive), BG/NBD)"
        return .section(
            .id("predictive"),
            .h2(.text(title)),
            .p(.class("note"), .text("From patron run clv --method predictive --per-customer: \(Formats.count(Double(alive.count))) buyers; mean P(alive) \(alive.isEmpty ? "–" : Formats.percent(alive.reduce(0, +) / Double(alive.count))); expected value over the next 12 months, summed: \(HeadlineFigure.grouped(clv.reduce(0, +), decimals: 2)).")),
            SVGChart.bars(title: title, xLabel: "P(alive)", yLabel: "customers", labels: labels, values: bins, format: Formats.count),
            .table(
                .class("data"),
                .thead(.tr(.th("P(alive)"), .forEach(labels) { .th(.text($0)) })),
                .tbody(.tr(.td("customers"), .forEach(bins) { .td(.text(Formats.count($0))) }))
            )
        )
    }
}
