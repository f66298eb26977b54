/// The report's sections over time: which analysis each reads, what it plots and what its table
/// shows. Every number is a column of the named analysis; nothing is computed here.
struct PeriodChart {
    let id: String
    let title: String
    let note: String
    let analysis: String
    /// Plotted columns: (column, legend name).
    let plotted: [(column: String, name: String)]
    let yLabel: String
    let format: (Double) -> String
    /// Table columns: (column, header, formatter for numbers).
    let columns: [(column: String, header: String, format: ((Double) -> String)?)]
}

extension PeriodChart {
    static var churn: PeriodChart {
        PeriodChart(
            id: "churn", title: "Churn rate per period: customers lost of those active at its start",
            note: "From patron run churn_rate: active = a purchase in the previous 90 days; lost = active at the start, not at the end; new and reactivated customers make up the rest.",
            analysis: "churn_rate", plotted: [("churn_rate", "churn rate")], yLabel: "churn rate (%)",
            format: Formats.percent,
            columns: [("customers_start", "Active at start", Formats.count), ("new", "New", Formats.count),
                      ("lost", "Lost", Formats.count), ("reactivated", "Reactivated", Formats.count),
                      ("customers_end", "Active at end", Formats.count), ("churn_rate", "Churn rate", Formats.percent)])
    }

    static var firstResponse: PeriodChart {
        PeriodChart(
            id: "first-response", title: "First response time per period: median and 90th percentile, in hours",
            note: "From patron run first_response_time: hours from a ticket's creation to its first agent response, by the period the ticket was created in.",
            analysis: "first_response_time", plotted: [("median_hours", "median"), ("p90_hours", "90th percentile")], yLabel: "hours",
            format: Formats.plain1,
            columns: [("created", "Tickets", Formats.count), ("responded", "Responded", Formats.count),
                      ("median_hours", "Median", Formats.hours), ("p90_hours", "90th percentile", Formats.hours)])
    }

    static var resolution: PeriodChart {
        PeriodChart(
            id: "resolution", title: "Time to resolution per period: median and 90th percentile, in hours",
            note: "From patron run time_to_resolution: hours from a ticket's creation to its resolution, by the period it was resolved in.",
            analysis: "time_to_resolution", plotted: [("median_hours", "median"), ("p90_hours", "90th percentile")], yLabel: "hours",
            format: Formats.plain1,
            columns: [("resolved", "Resolved", Formats.count), ("median_hours", "Median", Formats.hours),
                      ("p90_hours", "90th percentile", Formats.hours)])
    }

    static var backlog: PeriodChart {
        PeriodChart(
            id: "backlog", title: "Backlog at each period's end: open tickets, and those older than 3 days",
            note: "From patron run backlog: tickets created before the period end and not resolved by then.",
            analysis: "backlog", plotted: [("open_at_end", "open"), ("aged", "older than 3 days")], yLabel: "tickets",
            format: Formats.count,
            columns: [("opened", "Opened", Formats.count), ("resolved", "Resolved", Formats.count),
                      ("open_at_end", "Open at end", Formats.count), ("aged", "Aged", Formats.count),
                      ("aged_share", "Aged share", Formats.percent)])
    }

    static var satisfaction: PeriodChart {
        PeriodChart(
            id: "satisfaction", title: "CSAT per period: share of satisfied answers (4 or 5 of 5)",
            note: "From patron run csat, by the period the answer was given in.",
            analysis: "csat", plotted: [("csat", "CSAT")], yLabel: "satisfied answers (%)",
            format: Formats.percent,
            columns: [("answered", "Answers", Formats.count), ("satisfied", "Satisfied", Formats.count),
                      ("csat", "CSAT", Formats.percent), ("mean_score", "Mean score", Formats.plain1)])
    }

    static var nps: PeriodChart {
        PeriodChart(
            id: "nps", title: "NPS per period: promoters minus detractors, of 100",
            note: "From patron run nps: 100 × (promoters − detractors) ÷ answers, by the period the answer was given in.",
            analysis: "nps", plotted: [("nps", "NPS")], yLabel: "NPS (−100 to 100)",
            format: Formats.plain1,
            columns: [("responses", "Answers", Formats.count), ("promoters", "Promoters", Formats.count),
                      ("detractors", "Detractors", Formats.count), ("nps", "NPS", Formats.plain1)])
    }

    static var effort: PeriodChart {
        PeriodChart(
            id: "effort", title: "Customer effort per period: mean CES answer (1 = very easy, 7 = very hard)",
            note: "From patron run ces, by the period the answer was given in.",
            analysis: "ces", plotted: [("mean_effort", "mean"), ("median_effort", "median")],
            yLabel: "effort (1–7)", format: Formats.plain1,
            columns: [("responses", "Answers", Formats.count), ("mean_effort", "Mean", Formats.plain1),
                      ("median_effort", "Median", Formats.plain1)])
    }
}
