import Plot

/// The agent table: `agent_performance` for the last complete period, ranked by CSAT as the
/// analysis ranks them by default.
struct AgentSection {
    let table: ResultTable

    var node: Node<HTML.BodyContext> {
        let complete = table.rows.filter { ["t", "true"].contains(table.value($0, "complete") ?? "") }
        let period = complete.last.flatMap { table.value($0, "period") }
        let rows = complete.filter { table.value($0, "period") == period && !(table.value($0, "agent") ?? "").isEmpty }
        let columns: [(String, String, (Double) -> String)] = [
            ("resolved", "Resolved", Formats.count), ("tickets_per_active_day", "Per active day", Formats.plain1),
            ("fcr", "First-contact resolution", Formats.percent), ("median_frt_hours", "Median first response", Formats.hours),
            ("aht_hours", "Handle time", Formats.hours), ("csat_answered", "CSAT answers", Formats.count), ("csat", "CSAT", Formats.percent),
        ]
        return .section(
            .id("agents"),
            .h2(.text("Agents in the last complete period\(period.map { " (\($0))" } ?? "")")),
            .p(.class("note"), .text("From patron run agent_performance: ranked by CSAT among agents with at least 10 resolved tickets in the period; unranked agents follow.")),
            rows.isEmpty ? .p(.class("unavailable"), .text("No agent resolved a ticket in a complete period.")) :
                .table(
                    .class("data"),
                    .thead(.tr(.th("Rank"), .th("Agent"), .forEach(columns) { .th(.text($0.1)) })),
                    .tbody(.forEach(rows) { row in
                        .tr(
                            .td(.text(table.value(row, "rank") ?? "–")),
                            .td(.text(table.value(row, "agent") ?? "")),
                            .forEach(columns) { column in .td(.text(table.number(row, column.0).map(column.2) ?? "–")) }
                        )
                    })
                )
        )
    }
}
