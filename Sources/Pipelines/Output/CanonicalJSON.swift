import ScoreModel

/// A JSON value (ScoreModel's ``JSONValue``) written the same way every time: the bytes of a snapshot
/// depend only on its content.
///
/// Objects keep the key order they were built with (a projection decides a
/// readable order once, in code); numbers are exact decimal literals, never
/// Double; strings are UTF-8 as is, escaping only what JSON requires. The
/// text is indented with two spaces and ends with a newline, so snapshots
/// diff well.
///
/// ```swift
/// let row: CanonicalJSON = .object([("unit", .string("SKHDT")), ("percent", .number("94.72"))])
/// row.serialized()   // "{\n  \"unit\": \"SKHDT\",\n  \"percent\": 94.72\n}\n"
/// ```
public typealias CanonicalJSON = JSONValue

extension JSONValue {
    /// The canonical text, as UTF-8 bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(into: &out, indent: 0)
        out.append(0x0A)
        return out
    }

    /// The canonical text, as a String.
    public var text: String { String(decoding: serialized(), as: UTF8.self) }

    private func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(0x0A)
                Self.pad(&out, indent + 1)
                item.write(into: &out, indent: indent + 1)
            }
            out.append(0x0A)
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(0x0A)
                Self.pad(&out, indent + 1)
                Self.writeString(key, into: &out)
                out.append(contentsOf: ": ".utf8)
                value.write(into: &out, indent: indent + 1)
            }
            out.append(0x0A)
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func pad(_ out: inout [UInt8], _ level: Int) {
        for _ in 0..<(level * 2) { out.append(0x20) }
    }

    /// A JSON string (``JSONString``).
    static func writeString(_ s: String, into out: inout [UInt8]) { JSONString.write(s, into: &out) }
}
