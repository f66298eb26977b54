import CZlib
import Foundation
import PatronCore
import PatronInput
import PatronLoad

/// The loader's client side alone — read, validate, encode the binary COPY stream — over one
/// file, without a server, for `scripts/bench-parse`. The loop is `Loader.stage`'s, with the COPY
/// stream replaced by a byte count and a CRC-32 of the bytes (so an optimisation can prove it
/// left the encoded stream unchanged).
enum ClientStageBench {
    public struct Result: Sendable {
        public var rows: Int64 = 0
        public var rejected: Int64 = 0
        public var repeated: Int64 = 0
        /// Bytes of the binary COPY stream, header and trailer included.
        public var bytes: Int64 = 0
        /// CRC-32 (zlib) of those bytes.
        public var crc32: UInt32 = 0
    }

    /// Which code validates and encodes: `RowStager`, or the `RowValidator` + `StageEncoder` it
    /// replaces (same bytes, slower: to check the one against the other on any file).
    public enum Path: String, Sendable {
        case stager, validator
    }

    public static func run(path: String, entity: Entity, format: InputFormat? = nil,
                           timeZone: TimeZone = TimeZone(identifier: "UTC")!, using: Path = .stager) throws -> Result {
        let input = try InputFile(path: path)
        guard let format = format ?? InputFormat.guess(fromPath: path) else {
            throw PatronError.configuration("cannot tell the format of \(path)")
        }
        let spec = entity.spec
        let reader = try makeRowReader(file: input, format: format, columns: spec.columnNames, required: spec.requiredNames)
        let copyChunkBytes = 1 << 20
        if using == .validator {
            return try runValidator(reader: reader, input: input, format: format, spec: spec, timeZone: timeZone)
        }

        // From here on as in `Loader.stage` (with the change its report describes: `RowStager`).
        var stager = RowStager(spec: spec, timeZone: timeZone,
                               expectedBytes: input.sizeInBytes.map { input.isGzip ? $0 * 6 : $0 })
        var row = InputRow(columnCount: spec.columns.count)
        var result = Result()
        let sink = EncodedStream()
        while try reader.next(into: &row) {
            result.rows += 1
            if result.rows == 1 { try spec.checkHeader(firstRow: row, format: format, file: input.displayName) }
            let staged = try stager.add(row)
            if staged.rejected { result.rejected += 1 }
            if staged.repeated { result.repeated += 1 }
            stager.encoder.drain(ifLargerThan: copyChunkBytes, into: sink.add)
        }
        stager.encoder.drainFinishing(into: sink.add)
        (result.bytes, result.crc32) = (sink.bytes, sink.checksum)
        return result
    }

    /// `run` with the validator and encoder `RowStager` replaces (the loop `Loader.stage` had).
    private static func runValidator(reader: RowReader, input: InputFile, format: InputFormat, spec: EntitySpec,
                                     timeZone: TimeZone) throws -> Result {
        let validator = RowValidator(spec: spec, timeZone: timeZone)
        var encoder = StageEncoder(spec: spec)
        var row = InputRow(columnCount: spec.columns.count)
        var values = [StagedValue](repeating: .null, count: spec.columns.count)
        var result = Result()
        let sink = EncodedStream()
        var seenIDs = RepeatFilter(expectedBytes: input.sizeInBytes.map { input.isGzip ? $0 * 6 : $0 })
        while try reader.next(into: &row) {
            result.rows += 1
            if result.rows == 1 { try spec.checkHeader(firstRow: row, format: format, file: input.displayName) }
            if let rejection = validator.validate(row, into: &values) {
                result.rejected += 1
                encoder.appendRejected(line: row.line, rejection: rejection)
            } else {
                let repeated = values[0].text.map { seenIDs.insert($0) } ?? false
                if repeated { result.repeated += 1 }
                try encoder.appendAccepted(line: row.line, repeated: repeated, values: values, present: row.present)
            }
            encoder.drain(ifLargerThan: 1 << 20, into: sink.add)
        }
        encoder.drainFinishing(into: sink.add)
        (result.bytes, result.crc32) = (sink.bytes, sink.checksum)
        return result
    }
}

/// Where the bench sends the encoded COPY stream instead of a server: it counts the bytes and
/// keeps their CRC-32 (zlib).
private final class EncodedStream {
    private(set) var bytes: Int64 = 0
    private var crc = CZlib.crc32(0, nil, 0)
    var checksum: UInt32 { UInt32(crc) }

    func add(_ chunk: UnsafeRawBufferPointer) {
        bytes += Int64(chunk.count)
        crc = CZlib.crc32(crc, chunk.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(chunk.count))
    }
}
