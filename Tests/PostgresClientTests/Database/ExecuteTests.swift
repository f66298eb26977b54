import Foundation
import PostgresClient
import Testing

@Suite struct ExecuteTests {
    @Test func bindsTextVerbatim() throws {
        let connection = try TestDatabase.connect()
        try connection.execute("CREATE TEMP TABLE x (id int)")
        try connection.execute("CREATE TEMP TABLE notes (id int PRIMARY KEY, body text)")
        let values: [String?] = [
            "it's", #"back\slash \n not a newline"#, #""double" quotes"#, "日本語 🎉 é",
            "", "'; DROP TABLE x; --", "line\nbreak\ttab", "$1 and $$dollars$$", nil,
        ]
        for (index, value) in values.enumerated() {
            let inserted = try connection.execute("INSERT INTO notes (id, body) VALUES ($1, $2)", [index, value])
            #expect(inserted.affectedRows == 1)
            #expect(inserted.commandTag == "INSERT 0 1")
        }
        for (index, value) in values.enumerated() {
            let row = try connection.execute("SELECT body, body IS NULL AS missing FROM notes WHERE id = $1", [index])
            #expect(row.rowCount == 1)
            #expect(row[0, 0] == value)
            #expect(row.string(0, "body") == value)
            #expect(row.bool(0, "missing") == (value == nil))
            #expect(row.isNull(0, 0) == (value == nil))
        }
        // The would-be injection was stored, not run.
        #expect(try connection.execute("SELECT count(*) FROM x").int64(0, 0) == 0)
        #expect(try connection.execute("SELECT count(*) FROM notes WHERE body = $1", ["'; DROP TABLE x; --"]).int64(0, 0) == 1)
    }

    @Test func binaryResultsReadIntegersAndFloatsExactly() throws {
        let connection = try TestDatabase.connect()
        // 0.1 and 1/3 are not exact in binary: the IEEE bits must equal Swift's literals (the
        // nearest doubles), as the text form parsed does; float4 1.5 and -0.0 are exact.
        let sql = "SELECT $1::int8 AS big, (-7)::int4 AS int, 300::int2 AS small, 0.1::float8 AS tenth, (1::float8 / 3) AS third, "
            + "1.5::float4 AS single, '-0'::float8 AS negative_zero, NULL::float8 AS missing, 2.5::numeric AS decimal"
        let binary = try connection.execute(sql, [Int64.min + 1], binaryResults: true)
        let text = try connection.execute(sql, [Int64.min + 1])
        #expect(binary.binaryInt64(0, 0) == Int64.min + 1)
        #expect(binary.binaryInt64(0, 1) == -7)
        #expect(binary.binaryInt64(0, 2) == 300)
        #expect(binary.binaryDouble(0, 3) == 0.1)
        #expect(binary.binaryDouble(0, 4) == 1.0 / 3)
        #expect(binary.binaryDouble(0, 4)?.bitPattern == text.double(0, 4)?.bitPattern)
        #expect(binary.binaryDouble(0, 5) == 1.5)
        #expect(binary.binaryDouble(0, 6)?.bitPattern == (-0.0).bitPattern)
        #expect(binary.binaryDouble(0, 7) == nil)
        // Types the readers do not know are nil, not misread bytes.
        #expect(binary.binaryDouble(0, 8) == nil)
        #expect(binary.binaryInt64(0, 3) == nil)
        #expect(binary.binaryDouble(0, 0) == nil)
    }

    @Test func rejectsNulInParameters() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) { try connection.execute("SELECT $1::text", ["a\u{0}b"]) }
        #expect(error.kind == .client)
        #expect(try connection.execute("SELECT 1").int64(0, 0) == 1)
    }

    @Test func bindsNumbersBoolsAndDates() throws {
        let connection = try TestDatabase.connect()
        let integers = try connection.execute(
            "SELECT $1::int8, $2::int8, $3::int4, $4::int8, $5::int4",
            [Int64.max, Int64.min, Int32.min, Int(-42), "17"[...]]
        )
        #expect(integers.int64(0, 0) == Int64.max)
        #expect(integers.int64(0, 1) == Int64.min)
        #expect(integers.int64(0, 2) == Int64(Int32.min))
        #expect(integers.int64(0, 3) == -42)
        #expect(integers.int64(0, 4) == 17)

        let doubles: [Double] = [0.1, 1.0 / 3.0, -1.5e300, .leastNonzeroMagnitude, 123456789.125, -0.0]
        for value in doubles {
            let result = try connection.execute("SELECT $1::float8", [value])
            #expect(result.double(0, 0) == value)
            #expect(result.double(0, 0)?.sign == value.sign)
        }
        let specials = try connection.execute("SELECT $1::float8::text, $2::float8::text, $3::float8::text", [Double.nan, Double.infinity, -Double.infinity])
        #expect(specials[0, 0] == "NaN")
        #expect(specials[0, 1] == "Infinity")
        #expect(specials[0, 2] == "-Infinity")
        #expect(specials.double(0, 0)?.isNaN == true)
        #expect(specials.double(0, 2) == -.infinity)

        let bools = try connection.execute("SELECT $1::bool, $2::bool, $3::bool", [true, false, nil])
        #expect(bools.bool(0, 0) == true)
        #expect(bools.bool(0, 1) == false)
        #expect(bools.bool(0, 2) == nil)
    }

    @Test func bindsDatesAsUTCMicroseconds() throws {
        let connection = try TestDatabase.connect()
        try connection.execute("SET TimeZone = 'UTC'")
        let march = Date(timeIntervalSince1970: 1_709_288_100.123456)
        #expect(march.postgresText == "2024-03-01 10:15:00.123456+00")
        #expect(try connection.execute("SELECT $1::timestamptz::text", [march])[0, 0] == "2024-03-01 10:15:00.123456+00")

        // Before 1970, before 1900, and before year 1 (BC): the server must read back the same instant.
        let microseconds: [Int64] = [0, -1, -1_500_000, -2_208_988_800_000_000, 946_684_799_999_999, -62_198_755_200_000_000, -63_000_000_000_000_000]
        for micros in microseconds {
            let date = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            let result = try connection.execute("SELECT (extract(epoch FROM $1::timestamptz) * 1000000)::int8", [date])
            #expect(result.int64(0, 0) == micros, "\(date.postgresText)")
        }
        #expect(Date(timeIntervalSince1970: -1.5).postgresText == "1969-12-31 23:59:58.500000+00")
    }

    @Test func serverErrorsCarrySQLStateAndStatement() throws {
        let connection = try TestDatabase.connect()
        let sql = "SELECT * FROM no_such_table_here"
        let missing = try #require(throws: PostgresError.self) { try connection.execute(sql) }
        #expect(missing.kind == .server)
        #expect(missing.sqlState == "42P01")
        #expect(missing.isUndefinedTable)
        #expect(missing.severity == "ERROR")
        #expect(missing.message == #"relation "no_such_table_here" does not exist"#)
        #expect(missing.statement == sql)
        #expect(missing.position == 15)
        #expect(missing.description.hasPrefix(#"ERROR 42P01: relation "no_such_table_here" does not exist"#))

        try connection.execute("CREATE TEMP TABLE people (id int PRIMARY KEY, name text)")
        try connection.execute("INSERT INTO people VALUES ($1, $2)", [1, "Ada"])
        let insert = "INSERT INTO people VALUES ($1, $2)"
        let duplicate = try #require(throws: PostgresError.self) { try connection.execute(insert, [1, "Grace"]) }
        #expect(duplicate.kind == .server)
        #expect(duplicate.sqlState == "23505")
        #expect(duplicate.isUniqueViolation)
        #expect(duplicate.message == #"duplicate key value violates unique constraint "people_pkey""#)
        #expect(duplicate.detail == "Key (id)=(1) already exists.")
        #expect(duplicate.constraintName == "people_pkey")
        #expect(duplicate.tableName == "people")
        #expect(duplicate.statement == insert)
        #expect(duplicate.description == #"ERROR 23505: duplicate key value violates unique constraint "people_pkey" DETAIL: Key (id)=(1) already exists."#)

        // The connection is fine afterwards.
        #expect(try connection.execute("SELECT count(*) FROM people").int64(0, 0) == 1)
    }

    @Test func syntaxErrorHasPosition() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) { try connection.execute("SELECT * FORM people") }
        #expect(error.sqlState == "42601")
        #expect(error.position == 10)
        #expect(error.message.contains("FORM"))
    }

    @Test func errorInsideFunctionHasContext() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) {
            try connection.execute("DO $$ BEGIN RAISE EXCEPTION 'boom' USING HINT = 'try again', ERRCODE = '22023'; END $$")
        }
        #expect(error.sqlState == "22023")
        #expect(error.hint == "try again")
        #expect(error.context?.contains("PL/pgSQL") == true)
        #expect(error.where_ == error.context)
        #expect(error.description == "ERROR 22023: boom HINT: try again")
    }

    @Test func resultsExposeColumnsAndRows() throws {
        let connection = try TestDatabase.connect()
        let result = try connection.execute(
            "SELECT g AS n, g * 1.5::float8 AS half, g % 2 = 0 AS even, NULLIF(g, 2)::text AS label FROM generate_series(1, 3) g"
        )
        #expect(result.columns.map(\.name) == ["n", "half", "even", "label"])
        #expect(result.columns.map(\.typeOID) == [23, 701, 16, 25])
        #expect(result.rowCount == 3)
        #expect(result.affectedRows == 3)
        #expect(result.commandTag == "SELECT 3")
        let rows = Array(result.rows)
        #expect(rows.count == 3)
        #expect(rows[1].count == 4)
        #expect(rows[1]["n"] == "2")
        #expect(rows[1].double("half") == 3.0)
        #expect(rows[1].bool(2) == true)
        #expect(rows[1].isNull(3))
        #expect(rows[2]["label"] == "3")
        #expect(result.rows.compactMap { $0.int64("n") } == [1, 2, 3])

        let created = try connection.execute("CREATE TEMP TABLE empty (id int)")
        #expect(created.affectedRows == nil)
        #expect(created.rowCount == 0)
        #expect(created.commandTag == "CREATE TABLE")
    }

    @Test func executeScriptRunsSeveralStatements() throws {
        let connection = try TestDatabase.connect()
        let schema = TestDatabase.uniqueName("patron_script")
        let quoted = try connection.quoteIdentifier(schema)
        defer { _ = try? connection.execute("DROP SCHEMA IF EXISTS \(quoted) CASCADE") }
        try connection.executeScript(unsafeSQL: """
            CREATE SCHEMA \(quoted);
            CREATE TABLE \(quoted).items (id int PRIMARY KEY, name text NOT NULL);
            INSERT INTO \(quoted).items VALUES (1, 'one'), (2, 'two');
            -- a comment, then one more statement
            INSERT INTO \(quoted).items VALUES (3, 'three; with a semicolon');
            """)
        let result = try connection.execute("SELECT count(*), max(name) FROM \(quoted).items")
        #expect(result.int64(0, 0) == 3)
        #expect(result[0, 1] == "two")

        let failing = "INSERT INTO \(quoted).items VALUES (4, 'four'); INSERT INTO \(quoted).items VALUES (1, 'again');"
        let error = try #require(throws: PostgresError.self) { try connection.executeScript(unsafeSQL: failing) }
        #expect(error.sqlState == "23505")
        #expect(error.statement == failing)
        // PQexec runs the script as one implicit transaction: the first insert is gone too.
        #expect(try connection.execute("SELECT count(*) FROM \(quoted).items").int64(0, 0) == 3)
    }
}
