import Primitives
import EventLog
import Foundation

/// The RFC 9162 Merkle tree of a log: leaf *i* (from 0) is the record bytes
/// of event seq *i + 1*; the tree of size *n* is the tree of the first *n*
/// events. Roots and proofs for any size up to the head.
///
/// Opening catches the sidecar (``TreeSidecar``, `merkle.tree` beside the
/// segments) up from the size it covers: only the events after it are
/// hashed. A sidecar that is damaged or belongs to other bytes of the log
/// (the frame holding its last leaf has another hash) is rebuilt from the
/// whole log, and ``notice`` says so.
///
/// ```swift
/// let tree = try LogTree(directory: "events")
/// let root = try tree.root(size: tree.size)
/// let proof = try tree.inclusionProof(seq: Seq(812), size: tree.size)
/// ```
public final class LogTree {
    public let reader: LogReader
    /// The tree's size: the log's head seq.
    public let size: UInt64
    /// Set when the sidecar had to be rebuilt, with why.
    public private(set) var notice: String?
    /// Set when the sidecar could not be saved (a read-only log); the tree still works.
    public private(set) var saveFailure: String?
    private var sidecar: TreeSidecar
    /// Leaf hashes of blocks of 256 leaves read from the log, by block number.
    private var blocks: [UInt64: [[UInt8]]] = [:]

    /// - Parameters:
    ///   - save: write the caught-up sidecar back (false for a log that must not be touched).
    ///   - useSidecar: false to hash the whole log, ignoring the sidecar (to measure or compare).
    public init(directory: String, save: Bool = true, useSidecar: Bool = true) throws {
        reader = try LogReader(directory: directory)
        size = reader.head.seq.rawValue
        let path = directory + "/" + TreeSidecar.fileName
        var loaded = TreeSidecar()
        var changed = false
        if useSidecar, let data = FileManager.default.contents(atPath: path) {
            switch TreeSidecar.parse(Array(data)) {
            case .success(let s):
                let hash = s.size == 0 ? s.frameHash : try reader.frameHash(containing: Seq(s.size))?.bytes
                if s.size > size {
                    notice = "rebuilt \(path): it covers \(s.size) events but the log holds \(size) (the log was replaced or cut)"
                } else if hash != s.frameHash {
                    notice = "rebuilt \(path): the log's bytes up to event #\(s.size) are not those it was built from (the log was rewritten)"
                } else {
                    loaded = s
                }
            case .failure(let damage):
                notice = "rebuilt \(path): \(damage.reason)"
            }
            if notice != nil { changed = true }
        } else {
            changed = size >= TreeSidecar.tileWidth
        }
        sidecar = loaded
        // Catch up: hash the events after the sidecar, block by block. The
        // last, incomplete block is read when a proof needs it.
        let width = TreeSidecar.tileWidth
        if size >= sidecar.size + width {
            var pending: [[UInt8]] = []
            pending.reserveCapacity(Int(width))
            var grown = sidecar
            try reader.forEachRecord(from: Seq(sidecar.size + 1), through: Seq(size / width * width)) { record in
                pending.append(Merkle.leafHash(record.payload))
                if pending.count == Int(width) {
                    grown.appendBlock(Merkle.root(pending))
                    pending.removeAll(keepingCapacity: true)
                }
            }
            if grown.size != sidecar.size {
                grown.frameHash = try reader.frameHash(containing: Seq(grown.size))?.bytes ?? grown.frameHash
                sidecar = grown
                changed = true
            }
        }
        if changed && save {
            do { try sidecar.write(to: path) } catch { saveFailure = "\(error)" }
        }
    }

    /// The leaves' hashes of block `b` (leaves 256b ..< 256b+256, within the size).
    private func block(_ b: UInt64) throws -> [[UInt8]] {
        if let cached = blocks[b] { return cached }
        let first = b * TreeSidecar.tileWidth + 1
        let last = min(size, first + TreeSidecar.tileWidth - 1)
        var hashes: [[UInt8]] = []
        try reader.forEachRecord(seqs: (first...last).map { Seq($0) }) { hashes.append(Merkle.leafHash($0.payload)) }
        guard hashes.count == Int(last - first + 1) else {
            throw TransparencyError("the log did not return events #\(first)…#\(last) for the Merkle tree",
                                   hint: "run `parledger verify` on the log")
        }
        blocks[b] = hashes
        return hashes
    }

    /// The hash of the complete, aligned subtree of 2^level leaves number `index`.
    private func subtree(level: Int, index: UInt64) throws -> [UInt8] {
        if level == 0 { return try block(index >> 8)[Int(index & 0xFF)] }
        if level % TreeSidecar.tileHeight == 0 {
            let k = level / TreeSidecar.tileHeight - 1
            if k < sidecar.levels.count, index < UInt64(sidecar.levels[k].count) { return sidecar.levels[k][Int(index)] }
        }
        return Merkle.nodeHash(try subtree(level: level - 1, index: 2 * index), try subtree(level: level - 1, index: 2 * index + 1))
    }

    /// MTH of leaves from..<to.
    func rangeHash(_ from: UInt64, _ to: UInt64) throws -> [UInt8] {
        let n = to - from
        if n == 0 { return Merkle.emptyRoot }
        if n & (n - 1) == 0 && from % n == 0 { return try subtree(level: n.trailingZeroBitCount, index: from / n) }
        let k = Merkle.split(n)
        return Merkle.nodeHash(try rangeHash(from, from + k), try rangeHash(from + k, to))
    }

    private func check(size s: UInt64, _ what: String) throws {
        guard s <= size else {
            throw TransparencyError("\(what) \(s) is past the log's head (\(size) events)", hint: "give a size from 0 to \(size)")
        }
    }

    /// The root hash of the tree of the first `size` events.
    public func root(size s: UInt64) throws -> [UInt8] {
        try check(size: s, "tree size")
        return try rangeHash(0, s)
    }

    /// The leaf hash of event `seq`.
    public func leafHash(seq: Seq) throws -> [UInt8] {
        guard seq.rawValue >= 1, seq.rawValue <= size else {
            throw TransparencyError("event #\(seq) is not in the log (it holds events #1…#\(size))")
        }
        return try subtree(level: 0, index: seq.rawValue - 1)
    }

    /// The inclusion proof of event `seq` in the tree of `size` events.
    public func inclusionProof(seq: Seq, size s: UInt64) throws -> InclusionProof {
        try check(size: s, "tree size")
        guard seq.rawValue >= 1, seq.rawValue <= s else {
            throw TransparencyError("event #\(seq) is not in the tree of size \(s)", hint: "give a --size of at least \(seq) (and at most \(size))")
        }
        let path = try Merkle.inclusionProof(index: seq.rawValue - 1, size: s, mth: rangeHash)
        return InclusionProof(index: seq.rawValue - 1, size: s, leafHash: try leafHash(seq: seq), path: path, root: try root(size: s))
    }

    /// The consistency proof from the tree of `from` events to that of `to`.
    public func consistencyProof(from: UInt64, to: UInt64) throws -> ConsistencyProof {
        try check(size: to, "tree size")
        guard from <= to else { throw TransparencyError("--from \(from) is larger than --to \(to)", hint: "the old size comes first") }
        let path = try Merkle.consistencyProof(from: from, to: to, mth: rangeHash)
        return ConsistencyProof(from: from, to: to, fromRoot: try root(size: from), toRoot: try root(size: to), path: path)
    }
}
