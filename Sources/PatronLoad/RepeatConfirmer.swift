/// The direct path's early, exact answer to "does an id repeat in this file?", so that a
/// repeat costs a few hundred thousand rows written and rolled back, not the whole file.
///
/// `RepeatFilter` (in `RowStager`) names the rows whose id *may* have occurred before; a few of
/// those are false positives, and a direct load must not give way for them. So every accepted
/// row's id hash also goes to a spill file (8 bytes a row, on disk), and the suspects wait in a
/// small batch. A batch is checked — one read of the hashes so far — when it holds
/// `batchSize` suspects, when `rowsPerCheck` rows have passed since its first suspect
/// (`LoadOptions.directRepeatCheckRows`), and at the end of the file: a suspect whose hash
/// occurs at an earlier row is a repeat.
///
/// Equal 64-bit hashes of different ids (about one in 10^12 pairs at a million rows) would
/// make the load give way to the staging path needlessly: slower, never wrong. The table's
/// primary key stays the last word.
struct RepeatConfirmer {
    /// A confirmed repeat: the file line of the later occurrence.
    struct Repeat: Error { let line: Int }

    static let batchSize = 64
    let rowsPerCheck: Int64

    private let hashes: SpillFile
    /// Accepted rows so far: the number of hashes written.
    private(set) var rows: Int64 = 0
    /// Suspects not checked yet: id hash → (its row among the accepted ones, its file line).
    /// The first occurrence in the batch is kept.
    private var pending: [UInt64: (row: Int64, line: Int)] = [:]
    private var firstPendingRow: Int64 = 0
    /// Batches checked, for the log.
    private(set) var checks = 0

    init(rowsPerCheck: Int64) throws {
        self.rowsPerCheck = rowsPerCheck
        hashes = try SpillFile()
    }

    /// Records an accepted row. Throws `Repeat` when a check confirms a repeat.
    mutating func add(hash: UInt64, suspect: Bool, line: Int) throws {
        hashes.append(integer: hash)
        let row = rows
        rows += 1
        if suspect {
            if pending.isEmpty { firstPendingRow = row }
            if pending[hash] == nil { pending[hash] = (row, line) }
        }
        if !pending.isEmpty && (pending.count >= Self.batchSize || row - firstPendingRow >= rowsPerCheck) {
            try check()
        }
    }

    /// Checks what is pending; call at the end of the file.
    mutating func finish() throws {
        if !pending.isEmpty { try check() }
    }

    /// Reads the hashes written so far once: a pending hash met at an earlier row is a repeat.
    private mutating func check() throws {
        checks += 1
        // A 64 Ki-bit sieve on the hashes' top bits lets almost every stored hash pass with
        // one load and test instead of a dictionary look-up.
        var sieve = [UInt64](repeating: 0, count: 1024)
        for hash in pending.keys { sieve[Int(hash >> 54)] |= 1 << ((hash >> 48) & 63) }
        var position: Int64 = 0
        var found: Int? = nil
        let pending = self.pending
        try hashes.readAll { chunk in
            guard found == nil else { return }
            let count = chunk.count / 8
            for i in 0..<count {
                let hash = UInt64(littleEndian: chunk.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                defer { position += 1 }
                guard sieve[Int(hash >> 54)] & (1 << ((hash >> 48) & 63)) != 0,
                      let suspect = pending[hash], position < suspect.row else { continue }
                found = suspect.line
                return
            }
        }
        self.pending.removeAll(keepingCapacity: true)
        if let found { throw Repeat(line: found) }
    }
}
