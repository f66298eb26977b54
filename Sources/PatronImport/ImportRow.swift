import PatronCore

/// Where a vendor record is in its file, for messages, `skipped.csv` and rejects: the physical
/// line where it starts and a short label people can search for (`order #1001`, `ticket 48201`).
public struct SourceRecord: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var label: String

    public init(line: Int, label: String) {
        self.line = line
        self.label = label
    }

    public var description: String { label.isEmpty ? "line \(line)" : "\(label) (line \(line))" }
}

/// One canonical row an importer hands on. Only the columns the vendor fills are in
/// `columns`; a column the vendor fills but this record has no value for is `.empty`, and a
/// column this record says nothing about (a ticket without its metric set) is `.absent`, so a
/// re-import keeps what is stored.
public struct ImportRow: Sendable {
    public enum Cell: Sendable, Equatable {
        case absent
        case empty
        case text(String)
    }

    public let entity: Entity
    public let record: SourceRecord
    public let columns: [String]
    public internal(set) var cells: [Cell]

    public init(_ entity: Entity, columns: [String], record: SourceRecord) {
        self.entity = entity
        self.columns = columns
        self.record = record
        cells = Array(repeating: .absent, count: columns.count)
    }

    /// Sets a column the importer declared; nil or "" is an empty value.
    public mutating func set(_ column: String, _ value: String?) {
        guard let i = columns.firstIndex(of: column) else {
            preconditionFailure("\(column) is not among the declared \(entity.rawValue) columns \(columns)")
        }
        if let value, !value.isEmpty { cells[i] = .text(value) } else { cells[i] = .empty }
    }

    public subscript(_ column: String) -> Cell {
        guard let i = columns.firstIndex(of: column) else { return .absent }
        return cells[i]
    }

    /// The value of a column, nil when empty or absent.
    public func value(_ column: String) -> String? {
        if case .text(let s) = self[column] { return s }
        return nil
    }
}

/// Why a vendor record was left out on purpose (never an error): counted per reason in the
/// summary and listed with `patron rejects --skipped`.
public struct SkippedRecord: Sendable, Equatable {
    public let entity: Entity
    public let record: SourceRecord
    public let reason: String

    public init(entity: Entity, record: SourceRecord, reason: String) {
        self.entity = entity
        self.record = record
        self.reason = reason
    }
}

/// An optional identifier that failed the identifier rules and was dropped; the row was kept.
public struct DroppedIdentifier: Sendable, Equatable {
    public let entity: Entity
    public let record: SourceRecord
    public let column: String
    public let value: String
    public let reason: String

    public init(entity: Entity, record: SourceRecord, column: String, value: String, reason: String) {
        self.entity = entity
        self.record = record
        self.column = column
        self.value = value
        self.reason = reason
    }
}

/// A vendor record the importer could not make a row of (a malformed CSV line, a JSON record
/// that is not an object): rejected like a bad row, with its reason.
public struct RejectedRecord: Sendable, Equatable {
    public let entity: Entity
    public let record: SourceRecord
    public let column: String?
    public let value: String?
    public let reason: String

    public init(entity: Entity, record: SourceRecord, column: String?, value: String?, reason: String) {
        self.entity = entity
        self.record = record
        self.column = column
        self.value = value
        self.reason = reason
    }
}

/// Receives what an importer makes of a vendor file.
public protocol ImportSink: AnyObject {
    func emit(_ row: ImportRow) throws
    func skip(_ entity: Entity, _ record: SourceRecord, reason: String)
    func dropIdentifier(_ entity: Entity, _ record: SourceRecord, column: String, value: String, reason: String)
    /// A record that cannot become a row: counted as read and rejected, listed by `patron rejects`.
    func reject(_ rejected: RejectedRecord)
}

extension ImportSink {
    /// Sinks that only collect rows (tests) note a rejection as an empty-id row of its entity.
    public func reject(_ rejected: RejectedRecord) {}
}
