import CLibPQ

/// One connection to PostgreSQL through libpq.
///
/// Not `Sendable`: use it from one thread (task) at a time. Every call is blocking.
/// The connection owns its `PGconn` and closes it on `close()` or deinit.
public final class Connection {
    /// The libpq connection; nil once closed.
    private(set) var pgconn: OpaquePointer?
    /// Holds `onNotice` for the C notice receiver; lives as long as the connection.
    private let noticeHandler = NoticeHandler()
    /// How many `transaction` calls are running; nested ones use savepoints.
    var transactionDepth = 0

    /// Connects, blocking until the connection is up or has failed.
    ///
    /// - Parameter conninfo: `"key=value …"` or a `postgresql://` URI. `""` means libpq's defaults
    ///   together with the PG* environment variables, `.pgpass` and service files — all libpq's own behaviour.
    /// - Throws: `PostgresError` of kind `.connection` with libpq's message, the password of
    ///   `conninfo` replaced by `***` wherever libpq echoed it (`redactingPassword`).
    public init(conninfo: String) throws {
        guard let connection = PQconnectdb(conninfo) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = redactingPassword(
                in: trimmedMessage(optionalString(PQerrorMessage(connection))) ?? "could not connect", conninfo: conninfo)
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: message)
        }
        // Swift strings are UTF-8 through and through; don't let PGCLIENTENCODING or an old
        // database default make the server send (or expect) anything else.
        guard PQsetClientEncoding(connection, "UTF8") == 0 else {
            let message = redactingPassword(
                in: trimmedMessage(optionalString(PQerrorMessage(connection))) ?? "could not set client_encoding", conninfo: conninfo)
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: message)
        }
        pgconn = connection
        // libpq calls the receiver only from inside calls on this connection, so on our thread.
        PQsetNoticeReceiver(connection, { context, result in
            guard let context, let result else { return }
            let handler = Unmanaged<NoticeHandler>.fromOpaque(context).takeUnretainedValue()
            handler.callback?(PostgresNotice(result: result))
        }, Unmanaged.passUnretained(noticeHandler).toOpaque())
    }

    deinit {
        close()
    }

    /// Closes the connection. Idempotent; any later call throws a `.client` error.
    public func close() {
        guard let connection = pgconn else { return }
        pgconn = nil
        PQfinish(connection)
    }

    /// False once closed. A broken connection is still "open" until closed; see `PostgresError.Kind.connectionLost`.
    public var isOpen: Bool { pgconn != nil }

    /// The server process serving this connection (0 once closed).
    public var backendPID: Int32 {
        guard let connection = pgconn else { return 0 }
        return PQbackendPID(connection)
    }

    /// The server's version as an integer, e.g. 150004 for 15.4 (0 once closed).
    public var serverVersion: Int32 {
        guard let connection = pgconn else { return 0 }
        return PQserverVersion(connection)
    }

    /// Called with each NOTICE, WARNING, … the server sends; by default they are ignored.
    /// Called synchronously, on the thread running the statement that caused it.
    public var onNotice: ((PostgresNotice) -> Void)? {
        get { noticeHandler.callback }
        set { noticeHandler.callback = newValue }
    }

    /// Quotes `name` as an SQL identifier (PQescapeIdentifier), e.g. `my "table"` → `"my ""table"""`,
    /// for schema and table names, which cannot be bound as parameters.
    public func quoteIdentifier(_ name: String) throws -> String {
        let connection = try openConnection()
        var name = name
        return try name.withUTF8 { utf8 in
            try utf8.withMemoryRebound(to: CChar.self) { chars in
                guard let quoted = PQescapeIdentifier(connection, chars.baseAddress, chars.count) else {
                    throw PostgresError(connection: connection, fallbackKind: .client, statement: nil)
                }
                defer { PQfreemem(quoted) }
                return String(cString: quoted)
            }
        }
    }

    /// The open `PGconn`, or a `.client` error once closed.
    func openConnection() throws -> OpaquePointer {
        guard let connection = pgconn else {
            throw PostgresError(kind: .client, message: "the connection is closed")
        }
        return connection
    }
}

/// A class, so the C callback can reach the current closure through a stable pointer.
private final class NoticeHandler {
    var callback: ((PostgresNotice) -> Void)?
}
