import ArgumentParser
import Foundation
import PatronAnalyses
import PatronCore

struct CustomerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer",
        abstract: "One customer's journey: identifiers, merges, headline numbers and a timeline.",
        discussion: """
            IDENTIFIER is an email, a phone, a social handle (platform:@name) or SOURCE:ID (a \
            source's customer_id), normalized as `patron load` normalizes it; a bare id is looked \
            up in every source. Shows the identifiers and the merges that made the customer, value \
            to date (clv historical), orders, days since the last purchase, churn status \
            (churn_rate's rule), P(alive) (clv predictive), then orders, returns, tickets (FRT, \
            TTR, CSAT), survey answers and mentions in time order. --format json gives one JSON \
            document. Exit codes: 7 no customer has the identifier, 8 it matches several \
            customers (they are listed), 6 amounts in two currencies, 64 bad option, 4 database \
            error.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format (json and jsonl: one document; csv: the sections blank-line separated).")
    var format: ReportFormat = .table

    @Option(help: ArgumentHelp("Reporting time zone: instants are shown there and days are its local days.", valueName: "zone"))
    var tz = "UTC"

    @Option(help: ArgumentHelp("W of churn_rate: the customer is active while their last purchase is less than W days old.", valueName: "days"))
    var window = 90

    @Flag(help: "Do not fit the predictive model (P(alive) is left empty): faster on a large warehouse.")
    var noPrediction = false

    @Argument(help: ArgumentHelp("An email, phone, platform:@handle or SOURCE:ID.", valueName: "identifier"))
    var identifier: String

    func validate() throws {
        if window < 1 { throw ValidationError("--window takes a whole number of at least 1, not \(window)") }
        if tz.isEmpty || TimeZone(identifier: tz) == nil {
            throw ValidationError("--tz takes a time zone name like Europe/Berlin or UTC, not '\(tz)'")
        }
    }

    func run() throws {
        try reportingErrors {
            let logger = global.makeLogger("patron.customer")
            let warehouse = try global.openUpToDateWarehouse(logger: logger)
            let journey = try CustomerJourney.read(identifier, warehouse: warehouse, tz: tz, windowDays: window,
                                                   predict: !noPrediction)
            switch format {
            case .json: Terminal.output(journey.json())
            // The same document on one line: JSON strings escape every line break.
            case .jsonl: Terminal.output(journey.json().replacingOccurrences(of: "\n", with: "") + "\n")
            default: Terminal.output(journey.text(format))
            }
            return .success
        }
    }
}
