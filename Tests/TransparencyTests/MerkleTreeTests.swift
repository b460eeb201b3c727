import Primitives
import EventLog
import Foundation
import Testing
@testable import Transparency

@Suite("The Merkle tree over the log (RFC 9162 §2.1)")
struct MerkleTreeTests {
    /// Enough leaves to cross a stored block of 256 and a partial one.
    static let count = 700

    @Test("roots, inclusion paths and consistency proofs equal pymerkle's (an independent RFC 9162 implementation)",
          .enabled(if: Python.has("pymerkle") || Python.required, "needs python3 with pymerkle 7 (bash .ci/run installs it)"))
    func pymerkleInterop() throws {
        let s = try Scratch()
        let log = try s.rawLog(count: Self.count)
        let tree = try LogTree(directory: log)
        #expect(tree.size == UInt64(Self.count))
        let sizes = [1, 2, 3, 4, 5, 7, 8, 255, 256, 257, 300, 511, 512, 513, 699, 700]
        let pairs: [(Int, Int)] = [(1, 1), (1, 7), (3, 7), (5, 8), (8, 257), (200, 256), (256, 700), (257, 513), (699, 700), (100, 700)]
        // The script builds pymerkle's tree from the same records and prints
        // roots for every size, inclusion paths (pymerkle puts the leaf hash
        // first, then the RFC path) and whether its own consistency check
        // accepts the roots.
        let script = """
        import sys, json
        from pymerkle import InmemoryTree, verify_consistency
        lines = sys.stdin.read().split("\\n")
        recs = [bytes.fromhex(x) for x in lines[0].split(",")]
        t = InmemoryTree(algorithm="sha256")
        for r in recs: t.append_entry(r)
        out = {"roots": {str(n): t.get_state(n).hex() for n in range(1, len(recs) + 1)}, "paths": {}, "consistent": {}}
        for item in lines[1].split(","):
            i, n = map(int, item.split(":"))
            out["paths"][item] = [h.hex() if isinstance(h, bytes) else h for h in t.prove_inclusion(i + 1, n).serialize()["path"]]
        for item in lines[2].split(","):
            a, b = map(int, item.split(":"))
            p = t.prove_consistency(a, b)
            try:
                verify_consistency(t.get_state(a), t.get_state(b), p); out["consistent"][item] = True
            except Exception: out["consistent"][item] = False
        print(json.dumps(out))
        """
        let records = (1...Self.count).map { hex(Scratch.record($0)) }.joined(separator: ",")
        let leaves = [(0, 1), (0, 7), (2, 7), (6, 7), (255, 256), (256, 700), (699, 700), (130, 513), (400, 512)]
        let input = records + "\n" + leaves.map { "\($0):\($1)" }.joined(separator: ",") + "\n" + pairs.map { "\($0):\($1)" }.joined(separator: ",") + "\n"
        let r = try Python.run(script, input: input)
        try #require(r.status == 0, "python: \(r.err)")
        let out = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        let roots = out["roots"] as! [String: String], paths = out["paths"] as! [String: [String]]
        #expect((out["consistent"] as! [String: Bool]).values.allSatisfy { $0 }, "pymerkle's own consistency check")
        for n in sizes { #expect(hex(try tree.root(size: UInt64(n))) == roots[String(n)], "root of size \(n)") }
        for (i, n) in leaves {
            let proof = try tree.inclusionProof(seq: Seq(UInt64(i + 1)), size: UInt64(n))
            let theirs = paths["\(i):\(n)"]!
            #expect(hex(proof.leafHash) == theirs.first, "leaf hash of \(i)")
            #expect(proof.path.map(hex) == Array(theirs.dropFirst()), "audit path of leaf \(i) in size \(n)")
            #expect(hex(proof.root) == roots[String(n)])
            try proof.verify()
        }
        for (a, b) in pairs {
            let proof = try tree.consistencyProof(from: UInt64(a), to: UInt64(b))
            // Our proof verifies between pymerkle's roots.
            let fromRoot = try #require(roots[String(a)]), toRoot = try #require(roots[String(b)])
            #expect(hex(proof.fromRoot) == fromRoot && hex(proof.toRoot) == toRoot)
            #expect(Merkle.verifyConsistency(from: UInt64(a), to: UInt64(b), fromRoot: proof.fromRoot, toRoot: proof.toRoot, proof: proof.path),
                    "consistency \(a) → \(b)")
        }
    }

    @Test("every inclusion and consistency proof of a small tree verifies, and fails with a hash changed or another leaf")
    func exhaustiveSmall() throws {
        let leaves = (0..<20).map { Merkle.leafHash(Array("leaf \($0)".utf8)) }
        for n in 1...UInt64(20) {
            let root = Merkle.rangeHash(leaves, 0, n)
            for i in 0..<n {
                let path = try Merkle.inclusionProof(index: i, size: n) { Merkle.rangeHash(leaves, $0, $1) }
                #expect(Merkle.rootFromInclusion(index: i, size: n, leafHash: leaves[Int(i)], proof: path) == root)
                if !path.isEmpty {
                    var bad = path; bad[bad.count - 1][0] ^= 1
                    #expect(Merkle.rootFromInclusion(index: i, size: n, leafHash: leaves[Int(i)], proof: bad) != root)
                    #expect(Merkle.rootFromInclusion(index: i, size: n, leafHash: leaves[Int((i + 1) % n)], proof: path) != root)
                }
            }
            for m in 1...n {
                let path = try Merkle.consistencyProof(from: m, to: n) { Merkle.rangeHash(leaves, $0, $1) }
                let old = Merkle.rangeHash(leaves, 0, m)
                #expect(Merkle.verifyConsistency(from: m, to: n, fromRoot: old, toRoot: root, proof: path), "\(m) → \(n)")
                if m < n {
                    var other = old; other[0] ^= 1
                    #expect(!Merkle.verifyConsistency(from: m, to: n, fromRoot: other, toRoot: root, proof: path))
                    #expect(!Merkle.verifyConsistency(from: m, to: n, fromRoot: old, toRoot: root, proof: path.dropLast()))
                }
            }
        }
    }

    @Test("the tree of the empty log is SHA-256 of nothing (RFC 9162)")
    func emptyTree() throws {
        let s = try Scratch()
        let log = try s.rawLog(count: 0)
        let tree = try LogTree(directory: log)
        #expect(hex(try tree.root(size: 0)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(throws: TransparencyError.self) { try tree.root(size: 1) }
    }

    /// Every proof of a tree, as made from its sidecar, against the same from a rehash of the whole log.
    static func expectSameProofs(_ tree: LogTree, _ rehashed: LogTree, _ sizes: [UInt64], _ what: String) throws {
        for n in sizes {
            #expect(try tree.root(size: n) == rehashed.root(size: n), "\(what): root of \(n)")
            for seq in Set([1, n / 3, n / 2, n - 1, n].filter { $0 >= 1 }) {
                #expect(try tree.inclusionProof(seq: Seq(seq), size: n) == rehashed.inclusionProof(seq: Seq(seq), size: n), "\(what): #\(seq) in \(n)")
            }
            for m in Set([1, n / 2, n - 1].filter { $0 >= 1 && $0 <= n }) {
                #expect(try tree.consistencyProof(from: m, to: n) == rehashed.consistencyProof(from: m, to: n), "\(what): \(m) → \(n)")
            }
        }
    }

    /// The sidecar file's version and size.
    static func sidecarHeader(_ log: String) throws -> (magic: String, size: UInt64) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: log + "/merkle.tree")))
        return (String(decoding: bytes[0..<8], as: UTF8.self), bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }

    @Test("the sidecar covers the head (its last incomplete block too), is caught up after appends, and its proofs are those of a rehash")
    func sidecarCatchUp() throws {
        let s = try Scratch()
        let log = try s.rawLog(count: 600)
        let sidecar = log + "/merkle.tree"
        let first = try LogTree(directory: log)
        #expect(first.notice == nil)
        #expect(try Self.sidecarHeader(log) == ("PLMTREE2", 600))
        let root600 = try first.root(size: 600)
        let at600 = try Data(contentsOf: URL(fileURLWithPath: sidecar))
        // Reopened at the same head: proofs come from the file (88 leaves of the last block included) and equal a rehash.
        try Self.expectSameProofs(try LogTree(directory: log), try LogTree(directory: log, save: false, useSidecar: false), [1, 255, 256, 257, 511, 512, 513, 599, 600], "at 600")

        // Appends: the next open hashes only the new events.
        let writer = try LogWriter(directory: log)
        _ = try writer.append((601...900).map { Scratch.record($0) })
        writer.close()
        let second = try LogTree(directory: log)
        #expect(second.notice == nil)
        #expect(try Self.sidecarHeader(log) == ("PLMTREE2", 900))
        #expect(try second.root(size: 600) == root600)
        let fresh = Merkle.root((1...900).map { Merkle.leafHash(Scratch.record($0)) })
        #expect(try second.root(size: 900) == fresh)

        // A stale sidecar (from before the appends, its last block incomplete) is caught up, not rebuilt.
        try at600.write(to: URL(fileURLWithPath: sidecar))
        let caughtUp = try LogTree(directory: log)
        #expect(caughtUp.notice == nil)
        #expect(try Self.sidecarHeader(log) == ("PLMTREE2", 900))
        try Self.expectSameProofs(caughtUp, try LogTree(directory: log, save: false, useSidecar: false), [600, 601, 767, 768, 769, 899, 900], "caught up")
        try Self.expectSameProofs(try LogTree(directory: log), try LogTree(directory: log, save: false, useSidecar: false), [600, 768, 900], "reopened")

        // The record an inclusion proof carries is the log's, and hashes to its leaf (in a complete block and in the last one).
        for seq in [3, 600, 899] {
            let r = try Transparency.proveInclusion(log: log, seq: Seq(UInt64(seq)), size: nil)
            #expect(r.notice == nil && r.proof.record == Scratch.record(seq))
            try r.proof.verify()
        }
    }

    @Test("a damaged, foreign or outgrown sidecar is rebuilt with a notice saying why, and gives the same roots")
    func sidecarRebuilt() throws {
        let s = try Scratch()
        let log = try s.rawLog(count: 900)
        let sidecar = log + "/merkle.tree"
        _ = try LogTree(directory: log)
        let fresh = Merkle.root((1...900).map { Merkle.leafHash(Scratch.record($0)) })
        let good = try Data(contentsOf: URL(fileURLWithPath: sidecar))
        func expectRebuilt(_ dir: String, _ why: String, root: [UInt8]) throws {
            let tree = try LogTree(directory: dir)
            #expect(tree.notice == "rebuilt \(dir)/merkle.tree: \(why)")
            #expect(try tree.root(size: tree.size) == root)
            #expect(try LogTree(directory: dir).notice == nil, "the rebuilt sidecar is used next time")
        }

        // A flipped byte: in a stored hash, in the last block's leaf hashes, in the size.
        for offset in [60, good.count - 40, 9] {
            var bytes = good
            bytes[offset] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: sidecar))
            try expectRebuilt(log, "its checksum does not match its contents", root: fresh)
        }
        try Data("PLMTREE9".utf8 + [UInt8](repeating: 0, count: 100)).write(to: URL(fileURLWithPath: sidecar))
        try expectRebuilt(log, "not a parledger Merkle tree file", root: fresh)

        // A sidecar of another log of the same size (the same records, other frames).
        let other = try s.rawLog("other", count: 900, batch: 50)
        try good.write(to: URL(fileURLWithPath: other + "/merkle.tree"))
        try expectRebuilt(other, "the log's bytes up to event #900 are not those it was built from (the log was rewritten)", root: fresh)
        // Of a shorter log: the frame holding its last leaf is not the one it recorded.
        let shorter = try s.rawLog("shorter", count: 500, batch: 50)
        _ = try LogTree(directory: shorter)
        let longer = try s.rawLog("longer", count: 700)
        try FileManager.default.copyItem(atPath: shorter + "/merkle.tree", toPath: longer + "/merkle.tree")
        try expectRebuilt(longer, "the log's bytes up to event #500 are not those it was built from (the log was rewritten)",
                          root: Merkle.root((1...700).map { Merkle.leafHash(Scratch.record($0)) }))
        // Of a longer log.
        let cut = try s.rawLog("cut", count: 400)
        try good.write(to: URL(fileURLWithPath: cut + "/merkle.tree"))
        try expectRebuilt(cut, "it covers 900 events but the log holds 400 (the log was replaced or cut)",
                          root: Merkle.root((1...400).map { Merkle.leafHash(Scratch.record($0)) }))
    }

    @Test("a version-1 sidecar (complete blocks only) is read, caught up and rewritten as version 2; one of a rewritten log is rebuilt")
    func sidecarVersion1() throws {
        let s = try Scratch()
        let log = try s.rawLog(count: 900)
        let leaves = (1...900).map { Merkle.leafHash(Scratch.record($0)) }
        // Version 1 as the previous release wrote it: 512 leaves, level 8 only.
        func version1(frameHash: [UInt8]) -> Data {
            var out = Array("PLMTREE1".utf8)
            func u64(_ v: UInt64) { out += (0..<8).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
            u64(512); out += frameHash; out += [0, 0, 0, 1]; u64(2)
            out += Merkle.root(Array(leaves[0..<256])) + Merkle.root(Array(leaves[256..<512]))
            return Data(TreeSidecar.sealed(out))
        }
        let reader = try LogReader(directory: log)
        try version1(frameHash: try #require(try reader.frameHash(containing: Seq(512))).bytes).write(to: URL(fileURLWithPath: log + "/merkle.tree"))
        let tree = try LogTree(directory: log)
        #expect(tree.notice == nil)
        #expect(try tree.root(size: 900) == Merkle.root(leaves))
        #expect(try Self.sidecarHeader(log) == ("PLMTREE2", 900))
        try Self.expectSameProofs(try LogTree(directory: log), try LogTree(directory: log, save: false, useSidecar: false), [300, 512, 900], "from version 1")

        try version1(frameHash: [UInt8](repeating: 7, count: 32)).write(to: URL(fileURLWithPath: log + "/merkle.tree"))
        let rebuilt = try LogTree(directory: log)
        #expect(rebuilt.notice == "rebuilt \(log)/merkle.tree: the log's bytes up to event #512 are not those it was built from (the log was rewritten)")
        #expect(try rebuilt.root(size: 900) == Merkle.root(leaves))
    }

    @Test("a sidecar forged with a valid checksum but another leaf hash is caught when the proof reads that event's record")
    func sidecarForgedLeaf() throws {
        let s = try Scratch()
        let log = try s.rawLog(count: 600)
        _ = try LogTree(directory: log)
        // Change the leaf hash of #600 (the last of the file's last-block hashes) and reseal the file.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: log + "/merkle.tree")))
        bytes[bytes.count - 33] ^= 0x01
        let body = Array(bytes[0..<(bytes.count - 32)])
        try Data(TreeSidecar.sealed(body)).write(to: URL(fileURLWithPath: log + "/merkle.tree"))
        #expect {
            _ = try Transparency.proveInclusion(log: log, seq: 600, size: nil)
        } throws: { error in
            "\(error)".contains("\(log)/merkle.tree: its leaf hash of event #600 is not the hash of that event's record in the log")
                && "\(error)".contains("delete \(log)/merkle.tree")
        }
    }
}
