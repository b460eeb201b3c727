extension CSVTable {
    /// Reads the CSV this type writes (a BOM or none, CRLF or LF, RFC 4180
    /// quotes): the header and the rows as text, as written (a formula
    /// guard `'` stays). Nil when a row's cell count is not the header's.
    public static func parse(_ bytes: [UInt8]) -> (header: [String], rows: [[String]])? {
        var data = bytes[...]
        if data.starts(with: byteOrderMark) { data = data.dropFirst(byteOrderMark.count) }
        var records: [[String]] = []
        var record: [String] = [], cell: [UInt8] = []
        var quoted = false, i = data.startIndex
        func endCell() { record.append(String(decoding: cell, as: UTF8.self)); cell.removeAll() }
        while i < data.endIndex {
            let b = data[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if data.index(after: i) < data.endIndex && data[data.index(after: i)] == UInt8(ascii: "\"") { cell.append(b); i += 1 } else { quoted = false }
                } else {
                    cell.append(b)
                }
            } else if b == UInt8(ascii: "\"") && cell.isEmpty {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                endCell()
            } else if b == 0x0A || (b == 0x0D && data.index(after: i) < data.endIndex && data[data.index(after: i)] == 0x0A) {
                if b == 0x0D { i += 1 }
                endCell(); records.append(record); record = []
            } else {
                cell.append(b)
            }
            i += 1
        }
        if !cell.isEmpty || !record.isEmpty { endCell(); records.append(record) }
        guard let header = records.first else { return ([], []) }
        let rows = Array(records.dropFirst())
        guard rows.allSatisfy({ $0.count == header.count }) else { return nil }
        return (header, rows)
    }
}
