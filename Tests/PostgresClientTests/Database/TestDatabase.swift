import Foundation
import PostgresClient
import Testing

/// The test server: `PATRON_TEST_DATABASE_URL`, set by scripts/test.
enum TestDatabase {
    static let variable = "PATRON_TEST_DATABASE_URL"

    /// A new connection; fails the test (never skips it) when no server is configured.
    static func connect() throws -> Connection {
        let url = try #require(
            ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 },
            "\(variable) is not set: run scripts/test, or start a server with scripts/pg-local start and export \(variable)=<the URL it prints>"
        )
        return try Connection(conninfo: url)
    }

    /// A schema name no parallel test uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max))"
    }
}

struct TestError: Error, Equatable {
    var reason = "test"
}
