import Foundation

/// That an event is leaf `index` of the tree of `size` leaves whose root is
/// `root`: the leaf's hash and the audit path (RFC 9162 §2.1.3, nearest
/// the leaf first).
public struct InclusionProof: Equatable, Sendable {
    public var index: UInt64
    public var size: UInt64
    public var leafHash: [UInt8]
    public var path: [[UInt8]]
    public var root: [UInt8]
    /// The event's record bytes, when the proof carries them (the leaf hash is then theirs).
    public var record: [UInt8]?

    public init(index: UInt64, size: UInt64, leafHash: [UInt8], path: [[UInt8]], root: [UInt8], record: [UInt8]? = nil) {
        self.index = index; self.size = size; self.leafHash = leafHash; self.path = path; self.root = root; self.record = record
    }

    /// The event's seq (leaf index + 1).
    public var seq: UInt64 { index + 1 }

    /// Checks the path leads from the leaf (and the record, if carried) to the root.
    public func verify(place: String = "the proof") throws {
        if let record, Merkle.leafHash(record) != leafHash {
            throw TransparencyError("\(place): event #\(seq): its record bytes do not hash to its leaf hash",
                                   hint: "the record was altered after the proof was made")
        }
        guard let computed = Merkle.rootFromInclusion(index: index, size: size, leafHash: leafHash, proof: path) else {
            throw TransparencyError("\(place): event #\(seq): an inclusion proof in a tree of \(size) needs another number of hashes than \(path.count)")
        }
        guard computed == root else {
            throw TransparencyError("\(place): event #\(seq): its inclusion proof does not lead to the root \(Base64.encode(root)) of the tree of size \(size)",
                                   hint: "the event or the proof was altered, or it is not in that tree")
        }
    }

    var jsonValue: JSONText.Value {
        var members: [(String, JSONText.Value)] = [
            ("proof", .string("inclusion")), ("treeSize", JSONText.int(size)), ("leafIndex", JSONText.int(index)), ("seq", JSONText.int(seq)),
        ]
        if let record { members.append(("record", JSONText.bytes(record))) }
        members += [("leafHash", JSONText.bytes(leafHash)), ("rootHash", JSONText.bytes(root)), ("path", JSONText.hashes(path))]
        return .object(members)
    }

    /// The documented JSON form (docs/TRANSPARENCY.md).
    public var json: String { JSONText.render(jsonValue) }

    init(fields f: JSONFields) throws {
        guard try f.string("proof") == "inclusion" else { throw TransparencyError("\(f.place): not an inclusion proof (\"proof\" is not \"inclusion\")") }
        let size = try f.uint("treeSize"), index = try f.uint("leafIndex")
        if let seq = f.optional("seq"), seq != .number(String(index + 1)) {
            throw TransparencyError("\(f.place): \"seq\" must be leafIndex + 1 (\(index + 1))")
        }
        self.init(index: index, size: size, leafHash: try f.bytes("leafHash", count: 32), path: try f.hashes("path"),
                  root: try f.bytes("rootHash", count: 32), record: f.optional("record") == nil ? nil : try f.bytes("record"))
    }
}

/// That the tree of `from` leaves (root `fromRoot`) is a prefix of the tree
/// of `to` leaves (root `toRoot`): RFC 9162 §2.1.4.
public struct ConsistencyProof: Equatable, Sendable {
    public var from: UInt64
    public var to: UInt64
    public var fromRoot: [UInt8]
    public var toRoot: [UInt8]
    public var path: [[UInt8]]

    public init(from: UInt64, to: UInt64, fromRoot: [UInt8], toRoot: [UInt8], path: [[UInt8]]) {
        self.from = from; self.to = to; self.fromRoot = fromRoot; self.toRoot = toRoot; self.path = path
    }

    public func verify(place: String = "the proof") throws {
        guard Merkle.verifyConsistency(from: from, to: to, fromRoot: fromRoot, toRoot: toRoot, proof: path) else {
            throw TransparencyError("\(place): the tree of size \(from) (root \(Base64.encode(fromRoot))) is not a prefix of the tree of size \(to) (root \(Base64.encode(toRoot)))",
                                   hint: "the proof does not fit these roots: the history between them was rewritten, or the proof was altered")
        }
    }

    var jsonValue: JSONText.Value {
        .object([("proof", .string("consistency")), ("fromSize", JSONText.int(from)), ("toSize", JSONText.int(to)),
                 ("fromRoot", JSONText.bytes(fromRoot)), ("toRoot", JSONText.bytes(toRoot)), ("path", JSONText.hashes(path))])
    }

    public var json: String { JSONText.render(jsonValue) }

    init(fields f: JSONFields) throws {
        guard try f.string("proof") == "consistency" else { throw TransparencyError("\(f.place): not a consistency proof (\"proof\" is not \"consistency\")") }
        self.init(from: try f.uint("fromSize"), to: try f.uint("toSize"), fromRoot: try f.bytes("fromRoot", count: 32),
                  toRoot: try f.bytes("toRoot", count: 32), path: try f.hashes("path"))
    }
}

/// A proof file of either kind.
public enum ProofFile: Equatable, Sendable {
    case inclusion(InclusionProof)
    case consistency(ConsistencyProof)

    /// Parses a proof in its JSON form; `file` names it in messages.
    public static func parse(_ bytes: [UInt8], file: String) throws -> ProofFile {
        let f = try JSONFields.parse(bytes, file: file)
        switch try f.string("proof") {
        case "inclusion": return .inclusion(try InclusionProof(fields: f))
        case "consistency": return .consistency(try ConsistencyProof(fields: f))
        case let other: throw TransparencyError("\(file): unknown proof kind \"\(other)\"", hint: "\"proof\" is \"inclusion\" or \"consistency\"")
        }
    }
}
