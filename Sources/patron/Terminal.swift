import Foundation
import Logging
import PatronCore
import PatronLoad

/// stderr for people: errors, logs and progress. stdout carries data only.
enum Terminal {
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1

    static func error(_ message: String) {
        if logsAsJSON {
            let object = ["event": "error", "message": message, "time": ISO8601DateFormatter().string(from: Date())]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                FileHandle.standardError.write(data + Data("\n".utf8))
                return
            }
        }
        FileHandle.standardError.write(Data("patron: error: \(message)\n".utf8))
    }

    static func line(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The width of the terminal standard output is, from the window size (TIOCGWINSZ); nil
    /// when it is not a terminal or does not say.
    static func outputWindowColumns() -> Int? {
        var size = winsize()
        let status = withUnsafeMutablePointer(to: &size) { ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), $0) }
        guard status == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Set before the first logger is made: `--log-format json` logs JSON objects too.
    nonisolated(unsafe) static var logsAsJSON = false

    private static let bootstrapOnce: Void = {
        let json = logsAsJSON
        LoggingSystem.bootstrap { label in
            json ? JSONLogHandler(label: label) as LogHandler : StreamLogHandler.standardError(label: label)
        }
    }()

    static func bootstrapLogging(level: Logger.Level) {
        _ = bootstrapOnce
    }
}

/// Draws a one-line progress indicator on a terminal (never in cron: no TTY, or --quiet).
final class TerminalProgress: LoadProgress {
    private var lastDraw = Date.distantPast
    private var started = Date()
    private var label = ""
    private var drawn = false

    func phase(_ description: String) {
        if description.hasPrefix("reading") { started = Date() }
        label = description
        draw(force: true, text: "\(description)…")
    }

    func rowsRead(_ rows: Int64, bytesRead: Int64, totalBytes: Int64?) {
        let elapsed = Date().timeIntervalSince(started)
        var text = "\(label): \(rows.formatted()) rows"
        if let totalBytes, totalBytes > 0 {
            text += String(format: ", %.0f%%", min(100, Double(bytesRead) * 100 / Double(totalBytes)))
        }
        if elapsed > 0.5 { text += ", \(Int(Double(rows) / elapsed).formatted()) rows/s" }
        draw(force: false, text: text)
    }

    func clear() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }

    private func draw(force: Bool, text: String) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        drawn = true
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }
}

/// Log messages as one JSON object per line on stderr (`--log-format json`), like the load
/// events, so a log collector reads every line the same way.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let object: [String: String] = [
            "event": "log", "level": level.rawValue, "label": label, "message": message.description,
            "time": ISO8601DateFormatter().string(from: Date()),
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
