import ArgumentParser
import Foundation
import PatronCore
import PatronInput
import PatronLoad

/// The options every load has: `patron load`, each `patron import VENDOR`, and (as config keys)
/// each source of `patron sync`.
struct LoadingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Time zone of timestamps that carry no offset, e.g. Europe/Berlin (default UTC).", valueName: "zone"))
    var tz: String?

    /// The zone to read offset-less times in.
    var timeZone: TimeZone { tz.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")! }

    @Option(help: ArgumentHelp("Currency of amounts whose currency column is missing or empty.", valueName: "code"))
    var currency = ProcessInfo.processInfo.environment["PATRON_CURRENCY"] ?? "USD"

    @Option(name: .customLong("max-rejects"), help: ArgumentHelp(
        "Fail a file (storing nothing) when more rows than this are rejected: a count or a percentage like 2%.",
        valueName: "n|p%"))
    var maxRejects: String?

    @Option(name: .customLong("max-record-bytes"), help: ArgumentHelp(
        "Reject (and skip) a record longer than this: bytes, or with a unit like 64MiB (default 16MiB, at most 1GiB).",
        valueName: "size"))
    var maxRecordBytes: String?

    @Flag(help: "Validate and report what would change, then roll back: nothing is stored, not even the schema created (run `patron migrate` first).")
    var dryRun = false

    @Flag(help: "Fail at once (exit 5) instead of waiting when another load is running.")
    var noWait = false

    @Option(name: .customLong("log-format"), help: ArgumentHelp(
        "How to report on stderr: text, or json (one JSON object per event and a final summary) for schedulers.",
        valueName: "text|json"))
    var logFormat: LogFormat = .text

    func validate() throws {
        if let tz, TimeZone(identifier: tz) == nil { throw ValidationError("unknown time zone '\(tz)' (use a tz database name like Europe/Berlin, or UTC)") }
        if let maxRejects, RejectLimit(maxRejects) == nil {
            throw ValidationError("--max-rejects takes a count (e.g. 100) or a percentage (e.g. 2%), not '\(maxRejects)'")
        }
        if let maxRecordBytes, RecordLimit.parse(maxRecordBytes) == nil {
            throw ValidationError("--max-record-bytes takes a size from 1KiB to 1GiB, in bytes or with a unit (e.g. 64MiB), not '\(maxRecordBytes)'")
        }
        if (try? Normalize.currency(currency)) == nil { throw ValidationError("--currency takes a three-letter code like EUR, not '\(currency)'") }
    }

    func loadOptions(entity: Entity, source: String) throws -> LoadOptions {
        var options = LoadOptions(entity: entity)
        options.source = source.trimmingCharacters(in: .whitespaces)
        options.timeZone = timeZone
        options.dryRun = dryRun
        options.maxRejects = maxRejects.flatMap(RejectLimit.init)
        options.maxRecordBytes = recordLimit
        options.defaultCurrency = try Normalize.currency(currency)
        return options
    }

    /// `--max-record-bytes` in bytes (validated), or the default.
    var recordLimit: Int { maxRecordBytes.flatMap(RecordLimit.parse) ?? RecordLimit.defaultBytes }
}

/// `--log-format`: lines for people, or JSON objects for log collectors.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}
