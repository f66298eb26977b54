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

    @Test("libpq's connection errors never carry the password, however it is spelled", arguments: [
        ("postgresql://u:s3cret%ZZ@127.0.0.1:1/x", ["s3cret"]),
        ("postgresql://u:s3cr@et@127.0.0.1:1/x?connect_timeout=5", ["s3cr", "et@"]),
        ("postgresql://u:s3cr%40et@127.0.0.1:1/x?connect_timeout=5", ["s3cr", "et@"]),
        ("postgresql://u:pa/ssw0rd@127.0.0.1:1/x?connect_timeout=5", ["ssw0rd", "pa/"]),
        ("postgresql://u@127.0.0.1:1/x?password=s3cret%ZZ", ["s3cret"]),
        ("host=127.0.0.1 port=1 user=u password='s3cret word' connect_timeout=5 bogus=1", ["s3cret"]),
    ])
    func connectionErrorsAreRedacted(conninfo: String, secrets: [String]) throws {
        let error = try #require(throws: PostgresError.self) { try Connection(conninfo: conninfo) }
        #expect(error.kind == .connection)
        for secret in secrets {
            #expect(!error.description.contains(secret), "\(error.description)")
        }
    }

    @Test func redactsEverySpellingOfThePassword() {
        #expect(redactingPassword(in: #"invalid percent-encoded token: "s3cret%ZZ""#, conninfo: "postgresql://u:s3cret%ZZ@h/db")
            == #"invalid percent-encoded token: "***""#)
        #expect(redactingPassword(in: #"could not translate host name "et@127.0.0.1" to address"#,
                                  conninfo: "postgresql://u:s3cr@et@127.0.0.1/db")
            == #"could not translate host name "***@127.0.0.1" to address"#)
        #expect(redactingPassword(in: "password é!x and p%C3%A9!x", conninfo: "postgresql://u:p%C3%A9!x@h/db")
            == "password é!x and ***")
        #expect(redactingPassword(in: "pé!x", conninfo: "postgresql://u:p%C3%A9!x@h/db") == "***")
        #expect(redactingPassword(in: "nothing secret here", conninfo: "postgresql://u@h/db") == "nothing secret here")
        #expect(redactingPassword(in: "x hunter2 y", conninfo: "host=h password = hunter2") == "x *** y")
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
