import Plot

/// Data freshness: per entity and source, rows stored, the latest event and the last load
/// (sql/internal/status.sql, `freshness`), so a reader knows how old every number is.
struct FreshnessSection {
    let table: ResultTable

    var node: Node<HTML.BodyContext> {
        let headers = ["Entity", "Source", "Rows stored", "Latest event (UTC)", "Last load finished (UTC)", "Last load"]
        let columns = ["entity", "source", "rows_stored", "latest_at", "last_load_at", "last_load_status"]
        return .section(
            .id("freshness"),
            .h2("Data freshness: the latest event and the last load of each source"),
            .table(
                .class("data"),
                .thead(.tr(.forEach(headers) { .th(.text($0)) })),
                .tbody(.forEach(table.rows) { row in
                    .tr(.forEach(columns) { column in .td(.text(table.value(row, column) ?? "–")) })
                })
            )
        )
    }
}
