import Foundation
import PatronCore
import PatronImport
import PatronInput

/// Collects what an importer hands on, for tests: each row as column → value, where a column the
/// row leaves absent is not a key and an empty one maps to "".
final class CollectingSink: ImportSink {
    var rows: [Entity: [[String: String]]] = [:]
    var records: [Entity: [SourceRecord]] = [:]
    var skipped: [SkippedRecord] = []
    var dropped: [DroppedIdentifier] = []

    func emit(_ row: ImportRow) throws {
        var values: [String: String] = [:]
        for (column, cell) in zip(row.columns, row.cells) {
            switch cell {
            case .absent: continue
            case .empty: values[column] = ""
            case .text(let s): values[column] = s
            }
        }
        rows[row.entity, default: []].append(values)
        records[row.entity, default: []].append(row.record)
    }

    func skip(_ entity: Entity, _ record: SourceRecord, reason: String) {
        skipped.append(SkippedRecord(entity: entity, record: record, reason: reason))
    }

    func dropIdentifier(_ entity: Entity, _ record: SourceRecord, column: String, value: String, reason: String) {
        dropped.append(DroppedIdentifier(entity: entity, record: record, column: column, value: value, reason: reason))
    }
}

/// A scratch folder for fixture files, removed when it goes away.
final class FixtureFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("patron-import-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ content: String) throws -> String {
        try write(name, bytes: Array(content.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}

/// Recognizes and converts `paths` with a fresh importer, as `patron import VENDOR` does.
func convert<I: VendorImporter>(_ type: I.Type, _ paths: [String], settings: ImportSettings = ImportSettings()) throws -> CollectingSink {
    let importer = I(settings: settings)
    let sink = CollectingSink()
    for (path, kind) in try importer.recognizeAll(paths) {
        try importer.convert(try InputFile(path: path), kind: kind, into: sink)
    }
    return sink
}
