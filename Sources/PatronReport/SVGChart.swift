import Foundation
import Plot

/// Charts as inline SVG, drawn here (no script, no library fetched): a line chart over periods
/// and a dot-and-interval chart. Each has a title that says what it shows, axis labels with
/// units, and a `<title>` for screen readers; the numbers are in a table under it (the sections
/// put one there).
enum SVGChart {
    typealias BodyNode = Node<HTML.BodyContext>

    static let width = 760.0, height = 260.0
    static let left = 64.0, right = 16.0, top = 14.0, bottom = 46.0
    /// Series colours: the Okabe–Ito palette (told apart with the common colour-vision
    /// deficiencies, and in print), eight lines at most.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]

    struct Series {
        let name: String
        let values: [Double?]
    }

    /// Lines over `labels` (periods), y from 0 to a round maximum; a gap where a value is missing.
    static func lines(title: String, xLabel: String = "period (start date)", yLabel: String, labels: [String],
                      series: [Series], format: (Double) -> String) -> BodyNode {
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let values = series.flatMap { $0.values.compactMap { $0 } }
        // Gridlines at a round step (1, 2, 2.5 or 5 × 10^k), about four above zero; below zero
        // only when a value is (NPS).
        let highest = max(values.max() ?? 1, 1e-9), lowest = min(values.min() ?? 0, 0)
        let gridStep = niceCeiling(max(highest, -lowest) / 4)
        let yMax = gridStep * (highest / gridStep).rounded(.up)
        let yMin = -gridStep * (-lowest / gridStep).rounded(.up)
        let steps = Int(((yMax - yMin) / gridStep).rounded())
        let count = max(labels.count, 1)
        func x(_ i: Int) -> Double { left + (count == 1 ? plotWidth / 2 : plotWidth * Double(i) / Double(count - 1)) }
        func y(_ v: Double) -> Double { top + plotHeight * (yMax - v) / (yMax - yMin) }

        var nodes: [BodyNode] = [element("title", text: title)]
        for step in 0...steps {
            let value = yMin + gridStep * Double(step)
            nodes.append(element("line", ["x1": fmt(left), "x2": fmt(width - right), "y1": fmt(y(value)), "y2": fmt(y(value)),
                                          "stroke": abs(value) < 1e-12 ? "#888" : "#e3e3e3"]))
            nodes.append(element("text", ["x": fmt(left - 6), "y": fmt(y(value) + 4), "text-anchor": "end", "font-size": "11"],
                                 text: format(value)))
        }
        // x labels: at most about ten, evenly picked.
        let every = max(1, Int((Double(labels.count) / 10).rounded(.up)))
        for (i, label) in labels.enumerated() where i % every == 0 {
            nodes.append(element("text", ["x": fmt(x(i)), "y": fmt(height - bottom + 16), "text-anchor": "middle", "font-size": "11"],
                                 text: label))
        }
        nodes.append(element("text", ["x": fmt(left + plotWidth / 2), "y": fmt(height - 8), "text-anchor": "middle", "font-size": "12"],
                             text: xLabel))
        nodes.append(element("text", ["x": "14", "y": fmt(top + plotHeight / 2), "text-anchor": "middle", "font-size": "12",
                                      "transform": "rotate(-90 14 \(fmt(top + plotHeight / 2)))"], text: yLabel))
        for (index, s) in series.enumerated() {
            let colour = palette[index % palette.count]
            var run: [String] = []
            func flush() {
                if run.count > 1 {
                    nodes.append(element("polyline", ["points": run.joined(separator: " "), "fill": "none", "stroke": colour, "stroke-width": "2"]))
                }
                run = []
            }
            for (i, value) in s.values.enumerated() {
                guard let value else { flush(); continue }
                run.append("\(fmt(x(i))),\(fmt(y(value)))")
                nodes.append(element("circle", ["cx": fmt(x(i)), "cy": fmt(y(value)), "r": "2.5", "fill": colour]))
            }
            flush()
            // Legend, top right.
            let lx = width - right - 170, ly = top + 6 + Double(index) * 16
            nodes.append(element("rect", ["x": fmt(lx), "y": fmt(ly - 8), "width": "12", "height": "4", "fill": colour]))
            nodes.append(element("text", ["x": fmt(lx + 18), "y": fmt(ly - 2), "font-size": "11"], text: s.name))
        }
        return svg(title: title, nodes)
    }

    /// Vertical bars, one per label, from 0 up to the value.
    static func bars(title: String, xLabel: String, yLabel: String, labels: [String], values: [Double],
                     format: (Double) -> String) -> BodyNode {
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let gridStep = niceCeiling(max(values.max() ?? 1, 1e-9) / 4)
        let yMax = gridStep * ((values.max() ?? 1) / gridStep).rounded(.up)
        func y(_ v: Double) -> Double { top + plotHeight * (1 - v / max(yMax, 1e-9)) }
        let slot = plotWidth / Double(max(values.count, 1))
        var nodes: [BodyNode] = [element("title", text: title)]
        for step in 0...Int((yMax / gridStep).rounded()) {
            let value = gridStep * Double(step)
            nodes.append(element("line", ["x1": fmt(left), "x2": fmt(width - right), "y1": fmt(y(value)), "y2": fmt(y(value)),
                                          "stroke": step == 0 ? "#888" : "#e3e3e3"]))
            nodes.append(element("text", ["x": fmt(left - 6), "y": fmt(y(value) + 4), "text-anchor": "end", "font-size": "11"],
                                 text: format(value)))
        }
        for (i, value) in values.enumerated() {
            let x = left + slot * Double(i)
            nodes.append(element("rect", ["x": fmt(x + slot * 0.1), "y": fmt(y(value)), "width": fmt(slot * 0.8),
                                          "height": fmt(max(0, y(0) - y(value))), "fill": palette[0]]))
            nodes.append(element("text", ["x": fmt(x + slot / 2), "y": fmt(height - bottom + 16), "text-anchor": "middle", "font-size": "11"],
                                 text: labels[i]))
        }
        nodes.append(element("text", ["x": fmt(left + plotWidth / 2), "y": fmt(height - 8), "text-anchor": "middle", "font-size": "12"],
                             text: xLabel))
        nodes.append(element("text", ["x": "14", "y": fmt(top + plotHeight / 2), "text-anchor": "middle", "font-size": "12",
                                      "transform": "rotate(-90 14 \(fmt(top + plotHeight / 2)))"], text: yLabel))
        return svg(title: title, nodes)
    }

    struct Interval {
        let label: String
        let estimate: Double
        let low: Double
        let high: Double
    }

    /// One row per item: a dot at the estimate and a bar over its interval, around a zero line.
    static func intervals(title: String, xLabel: String, rows: [Interval], format: (Double) -> String) -> BodyNode {
        let labelWidth = 250.0
        let rowHeight = 26.0
        let chartHeight = top + Double(rows.count) * rowHeight + bottom
        // Room on the right for the last tick's label.
        let plotLeft = labelWidth, plotWidth = width - labelWidth - 40
        let extent = niceCeiling(max(rows.flatMap { [abs($0.low), abs($0.high)] }.max() ?? 0.1, 1e-9))
        func x(_ v: Double) -> Double { plotLeft + plotWidth * (v + extent) / (2 * extent) }
        var nodes: [BodyNode] = [element("title", text: title)]
        for step in -2...2 {
            let value = extent * Double(step) / 2
            nodes.append(element("line", ["x1": fmt(x(value)), "x2": fmt(x(value)), "y1": fmt(top), "y2": fmt(chartHeight - bottom),
                                          "stroke": step == 0 ? "#666" : "#e3e3e3"]))
            nodes.append(element("text", ["x": fmt(x(value)), "y": fmt(chartHeight - bottom + 16), "text-anchor": "middle", "font-size": "11"],
                                 text: format(value)))
        }
        nodes.append(element("text", ["x": fmt(plotLeft + plotWidth / 2), "y": fmt(chartHeight - 8), "text-anchor": "middle", "font-size": "12"],
                             text: xLabel))
        for (i, row) in rows.enumerated() {
            let cy = top + rowHeight * (Double(i) + 0.5)
            nodes.append(element("text", ["x": fmt(labelWidth - 8), "y": fmt(cy + 4), "text-anchor": "end", "font-size": "12"], text: row.label))
            nodes.append(element("line", ["x1": fmt(x(max(-extent, row.low))), "x2": fmt(x(min(extent, row.high))),
                                          "y1": fmt(cy), "y2": fmt(cy), "stroke": palette[0], "stroke-width": "3"]))
            nodes.append(element("circle", ["cx": fmt(x(row.estimate)), "cy": fmt(cy), "r": "4.5", "fill": palette[1]]))
        }
        return svg(title: title, nodes, height: chartHeight)
    }

    // MARK: - SVG through Plot

    private static func svg(title: String, _ nodes: [BodyNode], height: Double = SVGChart.height) -> BodyNode {
        .element(named: "svg", nodes: [
            .attribute(named: "viewBox", value: "0 0 \(fmt(width)) \(fmt(height))"),
            .attribute(named: "width", value: "100%"),
            .attribute(named: "role", value: "img"),
            .attribute(named: "aria-label", value: title),
            .attribute(named: "font-family", value: "system-ui, sans-serif"),
        ] + nodes)
    }

    private static func element(_ name: String, _ attributes: [String: String] = [:], text: String? = nil) -> BodyNode {
        var nodes: [BodyNode] = attributes.keys.sorted().map { .attribute(named: $0, value: attributes[$0]!) }
        if let text { nodes.append(.text(text)) }
        return .element(named: name, nodes: nodes)
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    /// The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= value * 0.999_999 { return factor * magnitude }
        return 10 * magnitude
    }
}
