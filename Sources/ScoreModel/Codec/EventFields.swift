/// The fields each event type may carry in a JSON line: the decoder's one
/// table, which the JSON Schema in `events/event.schema.json` is tested against.
extension EventType {
    /// Fields every event has (besides its own).
    public static let commonFields: [(name: String, required: Bool)] = [
        ("type", true), ("at", true), ("by", true), ("id", false),
        // Written by `export`; accepted and ignored on import (the log assigns its own).
        ("seq", false), ("recordedAt", false),
    ]

    /// Every field a line of each type may have: the common ones, then its own.
    static let allowed: [EventType: [(name: String, required: Bool)]] =
        Dictionary(uniqueKeysWithValues: allCases.map { ($0, commonFields + $0.fields) })

    /// This type's own fields, in the order `export` writes them.
    public var fields: [(name: String, required: Bool)] {
        let item: [(String, Bool)] = [("unit", true), ("index", false), ("year", true), ("item", true)]
        switch self {
        case .unitRegistered: return [("unit", true), ("name", true), ("block", true), ("parent", false)]
        case .unitRenamed: return [("unit", true), ("name", true)]
        case .frameworkPublished:
            return [("framework", true), ("index", true), ("year", true), ("block", true), ("decision", false), ("bands", true), ("areas", true), ("ranking", false)]
        case .assessmentSubmitted: return item + [("score", false), ("notApplicable", false), ("evidence", false), ("note", false)]
        case .appraisalRecorded: return item + [("round", true), ("score", false), ("notApplicable", false), ("note", false)]
        case .explanationSubmitted: return item + [("text", true), ("evidence", false)]
        case .surveyRecorded: return item + [("score", true), ("respondents", false)]
        case .correctionIssued: return [("target", true), ("score", false), ("notApplicable", false), ("reason", true)]
        case .appealFiled: return [("appeal", true)] + item + [("requested", true), ("grounds", true)]
        case .appealResolved: return [("appeal", true), ("outcome", true), ("score", false), ("reason", true)]
        case .resultsPublished: return [("index", false), ("year", true), ("block", true)]
        case .actorRegistered:
            return [("actor", true), ("name", true), ("roles", true), ("unit", false), ("block", false), ("index", false), ("key", true)]
        case .actorRevoked: return [("actor", true), ("from", true), ("reason", true)]
        case .batchSigned: return [("actor", true), ("count", true), ("signature", true)]
        }
    }
}

/// Reads the members of one JSON object, refusing unknown and missing keys
/// and wrong types, each error naming the field (with its path inside
/// frameworks: `areas[1].criteria[0].items[2].max`).
struct Fields {
    let members: [(key: String, value: JSONValue)]
    let path: String

    init(_ value: JSONValue, path: String, allowed: [(name: String, required: Bool)]) throws {
        guard case .object(let members) = value else {
            throw FieldError(path.isEmpty ? nil : path, "expected an object, found \(value.kind)")
        }
        self.members = members
        self.path = path
        for member in members where !allowed.contains(where: { Self.same($0.name, member.key) }) {
            throw FieldError(name(member.key), "unknown field (allowed here: \(allowed.map(\.name).joined(separator: ", ")))")
        }
        for field in allowed where field.required && !members.contains(where: { Self.same($0.key, field.name) }) {
            throw FieldError(name(field.name), "missing required field")
        }
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func value(_ key: String) -> JSONValue? {
        for m in members where Self.same(m.key, key) { return m.value }
        return nil
    }

    /// Key equality, lengths first: most keys a lookup passes differ in
    /// length, and a length is read without comparing (on a national
    /// import, string comparison of keys was 6% of the CPU).
    @inline(__always)
    static func same(_ a: String, _ b: String) -> Bool { a.utf8.count == b.utf8.count && a == b }

    func has(_ key: String) -> Bool { value(key) != nil }

    func string(_ key: String, maxLength: Int = EventLimits.textBytes) throws -> String {
        guard let v = value(key) else { throw FieldError(name(key), "missing required field") }
        guard case .string(let s) = v else { throw FieldError(name(key), "expected a string, found \(v.kind)") }
        guard s.utf8.count <= maxLength else { throw FieldError(name(key), "longer than \(maxLength) bytes") }
        return s
    }

    func optionalString(_ key: String) throws -> String? { has(key) ? try string(key) : nil }

    /// A code: non-empty, at most 200 bytes, of ``CodeAlphabet``.
    func code(_ key: String) throws -> String {
        let s = try string(key, maxLength: 200)
        guard !s.isEmpty else { throw FieldError(name(key), "must not be empty") }
        if let problem = CodeAlphabet.problem(in: s) { throw FieldError(name(key), problem) }
        return s
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let v = value(key) else { throw FieldError(name(key), "missing required field") }
        guard case .number(let text) = v, let n = Int(text) else {
            throw FieldError(name(key), v.kind == "a number" ? "expected a whole number" : "expected a whole number, found \(v.kind)")
        }
        guard range.contains(n) else { throw FieldError(name(key), "\(n) is outside \(range.lowerBound)…\(range.upperBound)") }
        return n
    }

    /// An exact decimal with at most 3 decimal places.
    func score(_ key: String) throws -> Score {
        guard let v = value(key) else { throw FieldError(name(key), "missing required field") }
        guard case .number(let text) = v else { throw FieldError(name(key), "expected a number, found \(v.kind)") }
        if let s = Score(text) { return s }
        if text.contains("e") || text.contains("E") { throw FieldError(name(key), "\(text): write the number without an exponent") }
        if let dot = text.firstIndex(of: "."), text[text.index(after: dot)...].count > 3 {
            throw FieldError(name(key), "\(text) has more than 3 decimals")
        }
        throw FieldError(name(key), "\(text) is out of range")
    }

    func bool(_ key: String) throws -> Bool {
        guard let v = value(key) else { throw FieldError(name(key), "missing required field") }
        guard case .bool(let b) = v else { throw FieldError(name(key), "expected true or false, found \(v.kind)") }
        return b
    }

    func list(_ key: String) throws -> [JSONValue] {
        guard let v = value(key) else { throw FieldError(name(key), "missing required field") }
        guard case .array(let items) = v else { throw FieldError(name(key), "expected a list, found \(v.kind)") }
        return items
    }

    func strings(_ key: String) throws -> [String] {
        guard has(key) else { return [] }
        return try list(key).enumerated().map { i, item in
            guard case .string(let s) = item else { throw FieldError("\(name(key))[\(i)]", "expected a string, found \(item.kind)") }
            return s
        }
    }

    /// `score` or `notApplicable: true`, exactly one of them.
    func scoreValue() throws -> ScoreValue {
        let hasScore = has("score"), hasNA = has("notApplicable")
        if hasScore && hasNA { throw FieldError(name("score"), "give either score or notApplicable, not both") }
        if hasNA {
            guard try bool("notApplicable") else { throw FieldError(name("notApplicable"), "must be true when given; give a score instead") }
            return .notApplicable
        }
        guard hasScore else { throw FieldError(name("score"), "missing: give a score or notApplicable: true") }
        return .score(try score("score"))
    }
}
