import EventLog
import Foundation

/// A witness: remembers the last checkpoint it accepted for each origin and
/// accepts a new one only with a consistency proof from it, so that a log
/// that rewrites its history is caught by anyone who ran one. With its own
/// key it cosigns what it accepts (tlog-cosignature/v1).
///
/// State: one file per origin in the state directory, `<origin, with every
/// byte outside A–Z a–z 0–9 . _ - written %XX>.checkpoint`, holding the
/// accepted signed checkpoint as it came.
public struct Witness {
    /// Where the consistency proof comes from.
    public enum ProofSource {
        /// Made from the log itself (which the witness reads, trusting nothing in it).
        case log(String)
        /// A proof file (`parledger prove consistency` output).
        case file(String)
    }

    /// What the witness did.
    public struct Outcome: Sendable {
        /// The checkpoint as accepted, with the witness's cosignature when it has a key.
        public var checkpoint: Checkpoint
        /// The size accepted before (nil: the first checkpoint seen for this origin).
        public var previousSize: UInt64?
        public var message: String
    }

    public let stateDirectory: String
    public let logKey: VerifierKey
    public let cosigner: SignerKey?

    public init(stateDirectory: String, logKey: VerifierKey, cosigner: SignerKey? = nil) {
        self.stateDirectory = stateDirectory; self.logKey = logKey; self.cosigner = cosigner
    }

    func stateFile(_ origin: String) -> String {
        var name = ""
        for b in origin.utf8 {
            let c = Character(Unicode.Scalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") { name.append(c) } else { name += String(format: "%%%02X", b) }
        }
        return stateDirectory + "/" + name + ".checkpoint"
    }

    /// The checkpoint accepted last for `origin`, if any.
    public func accepted(origin: String) throws -> Checkpoint? {
        let file = stateFile(origin)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        return try Checkpoint.open(String(decoding: data, as: UTF8.self), key: logKey, place: file)
    }

    /// Checks `text` (a signed checkpoint, from `place`) and accepts it or refuses it.
    public func witness(_ text: String, place: String, proof source: ProofSource, now: UInt64) throws -> Outcome {
        var incoming = try Checkpoint.open(text, key: logKey, place: place)
        let previous = try accepted(origin: incoming.origin)
        var message: String
        if let old = previous {
            let describe = { (c: Checkpoint) in "size \(c.size) (root \(Base64.encode(c.root)))" }
            if incoming.size < old.size {
                throw TransparencyError("refused: \(place) is of \(describe(incoming)), smaller than the checkpoint accepted for \(old.origin), of \(describe(old))",
                                       hint: "a log only grows; a smaller checkpoint is a rollback or another history")
            }
            if incoming.size == old.size {
                guard incoming.root == old.root else {
                    throw TransparencyError("refused: \(place) is of \(describe(incoming)) but the checkpoint accepted for \(old.origin) is of \(describe(old)): two different trees of the same size",
                                           hint: "the log's history was rewritten; keep both checkpoints as evidence")
                }
                message = "ok: \(incoming.origin) at size \(incoming.size) is the checkpoint already accepted"
            } else {
                let proof = try consistencyProof(from: old, to: incoming, source: source)
                guard Merkle.verifyConsistency(from: old.size, to: incoming.size, fromRoot: old.root, toRoot: incoming.root, proof: proof) else {
                    throw TransparencyError("refused: \(place) is of \(describe(incoming)), which is not consistent with the checkpoint accepted for \(old.origin), of \(describe(old))",
                                           hint: "the log's history up to \(old.size) was rewritten (or the proof is wrong); keep both checkpoints as evidence")
                }
                message = "ok: \(incoming.origin) grew from \(old.size) to \(incoming.size) events, consistently"
            }
        } else {
            message = "ok: \(incoming.origin) at size \(incoming.size): the first checkpoint this witness has seen for it (accepted on first use)"
        }
        if let cosigner {
            try incoming.note.cosign(with: cosigner, timestamp: now)
            message += "; cosigned by \(cosigner.name)"
        }
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let file = stateFile(incoming.origin)
        do {
            try DurableFile.replace(file, with: Array(incoming.text.utf8))
        } catch {
            throw TransparencyError("cannot write the witness state: \(error)")
        }
        return Outcome(checkpoint: incoming, previousSize: previous?.size, message: message)
    }

    private func consistencyProof(from old: Checkpoint, to new: Checkpoint, source: ProofSource) throws -> [[UInt8]] {
        switch source {
        case .log(let directory):
            let origin = try LogOrigin.read(directory: directory)
            guard origin == new.origin else {
                throw TransparencyError("refused: the checkpoint is of \(new.origin) but the log in \(directory) is \(origin)", hint: "give the log the checkpoint was made from")
            }
            let tree = try LogTree(directory: directory, save: false)
            guard new.size <= tree.size else {
                throw TransparencyError("refused: the checkpoint is of size \(new.size) but the log in \(directory) holds \(tree.size) events",
                                       hint: "give the log the checkpoint was made from")
            }
            return try tree.consistencyProof(from: old.size, to: new.size).path
        case .file(let file):
            guard let data = FileManager.default.contents(atPath: file) else { throw TransparencyError("cannot read proof \(file)") }
            guard case .consistency(let proof) = try ProofFile.parse(Array(data), file: file) else {
                throw TransparencyError("\(file): a witness needs a consistency proof, not an inclusion proof")
            }
            guard proof.from == old.size, proof.to == new.size else {
                throw TransparencyError("\(file): the proof is from size \(proof.from) to \(proof.to); the witness needs one from \(old.size) to \(new.size)",
                                       hint: "make it with `parledger prove consistency --from \(old.size) --to \(new.size)`")
            }
            return proof.path
        }
    }
}
