import Foundation

/// The customers of a bulk first load, worked out in the loader while it reads the file, so that
/// rows can go straight into their table with a customer key (see `Loader+Direct.swift`).
///
/// Every distinct identifier of the file is a node (1, 2, …); the identifiers of one row are
/// joined (union–find, the oldest node is the root). A row's key is its root at the time it is
/// read: fresh base + root. A later row may join two roots; the younger one is then "retired"
/// and the rows that got it are re-keyed in SQL afterwards (`retiredRoots`), which in real
/// files is rare. Identifiers the warehouse already knows are left to `resolve_identities`,
/// which gets this file's components as its sets.
///
/// Nodes are found by a 128-bit hash of (kind, value) — no identifier text is kept in memory;
/// it goes to a spill file instead. Two different identifiers with one 128-bit hash are far
/// less likely than a hardware fault (about n² / 2¹²⁹). Memory: 24 bytes per slot, at most 70%
/// of them used, and 5 bytes per identifier; up to `limit` identifiers (700,000: at most 2²⁰
/// slots, 24 MiB). Beyond that `node` throws `IdentityGraph.Full` and the loader takes the
/// staging path.
struct IdentityGraph {
    struct Full: Error {
        let limit: Int
    }

    let limit: Int
    /// Open addressing, three words per slot — hash low, hash high, node (0: empty) — so that
    /// a probe costs one cache miss.
    private var slots: SlotTable
    private var mask: Int
    // Per node (index 0 unused): its parent, and whether a row was keyed by it.
    private var parent: [Int32] = [0]
    private var keyed: [Bool] = [false]

    init(limit: Int = 700_000) {
        self.limit = limit
        slots = SlotTable(slotCount: 1 << 16)
        mask = (1 << 16) - 1
    }

    /// Number of distinct identifiers seen.
    var nodeCount: Int { parent.count - 1 }

    /// The node of identifier (`kind`, normalized `value`); `isNew` tells whether it was first
    /// seen now.
    mutating func node(kind: UInt8, value: UnsafeRawBufferPointer, isNew: inout Bool) throws -> Int32 {
        let (high, low) = IdentifierHash.hash128(kind: kind, bytes: value.bindMemory(to: UInt8.self))
        return try node(high: high, low: low, isNew: &isNew)
    }

    private mutating func node(high: UInt64, low: UInt64, isNew: inout Bool) throws -> Int32 {
        let table = slots.words
        var i = Int(truncatingIfNeeded: low) & mask
        while true {
            let node = table[3 * i + 2]
            if node == 0 { break }
            if table[3 * i] == low && table[3 * i + 1] == high {
                isNew = false
                return Int32(truncatingIfNeeded: node)
            }
            i = (i + 1) & mask
        }
        guard nodeCount < limit else { throw Full(limit: limit) }
        let n = Int32(parent.count)
        parent.append(n)
        keyed.append(false)
        table[3 * i] = low
        table[3 * i + 1] = high
        table[3 * i + 2] = UInt64(n)
        isNew = true
        // At most 70% full: linear probing stays short.
        if nodeCount * 10 > (mask + 1) * 7 { grow() }
        return n
    }

    /// Joins the nodes of one row and returns the root that keys it.
    mutating func key(joining nodes: ArraySlice<Int32>) -> Int32 {
        var root = find(nodes[nodes.startIndex])
        for n in nodes.dropFirst() {
            let other = find(n)
            if other == root { continue }
            // The older root survives: fewer rows keyed by a retired root.
            if other < root { parent[Int(root)] = other; root = other } else { parent[Int(other)] = root }
        }
        keyed[Int(root)] = true
        return root
    }

    /// The root of `node`'s component (with path halving).
    mutating func find(_ node: Int32) -> Int32 {
        var n = Int(node)
        while parent[n] != Int32(n) {
            let grandparent = parent[Int(parent[n])]
            parent[n] = grandparent
            n = Int(grandparent)
        }
        return Int32(n)
    }

    /// Roots that keyed some rows and were joined to an older root later: (retired, its root now).
    mutating func retiredRoots() -> [(retired: Int32, root: Int32)] {
        var result: [(Int32, Int32)] = []
        for n in 1..<parent.count where keyed[n] {
            let root = find(Int32(n))
            if root != Int32(n) { result.append((Int32(n), root)) }
        }
        return result
    }

    private mutating func grow() {
        let old = slots
        let oldCount = mask + 1
        let size = oldCount * 2
        slots = SlotTable(slotCount: size)
        mask = size - 1
        let table = slots.words
        for j in 0..<oldCount where old.words[3 * j + 2] != 0 {
            var i = Int(truncatingIfNeeded: old.words[3 * j]) & mask
            while table[3 * i + 2] != 0 { i = (i + 1) & mask }
            table[3 * i] = old.words[3 * j]
            table[3 * i + 1] = old.words[3 * j + 1]
            table[3 * i + 2] = old.words[3 * j + 2]
        }
    }
}

/// The slot words of `IdentityGraph`, zeroed, in memory that asks the kernel for huge pages
/// (MADV_HUGEPAGE): every look-up lands on a random slot, and with 4 KiB pages most of them
/// also miss the TLB.
final class SlotTable {
    let words: UnsafeMutablePointer<UInt64>
    private let bytes: Int

    init(slotCount: Int) {
        bytes = slotCount * 3 * MemoryLayout<UInt64>.stride
        let alignment = 2 << 20
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, alignment, bytes) == 0, let raw else {
            fatalError("out of memory for \(bytes) bytes")
        }
        if bytes >= alignment { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        memset(raw, 0, bytes)
        words = raw.bindMemory(to: UInt64.self, capacity: slotCount * 3)
    }

    deinit { free(words) }
}

/// MurmurHash3 x64 128 (Austin Appleby, public domain), seeded by the identifier's kind.
enum IdentifierHash {
    static func hash128(kind: UInt8, bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let c1: UInt64 = 0x87C3_7B91_1142_53D5
        let c2: UInt64 = 0x4CF5_AD43_2745_937F
        let length = bytes.count
        var h1: UInt64 = 0x9E37_79B9_7F4A_7C15 &* (UInt64(kind) &+ 1)
        var h2: UInt64 = h1
        @inline(__always) func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
        let raw = UnsafeRawBufferPointer(bytes)
        var i = 0
        while i + 16 <= length {
            var k1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            var k2 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
            h1 = rotl(h1, 27); h1 &+= h2; h1 = h1 &* 5 &+ 0x52DC_E729
            k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
            h2 = rotl(h2, 31); h2 &+= h1; h2 = h2 &* 5 &+ 0x3849_5AB5
            i += 16
        }
        var k1: UInt64 = 0
        var k2: UInt64 = 0
        let tail = length - i
        if tail > 8 {
            for j in 8..<tail { k2 |= UInt64(bytes[i + j]) << (8 * UInt64(j - 8)) }
            k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
        }
        if tail > 0 {
            for j in 0..<min(tail, 8) { k1 |= UInt64(bytes[i + j]) << (8 * UInt64(j)) }
            k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
        }
        h1 ^= UInt64(length); h2 ^= UInt64(length)
        h1 &+= h2; h2 &+= h1
        h1 = fmix(h1); h2 = fmix(h2)
        h1 &+= h2; h2 &+= h1
        return (h1, h2)
    }

    @inline(__always) private static func fmix(_ k: UInt64) -> UInt64 {
        var k = k
        k ^= k >> 33; k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33; k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }
}
