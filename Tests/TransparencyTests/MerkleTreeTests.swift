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

    @Test("the sidecar is caught up after appends, rebuilt when damaged or when the log was rewritten, and gives the same roots")
    func sidecarUpkeep() throws {
        let s = try Scratch()
        let log = try s.rawLog(count: 600)
        let sidecar = log + "/merkle.tree"
        let first = try LogTree(directory: log)
        #expect(first.notice == nil)
        #expect(FileManager.default.fileExists(atPath: sidecar))
        let root600 = try first.root(size: 600)
        // Appends: the next open hashes only the new events.
        let writer = try LogWriter(directory: log)
        _ = try writer.append((601...900).map { Scratch.record($0) })
        writer.close()
        let second = try LogTree(directory: log)
        #expect(second.notice == nil)
        #expect(try second.root(size: 600) == root600)
        let fresh = Merkle.root((1...900).map { Merkle.leafHash(Scratch.record($0)) })
        #expect(try second.root(size: 900) == fresh)

        // A damaged sidecar is rebuilt, and says so.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: sidecar))
        bytes[60] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: sidecar))
        let third = try LogTree(directory: log)
        #expect(third.notice?.contains("checksum") == true)
        #expect(try third.root(size: 900) == fresh)
        #expect(try LogTree(directory: log).notice == nil)

        // A sidecar of another log (the same size, other bytes) is rebuilt.
        let other = try s.rawLog("other", count: 900, batch: 50)
        try FileManager.default.copyItem(atPath: sidecar, toPath: other + "/merkle.tree")
        let foreign = try LogTree(directory: other)
        // Same records, other frames: the frame hashes differ, so it is rebuilt (and agrees).
        #expect(foreign.notice?.contains("rewritten") == true)
        #expect(try foreign.root(size: 900) == fresh)
    }
}
