import PostgresClient
import Testing

@Suite struct CopyTests {
    private func connectWithTable() throws -> Connection {
        let connection = try TestDatabase.connect()
        try connection.execute("CREATE TEMP TABLE people (id int PRIMARY KEY, name text NOT NULL, note text)")
        return connection
    }

    @Test func copyInTextRoundTrip() throws {
        let connection = try connectWithTable()
        let rows = try connection.copyIn("COPY people (id, name, note) FROM STDIN") { stream in
            try stream.write("1\tAda\t\\N\n")
            try stream.write(Array("2\tGrace\tline\\nbreak\n".utf8))
            try Array("3\t日本語\ttab\\there\n".utf8).withUnsafeBytes { try stream.write($0) }
        }
        #expect(rows == 3)
        let result = try connection.execute("SELECT id, name, note FROM people ORDER BY id")
        #expect(result.rows.map { [$0[0], $0[1], $0[2]] } == [
            ["1", "Ada", nil], ["2", "Grace", "line\nbreak"], ["3", "日本語", "tab\there"],
        ])
    }

    @Test func copyInSendsLargeDataInChunks() throws {
        let connection = try connectWithTable()
        var expectedBytes: Int64 = 0
        var sentBytes: Int64 = 0
        let rows = try connection.copyIn("COPY people (id, name) FROM STDIN") { stream in
            for id in 1...50_000 {
                let line = "\(id)\tperson number \(id) with a longer name to fill the buffer\n"
                expectedBytes += Int64(line.utf8.count)
                try stream.write(line)
            }
            // One write larger than a chunk goes straight through.
            var big = ""
            for id in 50_001...60_000 { big += "\(id)\tbulk\n" }
            expectedBytes += Int64(big.utf8.count)
            try stream.write(big)
            try stream.flush()
            sentBytes = stream.bytesSent
        }
        #expect(rows == 60_000)
        #expect(sentBytes == expectedBytes)
        #expect(try connection.execute("SELECT count(*), sum(id) FROM people").int64(0, 1) == 1_800_030_000)
    }

    @Test func copyInAbortedByThrowLeavesTableEmpty() throws {
        let connection = try connectWithTable()
        #expect(throws: TestError(reason: "bad input file")) {
            try connection.copyIn("COPY people (id, name) FROM STDIN") { stream in
                for id in 1...1000 { try stream.write("\(id)\tname\n") }
                try stream.flush()
                throw TestError(reason: "bad input file")
            }
        }
        #expect(try connection.execute("SELECT count(*) FROM people").int64(0, 0) == 0)
        try connection.copyIn("COPY people (id, name) FROM STDIN") { try $0.write("1\tafter\n") }
        #expect(try connection.execute("SELECT name FROM people")[0, 0] == "after")
    }

    @Test func malformedCopyDataIsAServerError() throws {
        let connection = try connectWithTable()
        let sql = "COPY people (id, name) FROM STDIN"
        let error = try #require(throws: PostgresError.self) {
            try connection.copyIn(sql) { stream in
                try stream.write("1\tAda\nnot-a-number\tGrace\n")
            }
        }
        #expect(error.kind == .server)
        #expect(error.sqlState == "22P02")
        #expect(error.statement == sql)
        #expect(error.context?.contains("COPY people") == true)
        #expect(try connection.execute("SELECT count(*) FROM people").int64(0, 0) == 0)
        #expect(try connection.execute("SELECT 1").int64(0, 0) == 1)
    }

    @Test func malformedDataEarlyInALargeCopyIsAServerError() throws {
        let connection = try connectWithTable()
        // The server rejects the first row while ~30 MB are still being sent.
        let error = try #require(throws: PostgresError.self) {
            try connection.copyIn("COPY people (id, name) FROM STDIN") { stream in
                try stream.write("x\tbroken\n")
                let line = Array("123\tsome name that is long enough to make this copy big\n".utf8)
                for _ in 0..<500_000 { try stream.write(line) }
            }
        }
        #expect(error.kind == .server)
        #expect(error.sqlState == "22P02")
        #expect(try connection.execute("SELECT count(*) FROM people").int64(0, 0) == 0)
    }

    @Test func copyInRejectsOtherStatements() throws {
        let connection = try connectWithTable()
        let error = try #require(throws: PostgresError.self) {
            try connection.copyIn("SELECT 1") { _ in Issue.record("body must not run") }
        }
        #expect(error.kind == .client)
        let missing = try #require(throws: PostgresError.self) {
            try connection.copyIn("COPY no_such_table FROM STDIN") { _ in Issue.record("body must not run") }
        }
        #expect(missing.sqlState == "42P01")
        #expect(try connection.execute("SELECT 1").int64(0, 0) == 1)
    }

    @Test func copyOutCSV() throws {
        let connection = try TestDatabase.connect()
        var chunks: [String] = []
        let rows = try connection.copyOut(
            "COPY (SELECT g, 'name ' || g, CASE WHEN g % 2 = 0 THEN NULL ELSE 'x,\"y\"' END FROM generate_series(1, 3) g) TO STDOUT (FORMAT csv)"
        ) { bytes in
            chunks.append(String(decoding: bytes, as: UTF8.self))
        }
        #expect(rows == 3)
        #expect(chunks == ["1,name 1,\"x,\"\"y\"\"\"\n", "2,name 2,\n", "3,name 3,\"x,\"\"y\"\"\"\n"])
    }

    @Test func copyOutStoppedByThrowKeepsConnectionUsable() throws {
        let connection = try TestDatabase.connect()
        var chunks = 0
        #expect(throws: TestError()) {
            try connection.copyOut("COPY (SELECT g FROM generate_series(1, 10000000) g) TO STDOUT") { _ in
                chunks += 1
                if chunks == 5 { throw TestError() }
            }
        }
        #expect(chunks == 5)
        #expect(try connection.execute("SELECT 2").int64(0, 0) == 2)
    }

    @Test func copyOutServerError() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) {
            try connection.copyOut("COPY (SELECT 1 / (3 - g) FROM generate_series(1, 5) g) TO STDOUT") { _ in }
        }
        #expect(error.sqlState == "22012")
        #expect(try connection.execute("SELECT 3").int64(0, 0) == 3)
    }
}
