/// A plain-text table for people: columns padded to the widest cell, numbers
/// right-aligned, Vietnamese text aligned by what the eye sees.
///
/// Width is counted in grapheme clusters (`String.count`), so a name written
/// with combining diacritics (NFD, "Sở" as S + o + ◌̛ + ◌̉) lines up with the
/// same name precomposed (NFC). Control characters in cells are shown as
/// `\u{…}` escapes so that a hostile name cannot move the cursor or
/// reorder the line (bidi controls).
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        var title: String
        var alignment: Alignment
        init(_ title: String, _ alignment: Alignment = .left) { self.title = title; self.alignment = alignment }
    }

    var columns: [Column]
    private(set) var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    mutating func append(_ row: [String]) {
        precondition(row.count == columns.count)
        rows.append(row.map(Self.printable))
    }

    /// The rendered table, one line per row, with a rule under the header.
    func render() -> String {
        var widths = columns.map { $0.title.count }
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                let isLast = i == cells.count - 1
                switch columns[i].alignment {
                case .left: parts.append(isLast ? cell : cell + padding)
                case .right: parts.append(padding + cell)
                }
            }
            return parts.joined(separator: "  ")
        }
        var out = line(columns.map(\.title)) + "\n"
        out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }

    /// A cell on one line: control and bidi characters, line breaks
    /// included, as visible escapes (``Terminal/escape(_:lineEnds:)``).
    static func printable(_ text: String) -> String { Terminal.escape(text, lineEnds: false) }
}
