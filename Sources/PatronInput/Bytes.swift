#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable window over the decompressed input: bytes `[start, end)` of `base` are not yet consumed.
///
/// Readers scan complete records in place; when a record runs past `end`, they call `fill`, which
/// moves the unconsumed tail to the front and appends at least as many new bytes as are pending
/// (geometric growth, so a huge record costs O(n), not O(n²)). Memory is bounded by the largest
/// record plus a chunk, not by the file size; readers stop a record at `InputFile.maxRecordBytes`.
///
/// Every byte is checked for NUL and UTF-8 as it comes in (`fill`), once: a file of zeros or of
/// binary data fails within its first chunk, whatever the readers make of its records.
final class ByteWindow {
    let file: InputFile
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var start = 0
    private(set) var end = 0
    private(set) var eof = false
    /// Bytes before this offset are checked; at most the last 3 bytes (a character the chunk
    /// cut, not yet complete) are not.
    private var checkedEnd = 0

    init(file: InputFile) {
        self.file = file
        capacity = InputFile.chunkSize * 2
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    var pending: Int { end - start }

    /// Drops the pending bytes of a record being skipped, except the start of a character cut
    /// by the end of the bytes read so far: it is checked, and scanned, with the bytes that
    /// complete it (being non-ASCII it neither ends a record nor changes a quote state).
    func discardChecked() {
        start = max(start, checkedEnd)
    }

    /// Moves `[start, end)` to the front (so `start` becomes 0) and appends new input:
    /// at least max(1 byte, pending) unless the input ends first. Returns false if nothing was added.
    ///
    /// Throws `InputError` for a NUL byte or invalid UTF-8 in the new bytes, naming its line:
    /// `lineAtStart` is the line `start` is on.
    @discardableResult
    func fill(lineAtStart: Int) throws -> Bool {
        if eof { return false }
        if start > 0 {
            let n = end - start
            if n > 0 { memmove(base, base + start, n) }
            end = n
            checkedEnd -= start
            start = 0
        }
        let want = max(1, end)
        var added = 0
        while added < want {
            guard let chunk = try file.nextChunk() else {
                eof = true
                break
            }
            if chunk.isEmpty { continue }
            if end + chunk.count > capacity {
                var newCap = capacity * 2
                while newCap < end + chunk.count { newCap *= 2 }
                let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: newCap)
                nb.update(from: base, count: end)
                base.deallocate()
                base = nb
                capacity = newCap
            }
            chunk.withUnsafeBufferPointer { cp in
                (base + end).update(from: cp.baseAddress!, count: cp.count)
            }
            end += chunk.count
            added += chunk.count
        }
        try checkNewBytes(lineAtStart: lineAtStart)
        return added > 0
    }

    /// Checks `[checkedEnd, end)`; a character cut by the end of the bytes read so far waits for the next ones.
    private func checkNewBytes(lineAtStart: Int) throws {
        guard let (offset, problem) = findByteProblem(base + checkedEnd, end - checkedEnd) else {
            checkedEnd = end
            return
        }
        let at = checkedEnd + offset
        if problem == .invalidUTF8 && !eof && isCutCharacter(at: at) {
            checkedEnd = at
            return
        }
        let line = lineAtStart + countNewlines(base, from: start, to: at)
        throw byteProblemError(problem, file: file, line: line, byte: base[at])
    }

    /// Whether `base[at..<end]` is the start of a UTF-8 character whose other bytes are not read yet.
    private func isCutCharacter(at: Int) -> Bool {
        let need: Int
        switch base[at] {
        case 0xC2...0xDF: need = 1
        case 0xE0...0xEF: need = 2
        case 0xF0...0xF4: need = 3
        default: return false
        }
        guard end - at <= need else { return false }
        for k in (at + 1)..<end where base[k] < 0x80 || base[k] > 0xBF { return false }
        return true
    }
}

/// What is wrong with a run of bytes that should be text.
enum ByteProblem {
    case nul
    case invalidUTF8
}

/// Checks that `p[0..<n]` is valid UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF)
/// without a NUL byte. Returns the offset and kind of the first problem, or nil.
/// ASCII runs are checked eight bytes at a time.
@inline(__always)
func findByteProblem(_ p: UnsafePointer<UInt8>, _ n: Int) -> (offset: Int, problem: ByteProblem)? {
    var i = 0
    let raw = UnsafeRawPointer(p)
    while true {
        // Fast path: 8 ASCII bytes, none zero.
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let hasHigh = v & 0x8080_8080_8080_8080
            let hasZero = (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
            if hasHigh | hasZero != 0 { break }
            i += 8
        }
        if i >= n { return nil }
        // Slow path: one character.
        let b = p[i]
        if b == 0 { return (i, .nul) }
        if b < 0x80 { i += 1; continue }
        var need = 0
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return (i, .invalidUTF8)
        }
        if i + need >= n { return (i, .invalidUTF8) }  // sequence cut off by the end
        let c1 = p[i + 1]
        if c1 < lo || c1 > hi { return (i, .invalidUTF8) }
        var k = 2
        while k <= need {
            let c = p[i + k]
            if c < 0x80 || c > 0xBF { return (i, .invalidUTF8) }
            k += 1
        }
        i += need + 1
    }
}

/// Counts LF bytes in `p[from..<to]` (memchr from one to the next: text has few per kilobyte).
func countNewlines(_ p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
    var c = 0
    var i = from
    while i < to, let hit = memchr(p + i, Int32(asciiLF), to - i) {
        c += 1
        i = UnsafeRawPointer(hit) - UnsafeRawPointer(p) + 1
    }
    return c
}

/// A short, readable excerpt of raw bytes (at most `limit` bytes, cut on a character boundary,
/// without a trailing line ending).
func excerpt(_ p: UnsafePointer<UInt8>, from: Int, to: Int, limit: Int = 200) -> String {
    // Without the record's line ending: the value is shown and stored, not the line break.
    var to = to
    while to > from && (p[to - 1] == 0x0A || p[to - 1] == 0x0D) { to -= 1 }
    var e = to
    var suffix = ""
    if to - from > limit {
        e = from + limit
        while e > from && (p[e] & 0xC0) == 0x80 { e -= 1 }
        suffix = "…"
    }
    return String(decoding: UnsafeBufferPointer(start: p + from, count: e - from), as: UTF8.self) + suffix
}

@inline(__always)
func makeString(_ p: UnsafePointer<UInt8>, from: Int, to: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: p + from, count: to - from), as: UTF8.self)
}

/// Unicode-aware lower-casing and trimming for names (header names, JSON keys).
func canonicalName(_ s: String) -> String {
    trimWhitespace(s).lowercased()
}

/// Trims Unicode whitespace (White_Space property) from both ends.
public func trimWhitespace(_ s: String) -> String {
    let u = s.utf8
    if let f = u.first, let l = u.last, f > 0x20 && f < 0x80 && l > 0x20 && l < 0x80 {
        return s
    }
    if s.isEmpty { return s }
    let scalars = s.unicodeScalars
    var lo = scalars.startIndex
    var hi = scalars.endIndex
    while lo < hi && scalars[lo].properties.isWhitespace { lo = scalars.index(after: lo) }
    while hi > lo {
        let p = scalars.index(before: hi)
        if scalars[p].properties.isWhitespace { hi = p } else { break }
    }
    if lo == scalars.startIndex && hi == scalars.endIndex { return s }
    return String(String.UnicodeScalarView(scalars[lo..<hi]))
}

let asciiLF: UInt8 = 0x0A
let asciiCR: UInt8 = 0x0D
let asciiQuote: UInt8 = 0x22
