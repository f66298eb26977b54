import PatronInput
import PostgresClient

/// Everything that can stop a Patron command, grouped by what the user should do about it.
/// Each case maps to one documented exit code (see `ExitStatus`).
public enum PatronError: Error, CustomStringConvertible {
    /// Patron is set up wrongly: missing sql/ directory, bad option value, unknown analysis.
    case configuration(String)
    /// An input file cannot be loaded at all; nothing of it was stored.
    case input(InputError)
    /// More rows were rejected than `--max-rejects` allows; nothing of the file was stored.
    case tooManyRejects(file: String, rejected: Int64, read: Int64, limit: String)
    /// The database refused or failed; carries the server's SQLSTATE and message. A missing
    /// privilege (42501) is a configuration problem, exit 78 (PatronError+Permission.swift).
    case database(PostgresError)
    /// Another load holds the warehouse lock and `--no-wait` was given.
    case lockBusy(String)
    /// Bad command-line usage that only Patron can check (e.g. an analysis parameter's value).
    case usage(String)
    /// An analysis cannot be computed from the data (e.g. the predictive model does not fit).
    case analysisFailed(String)
    /// `patron customer`: no stored identifier matches the one given.
    case unknownCustomer(String)
    /// `patron customer`: the identifier given matches identifiers of several customers.
    case ambiguousCustomer(String)

    public var description: String {
        switch self {
        case .configuration(let message): return message
        case .input(let error): return error.description
        case .tooManyRejects(let file, let rejected, let read, let limit):
            return "\(file): \(rejected) of \(read) rows rejected, more than --max-rejects \(limit) allows; nothing was loaded"
        case .database(let error): return error.permissionExplanation.map { "ERROR 42501: \($0)" } ?? error.description
        case .lockBusy(let message): return message
        case .usage(let message): return message
        case .analysisFailed(let message): return message
        case .unknownCustomer(let message), .ambiguousCustomer(let message): return message
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .configuration: return .configuration
        case .input, .tooManyRejects: return .loadFailed
        case .database(let error): return error.isInsufficientPrivilege ? .configuration : .database
        case .lockBusy: return .lockBusy
        case .usage: return .usage
        case .analysisFailed: return .analysisFailed
        case .unknownCustomer: return .unknownCustomer
        case .ambiguousCustomer: return .ambiguousCustomer
        }
    }
}

/// Patron's exit codes. They are part of the interface for cron jobs and CI: documented in the
/// README ("Exit codes") and never reused for another meaning.
public enum ExitStatus: Int32, Sendable, Comparable {
    /// Everything worked; every row of every file was loaded.
    case success = 0
    /// An unexpected internal error (a bug): please report it.
    case internalError = 1
    /// The files loaded, but some rows were rejected (see `patron rejects`).
    case rowsRejected = 2
    /// A file could not be loaded (unreadable, malformed, too many rejects): it changed nothing.
    case loadFailed = 3
    /// The database could not be reached or refused a statement.
    case database = 4
    /// Another load holds the lock and `--no-wait` was given.
    case lockBusy = 5
    /// An analysis could not be computed from the data (the predictive model did not fit).
    case analysisFailed = 6
    /// `patron customer`: no customer has the identifier given.
    case unknownCustomer = 7
    /// `patron customer`: the identifier names more than one customer (the candidates are listed).
    case ambiguousCustomer = 8
    /// Bad command-line usage (argument parser's EX_USAGE).
    case usage = 64
    /// Configuration problem: sql/ directory not found, bad settings, a schema not migrated, a
    /// privilege the role lacks (EX_CONFIG).
    case configuration = 78

    public static func < (a: ExitStatus, b: ExitStatus) -> Bool { a.severity < b.severity }

    /// Which of two outcomes a multi-file command reports: the most serious one.
    private var severity: Int {
        switch self {
        case .success: return 0
        case .rowsRejected: return 1
        case .loadFailed: return 2
        case .lockBusy: return 3
        case .analysisFailed, .unknownCustomer, .ambiguousCustomer: return 4
        case .database: return 5
        case .configuration: return 6
        case .usage: return 7
        case .internalError: return 8
        }
    }
}

extension PatronError {
    /// SQLSTATE class `PT`: raised by Patron's own SQL when the data cannot answer the question
    /// (amounts in two currencies, PT001). Not a database failure: an analysis error, exit 6.
    public static let dataErrorClass = "PT"

    /// A server error as Patron reports it: its own data errors as `analysisFailed` (message
    /// and hint), anything else as `database`.
    public init(databaseError error: PostgresError) {
        if let state = error.sqlState, state.hasPrefix(Self.dataErrorClass) {
            self = .analysisFailed(error.message + (error.hint.map { " (\($0))" } ?? ""))
        } else {
            self = .database(error)
        }
    }
}
