import Foundation
import PatronCore

/// The terminal view of a pivot (`--pivot --format table`), read as a heatmap: the row keys
/// frozen on the left (all-empty ones, like `segment` without --segment, left out), then one
/// cell per column value. A `percent` value is shown as `41.3%`; a cell whose period is not
/// over yet (after `complete_through`) carries a `*` and no heat colour, so a partial period
/// never reads as a fall. With a width, only the value columns that fit are shown and `note`
/// hears which were cut. The pivot holds its whole result anyway, so this writer does too.
public final class HeatmapWriter: ResultWriter {
    let sink: OutputSink
    let spec: PivotSpec
    let depth: ColorDepth
    let width: Int?
    let note: (String) -> Void
    private var columns: [ResultColumn] = []
    private var rows: [[String?]] = []

    public init(sink: OutputSink, spec: PivotSpec, depth: ColorDepth, width: Int?, note: @escaping (String) -> Void) {
        self.sink = sink
        self.spec = spec
        self.depth = depth
        self.width = width
        self.note = note
    }

    public func begin(columns: [ResultColumn]) throws { self.columns = columns }

    public func row(_ values: [String?]) throws { rows.append(values) }

    public func end() throws {
        try sink.write(render())
        try sink.flush()
        if let cut = cutNote { note(cut) }
    }

    static let incompleteMark = "*"

    private var keyCount: Int { spec.rowKeys.count }
    private var completeIndex: Int? { spec.completeColumn == nil ? nil : keyCount }
    private var valueStart: Int { keyCount + (completeIndex == nil ? 0 : 1) }
    private var valueLabels: [String] {
        let prefix = spec.columnKey + "_"
        return columns.dropFirst(valueStart).map { $0.name.hasPrefix(prefix) ? String($0.name.dropFirst(prefix.count)) : $0.name }
    }
    private var cutNote: String?

    func render() -> String {
        let labels = valueLabels
        let keys = (0..<keyCount).filter { index in rows.contains { !($0[index] ?? "").isEmpty } }
        let keyCells = rows.map { row in keys.map { TextTable.escapingControlCharacters(row[$0] ?? "") } }
        let keyWidths = keys.indices.map { k in keyCells.reduce(columns[keys[k]].name.count) { max($0, $1[k].count) } }

        // Per row: the text of each value cell, its fraction of the heat scale's top, whether complete.
        struct Cell { var text: String; var value: Double?; var complete: Bool }
        let cells: [[Cell]] = rows.map { row in
            let through = completeIndex.flatMap { row[$0] }.flatMap { labels.firstIndex(of: $0) } ?? (completeIndex == nil ? labels.count : -1)
            return labels.indices.map { i in
                guard let raw = row[valueStart + i] else { return Cell(text: "", value: nil, complete: i <= through) }
                let complete = i <= through
                let text = spec.percent ? Self.percentage(raw) : roundedForDisplay(raw)
                return Cell(text: text, value: Double(raw).flatMap { $0.isFinite ? $0 : nil }, complete: complete)
            }
        }
        // The scale runs from 0 to the highest complete cell (for retention, 100% at k = 0).
        let top = cells.joined().filter(\.complete).compactMap(\.value).max().map { $0 > 0 ? $0 : 1 } ?? 1
        var valueWidths = labels.map(\.count)
        for row in cells { for (i, cell) in row.enumerated() { valueWidths[i] = max(valueWidths[i], cell.text.count) } }

        // Frozen keys, then as many value cells (each padded by a space on both sides) as fit.
        let frozenWidth = keyWidths.reduce(0, +) + 2 * max(0, keyWidths.count - 1) + (keyWidths.isEmpty ? 0 : 1)
        var shown = labels.count
        if let width {
            var used = frozenWidth
            shown = 0
            for w in valueWidths {
                guard used + w + 2 <= width || shown == 0 else { break }
                used += w + 2
                shown += 1
            }
        }
        cutNote = shown < labels.count
            ? "\(spec.columnKey) \(labels[shown])\(shown + 1 < labels.count ? "–" + labels.last! : "") not shown (\(width ?? 0) columns wide): widen the terminal or use --format csv"
            : nil

        func pad(_ text: String, _ width: Int, right: Bool) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return right ? fill + text : text + fill
        }
        func frozen(_ texts: [String]) -> String {
            let joined = keys.indices.map { k in pad(texts[k], keyWidths[k], right: isNumeric(keys[k])) }.joined(separator: "  ")
            return keys.isEmpty ? "" : joined + " "
        }
        // Trailing blanks are uncoloured padding (a coloured cell ends in its reset code).
        func finish(_ line: String) -> String {
            var line = line
            while line.hasSuffix(" ") { line.removeLast() }
            return line + "\n"
        }
        var out = finish(frozen(keys.map { columns[$0].name })
                         + (0..<shown).map { " " + pad(labels[$0], valueWidths[$0], right: true) + " " }.joined())
        out += finish(frozen(keyWidths.map { String(repeating: "-", count: $0) })
                      + (0..<shown).map { " " + String(repeating: "-", count: valueWidths[$0]) + " " }.joined())
        for (r, row) in cells.enumerated() {
            var line = frozen(keyCells[r])
            for i in 0..<shown {
                let cell = row[i]
                // Numbers stay aligned: an incomplete cell's mark takes the cell's right padding.
                let mark = cell.complete || cell.text.isEmpty ? " " : Self.incompleteMark
                let body = " " + pad(cell.text, valueWidths[i], right: true) + mark
                if cell.text.isEmpty || depth == .none {
                    line += body
                } else if !cell.complete {
                    line += "\u{1B}[2m" + body + "\u{1B}[0m"
                } else if let value = cell.value {
                    line += HeatScale.style(min(1, max(0, value / top)), depth) + body + "\u{1B}[0m"
                } else {
                    line += body
                }
            }
            out += finish(line)
        }
        var legend = "\(spec.valueColumn) by \(spec.columnKey)"
        if cells.contains(where: { $0.prefix(shown).contains { !$0.complete && !$0.text.isEmpty } }) {
            legend += "; \(Self.incompleteMark) period not over yet: partial so far, not a fall"
        }
        return out + legend + "\n"
    }

    private func isNumeric(_ index: Int) -> Bool { columns[index].kind == .integer || columns[index].kind == .decimal }

    /// A fraction as a percentage with one decimal, rounded half away from zero in decimal
    /// arithmetic: `0.41256` → `41.3%`, `1` → `100.0%`. Anything not a number is shown as it is.
    public static func percentage(_ text: String) -> String {
        guard var decimal = Decimal(string: text), !text.lowercased().contains("n") else { return text }
        decimal *= 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &decimal, 1, .plain)
        var result = NSDecimalNumber(decimal: rounded).stringValue
        if result == "-0" { result = "0" }
        if !result.contains(".") { result += ".0" }
        return result + "%"
    }
}

/// A sequential, perceptually uniform, colour-blind-safe scale: nine steps of viridis (dark
/// purple → yellow), with white text on the dark steps and black on the light ones. The
/// terminal heatmap and the HTML report's share it.
public enum HeatScale {
    /// viridis at nine even stops, as RGB, and the nearest xterm-256 palette entry of each
    /// (chosen so that lightness still rises step by step).
    static let steps: [(rgb: (Int, Int, Int), palette: Int)] = [
        ((0x44, 0x01, 0x54), 53), ((0x48, 0x28, 0x78), 54), ((0x3E, 0x49, 0x89), 60),
        ((0x26, 0x82, 0x8E), 30), ((0x1F, 0x9E, 0x89), 36), ((0x35, 0xB7, 0x79), 72),
        ((0x6E, 0xCE, 0x58), 77), ((0xB5, 0xDE, 0x2B), 148), ((0xFD, 0xE7, 0x25), 220),
    ]
    static let darkSteps = 4

    static func step(_ fraction: Double) -> Int {
        min(steps.count - 1, max(0, Int(fraction * Double(steps.count))))
    }

    /// The colour of a cell at `fraction` (0…1) of the scale as CSS (`#rrggbb`), and whether
    /// its text should be light.
    public static func css(_ fraction: Double) -> (background: String, lightText: Bool) {
        let index = step(fraction)
        let (r, g, b) = steps[index].rgb
        return (String(format: "#%02x%02x%02x", r, g, b), index < darkSteps)
    }

    /// The SGR codes for a cell at `fraction` (0…1) of the scale.
    static func style(_ fraction: Double, _ depth: ColorDepth) -> String {
        let index = step(fraction)
        let dark = index < darkSteps
        switch depth {
        case .none:
            return ""
        case .palette256:
            return "\u{1B}[48;5;\(steps[index].palette);38;5;\(dark ? 231 : 16)m"
        case .truecolor:
            let (r, g, b) = steps[index].rgb
            return "\u{1B}[48;2;\(r);\(g);\(b);38;2;\(dark ? "255;255;255" : "0;0;0")m"
        }
    }
}
