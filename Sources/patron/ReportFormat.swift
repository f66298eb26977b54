import ArgumentParser

import PatronCore

/// How status, rejects and list print their tables: aligned for a person, CSV or JSON for a
/// program.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json

    func render(_ table: TextTable) -> String {
        switch self {
        case .table: return table.aligned()
        case .csv: return table.csv()
        case .json: return table.json()
        }
    }
}
