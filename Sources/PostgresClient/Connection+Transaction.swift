extension Connection {
    /// Runs `body` in a transaction: BEGIN, then COMMIT if it returns, ROLLBACK (and rethrow) if it throws.
    ///
    /// Nested calls use SAVEPOINTs, so an inner failure rolls back only the inner part
    /// (if the outer body catches it).
    ///
    /// If `body` catches a server error and returns anyway, PostgreSQL has already aborted
    /// the transaction and COMMIT would silently roll back; this throws a `.client` error
    /// with SQLSTATE 25P02 instead of pretending the commit happened.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let depth = transactionDepth
        let savepoint = "patron_savepoint_\(depth)"
        try execute(depth == 0 ? "BEGIN" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }

        let value: T
        do {
            value = try body()
        } catch {
            // Best effort: if the connection is gone the server rolls back anyway;
            // the body's error is the one worth reporting.
            if depth == 0 {
                _ = try? execute("ROLLBACK")
            } else {
                _ = try? execute("ROLLBACK TO SAVEPOINT \(savepoint)")
                _ = try? execute("RELEASE SAVEPOINT \(savepoint)")
            }
            throw error
        }

        if depth == 0 {
            let commit = try execute("COMMIT")
            if commit.commandTag == "ROLLBACK" {
                throw PostgresError(
                    kind: .client,
                    message: "the transaction was aborted by an error that its body caught; COMMIT rolled it back",
                    sqlState: "25P02",
                    statement: "COMMIT"
                )
            }
        } else {
            try execute("RELEASE SAVEPOINT \(savepoint)")
        }
        return value
    }
}
