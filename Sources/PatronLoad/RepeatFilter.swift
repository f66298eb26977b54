#if canImport(Glibc)
import Glibc
#endif
import CPrefetch

/// Remembers the ids of a file's valid rows approximately, in bounded memory (a Bloom filter),
/// so that the database looks for superseded rows only when an id may repeat, instead of
/// sorting the whole file. `insert` answers whether the id may have been inserted before: false
/// positives happen, false negatives never.
///
/// Blocked layout: the eight bits of an id lie in one 64-byte block (one cache miss per id).
/// With at least 64 bits per id — `init(expectedBytes:)` gives one bit per input byte, and
/// rows are longer than 64 bytes — a false positive is about one in 30 million. At the 16 MiB
/// cap (files beyond 128 MiB) false positives grow; they cost a little time, never correctness.
///
/// The bits live in one 64-byte-aligned allocation (a block is then one cache line), on huge
/// pages where the kernel allows (16 MiB of 4 KiB pages would cost a TLB miss per id too).
/// `prefetch(hash:)` lets a caller start loading an id's block early, while it does other work.
/// Copies of a filter share its bits.
package struct RepeatFilter {
    private let words: Words
    private let blockMask: UInt64

    /// The staging path's cap: 16 MiB. There a false positive costs only a little database
    /// work; the direct path, where each one costs a check of the file's ids so far, allows more.
    package static let defaultMaxBits = 1 << 27

    /// Sized for an input of `expectedBytes` (nil: unknown): one bit per byte, from 1 MiB up to
    /// `maxBits` bits.
    package init(expectedBytes: Int64?, maxBits: Int = defaultMaxBits) {
        let wanted = expectedBytes.map { max(Int64(1) << 23, $0) } ?? (1 << 26)
        var bits = 1 << 23
        while Int64(bits) < wanted && bits < maxBits { bits <<= 1 }
        self.init(bits: bits)
    }

    /// `bits`: a power of two, at least 512.
    package init(bits: Int) {
        precondition(bits >= 512 && bits & (bits - 1) == 0, "bits must be a power of two ≥ 512")
        words = Words(count: bits / 64)
        blockMask = UInt64(bits / 512 - 1)
    }

    package var bitCount: Int { words.count * 64 }

    /// Adds `id`; true if it may have been added before.
    package mutating func insert(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { insert(hash: Self.hash($0)) }
    }

    /// Adds the id given as UTF-8 bytes; true if it may have been added before.
    package mutating func insert(bytes id: UnsafeBufferPointer<UInt8>) -> Bool {
        insert(hash: Self.hash(id))
    }

    /// Starts loading the block of an id with this `hash(_:)`, without waiting for it.
    @inline(__always)
    package func prefetch(hash h1: UInt64) {
        let block = Int(truncatingIfNeeded: h1 & blockMask) &* 8
        patron_prefetch(words.base + block)
    }

    /// Adds the id whose `hash(_:)` this is; true if it may have been added before.
    package mutating func insert(hash h1: UInt64) -> Bool {
        let h2 = Self.mix(h1 ^ 0x9E37_79B9_7F4A_7C15)
        let block = Int(truncatingIfNeeded: h1 & blockMask) &* 8
        let base = words.base
        var seen = true
        for i in 0..<8 {
            // Seven 9-bit positions from h2, the eighth from the top of h1 (the block uses its bottom).
            let position = Int(truncatingIfNeeded: (i < 7 ? h2 >> (9 * UInt64(i)) : h1 >> 55) & 511)
            let word = block &+ (position >> 6)
            let flag: UInt64 = 1 << UInt64(position & 63)
            if base[word] & flag == 0 {
                seen = false
                base[word] |= flag
            }
        }
        return seen
    }

    /// The bit array.
    private final class Words {
        let base: UnsafeMutablePointer<UInt64>
        let count: Int

        init(count: Int) {
            self.count = count
            let bytes = count * 8
            // Huge-page alignment for the big filters, cache-line alignment at least.
            let alignment = bytes >= 2 << 20 ? 2 << 20 : 64
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: alignment)
            #if os(Linux)
            if bytes >= 2 << 20 { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
            #endif
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            base = raw.bindMemory(to: UInt64.self, capacity: count)
        }

        deinit { base.deallocate() }
    }

    /// FNV-1a over the bytes, then MurmurHash3's finalizer to spread them over all 64 bits.
    package static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
        }
        return mix(h)
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
