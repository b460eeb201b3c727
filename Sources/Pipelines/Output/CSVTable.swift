/// A table written as CSV that spreadsheet programs open correctly: UTF-8
/// with a byte-order mark (so Excel reads Vietnamese diacritics), CRLF line
/// ends and RFC 4180 quoting.
///
/// Text cells that came from events and start with `=`, `+`, `-`, `@`, tab
/// or CR are prefixed with `'`, so a spreadsheet shows them instead of
/// running them as formulas (CSV injection). Numbers are written as they are.
///
/// ```swift
/// var table = CSVTable(header: ["rank", "unit", "name", "percent"])
/// table.append([.number("1"), .text("SKHDT"), .text("Sở Kế hoạch và Đầu tư"), .number("94.72")])
/// table.serialized()   // BOM + "rank,unit,name,percent\r\n1,SKHDT,Sở Kế hoạch và Đầu tư,94.72\r\n"
/// ```
public struct CSVTable: Hashable, Sendable {
    public enum Cell: Hashable, Sendable {
        /// Text from an event or a label: quoted when needed, guarded against formulas.
        case text(String)
        /// A number literal, written as is.
        case number(String)
        case empty
    }

    public var header: [String]
    public private(set) var rows: [[Cell]] = []

    public init(header: [String]) { self.header = header }

    public mutating func append(_ row: [Cell]) {
        precondition(row.count == header.count, "CSV row has \(row.count) cells, header has \(header.count)")
        rows.append(row)
    }

    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    public func serialized() -> [UInt8] {
        var out = Self.byteOrderMark
        Self.writeRow(header.map { Cell.text($0) }, guardFormulas: false, into: &out)
        for row in rows { Self.writeRow(row, guardFormulas: true, into: &out) }
        return out
    }

    private static func writeRow(_ row: [Cell], guardFormulas: Bool, into out: inout [UInt8]) {
        for (i, cell) in row.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            switch cell {
            case .empty: break
            case .number(let n): out.append(contentsOf: n.utf8)
            case .text(var s):
                if guardFormulas, let first = s.utf8.first,
                   [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first) {
                    s = "'" + s
                }
                let needsQuotes = s.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
                    || s.utf8.first == 0x20 || s.utf8.last == 0x20
                if needsQuotes {
                    out.append(UInt8(ascii: "\""))
                    for b in s.utf8 {
                        if b == UInt8(ascii: "\"") { out.append(b) }
                        out.append(b)
                    }
                    out.append(UInt8(ascii: "\""))
                } else {
                    out.append(contentsOf: s.utf8)
                }
            }
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }
}
