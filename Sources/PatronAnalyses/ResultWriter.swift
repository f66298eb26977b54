import Foundation
import PatronCore

/// Receives a result as it streams: the columns once, then the rows, then `end`.
public protocol ResultWriter: AnyObject {
    func begin(columns: [ResultColumn]) throws
    func row(_ values: [String?]) throws
    func end() throws
}

public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json, jsonl, markdown
}

extension OutputFormat {
    /// The `--output` file extensions Patron knows, with the format each means.
    public static let fileExtensions: [(fileExtension: String, format: OutputFormat)] = [
        ("csv", .csv), ("json", .json), ("jsonl", .jsonl), ("ndjson", .jsonl), ("md", .markdown), ("markdown", .markdown), ("txt", .table),
    ]

    /// The format for `--output PATH`: `explicit` when given (then any name will do), else the
    /// one PATH's extension names. An unknown extension, or none, is a usage error rather than a
    /// guess: a cron job writing `report.xlsx` should fail loudly, not get CSV under that name.
    public static func forOutput(_ path: String, explicit: OutputFormat?) throws -> OutputFormat {
        if let explicit { return explicit }
        let fileExtension = URL(fileURLWithPath: path).pathExtension
        if let known = fileExtensions.first(where: { $0.fileExtension == fileExtension.lowercased() }) { return known.format }
        let known = fileExtensions.map { "." + $0.fileExtension }
        let formats = allCases.map(\.rawValue).joined(separator: ", ")
        let what = fileExtension.isEmpty ? "a name without an extension" : "the extension .\(fileExtension)"
        throw PatronError.usage("--output \(path): cannot tell the format from \(what); use \(known.dropLast().joined(separator: ", ")) or \(known.last!), or give --format (\(formats)) and any name will do")
    }
}

/// Where the bytes go (a file handle, or memory in tests), written in large chunks.
public final class OutputSink {
    private let emit: ([UInt8]) throws -> Void
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    public init(emit: @escaping ([UInt8]) throws -> Void) {
        self.emit = emit
        buffer.reserveCapacity(limit + 4096)
    }

    public convenience init(handle: FileHandle) {
        self.init(emit: { try handle.write(contentsOf: $0) })
    }

    /// Writes to a temporary file beside `path`; `AtomicOutputFile.commit()` renames it over
    /// `path`, so a run that fails leaves a previous file as it was.
    public convenience init(atomic file: AtomicOutputFile) {
        self.init(emit: { try file.handle.write(contentsOf: $0) })
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { try flush() }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try emit(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// `--output FILE` done safely for cron: the bytes go to a temporary file in FILE's folder
/// (same file system), which replaces FILE by `rename(2)` only once the whole result is written.
/// A failed run removes the temporary file and leaves FILE untouched (or absent).
public final class AtomicOutputFile {
    public let path: String
    public let temporaryPath: String
    let handle: FileHandle
    private var finished = false

    public init(path: String) throws {
        // Through a symbolic link: replace the file it points to, not the link.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        self.path = target.path
        let folder = target.deletingLastPathComponent().path
        var template = Array((folder + "/." + target.lastPathComponent + ".patron-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw PatronError.usage("--output: cannot write to \(path) (\(String(cString: strerror(errno))))")
        }
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // The mode an ordinary create would give (0666 less the umask), or the replaced file's.
        var mode: mode_t
        var existing = stat()
        if stat(target.path, &existing) == 0 {
            mode = existing.st_mode & 0o7777
        } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        fchmod(fd, mode)
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Makes the written bytes durable and puts them in place.
    public func commit() throws {
        guard !finished else { return }
        finished = true
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            unlink(temporaryPath)
            throw PatronError.usage("--output: cannot write to \(path) (\(error))")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw PatronError.usage("--output: cannot replace \(path) (\(reason))")
        }
    }

    /// Removes the temporary file (after a failure); FILE stays as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        try? handle.close()
        unlink(temporaryPath)
    }

    deinit { discard() }
}

public enum ResultWriters {
    public static func make(_ format: OutputFormat, sink: OutputSink) -> any ResultWriter {
        switch format {
        case .table: return TableWriter(sink: sink, markdown: false)
        case .markdown: return TableWriter(sink: sink, markdown: true)
        case .csv: return CSVWriter(sink: sink)
        case .json: return JSONWriter(sink: sink, lines: false)
        case .jsonl: return JSONWriter(sink: sink, lines: true)
        }
    }
}

// MARK: - CSV

/// RFC 4180 with a header row. NULL is an empty field and an empty string is `""`, so that
/// PostgreSQL's `COPY … (FORMAT csv)` reads the file back to the same values. Numbers at full
/// precision, booleans `true`/`false`.
public final class CSVWriter: ResultWriter {
    let sink: OutputSink
    private var kinds: [ResultColumn.Kind] = []

    public init(sink: OutputSink) { self.sink = sink }

    public func begin(columns: [ResultColumn]) throws {
        kinds = columns.map(\.kind)
        try sink.write(columns.map { Self.field($0.name) }.joined(separator: ",") + "\n")
    }

    public func row(_ values: [String?]) throws {
        var line = ""
        for (index, value) in values.enumerated() {
            if index > 0 { line += "," }
            guard let value else { continue }
            if value.isEmpty { line += "\"\"" } else if kinds[index] == .boolean { line += displayBoolean(value) } else { line += Self.field(value) }
        }
        try sink.write(line + "\n")
    }

    public func end() throws { try sink.flush() }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

// MARK: - JSON

/// A JSON array of objects (`json`) or one object per line (`jsonl`). Numbers are JSON numbers
/// at full precision (NaN and infinities, which JSON lacks, become null); NULL is `null`.
public final class JSONWriter: ResultWriter {
    let sink: OutputSink
    let lines: Bool
    private var columns: [ResultColumn] = []
    private var keys: [String] = []
    private var rowsWritten = 0

    public init(sink: OutputSink, lines: Bool) {
        self.sink = sink
        self.lines = lines
    }

    public func begin(columns: [ResultColumn]) throws {
        self.columns = columns
        keys = columns.map { Self.string($0.name) }
        if !lines { try sink.write("[") }
    }

    public func row(_ values: [String?]) throws {
        var object = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { object += "," }
            object += keys[index] + ":"
            guard let value else { object += "null"; continue }
            switch columns[index].kind {
            case .integer: object += value
            case .decimal: object += Double(value).map { $0.isFinite } == true ? Self.number(value) : "null"
            case .boolean: object += displayBoolean(value)
            case .json: object += value
            case .text: object += Self.string(value)
            }
        }
        object += "}"
        if lines {
            try sink.write(object + "\n")
        } else {
            try sink.write((rowsWritten == 0 ? "\n" : ",\n") + object)
        }
        rowsWritten += 1
    }

    public func end() throws {
        if !lines { try sink.write(rowsWritten == 0 ? "]\n" : "\n]\n") }
        try sink.flush()
    }

    /// PostgreSQL's numeric text is valid JSON except for a leading `.`-less forms it never
    /// prints; float text may be `1e+20`, also valid JSON.
    static func number(_ text: String) -> String { text }

    static func string(_ text: String) -> String { TextTable.jsonString(text) }
}

// MARK: - Table and Markdown

/// An aligned table for people (or a Markdown table). Numbers are rounded for display only
/// (at most 4 decimals); widths come from the first rows, which are held back until
/// `lookahead` rows are known, then every row streams with those widths (a longer cell just
/// pushes its line wider). NULL shows as empty.
public final class TableWriter: ResultWriter {
    let sink: OutputSink
    let markdown: Bool
    let lookahead: Int
    private var columns: [ResultColumn] = []
    private var pending: [[String]] = []
    private var widths: [Int]?

    public init(sink: OutputSink, markdown: Bool, lookahead: Int = 1000) {
        self.sink = sink
        self.markdown = markdown
        self.lookahead = lookahead
    }

    public func begin(columns: [ResultColumn]) throws { self.columns = columns }

    public func row(_ values: [String?]) throws {
        let cells = values.enumerated().map { index, value in display(value, columns[index].kind) }
        if widths != nil {
            try writeLine(cells)
        } else {
            pending.append(cells)
            if pending.count >= lookahead { try flushPending() }
        }
    }

    public func end() throws {
        try flushPending()
        try sink.flush()
    }

    private func flushPending() throws {
        guard widths == nil else { return }
        var widths = columns.map { $0.name.count }
        for cells in pending {
            for (index, cell) in cells.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        if markdown { widths = widths.map { max($0, 3) } }
        self.widths = widths
        try writeLine(columns.map(\.name))
        if markdown {
            try sink.write("|" + columns.indices.map { index in
                let dashes = String(repeating: "-", count: widths[index])
                return isNumeric(index) ? " " + dashes.dropLast() + ": " : " " + dashes + " "
            }.joined(separator: "|") + "|\n")
        } else {
            try sink.write(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n")
        }
        for cells in pending { try writeLine(cells) }
        pending = []
    }

    private func isNumeric(_ index: Int) -> Bool { columns[index].kind == .integer || columns[index].kind == .decimal }

    private func writeLine(_ cells: [String]) throws {
        let widths = self.widths ?? cells.map(\.count)
        let padded = cells.enumerated().map { index, cell -> String in
            let text = markdown ? cell.replacingOccurrences(of: "|", with: "\\|") : cell
            let fill = String(repeating: " ", count: max(0, widths[index] - text.count))
            return isNumeric(index) ? fill + text : text + fill
        }
        if markdown {
            try sink.write("| " + padded.joined(separator: " | ") + " |\n")
        } else {
            var line = padded.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            try sink.write(line + "\n")
        }
    }

    private func display(_ value: String?, _ kind: ResultColumn.Kind) -> String {
        guard let value else { return "" }
        switch kind {
        case .decimal: return roundedForDisplay(value)
        case .boolean: return displayBoolean(value)
        case .text where !markdown: return value.replacingOccurrences(of: "\n", with: " ")
        case .text: return value.replacingOccurrences(of: "\n", with: "<br>")
        default: return value
        }
    }
}

/// PostgreSQL's `t`/`f` as `true`/`false`.
func displayBoolean(_ value: String) -> String {
    value == "t" ? "true" : value == "f" ? "false" : value
}

/// At most 4 decimals, rounded half away from zero in decimal arithmetic, trailing zeros
/// dropped: `0.333333` → `0.3333`, `12.50` → `12.5`. Anything else is shown as it is.
func roundedForDisplay(_ text: String, places: Int = 4) -> String {
    guard let dot = text.firstIndex(of: "."), !text.contains("e"), !text.contains("E") else { return text }
    let fraction = text[text.index(after: dot)...]
    guard fraction.count > places else {
        var trimmed = text
        while trimmed.hasSuffix("0") { trimmed.removeLast() }
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed
    }
    guard var decimal = Decimal(string: text) else { return text }
    var rounded = Decimal()
    NSDecimalRound(&rounded, &decimal, places, .plain)
    let result = NSDecimalNumber(decimal: rounded).stringValue
    return result == "-0" ? "0" : result
}
