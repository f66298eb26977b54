import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

extension Connection {
    /// Whether libpq still considers the connection usable (false after the server went away).
    public var isUsable: Bool {
        guard let connection = pgconn else { return false }
        return PQstatus(connection) == CONNECTION_OK
    }

    /// Connects again with the same parameters (libpq's `PQreset`), after the connection was
    /// lost. Session state — settings, temporary tables, advisory locks — is gone.
    ///
    /// A server that crashed and restarts refuses connections while it recovers (seconds, more
    /// after a big load): attempts go on, with growing pauses, for up to `seconds`.
    /// - Throws: `PostgresError` of kind `.connection` when the server cannot be reached by then.
    public func reset(waitingUpTo seconds: Int = 30) throws {
        let connection = try openConnection()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        var pause = Duration.milliseconds(100)
        while true {
            PQreset(connection)
            if PQstatus(connection) == CONNECTION_OK { break }
            guard clock.now + pause < deadline else {
                let message = trimmedMessage(optionalString(PQerrorMessage(connection))) ?? "could not reconnect"
                throw PostgresError(kind: .connection, message: message)
            }
            clock.sleepBlocking(for: pause)
            pause = min(pause * 2, .seconds(2))
        }
        guard PQsetClientEncoding(connection, "UTF8") == 0 else {
            throw PostgresError(kind: .connection, message: "could not set client_encoding after reconnecting")
        }
    }
}

extension ContinuousClock {
    /// Sleeps the calling thread (the client is synchronous).
    func sleepBlocking(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
