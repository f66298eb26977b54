import ArgumentParser
import Foundation
import Logging
import PatronCore

/// Options every command that touches the warehouse shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Database: a postgresql:// URI or a libpq conninfo string.",
        discussion: "Default: $PATRON_DATABASE_URL, else the PG* variables, else the private local cluster of scripts/pg-local.",
        valueName: "uri"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("Patron's schema in that database (at most 63 bytes).", valueName: "name"))
    var schema: String = ProcessInfo.processInfo.environment["PATRON_SCHEMA"] ?? Warehouse.defaultSchema

    @Flag(name: [.short, .long], help: "Only errors on stderr: no progress, no summaries.")
    var quiet = false

    @Flag(name: [.short, .long], help: "Debug logging on stderr.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
        if schema.isEmpty { throw ValidationError("--schema must not be empty") }
        // PostgreSQL would silently cut a longer name to 63 bytes, naming another schema.
        if schema.utf8.count > 63 {
            throw ValidationError("--schema '\(schema)' is \(schema.utf8.count) bytes long; PostgreSQL names hold at most 63")
        }
    }

    var logLevel: Logger.Level { quiet ? .error : verbose ? .debug : .info }

    func makeLogger(_ label: String) -> Logger {
        Terminal.bootstrapLogging(level: logLevel)
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }

    /// Opens the warehouse named by the options (see `DatabaseTarget` for the precedence).
    func openWarehouse(logger: Logger) throws -> Warehouse {
        let sql = try SQLDirectory.locate()
        let target = DatabaseTarget.resolve(option: database, sqlDirectory: sql)
        // Never the conninfo itself: it may hold a password.
        logger.debug("connecting via \(target.origin) (\(target.summary)), schema \(schema)")
        return try Warehouse(target: target, schema: schema, sql: sql)
    }

    /// Opens the warehouse for a command that reads it (status, run): its schema must be
    /// migrated to this version of Patron, which only `migrate` and `load` do.
    func openUpToDateWarehouse(logger: Logger) throws -> Warehouse {
        let warehouse = try openWarehouse(logger: logger)
        try Migrator(warehouse: warehouse).requireUpToDate()
        return warehouse
    }
}

/// Runs a command body, turning Patron's errors into a message on stderr and the documented
/// exit code.
func reportingErrors(_ body: () throws -> ExitStatus) throws {
    let status: ExitStatus
    do {
        status = try body()
    } catch let error as PatronError {
        Terminal.error(error.description)
        status = error.exitStatus
    } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        Terminal.error("internal error: \(error)")
        status = .internalError
    }
    if status != .success { throw ExitCode(status.rawValue) }
}
