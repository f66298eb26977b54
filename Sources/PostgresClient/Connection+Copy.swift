import CLibPQ

extension Connection {
    /// Runs `COPY … FROM STDIN`; `body` writes the data into the stream.
    ///
    /// If `body` throws, the COPY is aborted (PQputCopyEnd with an error message, so the server
    /// rolls the COPY back), the results are drained, and `body`'s error is rethrown; the
    /// connection stays usable. If the server rejects the data (e.g. malformed input), its
    /// error (kind `.server`, e.g. SQLSTATE 22P02) is thrown, whether it arrived during or after the writes.
    ///
    /// COPY statements take no bind parameters in PostgreSQL; `parameters` is passed on for symmetry.
    /// - Returns: the number of rows copied, from the command tag.
    @discardableResult
    public func copyIn(_ sql: String, _ parameters: [(any PostgresBindable)?] = [], _ body: (CopyInStream) throws -> Void) throws -> Int64 {
        let connection = try openConnection()
        try startCopy(connection, sql, parameters, expecting: PGRES_COPY_IN)
        let stream = CopyInStream(connection: connection, statement: sql)
        defer { stream.invalidate() }

        do {
            try body(stream)
            try stream.flush()
        } catch {
            _ = PQputCopyEnd(connection, "COPY aborted by the client: \(String(describing: error).prefix(200))")
            let serverError = drainResults(statement: sql)
            // A failed write is only the symptom; the server's error says what went wrong.
            if stream.sendFailed, let serverError, serverError.kind != .client { throw serverError }
            throw error
        }

        guard PQputCopyEnd(connection, nil) == 1 else {
            let endError = PostgresError(connection: connection, fallbackKind: .copy, statement: sql)
            throw drainResults(statement: sql) ?? endError
        }
        return try finishCopy(connection, statement: sql)
    }

    /// Runs `COPY … TO STDOUT` and passes each chunk PQgetCopyData returns (one row, in
    /// text or CSV format) to `onData`. The buffer is valid only during the call.
    ///
    /// If `onData` throws, the COPY is cancelled, the rest discarded, and the error rethrown;
    /// the connection stays usable.
    /// - Returns: the number of rows copied, from the command tag.
    @discardableResult
    public func copyOut(_ sql: String, _ parameters: [(any PostgresBindable)?] = [], onData: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let connection = try openConnection()
        try startCopy(connection, sql, parameters, expecting: PGRES_COPY_OUT)

        var callbackError: (any Error)?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            // > 0: a row; -1: COPY done; -2: error (details come with PQgetResult).
            let length = PQgetCopyData(connection, &buffer, 0)
            guard let buffer else {
                if length < 0 { break } else { continue }
            }
            defer { PQfreemem(buffer) }
            guard callbackError == nil else { continue }
            do {
                try onData(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
            } catch {
                callbackError = error
                requestCancel()
            }
        }

        if let callbackError {
            _ = drainResults(statement: sql)
            throw callbackError
        }
        return try finishCopy(connection, statement: sql)
    }

    /// Sends the COPY statement and checks the server switched to the expected COPY mode.
    private func startCopy(_ connection: OpaquePointer, _ sql: String, _ parameters: [(any PostgresBindable)?], expecting expected: ExecStatusType) throws {
        let bound = try BoundParameters(parameters, statement: sql)
        let raw = bound.withUnsafeValues { values in
            PQexecParams(connection, sql, bound.count, nil, values, nil, nil, 0)
        }
        guard let raw else {
            throw PostgresError(connection: connection, fallbackKind: .client, statement: sql)
        }
        let result = QueryResult(owning: raw)
        switch result.status {
        case expected:
            return
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            _ = drainResults(statement: sql, pending: result)
            let want = expected == PGRES_COPY_IN ? "COPY … FROM STDIN" : "COPY … TO STDOUT"
            throw PostgresError(kind: .client, message: "expected a \(want) statement", statement: sql)
        default:
            throw PostgresError(result: result, connection: connection, statement: sql)
        }
    }

    /// After the data: reads the COPY's final result (row count or error) and drains the rest.
    private func finishCopy(_ connection: OpaquePointer, statement sql: String) throws -> Int64 {
        guard let raw = PQgetResult(connection) else {
            throw PostgresError(kind: .client, message: "no result after COPY", statement: sql)
        }
        let result = QueryResult(owning: raw)
        switch result.status {
        case PGRES_COMMAND_OK:
            let rows = result.affectedRows
            if let error = drainResults(statement: sql) { throw error }
            guard let rows else {
                throw PostgresError(kind: .client, message: "COPY returned no row count (tag \"\(result.commandTag)\")", statement: sql)
            }
            return rows
        default:
            throw drainResults(statement: sql, pending: result)
                ?? PostgresError(kind: .copy, message: "COPY ended in an unexpected state", statement: sql)
        }
    }
}
