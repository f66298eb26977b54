import CLibPQ

extension Connection {
    /// Runs a query and hands its rows over one at a time (PQsendQueryParams + PQsetSingleRowMode),
    /// so a million-row result never sits in memory.
    ///
    /// `onColumns` is called once, before the first row (also for a result with no rows).
    /// If `onColumns` or `onRow` throws, the query is cancelled, the rest of the result is
    /// discarded, and that error is rethrown; the connection stays usable.
    /// A server error part-way through is thrown after the rows that came before it were delivered.
    /// `parameterTypes` as in ``execute(_:_:parameterTypes:)``.
    public func stream(
        _ sql: String,
        _ parameters: [(any PostgresBindable)?] = [],
        parameterTypes: [UInt32]? = nil,
        onColumns: ([ColumnInfo]) throws -> Void,
        onRow: (RowView) throws -> Void
    ) throws {
        let connection = try openConnection()
        let bound = try BoundParameters(parameters, types: parameterTypes, statement: sql)
        let sent = bound.withUnsafeTypes { types in
            bound.withUnsafeValues { values in
                PQsendQueryParams(connection, sql, bound.count, types, values, nil, nil, 0)
            }
        }
        guard sent == 1 else {
            let error = PostgresError(connection: connection, fallbackKind: .client, statement: sql)
            _ = drainResults(statement: sql)
            throw error
        }
        guard PQsetSingleRowMode(connection) == 1 else {
            _ = drainResults(statement: sql)
            throw PostgresError(kind: .client, message: "could not switch to single-row mode", statement: sql)
        }

        // Server errors are kept until libpq has no results left; only the callbacks throw here.
        var failure: PostgresError?
        var columns: [ColumnInfo]?
        do {
            while let raw = PQgetResult(connection) {
                let result = QueryResult(owning: raw, columns: columns)
                switch result.status {
                case PGRES_SINGLE_TUPLE:
                    if columns == nil {
                        columns = result.columns
                        try onColumns(result.columns)
                    }
                    try onRow(RowView(result: result, row: 0))
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    if columns == nil {
                        columns = result.columns
                        try onColumns(result.columns)
                    }
                case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                    _ = drainResults(statement: sql, pending: result)
                    failure = failure
                        ?? PostgresError(kind: .client, message: "COPY needs copyIn or copyOut, not stream", statement: sql)
                default:
                    if failure == nil {
                        failure = PostgresError(result: result, connection: connection, statement: sql)
                    }
                }
            }
        } catch {
            requestCancel()
            _ = drainResults(statement: sql)
            throw error
        }
        if let failure { throw failure }
    }
}
