import ArgumentParser

/// How status, rejects and list print their tables: aligned for a person, CSV for a program.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv
}
