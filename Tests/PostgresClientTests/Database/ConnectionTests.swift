import PostgresClient
import Testing

@Suite struct ConnectionTests {
    @Test func connectsRunsAndClosesTwice() throws {
        let connection = try TestDatabase.connect()
        #expect(connection.isOpen)
        #expect(connection.backendPID > 0)
        #expect(connection.serverVersion >= 100000)
        let result = try connection.execute("SELECT pg_backend_pid()")
        #expect(result.int64(0, 0) == Int64(connection.backendPID))

        connection.close()
        connection.close()
        #expect(!connection.isOpen)
        #expect(connection.backendPID == 0)
        let error = try #require(throws: PostgresError.self) { try connection.execute("SELECT 1") }
        #expect(error.kind == .client)
    }

    @Test func refusedConnectionReportsLibpqMessage() throws {
        // Port 1 on localhost: nothing listens there.
        let error = try #require(throws: PostgresError.self) {
            try Connection(conninfo: "postgresql://postgres@127.0.0.1:1/patron?connect_timeout=5")
        }
        #expect(error.kind == .connection)
        #expect(error.message.contains("127.0.0.1"))
        #expect(error.message.contains("refused"))
        #expect(error.sqlState == nil)
    }

    @Test func malformedConninfoIsAConnectionError() throws {
        let error = try #require(throws: PostgresError.self) { try Connection(conninfo: "nonsense") }
        #expect(error.kind == .connection)
        #expect(error.message.contains("nonsense"))
        #expect(error.description.hasPrefix("connection error: "))
    }

    @Test func quotesIdentifiers() throws {
        let connection = try TestDatabase.connect()
        let quoted = try connection.quoteIdentifier(#"my "odd" Table"#)
        #expect(quoted == #""my ""odd"" Table""#)

        try connection.execute("CREATE TEMP TABLE \(quoted) (id int)")
        try connection.execute("INSERT INTO \(quoted) VALUES (7)")
        #expect(try connection.execute("SELECT id FROM \(quoted)").int64(0, 0) == 7)
        let name = try connection.execute("SELECT relname FROM pg_class WHERE oid = $1::regclass", [quoted])
        #expect(name[0, 0] == #"my "odd" Table"#)
    }

    @Test func deliversNotices() throws {
        let connection = try TestDatabase.connect()
        var notices: [PostgresNotice] = []
        connection.onNotice = { notices.append($0) }
        try connection.execute("DO $$ BEGIN RAISE NOTICE 'hello %', 42; RAISE WARNING 'careful'; END $$")
        #expect(notices.count == 2)
        #expect(notices.first?.severity == "NOTICE")
        #expect(notices.first?.message == "hello 42")
        #expect(notices.first?.sqlState == "00000")
        #expect(notices.last?.severity == "WARNING")
        #expect(notices.last?.message == "careful")

        // Without a handler, notices are dropped quietly.
        connection.onNotice = nil
        try connection.execute("DO $$ BEGIN RAISE NOTICE 'ignored'; END $$")
        #expect(notices.count == 2)
    }

    @Test func terminatedBackendIsConnectionLost() throws {
        let victim = try TestDatabase.connect()
        let killer = try TestDatabase.connect()
        // The timeout makes pg_terminate_backend wait until the backend is gone.
        let killed = try killer.execute("SELECT pg_terminate_backend($1, 10000)", [victim.backendPID])
        #expect(killed.bool(0, 0) == true)

        let error = try #require(throws: PostgresError.self) { try victim.execute("SELECT 1") }
        #expect(error.kind == .connectionLost)
        victim.close()
    }
}
