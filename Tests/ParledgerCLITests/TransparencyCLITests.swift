import Foundation
import Testing

@Suite("Checkpoints, proofs, witnesses and audit kits from the command line", .serialized)
struct TransparencyCLITests {
    static let origin = "cchc.example.gov.vn/par"

    /// A demo log with an origin, a log key and a witness key, in a fresh directory.
    static func setUp() throws -> String {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let demo = CLI.root.appendingPathComponent("events/demo").path
        let files = try FileManager.default.contentsOfDirectory(atPath: demo).filter { $0.hasSuffix(".jsonl") }.sorted().map { demo + "/" + $0 }
        for args in [["init", "--log", "log", "--origin", origin], ["import", "--log", "log"] + files,
                     ["key", "generate", "--name", origin, "--out", "log"], ["key", "generate", "--witness", "--name", "w.example/1", "--out", "w"]] {
            let r = try CLI.run(args, cwd: URL(fileURLWithPath: dir))
            #expect(r.status == 0, "\(args): \(r.err)")
        }
        return dir
    }

    @Test("checkpoint, prove and check-proof; witness accepts a grown log and refuses a rewritten one (exit 1, nothing stored); audit-kit and check-kit")
    func endToEnd() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cwd = URL(fileURLWithPath: dir)
        func run(_ args: [String]) throws -> CLI.Result { try CLI.run(args, cwd: cwd) }

        var r = try run(["checkpoint", "--log", "log", "--key", "log.key", "--out", "cp1"])
        #expect(r.status == 0, "\(r.err)")
        let cp1 = try String(contentsOfFile: dir + "/cp1", encoding: .utf8)
        #expect(cp1.hasPrefix("\(Self.origin)\n6973\n") && cp1.contains("\n\n\u{2014} \(Self.origin) "))

        r = try run(["prove", "inclusion", "--log", "log", "--seq", "4000", "--out", "p.json"])
        #expect(r.status == 0, "\(r.err)")
        r = try run(["check-proof", "p.json", "--checkpoint", "cp1", "--key", "log.pub"])
        #expect(r.status == 0 && r.out.contains("ok: event #4000 is leaf 3999 of the tree of size 6973"), "\(r.err)")
        r = try run(["prove", "inclusion", "--log", "log", "--seq", "7000"])
        #expect(r.status == 1 && r.err.contains("event #7000 is not in the tree of size 6973"))

        r = try run(["witness", "--state", "ws", "--key", "log.pub", "cp1", "--log", "log", "--witness-key", "w.key"])
        #expect(r.status == 0 && r.err.contains("accepted on first use") && r.out.contains("\u{2014} w.example/1 "), "\(r.err)")

        // The log grows by one correction: a consistency proof file carries the witness on.
        let correction = #"{"type":"correction.issued","at":"2024-03-10T09:00:00+07:00","by":"bcd","target":"2023-SYT-6.2.2-r1","score":0.5,"reason":"sai sót"}"#
        r = try CLI.run(["import", "--log", "log", "-"], stdin: correction + "\n", cwd: cwd)
        #expect(r.status == 0, "\(r.err)")
        _ = try run(["checkpoint", "--log", "log", "--key", "log.key", "--out", "cp2"])
        _ = try run(["prove", "consistency", "--log", "log", "--from", "6973", "--out", "c.json"])
        r = try run(["witness", "--state", "ws", "--key", "log.pub", "cp2", "--proof", "c.json"])
        #expect(r.status == 0 && r.err.contains("grew from 6973 to 6974 events"), "\(r.err)")

        // A rewritten log: the same events with the correction's score changed, re-imported.
        let forged = correction.replacingOccurrences(of: "0.5", with: "0.75")
        let demo = CLI.root.appendingPathComponent("events/demo").path
        let files = try FileManager.default.contentsOfDirectory(atPath: demo).filter { $0.hasSuffix(".jsonl") }.sorted().map { demo + "/" + $0 }
        _ = try run(["init", "--log", "forged", "--origin", Self.origin])
        _ = try run(["import", "--log", "forged"] + files)
        _ = try CLI.run(["import", "--log", "forged", "-"], stdin: forged + "\n" + correction + "\n", cwd: cwd)
        _ = try run(["checkpoint", "--log", "forged", "--key", "log.key", "--out", "cp3"])
        let state = try String(contentsOfFile: dir + "/ws/cchc.example.gov.vn%2Fpar.checkpoint", encoding: .utf8)
        r = try run(["witness", "--state", "ws", "--key", "log.pub", "cp3", "--log", "forged"])
        #expect(r.status == 1 && r.err.contains("refused: cp3 is of size 6975") && r.err.contains("of size 6974 (root "), "\(r.err)")
        #expect(try String(contentsOfFile: dir + "/ws/cchc.example.gov.vn%2Fpar.checkpoint", encoding: .utf8) == state)

        r = try run(["audit-kit", "--log", "log", "--unit", "SYT", "--year", "2023", "--checkpoint", "cp2", "--witnessed", "cp1", "--out", "kit.json"])
        #expect(r.status == 0 && r.out.contains("wrote kit.json"), "\(r.err)")
        r = try run(["check-kit", "kit.json", "--key", "log.pub", "--witnessed", "cp1"])
        #expect(r.status == 0 && r.out.hasPrefix("ok: SYT PAR 2023: ") && r.out.contains("consistent with the witnessed tree of 6973"), "\(r.err)")
        r = try run(["check-kit", "kit.json", "--key", "w.pub"])
        #expect(r.status == 1 && r.err.contains("is a witness key"))
        r = try run(["check-kit", "kit.json", "--key", "log.pub", "--cosigned-by", "w.pub"])
        #expect(r.status == 1 && r.err.contains("no cosignature by witness w.example/1"), "\(r.err)")
        // A kit made from the checkpoint the witness cosigned carries its cosignature.
        _ = try run(["witness", "--state", "ws2", "--key", "log.pub", "cp2", "--log", "log", "--witness-key", "w.key", "--out", "cp2w"])
        r = try run(["audit-kit", "--log", "log", "--unit", "SYT", "--year", "2023", "--checkpoint", "cp2w", "--out", "kitw.json"])
        #expect(r.status == 0, "\(r.err)")
        r = try run(["check-kit", "kitw.json", "--key", "log.pub", "--cosigned-by", "w.pub"])
        #expect(r.status == 0 && r.out.contains("cosigned by w.example/1"), "\(r.err)")
    }

    @Test("run --key writes the signed checkpoint of the log it read into the snapshot, listed in the manifest; verify-snapshot --key checks it")
    func snapshotCheckpoint() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cwd = URL(fileURLWithPath: dir)
        let pipeline = CLI.root.appendingPathComponent("pipelines/nightly.yaml").path
        var r = try CLI.run(["run", "--log", "log", pipeline, "--out", "snap", "--key", "log.key"], cwd: cwd)
        #expect(r.status == 0, "\(r.err)")
        _ = try CLI.run(["checkpoint", "--log", "log", "--key", "log.key", "--out", "cp"], cwd: cwd)
        #expect(try String(contentsOfFile: dir + "/snap/checkpoint", encoding: .utf8) == String(contentsOfFile: dir + "/cp", encoding: .utf8))
        #expect(try String(contentsOfFile: dir + "/snap/manifest.json", encoding: .utf8).contains("\"path\": \"checkpoint\""))
        r = try CLI.run(["verify-snapshot", "--log", "log", "snap", "--pipeline", pipeline, "--key", "log.pub"], cwd: cwd)
        #expect(r.status == 0 && r.out.hasPrefix("ok: "), "\(r.err)")
        r = try CLI.run(["verify-snapshot", "--log", "log", "snap", "--pipeline", pipeline, "--key", "w.pub"], cwd: cwd)
        #expect(r.status == 1 && r.err.contains("snap/checkpoint: content differs: checkpoint: w.example/1 is a witness key"), "\(r.err)")
    }

    @Test("a checkpoint of a log without an origin, or with a key others can read, fails with what to do and writes nothing")
    func refusals() throws {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cwd = URL(fileURLWithPath: dir)
        _ = try CLI.run(["init", "--log", "log"], cwd: cwd)
        _ = try CLI.run(["key", "generate", "--name", Self.origin, "--out", "k"], cwd: cwd)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir + "/log").sorted()
        var r = try CLI.run(["checkpoint", "--log", "log", "--key", "k.key", "--out", "cp"], cwd: cwd)
        #expect(r.status == 1 && r.err.contains("the log in log has no origin, so it cannot sign checkpoints")
                && r.err.contains("parledger init --log log --origin NAME"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/cp"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/log").sorted() == before)

        r = try CLI.run(["init", "--log", "log", "--origin", "bad origin"], cwd: cwd)
        #expect(r.status == 1 && r.err.contains("origin \"bad origin\" must be 1 to 255 characters without spaces or '+'"))
        chmod(dir + "/k.key", 0o644)
        _ = try CLI.run(["init", "--log", "log", "--origin", Self.origin], cwd: cwd)
        r = try CLI.run(["checkpoint", "--log", "log", "--key", "k.key", "--out", "cp"], cwd: cwd)
        #expect(r.status == 1 && r.err.contains("the private key can be read by others") && r.err.contains("chmod 600"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/cp"))
        r = try CLI.run(["key", "generate", "--name", Self.origin, "--out", "k"], cwd: cwd)
        #expect(r.status == 1 && r.err.contains("k.key already exists"))
    }

    @Test("prove with a damaged or stale merkle.tree: the same proofs; a damaged one is rebuilt with a notice on stderr, a stale one caught up silently")
    func proveWithDamagedSidecar() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cwd = URL(fileURLWithPath: dir)
        let sidecar = dir + "/log/merkle.tree"
        var r = try CLI.run(["prove", "inclusion", "--log", "log", "--seq", "6900"], cwd: cwd)
        #expect(r.status == 0 && r.err.isEmpty, "\(r.err)")
        let inclusion = r.out
        r = try CLI.run(["prove", "consistency", "--log", "log", "--from", "1000"], cwd: cwd)
        let consistency = r.out
        let good = try Data(contentsOf: URL(fileURLWithPath: sidecar))

        var bytes = good
        bytes[bytes.count - 100] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: sidecar))
        r = try CLI.run(["prove", "inclusion", "--log", "log", "--seq", "6900"], cwd: cwd)
        #expect(r.status == 0 && r.out == inclusion)
        #expect(r.err == "parledger: notice: rebuilt log/merkle.tree: its checksum does not match its contents\n", "\(r.err)")
        r = try CLI.run(["prove", "consistency", "--log", "log", "--from", "1000"], cwd: cwd)
        #expect(r.status == 0 && r.out == consistency && r.err.isEmpty, "rebuilt once, then used: \(r.err)")

        // Stale after an append: caught up without a notice; the old proofs still verify against the grown tree's.
        let correction = #"{"type":"correction.issued","at":"2024-03-10T09:00:00+07:00","by":"bcd","target":"2023-SYT-6.2.2-r1","score":0.5,"reason":"sai sót"}"#
        r = try CLI.run(["import", "--log", "log", "-"], stdin: correction + "\n", cwd: cwd)
        #expect(r.status == 0, "\(r.err)")
        try good.write(to: URL(fileURLWithPath: sidecar))
        r = try CLI.run(["prove", "inclusion", "--log", "log", "--seq", "6900", "--size", "6973"], cwd: cwd)
        #expect(r.status == 0 && r.out == inclusion && r.err.isEmpty, "\(r.err)")
        r = try CLI.run(["prove", "consistency", "--log", "log", "--from", "6973", "--out", "c.json"], cwd: cwd)
        #expect(r.status == 0 && r.err.isEmpty, "\(r.err)")
        r = try CLI.run(["check-proof", "c.json"], cwd: cwd)
        #expect(r.status == 0 && r.out.contains("is a prefix of the tree of size 6974"), "\(r.err)")
    }
}
