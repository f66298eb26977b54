import Plot
import PatronAnalyses

/// When customers wait: the median first response time by local weekday and hour of ticket
/// creation (`first_response_time --by weekday_hour`), as a 7 × 24 heatmap; brighter is slower.
/// Cells with fewer than 5 responded tickets are left grey: a median of one or two tickets says
/// little.
struct ResponseGridSection {
    let table: ResultTable
    static let minimumTickets = 5.0

    var node: Node<HTML.BodyContext> {
        let rows = table.unsegmentedRows
        var cells: [Int: [Int: [String?]]] = [:]
        var names: [Int: String] = [:]
        for row in rows {
            guard let day = table.value(row, "weekday").flatMap({ Int($0) }), let hour = table.value(row, "hour").flatMap({ Int($0) }) else { continue }
            cells[day, default: [:]][hour] = row
            names[day] = table.value(row, "weekday_name")
        }
        let counted = rows.filter { (table.number($0, "responded") ?? 0) >= Self.minimumTickets }
        let top = counted.compactMap { table.number($0, "median_hours") }.max() ?? 1
        let title = "When customers wait: median first response by weekday and hour of the ticket"
        return .section(
            .id("response-grid"),
            .h2(.text(title)),
            .p(.class("note"), .text("From patron run first_response_time --by weekday_hour, over the whole period reported, in hours; local weekday and hour of ticket creation in the report's time zone. Brighter is slower (brightest: \(Formats.hours(top))). Grey cells: fewer than 5 answered tickets.")),
            rows.isEmpty ? .p(.class("unavailable"), .text("No tickets.")) :
                .div(.class("scroll"), .table(
                    .class("heatmap grid"),
                    .thead(.tr(.th("Day"), .forEach(0..<24) { hour in .th(.text(String(hour))) })),
                    .tbody(.forEach(1...7) { day in
                        .tr(
                            .th(.attribute(named: "scope", value: "row"), .text(names[day] ?? String(day))),
                            .forEach(0..<24) { hour in cell(cells[day]?[hour], top: top) }
                        )
                    })
                ))
        )
    }

    private func cell(_ row: [String?]?, top: Double) -> Node<HTML.TableRowContext> {
        guard let row, let median = table.number(row, "median_hours") else { return .td(.class("empty")) }
        let answered = table.number(row, "responded") ?? 0
        let text = String(format: "%.1f", median)
        guard answered >= Self.minimumTickets else {
            return .td(.class("sparse"), .attribute(named: "title", value: "\(Int(answered)) answered"), .text(text))
        }
        let colour = HeatScale.css(top > 0 ? min(1, median / top) : 0)
        return .td(.attribute(named: "title", value: "\(Int(answered)) answered"),
                   .style("background:\(colour.background);color:\(colour.lightText ? "#fff" : "#000")"), .text(text))
    }
}
