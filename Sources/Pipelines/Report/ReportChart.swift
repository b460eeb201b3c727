/// An inline SVG chart of the report, as the data its template draws:
/// axes, grid lines with labels, bars, lines with dots, a legend, a title
/// and a text alternative (`<desc>`, read by screen readers and shown under
/// the chart). Geometry is integer arithmetic on the exact figures, so the
/// same figures always give the same bytes.
struct ReportChart {
    struct Series { var cls: String; var name: String; var values: [Int64?] }

    static let width = 640, height = 260, left = 64, right = 16, top = 24, bottom = 56
    static var plotWidth: Int { width - left - right }
    static var plotHeight: Int { height - top - bottom }

    var id: String
    var title: String
    var desc: String
    var yTitle: String
    var grid: [[String: Any]] = []
    var xLabels: [[String: Any]] = []
    var bars: [[String: Any]] = []
    var lines: [[String: Any]] = []
    var legend: [[String: Any]] = []

    var context: [String: Any] {
        ["id": id, "title": title, "desc": desc, "yTitle": yTitle, "width": Self.width, "height": Self.height,
         "x0": Self.left, "x1": Self.width - Self.right, "y0": Self.top, "y1": Self.height - Self.bottom,
         "yTitleY": Self.top - 8, "grid": grid, "xLabels": xLabels, "bars": bars, "lines": lines, "legend": legend]
    }

    static func ticks(_ lo: Int64, _ hi: Int64, _ step: Int64) -> [Int64] {
        var out: [Int64] = [], v = lo
        while v <= hi { out.append(v); v += step > 0 ? step : 1 }
        return out
    }

    static func x(_ i: Int, of n: Int) -> Int { left + plotWidth * (2 * i + 1) / (2 * max(n, 1)) }

    /// Y of `v` on an axis from `lo` (bottom) to `hi` (top); `inverted` puts `lo` on top (ranks).
    static func y(_ v: Int64, lo: Int64, hi: Int64, inverted: Bool = false) -> Int {
        let span = max(hi - lo, 1)
        let fromTop = inverted ? (v - lo) : (hi - v)
        return top + Int(Int64(plotHeight) * fromTop / span)
    }

    mutating func axis(labels: [String]) {
        for (i, label) in labels.enumerated() {
            xLabels.append(["x": Self.x(i, of: labels.count), "y": Self.height - Self.bottom + 18, "label": label])
        }
    }

    mutating func gridLines(_ values: [Int64], lo: Int64, hi: Int64, inverted: Bool = false, label: (Int64) -> String) {
        for v in values {
            let y = Self.y(v, lo: lo, hi: hi, inverted: inverted)
            grid.append(["y": y, "ty": y + 4, "label": label(v)])
        }
    }

    mutating func addLegend(_ items: [(cls: String, label: String)]) {
        var x = 8
        for item in items {
            defer { x += 16 + item.label.count * 9 + 24 }
            legend.append(["x": x, "y": Self.height - 18, "tx": x + 16, "ty": Self.height - 8, "cls": item.cls, "label": item.label])
        }
    }

    /// Lines over the x labels; nil values leave a gap.
    static func lines(id: String, title: String, desc: String, yTitle: String, labels: [String], series: [Series],
                      lo: Int64, hi: Int64, step: Int64, inverted: Bool = false, format: (Int64) -> String) -> ReportChart {
        var c = ReportChart(id: id, title: title, desc: desc, yTitle: yTitle)
        c.axis(labels: labels)
        c.gridLines(ticks(lo, hi, step), lo: lo, hi: hi, inverted: inverted, label: format)
        for s in series {
            var points: [String] = [], dots: [[String: Any]] = []
            for (i, v) in s.values.enumerated() {
                guard let v else { continue }
                let x = Self.x(i, of: labels.count), y = Self.y(v, lo: lo, hi: hi, inverted: inverted)
                points.append("\(x),\(y)")
                dots.append(["cx": x, "cy": y, "cls": s.cls, "label": "\(s.name), \(labels[i]): \(format(v))"])
            }
            c.lines.append(["cls": s.cls, "points": points.joined(separator: " "), "dots": dots])
        }
        if series.count > 1 { c.addLegend(series.map { ($0.cls, $0.name) }) }
        return c
    }

    /// Bars side by side per x label (one per series), from 0.
    static func groupedBars(id: String, title: String, desc: String, yTitle: String, labels: [String], series: [Series],
                            hi: Int64, step: Int64, format: (Int64) -> String) -> ReportChart {
        var c = ReportChart(id: id, title: title, desc: desc, yTitle: yTitle)
        c.axis(labels: labels)
        c.gridLines(ticks(0, hi, step), lo: 0, hi: hi, label: format)
        let slot = plotWidth / max(labels.count, 1)
        let barWidth = max(2, (slot * 3 / 4) / max(series.count, 1))
        for (i, _) in labels.enumerated() {
            let start = Self.x(i, of: labels.count) - barWidth * series.count / 2
            for (k, s) in series.enumerated() {
                guard let v = s.values[i] else { continue }
                let y = Self.y(v, lo: 0, hi: hi)
                c.bars.append(["x": start + k * barWidth, "y": y, "w": barWidth, "h": Self.height - Self.bottom - y, "cls": s.cls,
                               "label": "\(s.name), \(labels[i]): \(format(v))"])
            }
        }
        c.addLegend(series.map { ($0.cls, $0.name) })
        return c
    }

    /// Bars stacked per x label, bottom to top in series order.
    static func stackedBars(id: String, title: String, desc: String, yTitle: String, labels: [String], series: [Series],
                            hi: Int64, step: Int64) -> ReportChart {
        var c = ReportChart(id: id, title: title, desc: desc, yTitle: yTitle)
        c.axis(labels: labels)
        c.gridLines(ticks(0, hi, step), lo: 0, hi: hi) { String($0) }
        let barWidth = max(4, plotWidth / max(labels.count, 1) / 2)
        for (i, _) in labels.enumerated() {
            var base: Int64 = 0
            for s in series {
                guard let v = s.values[i], v > 0 else { continue }
                let yTop = Self.y(base + v, lo: 0, hi: hi), yBottom = Self.y(base, lo: 0, hi: hi)
                c.bars.append(["x": Self.x(i, of: labels.count) - barWidth / 2, "y": yTop, "w": barWidth, "h": yBottom - yTop, "cls": s.cls,
                               "label": "\(s.name), \(labels[i]): \(v)"])
                base += v
            }
        }
        c.addLegend(series.map { ($0.cls, $0.name) })
        return c
    }
}
