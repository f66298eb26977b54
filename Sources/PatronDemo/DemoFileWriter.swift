import CZlib
import Foundation
import PatronCore

/// Writes one CSV file of the demo, row by row, through a buffer; optionally gzip. Every
/// `badRowInterval`-th row (starting with the 8th, so that small files have one too) is
/// broken on purpose and recorded.
final class DemoFileWriter {
    let entity: Entity
    let source: String
    let fileName: String
    let header: [String]
    private(set) var rows = 0
    private(set) var planted: [PlantedBadRow] = []

    private let badRowInterval: Int
    private let kinds: [BadRowKind]
    private var buffer: [UInt8] = []
    private var file: UnsafeMutablePointer<FILE>?
    private var gzip: gzFile?

    init(directory: URL, entity: Entity, source: String, header: [String], gzip compress: Bool, badRowInterval: Int) throws {
        self.entity = entity
        self.source = source
        self.header = header
        self.badRowInterval = badRowInterval
        kinds = BadRowKind.kinds(for: entity)
        fileName = "\(entity.rawValue).csv" + (compress ? ".gz" : "")
        let path = directory.appendingPathComponent(fileName).path
        if compress {
            // zlib writes a gzip header without a time stamp or a name: the bytes are reproducible.
            gzip = gzopen(path, "wb6")
            if gzip == nil { throw DemoError.cannotWrite(path, String(cString: strerror(errno))) }
        } else {
            file = fopen(path, "wb")
            if file == nil { throw DemoError.cannotWrite(path, String(cString: strerror(errno))) }
        }
        buffer.reserveCapacity(1 << 20)
        append(header)
    }

    deinit {
        if let file { fclose(file) }
        if let gzip { gzclose(gzip) }
    }

    func write(_ fields: [String]) {
        var fields = fields
        if badRowInterval > 0 && rows % badRowInterval == 7 % badRowInterval {
            spoil(&fields)
        }
        rows += 1
        append(fields)
        if buffer.count >= 1 << 20 { flush() }
    }

    private func spoil(_ fields: inout [String]) {
        let kind = kinds[planted.count % kinds.count]
        let column = header.firstIndex(of: kind.column)!
        switch (entity, kind.column) {
        case (.tickets, "resolved_at"):
            fields[column] = BadRowKind.yearEarlier(fields[header.firstIndex(of: "created_at")!])
        case (.mentions, "responded_at"):
            fields[column] = BadRowKind.yearEarlier(fields[header.firstIndex(of: "posted_at")!])
        default:
            fields[column] = kind.spoil(fields[column])
        }
        planted.append(PlantedBadRow(line: rows + 2, column: kind.column, problem: kind.problem))
    }

    private func append(_ fields: [String]) { appendCSVRecord(fields, to: &buffer) }

    private func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { bytes in
            if let file { _ = fwrite(bytes.baseAddress, 1, bytes.count, file) }
            if let gzip { _ = gzwrite(gzip, bytes.baseAddress, UInt32(bytes.count)) }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; reports a write error (disk full) as a failure.
    func close() throws {
        flush()
        var failed = false
        if let file { failed = ferror(file) != 0; failed = fclose(file) != 0 || failed; self.file = nil }
        if let gzip { failed = gzclose(gzip) != Z_OK; self.gzip = nil }
        if failed { throw DemoError.cannotWrite(fileName, "write failed (disk full?)") }
    }
}

public enum DemoError: Error, CustomStringConvertible {
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}
