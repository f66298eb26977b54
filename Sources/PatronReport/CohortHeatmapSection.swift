import Plot
import PatronAnalyses

/// The cohort retention heatmap: `patron run retention --pivot`, one row per cohort with its
/// size, one cell per period offset: the rate as a percentage with one decimal, its colour on
/// the viridis scale (HeatScale, shared with the terminal heatmap). A cell of a period that is
/// not over yet is hatched and marked, never coloured as a fall.
struct CohortHeatmapSection {
    let table: ResultTable
    /// The `--segment` value these rows are of; nil for the whole population.
    var segment: String? = nil

    private var offsetColumns: [String] { table.columns.filter { $0.hasPrefix("period_offset_") } }

    var node: Node<HTML.BodyContext> {
        let offsets = offsetColumns
        let rows = segment == nil ? table.unsegmentedRows : table.rows
        // The scale spans the complete cells after the first period: k = 0 is 100% by
        // definition and would leave every later cell at the dark end.
        let scaleTop = rows.flatMap { row in
            offsets.dropFirst().compactMap { column in isComplete(row, column: column) ? table.number(row, column) : nil }
        }.max() ?? 1
        return .section(
            .id(segment.map { "cohort-retention-\($0)" } ?? "cohort-retention"),
            .h2(.text("Cohort retention: share of each cohort active k periods after its first purchase"
                      + (segment.map { " — \($0)" } ?? ""))),
            .p(.class("note"), .text("From patron run retention --pivot. Rows: cohorts (first-purchase period) and their size in customers; columns: periods since the first purchase (k). Colour: share of the cohort, from darkest at 0% to brightest at \(HeatmapWriter.percentage(String(scaleTop))) (the highest after k=0) and above. Hatched cells with * belong to periods not over yet: partial so far, not a fall.")),
            .div(.class("scroll"), .table(
                .class("heatmap"),
                .thead(.tr(
                    .th("Cohort"), .th("Customers"),
                    .forEach(offsets) { column in .th(.text("k=" + column.dropFirst("period_offset_".count))) }
                )),
                .tbody(.forEach(rows) { row in
                    .tr(
                        .th(.attribute(named: "scope", value: "row"), .text(table.value(row, "cohort") ?? "")),
                        .td(.class("size"), .text(table.value(row, "cohort_size") ?? "")),
                        .forEach(offsets) { column in cell(row, column: column, top: scaleTop) }
                    )
                })
            ))
        )
    }

    /// Whether the cell of `row` in the `period_offset_K` column is over: K up to the row's
    /// `complete_through` (the pivot's last complete offset; none when empty).
    private func isComplete(_ row: [String?], column: String) -> Bool {
        guard let through = table.value(row, "complete_through"), let last = Int(through),
              let offset = Int(column.dropFirst("period_offset_".count)) else { return false }
        return offset <= last
    }

    private func cell(_ row: [String?], column: String, top: Double) -> Node<HTML.TableRowContext> {
        guard let text = table.value(row, column), let value = Double(text) else { return .td(.class("empty")) }
        let shown = HeatmapWriter.percentage(text)
        guard isComplete(row, column: column) else {
            return .td(.class("incomplete"), .attribute(named: "data-value", value: text),
                       .attribute(named: "title", value: "period not over yet"), .text(shown + "*"))
        }
        let colour = HeatScale.css(top > 0 ? min(1, value / top) : 0)
        return .td(.attribute(named: "data-value", value: text),
                   .style("background:\(colour.background);color:\(colour.lightText ? "#fff" : "#000")"),
                   .text(shown))
    }
}
