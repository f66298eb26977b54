import Foundation
import PatronInput
import PostgresClient

/// A validated value, typed as its staging column expects it.
enum StagedValue {
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

    var isNull: Bool { if case .null = self { return true } else { return false } }
    var timestamp: Int64? { if case .timestamp(let t) = self { return t } else { return nil } }
    var text: String? { if case .text(let s) = self { return s } else { return nil } }
}

/// Applies one entity's input rules (INPUTS.md) to a parsed row: each value is normalized or
/// the row is rejected with the column, value and a reason a person can act on.
struct RowValidator {
    let spec: EntitySpec
    let timestamps: TimestampParser
    let platformIndex: Int?
    private let index: [String: Int]
    /// Indexes of `spec.oneOfRequired` (nil: not a column), looked up once, not per row.
    private let oneOfRequiredIndexes: [Int?]
    private let createdAt, firstResponseAt, resolvedAt, status, respondedAt, postedAt, kind, score: Int?

    init(spec: EntitySpec, timeZone: TimeZone) {
        self.spec = spec
        self.timestamps = TimestampParser(timeZone: timeZone)
        self.platformIndex = spec.index(of: "platform")
        var index: [String: Int] = [:]
        for (i, column) in spec.columns.enumerated() { index[column.name] = i }
        self.index = index
        oneOfRequiredIndexes = spec.oneOfRequired.map { index[$0] }
        (createdAt, firstResponseAt, resolvedAt, status) = (index["created_at"], index["first_response_at"],
                                                            index["resolved_at"], index["status"])
        (respondedAt, postedAt, kind, score) = (index["responded_at"], index["posted_at"], index["kind"], index["score"])
    }

    /// Fills `values` (one per column) and returns nil, or returns why the row is rejected.
    func validate(_ row: InputRow, into values: inout [StagedValue]) -> RowRejection? {
        if let rejection = row.rejection { return rejection }
        for (i, column) in spec.columns.enumerated() {
            guard let raw = row.value(at: i) else {
                if column.required {
                    return RowRejection(column: column.name, value: nil, reason: "\(column.name) is required but empty")
                }
                values[i] = .null
                continue
            }
            do {
                values[i] = try stage(raw, as: column.kind, platform: platformIndex.flatMap { values[$0].text })
            } catch let error as ValueError {
                return RowRejection(column: column.name, value: raw, reason: error.reason)
            } catch {
                return RowRejection(column: column.name, value: raw, reason: "\(error)")
            }
            if column.required, values[i].isNull {
                return RowRejection(column: column.name, value: raw, reason: "\(column.name) is required but empty")
            }
        }
        return crossColumnRejection(row, values)
    }

    func stage(_ raw: String, as kind: ValueKind, platform: String?) throws -> StagedValue {
        switch kind {
        case .sourceID, .customerID:
            return Normalize.customerID(raw).map(StagedValue.text) ?? .null
        case .email: return .text(try Normalize.email(raw))
        case .phone: return .text(try Normalize.phone(raw))
        case .handle: return .text(try Normalize.handle(raw, defaultPlatform: platform))
        case .text: return .text(raw)
        case .lowercasedName:
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            return name.isEmpty ? .null : .text(name)
        case .timestamp: return .timestamp(try timestamps.parse(raw))
        case .money: return .numeric(try Normalize.money(raw))
        case .currency: return .text(try Normalize.currency(raw))
        case .enumeration(let allowed): return .text(try Normalize.enumeration(raw, allowed: allowed))
        case .count:
            let n = try Normalize.nonNegativeInteger(raw)
            guard n <= Int64(Int32.max) else { throw ValueError("too large (at most \(Int32.max))") }
            return .integer(Int32(n))
        case .bigCount: return .bigint(try Normalize.nonNegativeInteger(raw))
        case .score(let range): return .smallint(Int16(try Normalize.integer(raw, in: range)))
        case .boolean: return .boolean(try Normalize.boolean(raw))
        case .sentiment: return .double(try Normalize.sentiment(raw))
        }
    }

    private func value(_ name: String, _ values: [StagedValue]) -> StagedValue {
        guard let i = index[name] else { return .null }
        return values[i]
    }

    @inline(__always)
    private func value(at i: Int?, _ values: [StagedValue]) -> StagedValue {
        guard let i else { return .null }
        return values[i]
    }

    private func raw(_ name: String, _ row: InputRow) -> String? {
        guard let i = index[name] else { return nil }
        return row.value(at: i)
    }

    /// Rules that span columns: an identifier is required, instants are in order, a solved
    /// ticket has a resolution time, a survey score fits its kind.
    func crossColumnRejection(_ row: InputRow, _ values: [StagedValue]) -> RowRejection? {
        if !oneOfRequiredIndexes.isEmpty, oneOfRequiredIndexes.allSatisfy({ value(at: $0, values).isNull }) {
            let list = spec.oneOfRequired.joined(separator: ", ")
            let what = spec.entity == .returns ? "no customer identifier and no order_id" : "no customer identifier"
            return RowRejection(column: nil, value: nil, reason: "\(what): give at least one of \(list)")
        }
        switch spec.entity {
        case .tickets:
            if let created = value(at: createdAt, values).timestamp {
                if let t = value(at: firstResponseAt, values).timestamp, t < created {
                    return RowRejection(column: "first_response_at", value: raw("first_response_at", row),
                                        reason: "first_response_at is before created_at")
                }
                if let t = value(at: resolvedAt, values).timestamp, t < created {
                    return RowRejection(column: "resolved_at", value: raw("resolved_at", row),
                                        reason: "resolved_at is before created_at")
                }
            }
            if let status = value(at: status, values).text, status == "solved" || status == "closed",
               value(at: resolvedAt, values).isNull {
                return RowRejection(column: "status", value: raw("status", row),
                                    reason: "a \(status) ticket needs resolved_at (the last time it was solved)")
            }
        case .mentions:
            if let responded = value(at: respondedAt, values).timestamp,
               let posted = value(at: postedAt, values).timestamp, responded < posted {
                return RowRejection(column: "responded_at", value: raw("responded_at", row),
                                    reason: "responded_at is before posted_at")
            }
        case .surveys:
            if let kind = value(at: kind, values).text, case .smallint(let score) = value(at: score, values) {
                let range: ClosedRange<Int16> = kind == "nps" ? 0...10 : kind == "csat" ? 1...5 : 1...7
                if !range.contains(score) {
                    return RowRejection(column: "score", value: raw("score", row),
                                        reason: "a \(kind) score must be \(range.lowerBound)–\(range.upperBound)")
                }
            }
        case .customers, .purchases, .returns:
            break
        }
        return nil
    }
}

/// Writes validated rows into the entity's `load_stage` table in binary COPY format. The column
/// order is the one `sql/load/<entity>.sql` declares: line, repeated, the three reject columns,
/// every input column, then `has_<column>` for each optional column.
struct StageEncoder {
    let spec: EntitySpec
    let optionalIndexes: [Int]
    var encoder = BinaryCopyEncoder()

    init(spec: EntitySpec) {
        self.spec = spec
        self.optionalIndexes = spec.columns.indices.filter { !spec.columns[$0].required }
    }

    var fieldCount: Int { 5 + spec.columns.count + optionalIndexes.count }

    /// The staging table's columns, for checking the SQL file against this encoder.
    var stageColumns: [(name: String, type: String)] {
        var columns: [(String, String)] = [("line", "bigint"), ("repeated", "boolean"), ("reject_column", "text"),
                                           ("reject_value", "text"), ("reject_reason", "text")]
        for column in spec.columns { columns.append((column.name, column.kind.stageType)) }
        for i in optionalIndexes { columns.append(("has_\(spec.columns[i].name)", "boolean")) }
        return columns
    }

    /// `repeated`: an earlier valid row of the file may have had the same id.
    mutating func appendAccepted(line: Int, repeated: Bool, values: [StagedValue], present: [Bool]) throws {
        encoder.beginRow(fieldCount: fieldCount)
        encoder.append(int64: Int64(line))
        encoder.append(bool: repeated)
        encoder.appendNull()
        encoder.appendNull()
        encoder.appendNull()
        for value in values { try encoder.append(staged: value) }
        for i in optionalIndexes { encoder.append(bool: present[i]) }
    }

    mutating func appendRejected(line: Int, rejection: RowRejection) {
        encoder.beginRow(fieldCount: fieldCount)
        encoder.append(int64: Int64(line))
        encoder.appendNull()
        if let column = rejection.column { encoder.append(text: column) } else { encoder.appendNull() }
        if let value = rejection.value { encoder.append(text: value) } else { encoder.appendNull() }
        encoder.append(text: rejection.reason)
        for _ in 0..<(spec.columns.count + optionalIndexes.count) { encoder.appendNull() }
    }

    /// Drops the encoded bytes after the first `count`.
    mutating func truncate(to count: Int) { encoder.truncate(to: count) }

    mutating func flush(ifLargerThan threshold: Int, into stream: CopyInStream) throws {
        try encoder.flushIfLarger(than: threshold, into: stream)
    }

    mutating func finish(into stream: CopyInStream) throws {
        try encoder.finish(into: stream)
    }

    /// `flush(ifLargerThan:into:)` for a sink other than a COPY stream (the client-side benchmark).
    mutating func drain(ifLargerThan threshold: Int, into sink: (UnsafeRawBufferPointer) -> Void) {
        encoder.drain(ifLargerThan: threshold, into: sink)
    }

    /// `finish(into:)` for a sink other than a COPY stream.
    mutating func drainFinishing(into sink: (UnsafeRawBufferPointer) -> Void) {
        encoder.drainFinishing(into: sink)
    }
}

extension BinaryCopyEncoder {
    mutating func append(staged value: StagedValue) throws {
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
    var stageType: String {
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
