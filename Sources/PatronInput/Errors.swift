/// An input error that fails the whole file: nothing of it may be loaded.
///
/// Raised for: a file that cannot be opened or read, a truncated or corrupt gzip stream,
/// bytes that are not UTF-8, a NUL byte, an unterminated quoted CSV field, an empty CSV
/// (no header row), a duplicate or missing required CSV header name.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file as shown to people (its path, or "standard input").
    public let file: String
    /// The physical line (1-based, of the decompressed text) the problem is on, if known.
    public let line: Int?
    /// The column concerned, if any (for a missing required column: the missing names, comma-separated).
    public let column: String?
    public let message: String

    public init(file: String, line: Int? = nil, column: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ", line \(line)" }
        if let column { s += ", column \(column)" }
        return s + ": " + message
    }
}

/// Why one row is rejected. The loader records it (file, line, column, value, reason) and goes on.
public struct RowRejection: Sendable, Equatable, CustomStringConvertible {
    /// The column concerned, if the problem is in one column.
    public var column: String?
    /// The offending value (or an excerpt of the raw record, at most 200 bytes), if useful.
    public var value: String?
    /// A reason a person can act on.
    public var reason: String

    public init(column: String? = nil, value: String? = nil, reason: String) {
        self.column = column
        self.value = value
        self.reason = reason
    }

    public var description: String {
        var s = reason
        if let column { s = "column \(column): " + s }
        if let value { s += " (value: \(value))" }
        return s
    }
}

/// A value that does not normalize; `reason` says why, in words a person can act on.
public struct ValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
