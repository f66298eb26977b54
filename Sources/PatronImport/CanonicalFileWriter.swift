import Foundation
import PatronCore
import PatronInput

/// Writes what importers hand on as canonical files in a folder: `ENTITY.csv` (for people:
/// `patron import … --convert-to DIR`) or `ENTITY.jsonl` (for the loader, which keeps a
/// record's absent columns absent), plus the records skipped and the identifiers dropped.
///
/// Memory stays bounded: rows go to disk as they come, and so does the source line of every
/// row (to name the vendor record of a rejected row); only the counts per skip reason are kept.
public final class CanonicalFileWriter: ImportSink {
    public enum Format: Sendable {
        case csv, jsonl
        var fileExtension: String { self == .csv ? "csv" : "jsonl" }
    }

    public let directory: URL
    public let format: Format
    /// The vendor file being converted, as shown in skipped.csv.
    public var sourceFile = ""

    private var outputs: [Entity: Output] = [:]
    private var skippedOut: FileOutput?
    private var droppedOut: FileOutput?
    private var rejectedOut: FileOutput?
    /// Per entity, records the importer itself rejected.
    public private(set) var rejectedCounts: [Entity: Int64] = [:]
    /// Per entity and reason, the records skipped; per entity, identifiers dropped.
    public private(set) var skipCounts: [Entity: [String: Int64]] = [:]
    public private(set) var droppedCounts: [Entity: Int64] = [:]

    private final class Output {
        let columns: [String]
        /// `"column":` per column, encoded once.
        let jsonKeys: [[UInt8]]
        let file: FileOutput
        /// For each row written (in order), the line of its record in the vendor file: 4 bytes
        /// each (little-endian) in a file beside the rows, read back only for rejected rows.
        /// Kept for the loader (JSON Lines) only: people reading the CSV files see no extra file.
        let sourceLines: FileOutput?
        let sourceLinesPath: String
        var rows = 0
        init(columns: [String], file: FileOutput, sourceLinesPath: String, tracksLines: Bool) throws {
            self.columns = columns
            self.file = file
            self.sourceLinesPath = sourceLinesPath
            sourceLines = tracksLines ? try FileOutput(URL(fileURLWithPath: sourceLinesPath)) : nil
            jsonKeys = columns.map { Array((CanonicalFileWriter.jsonString($0) + ":").utf8) }
        }
    }

    /// - Parameter columns: per entity, the columns the vendor fills (the CSV header); an entity
    ///   gets its file when its first row arrives.
    public init(directory: URL, format: Format, columns: @escaping (Entity) -> [String]) throws {
        self.directory = directory
        self.format = format
        self.columnsOf = columns
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private let columnsOf: (Entity) -> [String]

    /// The file an entity's rows were written to, if any.
    public func path(of entity: Entity) -> String? {
        outputs[entity] == nil ? nil : directory.appendingPathComponent("\(entity.rawValue).\(format.fileExtension)").path
    }

    /// The vendor file's line for line `line` of an entity's converted file (JSON Lines: line
    /// n is row n; CSV: row n is on line n + 1).
    public func sourceLine(of entity: Entity, convertedLine line: Int) -> Int? {
        guard let output = outputs[entity] else { return nil }
        let row = format == .csv ? line - 2 : line - 1
        guard output.sourceLines != nil, row >= 0, row < output.rows, let handle = FileHandle(forReadingAtPath: output.sourceLinesPath) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(row) * 4)) != nil, let data = try? handle.read(upToCount: 4), data.count == 4
        else { return nil }
        return Int(Int32(bitPattern: UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16 | UInt32(data[3]) << 24))
    }

    public var entitiesWritten: [Entity] { Entity.allCases.filter { outputs[$0] != nil } }

    public func rowsWritten(_ entity: Entity) -> Int { outputs[entity]?.rows ?? 0 }

    public func emit(_ row: ImportRow) throws {
        let output = try self.output(for: row.entity)
        precondition(row.columns == output.columns, "an importer's rows must use its declared columns")
        output.rows += 1
        if let lines = output.sourceLines {
            let line = UInt32(bitPattern: Int32(clamping: row.record.line))
            lines.append([UInt8(line & 0xFF), UInt8(line >> 8 & 0xFF), UInt8(line >> 16 & 0xFF), UInt8(line >> 24)])
            try lines.flushIfFull()
        }
        // Written byte by byte into the file's buffer: this runs for every cell of every row.
        let file = output.file
        switch format {
        case .csv:
            for (i, cell) in row.cells.enumerated() {
                if i > 0 { file.append(0x2C) }
                if case .text(let s) = cell { file.appendCSVField(s) }
            }
            file.append(0x0A)
        case .jsonl:
            file.append(0x7B)
            var first = true
            for (i, cell) in row.cells.enumerated() {
                switch cell {
                case .absent: continue
                case .empty:
                    if !first { file.append(0x2C) }
                    file.append(output.jsonKeys[i])
                    file.append(Self.jsonNull)
                case .text(let s):
                    if !first { file.append(0x2C) }
                    file.append(output.jsonKeys[i])
                    file.appendJSONString(s)
                }
                first = false
            }
            file.append(0x7D)
            file.append(0x0A)
        }
        try file.flushIfFull()
    }

    private static let jsonNull = Array("null".utf8)

    public func skip(_ entity: Entity, _ record: SourceRecord, reason: String) {
        skipCounts[entity, default: [:]][reason, default: 0] += 1
        do {
            if skippedOut == nil {
                skippedOut = try FileOutput(directory.appendingPathComponent("skipped.csv"))
                try skippedOut?.write(format == .csv ? "source_file,source_ref,reason\n" : "entity,line,source_ref,reason\n")
            }
            let fields = format == .csv ? [sourceFile, record.description, reason]
                : [entity.rawValue, String(record.line), record.description, reason]
            try skippedOut?.write(fields.map(Self.csvField).joined(separator: ",") + "\n")
        } catch {
            // Counted anyway; the write error resurfaces on the next row or on finish().
        }
    }

    public func dropIdentifier(_ entity: Entity, _ record: SourceRecord, column: String, value: String, reason: String) {
        droppedCounts[entity, default: 0] += 1
        do {
            if droppedOut == nil {
                droppedOut = try FileOutput(directory.appendingPathComponent("dropped_identifiers.csv"))
                try droppedOut?.write(format == .csv ? "source_file,source_ref,column,value,reason\n"
                    : "entity,line,source_ref,column,value,reason\n")
            }
            let fields = format == .csv ? [sourceFile, record.description, column, value, reason]
                : [entity.rawValue, String(record.line), record.description, column, value, reason]
            try droppedOut?.write(fields.map(Self.csvField).joined(separator: ",") + "\n")
        } catch {}
    }

    public func reject(_ rejected: RejectedRecord) {
        rejectedCounts[rejected.entity, default: 0] += 1
        do {
            if rejectedOut == nil {
                rejectedOut = try FileOutput(directory.appendingPathComponent("rejected.csv"))
                try rejectedOut?.write(format == .csv ? "source_file,source_ref,column,value,reason\n"
                    : "entity,line,source_ref,column,value,reason\n")
            }
            let fields = format == .csv
                ? [sourceFile, rejected.record.description, rejected.column ?? "", rejected.value ?? "", rejected.reason]
                : [rejected.entity.rawValue, String(rejected.record.line), rejected.record.description,
                   rejected.column ?? "", rejected.value ?? "", rejected.reason]
            try rejectedOut?.write(fields.map(Self.csvField).joined(separator: ",") + "\n")
        } catch {}
    }

    /// Flushes and closes every file.
    public func finish() throws {
        for output in outputs.values {
            try output.file.close()
            try output.sourceLines?.close()
        }
        try skippedOut?.close()
        try droppedOut?.close()
        try rejectedOut?.close()
    }

    public var rejectedPath: String? { rejectedOut == nil ? nil : directory.appendingPathComponent("rejected.csv").path }

    public var skippedPath: String? { skippedOut == nil ? nil : directory.appendingPathComponent("skipped.csv").path }
    public var droppedPath: String? { droppedOut == nil ? nil : directory.appendingPathComponent("dropped_identifiers.csv").path }

    private func output(for entity: Entity) throws -> Output {
        if let output = outputs[entity] { return output }
        let columns = columnsOf(entity)
        let file = try FileOutput(directory.appendingPathComponent("\(entity.rawValue).\(format.fileExtension)"))
        if format == .csv { try file.write(columns.joined(separator: ",") + "\n") }
        let output = try Output(columns: columns, file: file,
                                sourceLinesPath: directory.appendingPathComponent("\(entity.rawValue).lines").path,
                                tracksLines: format == .jsonl)
        outputs[entity] = output
        return output
    }

    /// RFC 4180: quoted when it holds a comma, quote, CR or LF, or outer white space.
    static func csvField(_ s: String) -> String {
        let u = s.utf8
        // Outer white space: ASCII space or tab, or any non-ASCII character (which might be one;
        // quoting it is harmless).
        let outer: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 >= 0x80 }
        let needsQuotes = u.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || u.first.map(outer) == true || u.last.map(outer) == true
        return needsQuotes ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A JSON string literal (RFC 8259 escaping).
    static func jsonString(_ s: String) -> String { TextTable.jsonString(s) }
}

/// A file written through a 1 MiB buffer.
final class FileOutput {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let path: String

    init(_ url: URL) throws {
        path = url.path
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw InputError(file: url.path, message: "cannot create the file")
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        try flushIfFull()
    }

    func flushIfFull() throws {
        if buffer.count >= 1 << 20 { try flush() }
    }

    @inline(__always) func append(_ byte: UInt8) { buffer.append(byte) }

    @inline(__always) func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    /// A JSON string literal (RFC 8259 escaping).
    func appendJSONString(_ s: String) {
        buffer.append(0x22)
        // Most values need no escape: copied in one piece.
        var s = s
        let plain = s.withUTF8 { u -> Bool in
            for b in u where b < 0x20 || b == 0x22 || b == 0x5C { return false }
            buffer.append(contentsOf: u)
            return true
        }
        if plain {
            buffer.append(0x22)
            return
        }
        for b in s.utf8 {
            switch b {
            case 0x22: buffer.append(0x5C); buffer.append(0x22)
            case 0x5C: buffer.append(0x5C); buffer.append(0x5C)
            case 0x0A: buffer.append(0x5C); buffer.append(UInt8(ascii: "n"))
            case 0x0D: buffer.append(0x5C); buffer.append(UInt8(ascii: "r"))
            case 0x09: buffer.append(0x5C); buffer.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: buffer.append(b)
            }
        }
        buffer.append(0x22)
    }

    /// An RFC 4180 field: quoted when it holds a comma, quote, CR or LF, or starts or ends with
    /// white space (or any non-ASCII character, which might be; quoting it is harmless).
    func appendCSVField(_ s: String) {
        let u = s.utf8
        let outer: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 >= 0x80 }
        let quoted = u.first.map(outer) == true || u.last.map(outer) == true
            || u.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if !quoted { buffer.append(contentsOf: u); return }
        buffer.append(0x22)
        for b in u {
            if b == 0x22 { buffer.append(0x22) }
            buffer.append(b)
        }
        buffer.append(0x22)
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw InputError(file: path, message: "cannot write: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        buffer = []  // its megabyte back
        try handle.close()
    }
}
