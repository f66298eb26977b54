/// The one error type of `PostgresClient`: connection failures, errors sent by the server,
/// COPY failures and misuse of the API all arrive as a `PostgresError`, told apart by ``kind``.
///
/// Server errors carry the fields of PostgreSQL's ErrorResponse (SQLSTATE, detail, hint, …);
/// the others carry libpq's or this module's message only.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, broadly. Extensible like postgres-nio's `Code`: match with `==`,
    /// and don't assume the list of kinds is closed.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connection, server, copy, client, connectionLost
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// Could not connect (bad conninfo, refused, authentication failed, …).
        public static let connection = Kind(.connection)
        /// The server answered a statement with an error; see ``PostgresError/sqlState``.
        public static let server = Kind(.server)
        /// Sending COPY data to, or receiving it from, the server failed.
        public static let copy = Kind(.copy)
        /// Misuse of this API, or a protocol state this layer did not expect.
        public static let client = Kind(.client)
        /// The connection broke (server gone, backend terminated); reconnect to go on.
        public static let connectionLost = Kind(.connectionLost)

        public var description: String { base.rawValue }
    }

    public var kind: Kind
    /// The primary message: the server's, or libpq's, without trailing newline.
    public var message: String
    /// Five-character SQLSTATE, e.g. "23505"; nil for errors the server did not send.
    public var sqlState: String?
    /// "ERROR", "FATAL", "PANIC" (not localized).
    public var severity: String?
    public var detail: String?
    public var hint: String?
    /// 1-based character index into ``statement`` where the error was found.
    public var position: Int?
    /// Like ``position``, but into ``internalQuery`` (e.g. inside a PL/pgSQL function).
    public var internalPosition: Int?
    public var internalQuery: String?
    /// The call stack of the error (PG_DIAG_CONTEXT, the protocol's "Where" field).
    public var context: String?
    public var schemaName: String?
    public var tableName: String?
    public var columnName: String?
    public var dataTypeName: String?
    public var constraintName: String?
    /// The SQL that failed, when the error came from running one.
    public var statement: String?

    public init(kind: Kind, message: String, sqlState: String? = nil, statement: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.statement = statement
    }

    /// Alias of ``context``, named after the protocol field ("Where").
    public var where_: String? { context }

    /// SQLSTATE 23505.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// SQLSTATE 23503.
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// SQLSTATE 23502.
    public var isNotNullViolation: Bool { sqlState == "23502" }
    /// SQLSTATE 42P01.
    public var isUndefinedTable: Bool { sqlState == "42P01" }
    /// SQLSTATE 57014: canceled by the user or by statement_timeout.
    public var isQueryCanceled: Bool { sqlState == "57014" }
    /// SQLSTATE 40001 or 40P01: worth retrying the transaction.
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// One or two lines, e.g.
    /// `ERROR 23505: duplicate key value violates unique constraint "t_pkey" DETAIL: Key (id)=(1) already exists.`
    public var description: String {
        var text: String
        if let sqlState {
            text = "\(severity ?? "ERROR") \(sqlState): \(message)"
        } else {
            text = kind == .connectionLost ? "connection lost: \(message)" : "\(kind) error: \(message)"
        }
        if let position { text += " (at character \(position))" }
        if let detail { text += " DETAIL: \(detail)" }
        if let hint { text += " HINT: \(hint)" }
        return text
    }
}
