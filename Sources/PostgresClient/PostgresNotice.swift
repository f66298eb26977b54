/// A NOTICE, WARNING, INFO, … message the server sent alongside a statement's results,
/// delivered to ``Connection/onNotice``.
public struct PostgresNotice: Sendable, CustomStringConvertible {
    /// "NOTICE", "WARNING", "INFO", "LOG", "DEBUG" (not localized).
    public var severity: String
    public var message: String
    public var sqlState: String?
    public var detail: String?
    public var hint: String?

    public init(severity: String, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil) {
        self.severity = severity
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
    }

    public var description: String { "\(severity): \(message)" }
}
