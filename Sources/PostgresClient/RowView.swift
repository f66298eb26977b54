/// One row of a ``QueryResult``, or the current row of ``Connection/stream(_:_:onColumns:onRow:)``.
///
/// A view, not a copy: it reads from its result, which it keeps alive. In `stream` each row
/// is its own small result, so keeping a `RowView` beyond `onRow` is safe, though it keeps that row's memory.
public struct RowView {
    let result: QueryResult
    let row: Int

    /// The number of columns.
    public var count: Int { result.columns.count }

    public var columns: [ColumnInfo] { result.columns }

    /// The value in column `column` as text; nil for SQL NULL.
    public subscript(_ column: Int) -> String? { result[row, column] }

    /// The value of the column called `column`; nil for SQL NULL. Traps if there is no such column.
    public subscript(_ column: String) -> String? { result.string(row, column) }

    public func isNull(_ column: Int) -> Bool { result.isNull(row, column) }

    public func int64(_ column: Int) -> Int64? { result.int64(row, column) }
    public func int64(_ column: String) -> Int64? { result.int64(row, column) }
    public func double(_ column: Int) -> Double? { result.double(row, column) }
    public func double(_ column: String) -> Double? { result.double(row, column) }
    public func bool(_ column: Int) -> Bool? { result.bool(row, column) }
    public func bool(_ column: String) -> Bool? { result.bool(row, column) }

    /// Calls `body` with the raw text bytes of a value (nil for NULL), without making a String;
    /// the buffer is valid only during the call.
    public func withUnsafeBytes<R>(_ column: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        try result.withValueBytes(row, column, body)
    }
}
