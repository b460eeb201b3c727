import Foundation
import ScoreModel

/// The small JSON documents of this module (proofs, kits), written the same
/// way every time: keys in the order given, two-space indent, a final
/// newline; numbers as exact literals.
enum JSONText {
    indirect enum Value {
        case string(String)
        case number(String)
        case bool(Bool)
        case null
        case array([Value])
        case object([(String, Value)])
    }

    static func int(_ n: UInt64) -> Value { .number(String(n)) }
    static func bytes(_ b: [UInt8]) -> Value { .string(Base64.encode(b)) }
    static func hashes(_ hs: [[UInt8]]) -> Value { .array(hs.map(bytes)) }

    static func render(_ value: Value) -> String {
        var out = ""
        write(value, 0, &out)
        return out + "\n"
    }

    private static func write(_ value: Value, _ indent: Int, _ out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch value {
        case .string(let s): out += quote(s)
        case .number(let n): out += n
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            // Arrays of scalars stay on one line when short (hashes, seqs).
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                write(item, indent + 1, &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += close + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, item)) in members.enumerated() {
                out += pad + quote(key) + ": "
                write(item, indent + 1, &out)
                out += i == members.count - 1 ? "\n" : ",\n"
            }
            out += close + "}"
        }
    }

    static func quote(_ s: String) -> String { JSONString.quoted(s) }
}

/// Reading the members of a parsed JSON document, with messages that name
/// the file and the field.
struct JSONFields {
    let members: [(key: String, value: JSONValue)]
    let place: String

    init(_ value: JSONValue, place: String) throws {
        guard case .object(let m) = value else { throw TransparencyError("\(place): expected a JSON object, found \(value.kind)") }
        members = m; self.place = place
    }

    static func parse(_ bytes: [UInt8], file: String) throws -> JSONFields {
        let value: JSONValue
        do { value = try bytes.withUnsafeBytes { try JSONParser.parse($0) } } catch let f as JSONParser.Failure {
            throw TransparencyError("\(file): byte \(f.offset): \(f.message)", hint: "the file is not valid JSON")
        }
        return try JSONFields(value, place: file)
    }

    func value(_ key: String) throws -> JSONValue {
        guard let v = members.first(where: { $0.key == key })?.value else { throw TransparencyError("\(place): field \"\(key)\" is missing") }
        return v
    }

    func optional(_ key: String) -> JSONValue? { members.first(where: { $0.key == key })?.value }

    func string(_ key: String) throws -> String {
        guard case .string(let s) = try value(key) else { throw TransparencyError("\(place): field \"\(key)\" must be a string") }
        return s
    }

    func uint(_ key: String) throws -> UInt64 {
        guard case .number(let n) = try value(key), let v = UInt64(n) else {
            throw TransparencyError("\(place): field \"\(key)\" must be a whole number ≥ 0")
        }
        return v
    }

    func bytes(_ key: String, count: Int? = nil) throws -> [UInt8] {
        guard let b = Base64.decode(try string(key)), count == nil || b.count == count else {
            throw TransparencyError("\(place): field \"\(key)\" must be base64\(count.map { " of \($0) bytes" } ?? "")")
        }
        return b
    }

    func hashes(_ key: String) throws -> [[UInt8]] {
        guard case .array(let items) = try value(key) else { throw TransparencyError("\(place): field \"\(key)\" must be a list") }
        return try items.enumerated().map { i, item in
            guard case .string(let s) = item, let b = Base64.decode(s), b.count == 32 else {
                throw TransparencyError("\(place): \(key)[\(i)] must be a base64 SHA-256 hash (32 bytes)")
            }
            return b
        }
    }

    func objects(_ key: String) throws -> [JSONFields] {
        guard case .array(let items) = try value(key) else { throw TransparencyError("\(place): field \"\(key)\" must be a list") }
        return try items.enumerated().map { try JSONFields($1, place: "\(place): \(key)[\($0)]") }
    }
}

/// Standard base64 (RFC 4648 §4, with padding), as signed notes and proofs use.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    static func decode(_ text: String) -> [UInt8]? {
        guard let d = Data(base64Encoded: text), Data(d).base64EncodedString() == text else { return nil }
        return Array(d)
    }
}
