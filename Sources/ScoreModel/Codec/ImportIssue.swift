/// Why a line of an import was refused: the file, the line, the field and
/// the reason.
///
/// ```
/// events/demo/03-par-2023.jsonl:12: field "score": 1.2345 has more than 3 decimals
/// ```
public struct ImportIssue: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line number in the file.
    public var line: Int
    /// The field at fault (`"score"`, `"areas[2].criteria[0].items[1].max"`), if one.
    public var field: String?
    public var message: String

    public init(file: String, line: Int, field: String? = nil, message: String) {
        self.file = file; self.line = line; self.field = field; self.message = message
    }

    public var description: String {
        "\(file):\(line): " + (field.map { "field \"\($0)\": " } ?? "") + message
    }
}

/// A decoding failure inside one line, before the file and line are known.
struct FieldError: Error {
    var field: String?
    var message: String
    init(_ field: String?, _ message: String) { self.field = field; self.message = message }
}
