import CLibPQ

extension Connection {
    /// Whether libpq still considers the connection usable (false after the server went away).
    public var isUsable: Bool {
        guard let connection = pgconn else { return false }
        return PQstatus(connection) == CONNECTION_OK
    }

    /// Connects again with the same parameters (libpq's `PQreset`), after the connection was
    /// lost. Session state — settings, temporary tables, advisory locks — is gone.
    /// - Throws: `PostgresError` of kind `.connection` when the server cannot be reached.
    public func reset() throws {
        let connection = try openConnection()
        PQreset(connection)
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = trimmedMessage(optionalString(PQerrorMessage(connection))) ?? "could not reconnect"
            throw PostgresError(kind: .connection, message: message)
        }
        guard PQsetClientEncoding(connection, "UTF8") == 0 else {
            throw PostgresError(kind: .connection, message: "could not set client_encoding after reconnecting")
        }
    }
}
