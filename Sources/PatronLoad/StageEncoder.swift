import PatronInput
import PostgresClient

/// A validated value, typed as its staging column expects it.
package enum StagedValue {
    case null
    case text(String)
    case smallint(Int16)
    case integer(Int32)
    case bigint(Int64)
    case double(Double)
    case boolean(Bool)
    /// Microseconds since 1970-01-01 UTC.
    case timestamp(Int64)
    /// Plain decimal text, already validated.
    case numeric(String)
    /// Not null, already written to the COPY stream (`RowStager`'s fast paths).
    case encoded

    package var isNull: Bool { if case .null = self { return true } else { return false } }
    package var timestamp: Int64? { if case .timestamp(let t) = self { return t } else { return nil } }
    package var text: String? { if case .text(let s) = self { return s } else { return nil } }
}

/// Writes validated rows into the entity's `load_stage` table in binary COPY format. The column
/// order is the one `sql/load/<entity>.sql` declares: line, repeated, the three reject columns,
/// every input column, then `has_<column>` for each optional column.
package struct StageEncoder {
    package let spec: EntitySpec
    package let optionalIndexes: [Int]
    package var encoder = BinaryCopyEncoder()

    package init(spec: EntitySpec) {
        self.spec = spec
        self.optionalIndexes = spec.columns.indices.filter { !spec.columns[$0].required }
    }

    package var fieldCount: Int { 5 + spec.columns.count + optionalIndexes.count }

    /// The staging table's columns, for checking the SQL file against this encoder.
    package var stageColumns: [(name: String, type: String)] {
        var columns: [(String, String)] = [("line", "bigint"), ("repeated", "boolean"), ("reject_column", "text"),
                                           ("reject_value", "text"), ("reject_reason", "text")]
        for column in spec.columns { columns.append((column.name, column.kind.stageType)) }
        for i in optionalIndexes { columns.append(("has_\(spec.columns[i].name)", "boolean")) }
        return columns
    }

    /// `repeated`: an earlier valid row of the file may have had the same id.
    package mutating func appendAccepted(line: Int, repeated: Bool, values: [StagedValue], present: [Bool]) throws {
        encoder.beginRow(fieldCount: fieldCount)
        encoder.append(int64: Int64(line))
        encoder.append(bool: repeated)
        encoder.appendNull()
        encoder.appendNull()
        encoder.appendNull()
        for value in values { try encoder.append(staged: value) }
        for i in optionalIndexes { encoder.append(bool: present[i]) }
    }

    package mutating func appendRejected(line: Int, rejection: RowRejection) {
        encoder.beginRow(fieldCount: fieldCount)
        encoder.append(int64: Int64(line))
        encoder.appendNull()
        if let column = rejection.column { encoder.append(text: column) } else { encoder.appendNull() }
        if let value = rejection.value { encoder.append(text: value) } else { encoder.appendNull() }
        encoder.append(text: rejection.reason)
        for _ in 0..<(spec.columns.count + optionalIndexes.count) { encoder.appendNull() }
    }

    /// Drops the encoded bytes after the first `count`.
    package mutating func truncate(to count: Int) { encoder.truncate(to: count) }

    package mutating func flush(ifLargerThan threshold: Int, into stream: CopyInStream) throws {
        try encoder.flushIfLarger(than: threshold, into: stream)
    }

    package mutating func finish(into stream: CopyInStream) throws {
        try encoder.finish(into: stream)
    }

    /// `flush(ifLargerThan:into:)` for a sink other than a COPY stream (the client-side benchmark).
    package mutating func drain(ifLargerThan threshold: Int, into sink: (UnsafeRawBufferPointer) -> Void) {
        encoder.drain(ifLargerThan: threshold, into: sink)
    }

    /// `finish(into:)` for a sink other than a COPY stream.
    package mutating func drainFinishing(into sink: (UnsafeRawBufferPointer) -> Void) {
        encoder.drainFinishing(into: sink)
    }
}

extension BinaryCopyEncoder {
    package mutating func append(staged value: StagedValue) throws {
        switch value {
        case .null: appendNull()
        case .text(let s): append(text: s)
        case .smallint(let n): append(int16: n)
        case .integer(let n): append(int32: n)
        case .bigint(let n): append(int64: n)
        case .double(let d): append(float64: d)
        case .boolean(let b): append(bool: b)
        case .timestamp(let t): append(timestampMicrosecondsSinceUnixEpoch: t)
        case .numeric(let text): try append(numeric: text)
        case .encoded: preconditionFailure("an encoded value has no value to append")
        }
    }
}

extension ValueKind {
    /// The Postgres type of the staging column (as `format_type` spells it).
    package var stageType: String {
        switch self {
        case .sourceID, .customerID, .email, .phone, .handle, .text, .lowercasedName, .currency, .enumeration:
            return "text"
        case .timestamp: return "timestamp with time zone"
        case .money: return "numeric"
        case .count: return "integer"
        case .bigCount: return "bigint"
        case .score: return "smallint"
        case .boolean: return "boolean"
        case .sentiment: return "double precision"
        }
    }
}
