import CLibPQ

/// A C string as a Swift `String`, or nil for a NULL pointer; never force-unwraps.
func optionalString(_ pointer: UnsafePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
}

/// libpq's messages end with a newline (and sometimes carry a tab-indented second line).
func trimmedMessage(_ text: String?) -> String? {
    guard var text else { return nil }
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return text.isEmpty ? nil : text
}

func diagnosticField(_ result: OpaquePointer, _ code: Int) -> String? {
    optionalString(PQresultErrorField(result, Int32(code)))
}

extension PostgresError {
    /// From a failed PGresult: the server's ErrorResponse fields, or libpq's own message.
    init(result: QueryResult, connection: OpaquePointer?, statement: String?) {
        guard let handle = result.handle else {
            self.init(connection: connection, fallbackKind: .client, statement: statement)
            return
        }
        let sqlState = diagnosticField(handle, PATRON_PG_DIAG_SQLSTATE)
        let message = diagnosticField(handle, PATRON_PG_DIAG_MESSAGE_PRIMARY)
            ?? trimmedMessage(optionalString(PQresultErrorMessage(handle)))
            ?? trimmedMessage(optionalString(connection.flatMap { PQerrorMessage($0) }))
            ?? "unknown error"
        let lost = connection.map { PQstatus($0) == CONNECTION_BAD } ?? true
        let kind: Kind = lost ? .connectionLost : (sqlState != nil ? .server : .client)
        self.init(kind: kind, message: message, sqlState: sqlState, statement: statement)
        severity = diagnosticField(handle, PATRON_PG_DIAG_SEVERITY_NONLOCALIZED)
            ?? diagnosticField(handle, PATRON_PG_DIAG_SEVERITY)
        detail = diagnosticField(handle, PATRON_PG_DIAG_MESSAGE_DETAIL)
        hint = diagnosticField(handle, PATRON_PG_DIAG_MESSAGE_HINT)
        position = diagnosticField(handle, PATRON_PG_DIAG_STATEMENT_POSITION).flatMap { Int($0) }
        internalPosition = diagnosticField(handle, PATRON_PG_DIAG_INTERNAL_POSITION).flatMap { Int($0) }
        internalQuery = diagnosticField(handle, PATRON_PG_DIAG_INTERNAL_QUERY)
        context = diagnosticField(handle, PATRON_PG_DIAG_CONTEXT)
        schemaName = diagnosticField(handle, PATRON_PG_DIAG_SCHEMA_NAME)
        tableName = diagnosticField(handle, PATRON_PG_DIAG_TABLE_NAME)
        columnName = diagnosticField(handle, PATRON_PG_DIAG_COLUMN_NAME)
        dataTypeName = diagnosticField(handle, PATRON_PG_DIAG_DATATYPE_NAME)
        constraintName = diagnosticField(handle, PATRON_PG_DIAG_CONSTRAINT_NAME)
    }

    /// From the connection's last error (PQerrorMessage), for calls that return no result.
    /// A broken connection always reports `.connectionLost`, whatever `fallbackKind` says.
    init(connection: OpaquePointer?, fallbackKind: Kind, statement: String?) {
        guard let connection else {
            self.init(kind: .client, message: "the connection is closed", statement: statement)
            return
        }
        let message = trimmedMessage(optionalString(PQerrorMessage(connection))) ?? "unknown libpq error"
        let kind: Kind = PQstatus(connection) == CONNECTION_BAD ? .connectionLost : fallbackKind
        self.init(kind: kind, message: message, statement: statement)
    }
}

extension PostgresNotice {
    init(result: OpaquePointer) {
        let severity = diagnosticField(result, PATRON_PG_DIAG_SEVERITY_NONLOCALIZED)
            ?? diagnosticField(result, PATRON_PG_DIAG_SEVERITY) ?? "NOTICE"
        let message = diagnosticField(result, PATRON_PG_DIAG_MESSAGE_PRIMARY)
            ?? trimmedMessage(optionalString(PQresultErrorMessage(result))) ?? ""
        self.init(
            severity: severity,
            message: message,
            sqlState: diagnosticField(result, PATRON_PG_DIAG_SQLSTATE),
            detail: diagnosticField(result, PATRON_PG_DIAG_MESSAGE_DETAIL),
            hint: diagnosticField(result, PATRON_PG_DIAG_MESSAGE_HINT)
        )
    }
}
