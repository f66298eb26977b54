import PostgresClient
import Testing

/// Byte layout, no server needed.
@Suite struct BinaryCopyEncoderLayoutTests {
    private let headerLength = 19

    @Test func headerAndTrailer() {
        let encoder = BinaryCopyEncoder()
        #expect(encoder.bytes == Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0])
    }

    @Test func integersAreBigEndianWithLengths() {
        var encoder = BinaryCopyEncoder()
        encoder.beginRow(fieldCount: 4)
        encoder.append(int16: -2)
        encoder.append(int32: 0x0102_0304)
        encoder.appendNull()
        encoder.append(bool: true)
        #expect(Array(encoder.bytes.dropFirst(headerLength)) == [
            0, 4,
            0, 0, 0, 2, 0xFF, 0xFE,
            0, 0, 0, 4, 1, 2, 3, 4,
            0xFF, 0xFF, 0xFF, 0xFF,
            0, 0, 0, 1, 1,
        ])
    }

    private func numericBytes(_ text: String) throws -> [UInt8] {
        var encoder = BinaryCopyEncoder()
        try encoder.append(numeric: text)
        return Array(encoder.bytes.dropFirst(headerLength))
    }

    @Test func numericLayout() throws {
        // ndigits 1, weight 1, positive, dscale 0, digit 1: 1 × 10000¹ (the zero group is implied).
        #expect(try numericBytes("10000") == [0, 0, 0, 10, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1])
        // -0.5: ndigits 1, weight -1, negative, dscale 1, digit 5000.
        #expect(try numericBytes("-0.5") == [0, 0, 0, 10, 0, 1, 0xFF, 0xFF, 0x40, 0, 0, 1, 0x13, 0x88])
        // 0.0000: no digits, weight 0, positive, dscale 4.
        #expect(try numericBytes("0.0000") == [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 4])
        #expect(try numericBytes("-0") == [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0])
        // 0.00001234 is 0.0000|1234: the leading zero group folds into weight -2, dscale 8.
        #expect(try numericBytes("0.00001234") == [0, 0, 0, 10, 0, 1, 0xFF, 0xFE, 0, 0, 0, 8, 0x04, 0xD2])
    }

    @Test func invalidNumericThrowsAndAppendsNothing() {
        for text in ["", "-", ".", "1e5", "1.2.3", "12a", " 1", "1,5", "--1", "Infinityx"] {
            var encoder = BinaryCopyEncoder()
            #expect(throws: PostgresError.self, "\(text)") { try encoder.append(numeric: text) }
            #expect(encoder.count == headerLength)
        }
    }
}

/// Every supported type, through a real COPY, read back as text.
@Suite struct BinaryCopyEncoderRoundTripTests {
    @Test func everyTypeRoundTrips() throws {
        let connection = try TestDatabase.connect()
        try connection.execute("SET TimeZone = 'UTC'")
        try connection.execute("""
            CREATE TEMP TABLE everything (
                ord int4, t text, i2 int2, i4 int4, i8 int8, f8 float8, b bool, ts timestamptz, d date, n numeric
            )
            """)

        let texts: [String?] = ["hello", "日本語 🎉 é", "", nil, "tab\tand\nnewline \\ \"quotes\""]
        let int16s: [Int16?] = [0, .min, .max, -1, nil]
        let int32s: [Int32?] = [.min, .max, -1, 0, nil]
        let int64s: [Int64?] = [.min, .max, 0, -9_000_000_000, nil]
        let doubles: [(Double, String)?] = [
            (0.1, "0.1"), (-1.5e300, "-1.5e+300"), (.infinity, "Infinity"), (.nan, "NaN"), (-0.0, "-0"), (1.0 / 3.0, "0.3333333333333333"), nil,
        ]
        let bools: [Bool?] = [true, false, nil]
        let timestamps: [(Int64, String)?] = [
            (1_709_288_100_123_456, "2024-03-01 10:15:00.123456+00"),
            (-1, "1969-12-31 23:59:59.999999+00"),
            (946_684_799_000_000, "1999-12-31 23:59:59+00"),
            (946_684_800_000_000, "2000-01-01 00:00:00+00"),
            (0, "1970-01-01 00:00:00+00"),
            (-2_208_988_800_000_001, "1899-12-31 23:59:59.999999+00"),
            nil,
        ]
        let dates: [(Int32, String)?] = [(0, "1970-01-01"), (10957, "2000-01-01"), (-1, "1969-12-31"), (19783, "2024-03-01"), (10956, "1999-12-31"), nil]
        let numerics: [(String, String)?] = [
            ("0", "0"), ("0.0000", "0.0000"), ("-0.5", "-0.5"), ("12345678901234.5678", "12345678901234.5678"),
            ("100", "100"), ("0.0001", "0.0001"), ("10000", "10000"), ("-12.3400", "-12.3400"),
            ("1000000.5", "1000000.5"), ("0.00001234", "0.00001234"), ("-0", "0"), ("00123.4500", "123.4500"),
            (".5", "0.5"), ("5.", "5"), ("+7", "7"), ("99999999.99999999", "99999999.99999999"),
            ("-100000000", "-100000000"), ("1.000000000000000000001", "1.000000000000000000001"),
            ("NaN", "NaN"), ("-Infinity", "-Infinity"), nil,
        ]

        let rowCount = [texts.count, int16s.count, int32s.count, int64s.count, doubles.count, bools.count, timestamps.count, dates.count, numerics.count].max() ?? 0
        func at<T>(_ values: [T?], _ row: Int) -> T? { row < values.count ? values[row] : nil }

        let copied = try connection.copyIn("COPY everything FROM STDIN (FORMAT binary)") { stream in
            var encoder = BinaryCopyEncoder()
            for row in 0..<rowCount {
                encoder.beginRow(fieldCount: 10)
                encoder.append(int32: Int32(row))
                if let value = at(texts, row) { encoder.append(text: value) } else { encoder.appendNull() }
                if let value = at(int16s, row) { encoder.append(int16: value) } else { encoder.appendNull() }
                if let value = at(int32s, row) { encoder.append(int32: value) } else { encoder.appendNull() }
                if let value = at(int64s, row) { encoder.append(int64: value) } else { encoder.appendNull() }
                if let value = at(doubles, row) { encoder.append(float64: value.0) } else { encoder.appendNull() }
                if let value = at(bools, row) { encoder.append(bool: value) } else { encoder.appendNull() }
                if let value = at(timestamps, row) { encoder.append(timestampMicrosecondsSinceUnixEpoch: value.0) } else { encoder.appendNull() }
                if let value = at(dates, row) { encoder.append(dateDaysSinceUnixEpoch: value.0) } else { encoder.appendNull() }
                if let value = at(numerics, row) { try encoder.append(numeric: value.0) } else { encoder.appendNull() }
            }
            try encoder.finish(into: stream)
        }
        #expect(copied == Int64(rowCount))

        let result = try connection.execute("SELECT t, i2::text, i4::text, i8::text, f8::text, b::text, ts::text, d::text, n::text FROM everything ORDER BY ord")
        #expect(result.rowCount == rowCount)
        for row in 0..<rowCount {
            let expected: [String?] = [
                at(texts, row), at(int16s, row).map { String($0) }, at(int32s, row).map { String($0) },
                at(int64s, row).map { String($0) }, at(doubles, row)?.1, at(bools, row).map { $0 ? "true" : "false" },
                at(timestamps, row)?.1, at(dates, row)?.1, at(numerics, row)?.1,
            ]
            let actual = (0..<9).map { result[row, $0] }
            #expect(actual == expected, "row \(row)")
        }
    }

    @Test func largeBinaryLoadFlushesInChunks() throws {
        let connection = try TestDatabase.connect()
        try connection.execute("CREATE TEMP TABLE amounts (id int8, amount numeric, label text)")
        let rowCount = 200_000
        var sent: Int64 = 0
        let copied = try connection.copyIn("COPY amounts FROM STDIN (FORMAT binary)") { stream in
            var encoder = BinaryCopyEncoder()
            for id in 1...rowCount {
                encoder.beginRow(fieldCount: 3)
                encoder.append(int64: Int64(id))
                try encoder.append(numeric: "\(id).25")
                encoder.append(utf8: "label \(id)".utf8)
                try encoder.flushIfLarger(than: 256 * 1024, into: stream)
                #expect(encoder.count <= 256 * 1024 + 100)
            }
            try encoder.finish(into: stream)
            sent = stream.bytesSent
        }
        #expect(copied == Int64(rowCount))
        #expect(sent > 256 * 1024 * 4)
        let sums = try connection.execute("SELECT sum(id)::text, sum(amount)::text, max(label) FROM amounts")
        #expect(sums[0, 0] == "20000100000")
        #expect(sums[0, 1] == "20000150000.00")
        #expect(sums[0, 2] == "label 99999")
    }
}
