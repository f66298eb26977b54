import PostgresClient
import Testing

@Suite struct TransactionTests {
    private func ids(_ connection: Connection) throws -> [Int64] {
        try connection.execute("SELECT id FROM t ORDER BY id").rows.compactMap { $0.int64(0) }
    }

    private func connectWithTable() throws -> Connection {
        let connection = try TestDatabase.connect()
        try connection.execute("CREATE TEMP TABLE t (id int PRIMARY KEY)")
        return connection
    }

    @Test func commitsWhenBodyReturns() throws {
        let connection = try TestDatabase.connect()
        let observer = try TestDatabase.connect()
        let schema = try connection.quoteIdentifier(TestDatabase.uniqueName("patron_tx"))
        try connection.execute("CREATE SCHEMA \(schema)")
        defer { _ = try? connection.execute("DROP SCHEMA \(schema) CASCADE") }
        try connection.execute("CREATE TABLE \(schema).t (id int PRIMARY KEY)")

        let value = try connection.transaction {
            try connection.execute("INSERT INTO \(schema).t VALUES (1)")
            // Not visible to others before COMMIT.
            #expect(try observer.execute("SELECT count(*) FROM \(schema).t").int64(0, 0) == 0)
            return "done"
        }
        #expect(value == "done")
        #expect(try observer.execute("SELECT id FROM \(schema).t").int64(0, 0) == 1)
    }

    @Test func rollsBackAndRethrowsWhenBodyThrows() throws {
        let connection = try connectWithTable()
        #expect(throws: TestError(reason: "body failed")) {
            try connection.transaction {
                try connection.execute("INSERT INTO t VALUES (1)")
                throw TestError(reason: "body failed")
            }
        }
        #expect(try ids(connection) == [])
        // Not left inside a transaction: this commits on its own.
        try connection.execute("INSERT INTO t VALUES (2)")
        #expect(try ids(connection) == [2])
    }

    @Test func nestedTransactionsUseSavepoints() throws {
        let connection = try connectWithTable()
        try connection.transaction {
            try connection.execute("INSERT INTO t VALUES (1)")
            do {
                try connection.transaction {
                    try connection.execute("INSERT INTO t VALUES (2)")
                    throw TestError()
                }
            } catch is TestError {}
            // An inner server error only aborts the savepoint, so the outer transaction goes on.
            let duplicate = try #require(throws: PostgresError.self) {
                try connection.transaction { try connection.execute("INSERT INTO t VALUES (1)") }
            }
            #expect(duplicate.isUniqueViolation)
            try connection.transaction { try connection.execute("INSERT INTO t VALUES (3)") }
            try connection.execute("INSERT INTO t VALUES (4)")
        }
        #expect(try ids(connection) == [1, 3, 4])
    }

    @Test func swallowedErrorDoesNotPretendToCommit() throws {
        let connection = try connectWithTable()
        let error = try #require(throws: PostgresError.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO t VALUES (1)")
                _ = try? connection.execute("INSERT INTO t VALUES (1)")
            }
        }
        #expect(error.sqlState == "25P02")
        #expect(try ids(connection) == [])
    }
}
