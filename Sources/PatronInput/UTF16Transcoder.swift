/// UTF-16 little-endian → UTF-8, a chunk at a time, for exports written in UTF-16 (Meltwater's
/// mentions export). A code unit or a surrogate pair cut by a chunk boundary is carried over to
/// the next chunk, so memory stays bounded by the chunk size. An unpaired surrogate, or input
/// that ends inside a character, is an error naming the line (of the text, counted in LFs).
struct UTF16LETranscoder {
    /// An odd byte left at the end of the last chunk (the low byte of a code unit).
    private var pendingByte: UInt8?
    /// A high surrogate whose low half has not been read yet.
    private var pendingHigh: UInt16?
    /// LFs handed out so far: the line of the next character is `newlines + 1`.
    private(set) var newlines = 0

    /// What is wrong, and on which line of the text.
    struct Problem: Error, Equatable {
        let line: Int
        let message: String
    }

    /// Appends the UTF-8 of the complete characters in `bytes` (after any carried-over part) to `out`.
    mutating func transcode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws(Problem) {
        var i = 0
        let n = bytes.count
        if n == 0 { return }
        if let low = pendingByte {
            pendingByte = nil
            try unit(UInt16(low) | UInt16(bytes[0]) << 8, into: &out)
            i = 1
        }
        while i + 1 < n {
            let u = UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
            i += 2
            if u < 0x80 && pendingHigh == nil {
                // ASCII, the common case.
                if u == 0x0A { newlines += 1 }
                out.append(UInt8(u))
                continue
            }
            try unit(u, into: &out)
        }
        if i < n { pendingByte = bytes[i] }
    }

    /// Checks that nothing is left over at the end of the input.
    func finish() throws(Problem) {
        if pendingHigh != nil {
            throw Problem(line: newlines + 1, message: unpaired(pendingHigh!) + " at the end of the file")
        }
        if pendingByte != nil {
            throw Problem(line: newlines + 1,
                          message: "the file ends in the middle of a UTF-16 character (an odd number of bytes; was it cut off?)")
        }
    }

    @inline(__always)
    private mutating func unit(_ u: UInt16, into out: inout [UInt8]) throws(Problem) {
        if let high = pendingHigh {
            guard u >= 0xDC00 && u < 0xE000 else { throw Problem(line: newlines + 1, message: unpaired(high)) }
            pendingHigh = nil
            let scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(u - 0xDC00)
            out.append(0xF0 | UInt8(scalar >> 18))
            out.append(0x80 | UInt8((scalar >> 12) & 0x3F))
            out.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            out.append(0x80 | UInt8(scalar & 0x3F))
            return
        }
        switch u {
        case 0..<0x80:
            if u == 0x0A { newlines += 1 }
            out.append(UInt8(u))
        case 0x80..<0x800:
            out.append(0xC0 | UInt8(u >> 6))
            out.append(0x80 | UInt8(u & 0x3F))
        case 0xD800..<0xDC00:
            pendingHigh = u
        case 0xDC00..<0xE000:
            throw Problem(line: newlines + 1, message: unpaired(u))
        default:
            out.append(0xE0 | UInt8(u >> 12))
            out.append(0x80 | UInt8((u >> 6) & 0x3F))
            out.append(0x80 | UInt8(u & 0x3F))
        }
    }

    private func unpaired(_ u: UInt16) -> String {
        let hex = String(u, radix: 16, uppercase: true)
        return "not valid UTF-16: an unpaired surrogate (0x\(hex)), half of a character whose other half is missing"
    }
}
