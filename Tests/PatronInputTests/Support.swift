import Foundation
import Testing
@testable import PatronInput

/// A row as read, detached from the reused `InputRow`.
struct ReadRow: Equatable, CustomStringConvertible {
    var line: Int
    var values: [String?]
    var present: [Bool]
    var rejection: RowRejection?

    var description: String {
        "line \(line): \(values.map { $0 ?? "nil" }) present=\(present)\(rejection.map { " REJECTED \($0)" } ?? "")"
    }
}

struct ReadResult {
    var rows: [ReadRow]
    var unknownColumns: [String]
    var file: InputFile
}

enum Fixture {
    /// A fresh temporary directory for one test.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("patron-input-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` to a new temporary file and returns its path.
    static func file(_ bytes: [UInt8], name: String = "input") throws -> String {
        let url = try directory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func file(_ text: String, name: String = "input") throws -> String {
        try file(Array(text.utf8), name: name)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// Compresses with the system's `gzip -c -n` (run through Process).
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let path = try file(bytes, name: "plain")
        defer { remove(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-c", "-n", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return Array(data)
    }

    static func gzip(_ text: String) throws -> [UInt8] { try gzip(Array(text.utf8)) }
}

/// Reads every row of the file at `path`.
func readAll(path: String, format: InputFormat, columns: [String], required: Set<String> = [],
             delimiter: UInt8 = UInt8(ascii: ",")) throws -> ReadResult {
    let file = try InputFile(path: path)
    let reader = try makeRowReader(file: file, format: format, columns: columns, required: required, delimiter: delimiter)
    #expect(reader.columns == columns.map { $0.lowercased() })
    var row = InputRow(columnCount: columns.count)
    var rows: [ReadRow] = []
    while try reader.next(into: &row) {
        rows.append(ReadRow(line: row.line, values: row.values, present: row.present, rejection: row.rejection))
    }
    // Reading past the end stays at the end.
    #expect(try reader.next(into: &row) == false)
    return ReadResult(rows: rows, unknownColumns: reader.unknownColumns, file: file)
}

/// Writes `bytes` to a temporary file, reads it, removes it.
func read(_ bytes: [UInt8], _ format: InputFormat, columns: [String], required: Set<String> = [],
          delimiter: UInt8 = UInt8(ascii: ","), name: String? = nil) throws -> ReadResult {
    let path = try Fixture.file(bytes, name: name ?? (format == .csv ? "input.csv" : "input.jsonl"))
    defer { Fixture.remove(path) }
    return try readAll(path: path, format: format, columns: columns, required: required, delimiter: delimiter)
}

func read(_ text: String, _ format: InputFormat, columns: [String], required: Set<String> = [],
          delimiter: UInt8 = UInt8(ascii: ",")) throws -> ReadResult {
    try read(Array(text.utf8), format, columns: columns, required: required, delimiter: delimiter)
}

/// The `InputError` thrown while reading `bytes`, if any.
func inputError(_ bytes: [UInt8], _ format: InputFormat, columns: [String], required: Set<String> = []) -> InputError? {
    do {
        _ = try read(bytes, format, columns: columns, required: required)
        return nil
    } catch let e as InputError {
        return e
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

func inputError(_ text: String, _ format: InputFormat, columns: [String], required: Set<String> = []) -> InputError? {
    inputError(Array(text.utf8), format, columns: columns, required: required)
}

/// The reason of the `ValueError` thrown by `body`, or nil if it did not throw.
func valueErrorReason<T>(_ body: () throws -> T) -> String? {
    do {
        _ = try body()
        return nil
    } catch let e as ValueError {
        return e.reason
    } catch {
        return "unexpected error \(error)"
    }
}
