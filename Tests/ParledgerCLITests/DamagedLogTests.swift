import Foundation
import Testing

/// A damaged log is refused by every command, with the place of the damage,
/// a non-zero exit and nothing written; no writer ever cuts acknowledged
/// events; a published snapshot is never replaced from such a log.
@Suite("The command line: damaged logs", .serialized)
struct DamagedLogTests {
    /// Every file of a directory (recursively, links followed) with its bytes.
    static func files(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = URL(fileURLWithPath: dir).resolvingSymlinksInPath()
        for case let rel as String in FileManager.default.enumerator(atPath: base.path) ?? FileManager.DirectoryEnumerator() {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: base.appendingPathComponent(rel).path, isDirectory: &isDir)
            if !isDir.boolValue && rel != "writer.lock" { out[rel] = try Data(contentsOf: base.appendingPathComponent(rel)) }
        }
        return out
    }

    static let pipeline = CLI.root.appendingPathComponent("pipelines/nightly.yaml").path

    /// The read and write commands a user would try on a log.
    static func everyCommand(log: String, out: String) -> [[String]] {
        [["verify"], ["export"], ["rank", "--year", "2023", "--block", "department"], ["explain", "--unit", "SYT", "--year", "2023"],
         ["history", "--unit", "SYT", "--year", "2023", "--item", "1.1.1"], ["trend", "--block", "district"], ["awards", "--year", "2023"],
         ["appeal", "list"], ["run", pipeline, "--out", out],
         ["import", CLI.root.appendingPathComponent("events/demo/01-units.jsonl").path]].map { $0 + ["--log", log] }
    }

    @Test("A byte flipped in the middle of the only frame: every command refuses naming segment, offset and seq; the snapshot and the log stay; restoring the byte gives back every event")
    func flippedByte() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/events", out = dir + "/snap"
        let demo = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("events/demo").path).sorted()
        #expect(try CLI.run(["init", "--log", log]).status == 0)
        // One import: one batch.
        #expect(try CLI.run(["import", "--log", log] + demo.map { CLI.root.appendingPathComponent("events/demo/\($0)").path }).status == 0)
        #expect(try CLI.run(["run", Self.pipeline, "--log", log, "--out", out]).status == 0)
        let published = try Self.files(out)
        let segment = "00000000000000000001.seg"
        let path = log + "/" + segment
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var damaged = [UInt8](original)
        damaged[96 + (damaged.count - 96) / 2] ^= 0x01
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        let before = try Self.files(log)
        for args in Self.everyCommand(log: log, out: out) {
            let r = try CLI.run(args)
            #expect(r.status != 0, "\(args[0]) must refuse a damaged log")
            #expect(r.err.contains("corrupt log") && r.err.contains(segment) && r.err.contains("offset"), "\(args[0]): \(r.err)")
            #expect(r.out.isEmpty || args[0] == "appeal", "\(args[0]) printed: \(r.out.prefix(200))")
        }
        #expect(try Self.files(log) == before, "no command changed the log")
        #expect(try Self.files(out) == published, "the published snapshot is kept")
        try original.write(to: URL(fileURLWithPath: path))
        #expect(try CLI.run(["verify", "--log", log]).status == 0)
        let export = try CLI.run(["export", "--log", log])
        #expect(export.status == 0 && export.out.split(separator: "\n").count == 6973)
    }

    @Test("A log whose first segment is missing, or with an empty segment of a wrong name, or of an unknown format, is refused by every command, and nothing is written")
    func brokenLayouts() throws {
        for damage in ["first segment renamed", "empty segment", "unknown format", "no head record"] {
            let dir = CLI.tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let log = dir + "/events", out = dir + "/snap"
            #expect(try CLI.run(["init", "--log", log]).status == 0)
            #expect(try CLI.run(["import", "--log", log, CLI.root.appendingPathComponent("events/demo/01-units.jsonl").path]).status == 0)
            let expected: String
            switch damage {
            case "first segment renamed":
                try FileManager.default.moveItem(atPath: log + "/00000000000000000001.seg", toPath: log + "/00000000000000000100.seg")
                expected = "is missing"
            case "empty segment":
                FileManager.default.createFile(atPath: log + "/00000000000000000005.seg", contents: Data())
                expected = "00000000000000000005.seg"
            case "unknown format":
                try Data("parledger event log, format 9\n".utf8).write(to: URL(fileURLWithPath: log + "/parledger.log"))
                expected = "declares log format 9"
            default:
                try FileManager.default.removeItem(atPath: log + "/parledger.head")
                expected = "no parledger.head"
            }
            let before = try Self.files(log)
            for args in Self.everyCommand(log: log, out: out) {
                let r = try CLI.run(args)
                #expect(r.status != 0, "\(damage): \(args[0]) must refuse")
                #expect(r.err.contains(expected), "\(damage): \(args[0]): \(r.err)")
            }
            #expect(try Self.files(log) == before, "\(damage): nothing was written")
            #expect(!FileManager.default.fileExists(atPath: out), "\(damage): no snapshot was made")
        }
    }
}
