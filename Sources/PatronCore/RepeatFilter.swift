/// Remembers the ids of a file's valid rows approximately, in bounded memory (a Bloom filter),
/// so that the database looks for superseded rows only when an id may repeat, instead of
/// sorting the whole file. `insert` answers whether the id may have been inserted before: false
/// positives happen, false negatives never.
///
/// Blocked layout: the eight bits of an id lie in one 64-byte block (one cache miss per id).
/// With at least 64 bits per id — `init(expectedBytes:)` gives one bit per input byte, and
/// rows are longer than 64 bytes — a false positive is about one in 30 million. At the 16 MiB
/// cap (files beyond 128 MiB) false positives grow; they cost a little time, never correctness.
struct RepeatFilter {
    private var words: [UInt64]
    private let blockMask: UInt64

    /// Sized for an input of `expectedBytes` (nil: unknown): one bit per byte, 1–16 MiB.
    init(expectedBytes: Int64?) {
        let wanted = expectedBytes.map { max(Int64(1) << 23, $0) } ?? (1 << 26)
        var bits = 1 << 23
        while Int64(bits) < wanted && bits < 1 << 27 { bits <<= 1 }
        self.init(bits: bits)
    }

    /// `bits`: a power of two, at least 512.
    init(bits: Int) {
        precondition(bits >= 512 && bits & (bits - 1) == 0, "bits must be a power of two ≥ 512")
        words = [UInt64](repeating: 0, count: bits / 64)
        blockMask = UInt64(bits / 512 - 1)
    }

    var bitCount: Int { words.count * 64 }

    /// Adds `id`; true if it may have been added before.
    mutating func insert(_ id: String) -> Bool {
        var id = id
        let h1 = id.withUTF8 { Self.hash($0) }
        let h2 = Self.mix(h1 ^ 0x9E37_79B9_7F4A_7C15)
        let block = Int(truncatingIfNeeded: h1 & blockMask) &* 8
        var seen = true
        for i in 0..<8 {
            // Seven 9-bit positions from h2, the eighth from the top of h1 (the block uses its bottom).
            let position = Int(truncatingIfNeeded: (i < 7 ? h2 >> (9 * UInt64(i)) : h1 >> 55) & 511)
            let word = block &+ (position >> 6)
            let flag: UInt64 = 1 << UInt64(position & 63)
            if words[word] & flag == 0 {
                seen = false
                words[word] |= flag
            }
        }
        return seen
    }

    /// FNV-1a over the bytes, then MurmurHash3's finalizer to spread them over all 64 bits.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
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
