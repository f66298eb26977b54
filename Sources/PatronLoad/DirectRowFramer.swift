import PostgresClient

/// Turns one row in the staging layout — the bytes `StageEncoder` writes for a validated row:
/// line, repeated, reject_column, reject_value, reject_reason, every input column, then
/// has_<column> per optional column — into a row of the entity's table for a direct load
/// (`copy_direct`: source, id, customer key or handle key, the other columns, run, run), with the insert
/// defaults of the entity's spec (which its `insert` statement applies too). So validation and encoding have one definition, used
/// by both load paths; this only moves finished fields and fills in a few.
struct DirectRowFramer {
    let spec: EntitySpec
    /// The source's name as UTF-8, written into every row.
    private let source: [UInt8]
    private let runID: Int64
    private let fieldCount: Int
    /// Per input column, what an empty value becomes (the spec's insert defaults).
    private let defaults: [Default?]
    /// The input column of the handle when rows carry handle_key (mentions), else nil.
    private let handleIndex: Int?
    /// Per field of the current row: offset of its value bytes, and length (-1: NULL).
    private var starts: [Int] = []
    private var lengths: [Int32] = []

    init(spec: EntitySpec, source: String, runID: Int64, defaultCurrency: String) {
        self.spec = spec
        self.source = Array(source.utf8)
        self.runID = runID
        fieldCount = spec.directColumns.count
        handleIndex = spec.placedByHandle ? spec.index(of: "handle") : nil
        defaults = spec.columns.map { column in
            switch column.insertDefault {
            case nil: return nil
            case .defaultCurrency: return .constant(defaultCurrency)
            case .constant(let value): return .constant(value)
            case .dependsOn(let other, let present, let absent):
                guard let index = spec.index(of: other) else { preconditionFailure("\(spec.entity): no column \(other)") }
                return .dependsOn(index: index, present: present, absent: absent)
            }
        }
    }

    private enum Default {
        case constant(String)
        case dependsOn(index: Int, present: String, absent: String)
    }

    /// Reads the field boundaries of `row` (one complete staging row). Returns whether it is a
    /// rejected row.
    mutating func parse(_ row: UnsafeRawBufferPointer) -> Bool {
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        let count = Int(Int16(bigEndian: row.loadUnaligned(fromByteOffset: 0, as: Int16.self)))
        var offset = 2
        for _ in 0..<count {
            let length = Int32(bigEndian: row.loadUnaligned(fromByteOffset: offset, as: Int32.self))
            starts.append(offset + 4)
            lengths.append(length)
            offset += 4 + max(0, Int(length))
        }
        return lengths[4] >= 0
    }

    /// Field `i` of the current row (staging layout), nil when NULL.
    func field(_ i: Int, in row: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard lengths[i] >= 0 else { return nil }
        return UnsafeRawBufferPointer(rebasing: row[starts[i]..<(starts[i] + Int(lengths[i]))])
    }

    /// Input column `i` of the current row, nil when NULL.
    func column(_ i: Int, in row: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? { field(5 + i, in: row) }

    /// Writes the current (accepted) row as a row of the entity's table.
    func writeAccepted(_ row: UnsafeRawBufferPointer, key: Int64?, into encoder: inout BinaryCopyEncoder) {
        encoder.beginRow(fieldCount: fieldCount)
        source.withUnsafeBytes { encoder.append(utf8: $0) }
        encoder.append(utf8: column(0, in: row)!)
        if spec.resolvesCustomers {
            if let key { encoder.append(int64: key) } else { encoder.appendNull() }
        }
        if let handle = handleIndex {
            // handle_key, as the entity's insert computes it: the handle, else ':' + the id.
            if let value = column(handle, in: row) {
                encoder.append(utf8: value)
            } else {
                let id = column(0, in: row)!
                encoder.appendText(count: 1 + id.count) { p in
                    p.pointee = UInt8(ascii: ":")
                    if let bytes = id.baseAddress {
                        (p + 1).update(from: bytes.assumingMemoryBound(to: UInt8.self), count: id.count)
                    }
                }
            }
        }
        for i in 1..<spec.columns.count {
            if let value = column(i, in: row) {
                encoder.append(utf8: value)
            } else {
                switch defaults[i] {
                case nil: encoder.appendNull()
                case .constant(let value): encoder.append(text: value)
                case .dependsOn(let other, let present, let absent):
                    encoder.append(text: column(other, in: row) == nil ? absent : present)
                }
            }
        }
        encoder.append(int64: runID)
        encoder.append(int64: runID)
    }

    /// The current (rejected) row as a binary COPY tuple of rejected_rows:
    /// (run_id, line, column_name, value, reason).
    func writeRejected(_ row: UnsafeRawBufferPointer, into spill: SpillFile) throws {
        var tuple: [UInt8] = []
        tuple.reserveCapacity(64)
        func int32(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { tuple.append(contentsOf: $0) } }
        func copy(_ field: UnsafeRawBufferPointer?) {
            guard let field else { int32(-1); return }
            int32(Int32(field.count))
            tuple.append(contentsOf: field)
        }
        withUnsafeBytes(of: Int16(5).bigEndian) { tuple.append(contentsOf: $0) }
        int32(8)
        withUnsafeBytes(of: runID.bigEndian) { tuple.append(contentsOf: $0) }
        copy(field(0, in: row))  // line, an int8 already
        copy(field(2, in: row))
        copy(field(3, in: row))
        copy(field(4, in: row))
        try tuple.withUnsafeBytes { try spill.append($0) }
    }
}
