import PostgresClient
import Testing

@Suite struct StreamTests {
    @Test func streamsManyRowsOneAtATime() throws {
        let connection = try TestDatabase.connect()
        var columns: [ColumnInfo] = []
        var columnCalls = 0
        var count = 0
        var sum: Int64 = 0
        var lastLabel: String?
        try connection.stream(
            "SELECT g, g * 2 AS doubled, 'row ' || g AS label FROM generate_series(1, $1::int) g",
            [100_000],
            onColumns: {
                columnCalls += 1
                #expect(count == 0, "columns come before the first row")
                columns = $0
            },
            onRow: { row in
                count += 1
                sum += row.int64(0) ?? 0
                #expect(row.int64("doubled") == 2 * (row.int64(0) ?? 0))
                lastLabel = row["label"]
            }
        )
        #expect(columnCalls == 1)
        #expect(columns.map(\.name) == ["g", "doubled", "label"])
        #expect(count == 100_000)
        #expect(sum == 5_000_050_000)
        #expect(lastLabel == "row 100000")
    }

    @Test func emptyResultStillReportsColumns() throws {
        let connection = try TestDatabase.connect()
        var columns: [ColumnInfo]?
        var rows = 0
        try connection.stream("SELECT 1 AS one WHERE false", onColumns: { columns = $0 }, onRow: { _ in rows += 1 })
        #expect(columns?.map(\.name) == ["one"])
        #expect(rows == 0)
    }

    @Test func throwingRowHandlerCancelsAndKeepsConnectionUsable() throws {
        let connection = try TestDatabase.connect()
        var seen = 0
        #expect(throws: TestError()) {
            try connection.stream(
                "SELECT g FROM generate_series(1, 10000000) g",
                onColumns: { _ in },
                onRow: { _ in
                    seen += 1
                    if seen == 10 { throw TestError() }
                }
            )
        }
        #expect(seen == 10)
        #expect(try connection.execute("SELECT 41 + 1").int64(0, 0) == 42)
    }

    @Test func serverErrorMidwayComesAfterTheRowsBeforeIt() throws {
        let connection = try TestDatabase.connect()
        var seen = 0
        let error = try #require(throws: PostgresError.self) {
            try connection.stream(
                "SELECT 1 / (5000 - g) FROM generate_series(1, 10000) g",
                onColumns: { _ in },
                onRow: { _ in seen += 1 }
            )
        }
        #expect(error.sqlState == "22012")
        #expect(seen == 4999)
        #expect(try connection.execute("SELECT 1").int64(0, 0) == 1)
    }
}
