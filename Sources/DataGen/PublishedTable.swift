import Primitives

/// A published ranking as transcribed into CSV (one row per unit, in the
/// printed order): the input of the bundled examples in `events/examples/`.
///
/// Columns read: `index`, `year`, `level` (the block), `unit` (the name),
/// `rank` (empty where the source prints none), `percent` (as printed, a
/// point for the decimal comma), `source_url`, `notes`, and optionally the
/// printed parts `appraised`, `survey_sipas`, `survey_leaders`,
/// `survey_socioeconomic_impact`. Other columns are kept as they are.
public struct PublishedTable: Sendable {
    /// The file name (`thanhhoa_par2024_departments.csv`).
    public let file: String
    public let header: [String]
    /// The rows in file order, each as `column → text`.
    public let rows: [[String: String]]

    /// Parses RFC 4180 CSV (quoted fields, `""` inside quotes, LF or CRLF).
    public init(file: String, text: String) throws {
        self.file = file
        var records: [[String]] = []
        var record: [String] = [], field = "", quoted = false, atFieldStart = true
        var line = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let d = next() {
                        if d == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = d }
                    } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart: quoted = true; atFieldStart = false
            case ",": record.append(field); field = ""; atFieldStart = true
            case "\r": break
            case "\n":
                record.append(field); records.append(record)
                record = []; field = ""; atFieldStart = true; line += 1
            default: field.unicodeScalars.append(c); atFieldStart = false
            }
        }
        if quoted { throw PublishedTableError(file: file, line: line, "a quoted field is not closed") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { throw PublishedTableError(file: file, line: 1, "the file is empty") }
        self.header = header
        var rows: [[String: String]] = []
        for (i, r) in records.dropFirst().enumerated() {
            guard r.count == header.count else {
                throw PublishedTableError(file: file, line: i + 2, "\(r.count) fields where the header has \(header.count)")
            }
            rows.append(Dictionary(uniqueKeysWithValues: zip(header, r)))
        }
        guard !rows.isEmpty else { throw PublishedTableError(file: file, line: 2, "no rows under the header") }
        self.rows = rows
    }

    /// The text of a column in row `i` (0-based), or an error naming the
    /// file, line and column.
    func text(_ i: Int, _ column: String) throws -> String {
        guard let value = rows[i][column] else { throw PublishedTableError(file: file, line: 1, "no column \"\(column)\"") }
        return value
    }

    func error(_ i: Int, _ column: String, _ message: String) -> PublishedTableError {
        PublishedTableError(file: file, line: i + 2, "column \"\(column)\": \(message)")
    }
}

/// A published table that cannot be read or turned into events: names the
/// file and line.
public struct PublishedTableError: Diagnostic {
    public let file: String
    public let line: Int
    public let message: String
    init(file: String, line: Int, _ message: String) { self.file = file; self.line = line; self.message = message }
    public var parts: DiagnosticParts { DiagnosticParts(code: .badTable, place: "\(file):\(line)", message: message) }
}

extension DiagnosticCode {
    /// A bundled published table cannot be read.
    public static let badTable = DiagnosticCode("bad-table")
}
