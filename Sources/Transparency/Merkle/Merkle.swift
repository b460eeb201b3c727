import Crypto

/// The Merkle tree of RFC 9162 §2.1 (Certificate Transparency 2.0), with
/// SHA-256: the hashes, proofs and their verification, over any source of
/// subtree hashes.
///
/// ```swift
/// let leaves = records.map { Merkle.leafHash($0) }
/// let root = Merkle.root(leaves)
/// let proof = try Merkle.inclusionProof(index: 2, size: 7) { try Merkle.rangeHash(leaves, $0, $1) }
/// Merkle.rootFromInclusion(index: 2, size: 7, leafHash: leaves[2], proof: proof) == root   // true
/// ```
public enum Merkle {
    /// SHA-256 of nothing: the root of the empty tree.
    public static let emptyRoot: [UInt8] = Array(SHA256.hash(data: [UInt8]()))

    /// SHA-256(0x00 ‖ leaf).
    public static func leafHash(_ leaf: UnsafeRawBufferPointer) -> [UInt8] {
        var h = SHA256()
        h.update(data: [0x00])
        h.update(bufferPointer: leaf)
        return Array(h.finalize())
    }

    public static func leafHash(_ leaf: [UInt8]) -> [UInt8] {
        leaf.withUnsafeBytes { leafHash($0) }
    }

    /// SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(data: [0x01])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    /// The largest power of two smaller than `n` (n ≥ 2).
    static func split(_ n: UInt64) -> UInt64 {
        precondition(n >= 2)
        return UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
    }

    /// MTH(D[from..<to]) from leaf hashes held in memory (RFC 9162 §2.1.1).
    public static func rangeHash(_ leaves: [[UInt8]], _ from: UInt64, _ to: UInt64) -> [UInt8] {
        let n = to - from
        if n == 0 { return emptyRoot }
        if n == 1 { return leaves[Int(from)] }
        let k = split(n)
        return nodeHash(rangeHash(leaves, from, from + k), rangeHash(leaves, from + k, to))
    }

    /// The root of a tree whose leaf hashes are all in memory.
    public static func root(_ leaves: [[UInt8]]) -> [UInt8] { rangeHash(leaves, 0, UInt64(leaves.count)) }

    /// PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf `index`
    /// in the tree of `size` leaves, nearest the leaf first. `mth(from, to)`
    /// gives the hash of the leaves from..<to; it is asked only for ranges
    /// that start on a multiple of a power of two at least as large as them.
    public static func inclusionProof(index: UInt64, size: UInt64, mth: (UInt64, UInt64) throws -> [UInt8]) throws -> [[UInt8]] {
        precondition(index < size)
        func path(_ m: UInt64, _ from: UInt64, _ to: UInt64) throws -> [[UInt8]] {
            let n = to - from
            if n == 1 { return [] }
            let k = split(n)
            if m < k { return try path(m, from, from + k) + [mth(from + k, to)] }
            return try path(m - k, from + k, to) + [mth(from, from + k)]
        }
        return try path(index, 0, size)
    }

    /// PROOF(m, D[n]) of RFC 9162 §2.1.4.1: the consistency proof from the
    /// tree of `from` leaves to the tree of `to` leaves (empty when they
    /// are equal or `from` is 0).
    public static func consistencyProof(from m: UInt64, to size: UInt64, mth: (UInt64, UInt64) throws -> [UInt8]) throws -> [[UInt8]] {
        precondition(m <= size)
        guard m > 0, m < size else { return [] }
        func subproof(_ m: UInt64, _ from: UInt64, _ to: UInt64, _ complete: Bool) throws -> [[UInt8]] {
            let n = to - from
            if m == n { return complete ? [] : [try mth(from, to)] }
            let k = split(n)
            if m <= k { return try subproof(m, from, from + k, complete) + [mth(from + k, to)] }
            return try subproof(m - k, from + k, to, false) + [mth(from, from + k)]
        }
        return try subproof(m, 0, size, true)
    }

    /// The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or nil
    /// when the proof has the wrong length for the index and size.
    public static func rootFromInclusion(index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]]) -> [UInt8]? {
        guard index < size else { return nil }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return nil }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 { while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 } }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// Whether `proof` shows that the tree of `from` leaves with root
    /// `fromRoot` is a prefix of the tree of `to` leaves with root `toRoot`
    /// (RFC 9162 §2.1.4.2).
    public static func verifyConsistency(from: UInt64, to: UInt64, fromRoot: [UInt8], toRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        if from > to { return false }
        if from == to { return proof.isEmpty && fromRoot == toRoot }
        if from == 0 { return proof.isEmpty }
        guard !proof.isEmpty else { return false }
        var path = proof
        if from & (from - 1) == 0 { path.insert(fromRoot, at: 0) }
        var fn = from - 1, sn = to - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr); sr = nodeHash(c, sr)
                if fn & 1 == 0 { while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 } }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && fr == fromRoot && sr == toRoot
    }
}
