/// The two canonical input formats.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl

    /// Guesses the format from a file name: `.csv` → csv; `.jsonl`, `.ndjson`, `.json` → jsonl.
    /// A trailing `.gz` is ignored; matching is case-insensitive. Returns nil for an unknown
    /// extension and for `-` (standard input has no name to go by).
    public static func guess(fromPath path: String) -> InputFormat? {
        if path == "-" { return nil }
        var name = Substring(path)
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        var lower = name.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        if lower.hasSuffix(".csv") && lower.count > 4 { return .csv }
        for ext in [".jsonl", ".ndjson", ".json"] where lower.hasSuffix(ext) && lower.count > ext.count {
            return .jsonl
        }
        return nil
    }
}
