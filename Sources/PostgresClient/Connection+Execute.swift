import CLibPQ

extension Connection {
    /// Runs one statement with bound parameters (`$1`, `$2`, …; never spliced into the SQL),
    /// text-format parameters and results.
    ///
    /// `parameterTypes` gives each parameter's type OID (e.g. 25 for text); nil lets the server
    /// infer them, which fails for a `$n` the statement does not use.
    ///
    /// - Throws: `PostgresError` (`.server` with the SQLSTATE and fields when the server refused it).
    ///
    /// `binaryResults`: the values come in PostgreSQL's binary format instead (read them with
    /// ``QueryResult/binaryInt64(_:_:)`` and ``QueryResult/binaryDouble(_:_:)``): a float8 is its
    /// IEEE bits, the same number as its text form parsed, without formatting or parsing it.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [(any PostgresBindable)?] = [], parameterTypes: [UInt32]? = nil,
                        binaryResults: Bool = false) throws -> QueryResult {
        let connection = try openConnection()
        let bound = try BoundParameters(parameters, types: parameterTypes, statement: sql)
        let result = bound.withUnsafeTypes { types in
            bound.withUnsafeValues { values in
                PQexecParams(connection, sql, bound.count, types, values, nil, nil, binaryResults ? 1 : 0)
            }
        }
        return try checkedResult(result, statement: sql)
    }

    /// Runs several `;`-separated statements in one string (migrations) with PQexec.
    /// No parameters: anything in `unsafeSQL` runs as written, hence the name.
    /// Unless the script has its own BEGIN/COMMIT, PostgreSQL runs the whole string as one
    /// transaction: a failing statement undoes the ones before it.
    public func executeScript(unsafeSQL: String) throws {
        let connection = try openConnection()
        _ = try checkedResult(PQexec(connection, unsafeSQL), statement: unsafeSQL)
    }

    /// Wraps a result of PQexec/PQexecParams: returns it if it succeeded, throws otherwise.
    func checkedResult(_ raw: OpaquePointer?, statement: String) throws -> QueryResult {
        let connection = pgconn
        guard let raw else {
            throw PostgresError(connection: connection, fallbackKind: .client, statement: statement)
        }
        let result = QueryResult(owning: raw)
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            // Leave COPY mode, or the connection is stuck in it.
            _ = drainResults(statement: statement, pending: result)
            throw PostgresError(kind: .client, message: "COPY needs copyIn(_:_:_:) or copyOut(_:_:onData:)", statement: statement)
        default:
            throw PostgresError(result: result, connection: connection, statement: statement)
        }
    }

    /// Reads results until libpq has none left (PQgetResult returns NULL), so the connection
    /// is ready for the next statement; leaves any COPY mode on the way.
    ///
    /// - Parameter pending: a result already taken out of libpq, examined first.
    /// - Returns: the first error among the results, if any.
    func drainResults(statement: String?, pending: QueryResult? = nil) -> PostgresError? {
        guard let connection = pgconn else { return nil }
        var firstError: PostgresError?
        var copyInRounds = 0
        var next = pending
        if next == nil { next = PQgetResult(connection).map { QueryResult(owning: $0) } }
        while let result = next {
            switch result.status {
            case PGRES_COPY_IN, PGRES_COPY_BOTH:
                copyInRounds += 1
                // If even ending the COPY fails, libpq reports the broken connection next; don't spin.
                if PQputCopyEnd(connection, "abandoned by the client") != 1 && copyInRounds > 3 { return firstError }
            case PGRES_COPY_OUT:
                discardCopyOutData(connection)
            case PGRES_FATAL_ERROR, PGRES_BAD_RESPONSE, PGRES_NONFATAL_ERROR:
                if firstError == nil {
                    firstError = PostgresError(result: result, connection: connection, statement: statement)
                }
            default:
                break
            }
            next = PQgetResult(connection).map { QueryResult(owning: $0) }
        }
        return firstError
    }

    /// Reads and drops the rest of a COPY TO STDOUT.
    func discardCopyOutData(_ connection: OpaquePointer) {
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(connection, &buffer, 0)
            if let buffer { PQfreemem(buffer) }
            if length < 0 { return }
        }
    }

    /// Asks the server to cancel the running statement (a separate connection, PQcancel).
    /// Best effort: the statement may finish first.
    func requestCancel() {
        guard let connection = pgconn, let cancel = PQgetCancel(connection) else { return }
        defer { PQfreeCancel(cancel) }
        var errorBuffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &errorBuffer, Int32(errorBuffer.count))
    }
}
