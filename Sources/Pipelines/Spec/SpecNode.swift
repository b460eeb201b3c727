import Yams

/// A node of a pipeline file with the place it came from, so that every
/// complaint about the file names `file:line` and the key path.
///
/// Mappings are read with the keys they may hold: an unknown key (usually a
/// typo: `blokcs:`) is an error, never silently ignored.
struct SpecNode {
    let node: Node
    let file: String
    /// The key path from the root: `awards[0].conditions[1]`.
    let path: String

    var line: Int { node.mark?.line ?? 1 }

    /// Parses a whole pipeline file; the root must be a mapping.
    static func parse(yaml: String, file: String) throws -> SpecNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw PipelineError(code: .badSpec, place: "\(file):\(Self.line(of: error))", message: "not valid YAML: \(Self.summary(of: error))",
                                hint: "fix the YAML syntax at that line")
        }
        guard let node else {
            throw PipelineError(code: .badSpec, place: "\(file):1", message: "the pipeline file is empty", hint: "see pipelines/nightly.yaml for an example")
        }
        return SpecNode(node: node, file: file, path: "")
    }

    func error(_ message: String, hint: String? = nil) -> PipelineError {
        PipelineError(code: .badSpec, place: "\(file):\(line)", key: path.isEmpty ? nil : path, message: message, hint: hint)
    }

    private func child(_ node: Node, key: String) -> SpecNode {
        SpecNode(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The members of a mapping, checked against the keys it may hold.
    func mapping(allowed: [String], required: [String] = []) throws -> [String: SpecNode] {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping (key: value lines), found \(kind)")
        }
        var members: [String: SpecNode] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                throw SpecNode(node: keyNode, file: file, path: path).error("a key must be text")
            }
            guard allowed.contains(key) else {
                throw SpecNode(node: keyNode, file: file, path: path.isEmpty ? key : "\(path).\(key)")
                    .error("unknown key \"\(key)\"", hint: "expected one of: \(allowed.joined(separator: ", "))")
            }
            members[key] = child(value, key: key)
        }
        for key in required where members[key] == nil {
            throw error("missing required key \"\(key)\"")
        }
        return members
    }

    /// The items of a sequence.
    func list() throws -> [SpecNode] {
        guard case .sequence(let sequence) = node else {
            throw error("expected a list, found \(kind)")
        }
        return sequence.enumerated().map { i, item in SpecNode(node: item, file: file, path: "\(path)[\(i)]") }
    }

    /// A sequence, or a single scalar taken as a list of one.
    func listOrScalar() throws -> [SpecNode] {
        if case .scalar = node { return [self] }
        return try list()
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected text, found \(kind)") }
        return scalar.string
    }

    func int() throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error("expected a whole number, found \(describe)")
        }
        return value
    }

    func bool() throws -> Bool {
        guard case .scalar(let scalar) = node else { throw error("expected true or false, found \(kind)") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found \(describe)")
        }
    }

    var isScalar: Bool { if case .scalar = node { true } else { false } }

    private var kind: String {
        switch node {
        case .scalar: "a value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private var describe: String {
        if case .scalar(let s) = node { return "\"\(s.string)\"" }
        return kind
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 1
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }
}
