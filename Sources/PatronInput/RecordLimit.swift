import Foundation

/// How long one record may be, so that memory stays bounded whatever the file holds.
///
/// A reader keeps a whole record in memory to parse it; a file whose "record" is gigabytes long
/// (a file without line breaks, a quote that never closes in practice, a corrupt or hostile
/// export) would otherwise take as much memory. A record longer than the limit is rejected like
/// any malformed row and the reader streams past it without keeping it (see docs/inputs.md).
public enum RecordLimit {
    /// The default limit on one record's bytes (its line ending not counted): far above any
    /// real row, small enough that reading stays within a few times this much memory.
    public static let defaultBytes = 16 << 20
    /// The smallest and largest limits `--max-record-bytes` accepts. Memory use grows with the
    /// limit (a few times it), so the top is kept well inside an ordinary machine.
    public static let minimumBytes = 1 << 10
    public static let maximumBytes = 1 << 30
    /// The longest CSV header row: a CSV header names columns, and even thousands of long names
    /// stay far below 1 MiB; a longer "header" is a file that is not CSV (or has no line
    /// breaks), which fails at once instead of being read into memory.
    public static let headerBytes = 1 << 20

    /// Reads a byte count written as a number of bytes (`16777216`) or with a binary unit
    /// (`512KiB`, `64MiB`, `1GiB`; also `K`, `M`, `G`, `KB`, `MB`, `GB`, meaning the same).
    /// nil if it is not one, or lies outside `minimumBytes...maximumBytes`.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 12, let number = Int(digits) else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let scale: Int
        switch unit {
        case "", "b": scale = 1
        case "k", "kb", "kib": scale = 1 << 10
        case "m", "mb", "mib": scale = 1 << 20
        case "g", "gb", "gib": scale = 1 << 30
        default: return nil
        }
        let bytes = number.multipliedReportingOverflow(by: scale)
        guard !bytes.overflow, (minimumBytes...maximumBytes).contains(bytes.partialValue) else { return nil }
        return bytes.partialValue
    }

    /// A byte count as people read it: "16 MiB", "1 KiB", "1500 bytes".
    public static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 30 && bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
