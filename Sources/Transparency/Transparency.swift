import Primitives
import EventLog
import Foundation

/// The operations behind the transparency commands: each reads its inputs,
/// does one thing, and returns what the command prints.
public enum Transparency {
    /// The signed checkpoint of the log's head.
    /// With `size`, of the tree of that many events (a pipeline run's point) instead.
    public static func checkpoint(log: String, key: SignerKey, size: UInt64? = nil) throws -> (checkpoint: Checkpoint, notice: String?) {
        let origin = try LogOrigin.read(directory: log)
        let tree = try LogTree(directory: log)
        let n = size ?? tree.size
        let checkpoint = try Checkpoint(origin: origin, size: n, root: tree.root(size: n)).signed(with: key)
        return (checkpoint, tree.notice)
    }

    /// Checks a checkpoint kept with a snapshot: of `size` events, of this
    /// log's origin and tree, and signed by `key` when given. Returns what is wrong, or nil.
    public static func checkSnapshotCheckpoint(_ text: String, place: String, log: String, size: UInt64, key: VerifierKey?) throws -> String? {
        let checkpoint: Checkpoint
        do {
            checkpoint = try key.map { try Checkpoint.open(text, key: $0, place: place) } ?? Checkpoint.parse(text, place: place)
        } catch let e as TransparencyError {
            return e.description
        }
        guard checkpoint.size == size else { return "the checkpoint is of size \(checkpoint.size), the snapshot read to seq \(size)" }
        let origin = try LogOrigin.read(directory: log)
        guard checkpoint.origin == origin else { return "the checkpoint is of \(checkpoint.origin), the log is \(origin)" }
        let tree = try LogTree(directory: log, save: false)
        guard size <= tree.size, try tree.root(size: size) == checkpoint.root else {
            return "the log's Merkle root at size \(size) is not the checkpoint's: the log was rewritten after it was signed"
        }
        return nil
    }

    /// An inclusion proof of event `seq` in the tree of `size` (default: the head), carrying the record;
    /// the notice of a rebuilt sidecar, if any.
    public static func proveInclusion(log: String, seq: Seq, size: UInt64?) throws -> (proof: InclusionProof, notice: String?) {
        let tree = try LogTree(directory: log)
        var proof = try tree.inclusionProof(seq: seq, size: size ?? tree.size)
        proof.record = try tree.record(seq: seq)
        return (proof, tree.notice)
    }

    /// A consistency proof between two sizes (`to` defaults to the head); the notice of a rebuilt sidecar, if any.
    public static func proveConsistency(log: String, from: UInt64, to: UInt64?) throws -> (proof: ConsistencyProof, notice: String?) {
        let tree = try LogTree(directory: log)
        return (try tree.consistencyProof(from: from, to: to ?? tree.size), tree.notice)
    }

    /// Checks a proof file; with a checkpoint (and its key), also that the
    /// proof's root (inclusion) or new root (consistency) is the signed one.
    public static func checkProof(file: String, checkpoint: (text: String, file: String, key: VerifierKey)?) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else { throw TransparencyError("cannot read proof \(file)") }
        let proof = try ProofFile.parse(Array(data), file: file)
        let signed = try checkpoint.map { try Checkpoint.open($0.text, key: $0.key, place: $0.file) }
        switch proof {
        case .inclusion(let p):
            try p.verify(place: file)
            if let signed {
                guard signed.size == p.size, signed.root == p.root else {
                    throw TransparencyError("\(file): the proof is for the tree of size \(p.size) (root \(Base64.encode(p.root))), the checkpoint is of size \(signed.size) (root \(Base64.encode(signed.root)))",
                                           hint: "make the proof with `--size \(signed.size)`")
                }
            }
            return "ok: event #\(p.seq) is leaf \(p.index) of the tree of size \(p.size) with root \(Base64.encode(p.root))" + (signed == nil ? "" : ", signed by the checkpoint")
        case .consistency(let p):
            try p.verify(place: file)
            if let signed {
                guard signed.size == p.to, signed.root == p.toRoot else {
                    throw TransparencyError("\(file): the proof ends at the tree of size \(p.to), the checkpoint is of size \(signed.size) (root \(Base64.encode(signed.root)))")
                }
            }
            return "ok: the tree of size \(p.from) (root \(Base64.encode(p.fromRoot))) is a prefix of the tree of size \(p.to) (root \(Base64.encode(p.toRoot)))"
        }
    }
}
