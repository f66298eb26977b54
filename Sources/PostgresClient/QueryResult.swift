import CLibPQ

/// A result column: its name and the OID of its type (e.g. 23 for int4, 25 for text).
public struct ColumnInfo: Sendable, Hashable {
    public var name: String
    public var typeOID: UInt32

    public init(name: String, typeOID: UInt32) {
        self.name = name
        self.typeOID = typeOID
    }
}

/// The complete result of one statement, values in PostgreSQL's text format.
///
/// Owns its `PGresult` and clears it on deinit. Values are read straight out of the
/// `PGresult`, so keeping a `QueryResult` keeps all of its rows in memory; use
/// ``Connection/stream(_:_:onColumns:onRow:)`` for large results.
public final class QueryResult {
    private(set) var handle: OpaquePointer?
    /// The result's columns, in order.
    public let columns: [ColumnInfo]
    /// The number of rows returned (0 for statements that return none).
    public let rowCount: Int

    /// Takes ownership of `handle`. `columns` lets single-row results of one stream share one array.
    init(owning handle: OpaquePointer, columns: [ColumnInfo]? = nil) {
        self.handle = handle
        self.rowCount = Int(PQntuples(handle))
        self.columns = columns ?? (0..<PQnfields(handle)).map { index in
            ColumnInfo(name: optionalString(PQfname(handle, index)) ?? "", typeOID: UInt32(PQftype(handle, index)))
        }
    }

    deinit {
        if let handle {
            PQclear(handle)
            self.handle = nil
        }
    }

    var status: ExecStatusType {
        guard let handle else { return PGRES_FATAL_ERROR }
        return PQresultStatus(handle)
    }

    /// The command tag, e.g. "INSERT 0 3", "SELECT 10", "COPY 5".
    public var commandTag: String {
        guard let handle else { return "" }
        return optionalString(PQcmdStatus(handle)) ?? ""
    }

    /// Rows inserted, updated, deleted, selected, copied, … (PQcmdTuples); nil when the
    /// command reports no count (e.g. CREATE TABLE).
    public var affectedRows: Int64? {
        guard let handle else { return nil }
        return optionalString(PQcmdTuples(handle)).flatMap { Int64($0) }
    }

    /// The index of the first column called exactly `name` (case-sensitive, unlike PQfnumber).
    public func columnIndex(named name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }

    /// The value at `row`, `column` as text; nil for SQL NULL.
    public subscript(row: Int, column: Int) -> String? {
        withValueBytes(row, column) { bytes in bytes.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The value of the column called `column` in `row`; nil for SQL NULL.
    /// Traps if there is no such column, like an out-of-range index.
    public func string(_ row: Int, _ column: String) -> String? {
        self[row, requiredIndex(column)]
    }

    /// The value parsed as an integer; nil for NULL or text that is not an integer.
    public func int64(_ row: Int, _ column: Int) -> Int64? {
        withValueBytes(row, column) { bytes in bytes.flatMap(parseInt64) }
    }

    public func int64(_ row: Int, _ column: String) -> Int64? { int64(row, requiredIndex(column)) }

    /// The value parsed as a double ("NaN", "Infinity" and "-Infinity" included); nil for NULL or non-numbers.
    public func double(_ row: Int, _ column: Int) -> Double? {
        self[row, column].flatMap { Double($0) }
    }

    public func double(_ row: Int, _ column: String) -> Double? { double(row, requiredIndex(column)) }

    /// The type OIDs ``binaryInt64(_:_:)`` reads: int2, int4, int8.
    public static let binaryIntegerTypes: Set<UInt32> = [21, 23, 20]
    /// The type OIDs ``binaryDouble(_:_:)`` reads: float4, float8.
    public static let binaryFloatTypes: Set<UInt32> = [700, 701]

    /// A value of a result in binary format (`execute(…, binaryResults: true)`) of an int2, int4
    /// or int8 column; nil for NULL or another type.
    public func binaryInt64(_ row: Int, _ column: Int) -> Int64? {
        let type = columns[column].typeOID
        return withValueBytes(row, column) { bytes -> Int64? in
            guard let bytes else { return nil }
            switch (type, bytes.count) {
            case (20, 8): return Int64(bigEndian: bytes.loadUnaligned(as: Int64.self))
            case (23, 4): return Int64(Int32(bigEndian: bytes.loadUnaligned(as: Int32.self)))
            case (21, 2): return Int64(Int16(bigEndian: bytes.loadUnaligned(as: Int16.self)))
            default: return nil
            }
        }
    }

    /// A value of a result in binary format of a float8 or float4 column (its IEEE bits); nil
    /// for NULL or another type.
    public func binaryDouble(_ row: Int, _ column: Int) -> Double? {
        let type = columns[column].typeOID
        return withValueBytes(row, column) { bytes -> Double? in
            guard let bytes else { return nil }
            switch (type, bytes.count) {
            case (701, 8): return Double(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)))
            case (700, 4): return Double(Float(bitPattern: UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self))))
            default: return nil
            }
        }
    }

    /// The value of a boolean column ("t"/"f"); nil for NULL or anything else.
    public func bool(_ row: Int, _ column: Int) -> Bool? {
        withValueBytes(row, column) { bytes in
            guard let bytes, bytes.count == 1 else { return nil }
            switch bytes[0] {
            case UInt8(ascii: "t"): return true
            case UInt8(ascii: "f"): return false
            default: return nil
            }
        }
    }

    public func bool(_ row: Int, _ column: String) -> Bool? { bool(row, requiredIndex(column)) }

    /// True if the value is SQL NULL.
    public func isNull(_ row: Int, _ column: Int) -> Bool {
        withValueBytes(row, column) { $0 == nil }
    }

    /// The rows, as a random-access collection of ``RowView``.
    public var rows: Rows { Rows(result: self) }

    public struct Rows: RandomAccessCollection {
        let result: QueryResult
        public var startIndex: Int { 0 }
        public var endIndex: Int { result.rowCount }
        public subscript(position: Int) -> RowView { RowView(result: result, row: position) }
    }

    /// Calls `body` with the raw bytes of a value (nil for NULL); valid only during the call.
    func withValueBytes<R>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        precondition(row >= 0 && row < rowCount, "row \(row) out of range 0..<\(rowCount)")
        precondition(column >= 0 && column < columns.count, "column \(column) out of range 0..<\(columns.count)")
        guard let handle, PQgetisnull(handle, Int32(row), Int32(column)) == 0,
              let value = PQgetvalue(handle, Int32(row), Int32(column))
        else { return try body(nil) }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return try body(UnsafeRawBufferPointer(start: value, count: length))
    }

    func requiredIndex(_ name: String) -> Int {
        guard let index = columnIndex(named: name) else {
            preconditionFailure("no column named \"\(name)\"; columns: \(columns.map(\.name))")
        }
        return index
    }
}

/// Parses PostgreSQL's text form of an integer without allocating.
func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
    var index = 0
    var negative = false
    if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
        negative = first == UInt8(ascii: "-")
        index = 1
    }
    guard index < bytes.count else { return nil }
    // Accumulate negatively so Int64.min parses too.
    var value: Int64 = 0
    while index < bytes.count {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (next, o2) = times10.subtractingReportingOverflow(Int64(digit))
        guard !o1, !o2 else { return nil }
        value = next
        index += 1
    }
    if negative { return value }
    return value == .min ? nil : -value
}
