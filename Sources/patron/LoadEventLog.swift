import Foundation
import PatronCore
import PatronImport
import PatronLoad

/// How one file of a load, import or sync ended, for the log and the summary table.
struct FileOutcome: Encodable {
    enum Status: String, Encodable {
        case loaded, loadedWithRejects = "loaded_with_rejects", failed, skipped, dryRun = "dry_run"
    }

    var source: String
    var file: String
    /// The entity of a canonical file, or the vendor kind (`shopify orders`).
    var kind: String
    var status: Status
    var read: Int64 = 0
    var inserted: Int64 = 0
    var updated: Int64 = 0
    var unchanged: Int64 = 0
    var superseded: Int64 = 0
    var rejected: Int64 = 0
    /// Vendor records left out on purpose.
    var skipped: Int64 = 0
    var identifiersDropped: Int64 = 0
    var seconds: Double
    var runs: [Int64] = []
    /// The first run with skipped records or dropped identifiers (`patron rejects --skipped --run`).
    var noticeRun: Int64?
    /// The first run with rejected rows.
    var rejectRun: Int64?
    /// Per entity, for imports: `purchases 5 read = …`.
    var details: [String] = []
    var message: String?
    var exitCode: Int32

    init(source: String, report: LoadReport, seconds: Double) {
        self.source = source
        file = report.file
        kind = report.entity.rawValue
        status = report.dryRun ? .dryRun : report.counts.rejected > 0 ? .loadedWithRejects : .loaded
        self.seconds = seconds
        exitCode = report.exitStatus.rawValue
        add(report.counts)
        if let run = report.runID { runs = [run] }
        if report.counts.rejected > 0 { rejectRun = report.runID }
    }

    init(source: String, report: ImportReport, seconds: Double) {
        self.source = source
        file = report.file
        kind = report.kind.description
        let dryRun = report.loads.first?.dryRun ?? false
        status = dryRun ? .dryRun : report.loads.contains { $0.counts.rejected > 0 } ? .loadedWithRejects : .loaded
        self.seconds = seconds
        exitCode = report.exitStatus.rawValue
        for load in report.loads {
            add(load.counts)
            if rejectRun == nil, load.counts.rejected > 0 { rejectRun = load.runID }
            if let run = load.runID { runs.append(run) }
            let c = load.counts
            var detail = "\(load.entity.rawValue) \(c.read) read = \(c.inserted) inserted + \(c.updated) updated + \(c.unchanged) unchanged + \(c.superseded) superseded + \(c.rejected) rejected"
            if let reasons = report.skipped[load.entity], !reasons.isEmpty {
                let total = reasons.values.reduce(0, +)
                detail += "; \(total) skipped (" + reasons.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") + ")"
            }
            if let dropped = report.droppedIdentifiers[load.entity], dropped > 0 {
                detail += "; \(dropped) junk identifiers dropped, rows kept"
            }
            if noticeRun == nil, !(report.skipped[load.entity] ?? [:]).isEmpty || (report.droppedIdentifiers[load.entity] ?? 0) > 0 {
                noticeRun = load.runID
            }
            details.append(detail)
        }
        skipped = report.skippedTotal
        identifiersDropped = report.droppedIdentifiers.values.reduce(0, +)
    }

    init(source: String, file: String, kind: String, error: PatronError, seconds: Double) {
        self.source = source
        self.file = file
        self.kind = kind
        status = .failed
        self.seconds = seconds
        message = error.description
        exitCode = error.exitStatus.rawValue
    }

    /// A file skipped because the same bytes were loaded before under this source and kind.
    init(alreadyLoadedFile file: String, source: String, kind: String) {
        self.source = source
        self.file = file
        self.kind = kind
        status = .skipped
        seconds = 0
        message = "already loaded (same SHA-256 under this source and kind)"
        exitCode = 0
    }

    private mutating func add(_ c: LoadCounts) {
        read += c.read
        inserted += c.inserted
        updated += c.updated
        unchanged += c.unchanged
        superseded += c.superseded
        rejected += c.rejected
    }
}

/// Reports files as they finish, on stderr: a line per file for people, or one JSON object per
/// event (`--log-format json`) for schedulers. Quiet (`--quiet`) drops the per-file lines of the
/// text form; errors are always reported.
final class LoadEventLog {
    let format: LogFormat
    let quiet: Bool

    init(format: LogFormat, quiet: Bool) {
        self.format = format
        self.quiet = quiet
    }

    func file(_ outcome: FileOutcome) {
        switch format {
        case .json:
            emit(Event(event: "file", time: Self.now(), outcome: outcome))
        case .text:
            if outcome.status == .failed {
                Terminal.error(outcome.message ?? "\(outcome.file) failed")
                return
            }
            guard !quiet else { return }
            switch outcome.status {
            case .skipped:
                Terminal.line("\(outcome.file) (\(outcome.kind)): skipped, \(outcome.message ?? "")")
            default:
                let what = outcome.status == .dryRun ? "dry run, nothing stored"
                    : "run" + (outcome.runs.count > 1 ? "s " : " ") + outcome.runs.map(String.init).joined(separator: ", ")
                Terminal.line("\(outcome.file) (\(outcome.kind)): " + String(format: "%@, %.2f s", what, outcome.seconds))
                for detail in outcome.details { Terminal.line("  " + detail) }
                if outcome.rejected > 0, outcome.status != .dryRun, let run = outcome.rejectRun {
                    Terminal.line("  see the rejected rows with: patron rejects --run \(run)")
                }
                if let run = outcome.noticeRun {
                    Terminal.line("  see what was left out with: patron rejects --skipped --run \(run)")
                }
            }
        }
    }

    /// The final summary: for the JSON form one object; the text form leaves the table to the caller.
    func summary(_ outcomes: [FileOutcome], exit: ExitStatus) {
        guard format == .json else { return }
        emit(Summary(event: "summary", time: Self.now(), exit_code: exit.rawValue, files: outcomes.count,
                     files_failed: outcomes.filter { $0.status == .failed }.count,
                     files_skipped: outcomes.filter { $0.status == .skipped }.count,
                     rows_read: outcomes.reduce(0) { $0 + $1.read }, rows_rejected: outcomes.reduce(0) { $0 + $1.rejected },
                     records_skipped: outcomes.reduce(0) { $0 + $1.skipped }))
    }

    private struct Event: Encodable {
        let event: String
        let time: String
        let outcome: FileOutcome

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(event, forKey: Key("event"))
            try c.encode(time, forKey: Key("time"))
            try outcome.encode(to: encoder)
        }
    }

    private struct Summary: Encodable {
        let event: String
        let time: String
        let exit_code: Int32
        let files: Int
        let files_failed: Int
        /// Files skipped as already loaded (sync).
        let files_skipped: Int
        let rows_read: Int64
        let rows_rejected: Int64
        /// Vendor records left out on purpose.
        let records_skipped: Int64
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private func emit<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }

    private static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
