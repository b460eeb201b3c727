import Foundation
import Testing

/// The newer commands' ways to fail: each says what and where, exits
/// non-zero, and writes nothing.
@Suite("The command line: refusals", .serialized)
struct CLIFailureTests {
    static func demoLog() throws -> String {
        let dir = CLI.tempDir()
        try CLI.run(["init", "--log", dir])
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("events/demo").path).sorted()
        try CLI.run(["import", "--log", dir] + files.map { CLI.root.appendingPathComponent("events/demo/\($0)").path })
        return dir
    }

    @Test("--help prints the usage and exits 0, for the tool and a command; a usage error is the parser's, exit 64")
    func help() throws {
        let tool = try CLI.run(["--help"])
        #expect(tool.status == 0 && tool.out.contains("USAGE: parledger") && tool.out.contains("verify-snapshot") && tool.err.isEmpty)
        let rank = try CLI.run(["rank", "--help"])
        #expect(rank.status == 0 && rank.out.contains("--as-announced") && !rank.err.contains("CommandError"))
        let usage = try CLI.run(["rank", "--block", "department"])
        #expect(usage.status == 64 && usage.err.contains("Missing expected argument '--year <year>'") && !usage.err.contains("parledger: error:"))
    }

    @Test("explain after a nightly run reads its checkpoint and the events since, and says what a full replay says; a missing checkpoint is named")
    func explainFromCheckpoint() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cwd = URL(fileURLWithPath: dir)
        try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
        let demo = CLI.root.appendingPathComponent("events/demo").path
        #expect(try CLI.run(["init"], cwd: cwd).status == 0)
        #expect(try CLI.run(["import", "\(demo)/01-units.jsonl", "\(demo)/02-par-2022.jsonl", "\(demo)/03-after-publication-2022.jsonl",
                             "\(demo)/04-par-2023.jsonl"], cwd: cwd).status == 0)
        let run = try CLI.run(["run", CLI.root.appendingPathComponent("pipelines/nightly.yaml").path], cwd: cwd)
        #expect(run.status == 0, "\(run.err)")
        #expect(FileManager.default.fileExists(atPath: dir + "/snapshots/.nightly.checkpoint"))
        #expect(try CLI.run(["import", "\(demo)/05-after-publication-2023.jsonl"], cwd: cwd).status == 0)
        let stat = try CLI.run(["stat"], cwd: cwd).out
        let seq = try #require(stat.split(separator: "\n").first { $0.hasPrefix("head seq") }?.split(separator: " ").last.map(String.init))
        let fromCheckpoint = try CLI.run(["explain", "--unit", "SYT", "--year", "2023"], cwd: cwd)
        let explicit = try CLI.run(["explain", "--unit", "SYT", "--year", "2023", "--checkpoint", "snapshots/.nightly.checkpoint"], cwd: cwd)
        let replayed = try CLI.run(["explain", "--unit", "SYT", "--year", "2023", "--at-seq", seq], cwd: cwd)
        let logOnly = try CLI.run(["explain", "--unit", "SYT", "--year", "2023", "--no-checkpoint"], cwd: cwd)
        #expect(logOnly.status == 0 && logOnly.out == replayed.out)
        #expect(fromCheckpoint.status == 0 && replayed.status == 0 && explicit.status == 0)
        #expect(fromCheckpoint.out == replayed.out && explicit.out == replayed.out && explicit.err.isEmpty)
        #expect(fromCheckpoint.out.contains("corrected by #"), "the corrections imported after the run are in the explanation")

        let missing = try CLI.run(["explain", "--unit", "SKHDT", "--year", "2023", "--checkpoint", "nowhere.checkpoint"], cwd: cwd)
        #expect(missing.status == 1 && missing.err.contains("no checkpoint at nowhere.checkpoint") && missing.out.isEmpty)
        let both = try CLI.run(["explain", "--unit", "SKHDT", "--year", "2023", "--checkpoint", "x", "--at-seq", "5"], cwd: cwd)
        #expect(both.status != 0 && both.err.contains("not with --as-of or --at-seq"))
        let contradictory = try CLI.run(["explain", "--unit", "SYT", "--year", "2023", "--checkpoint", "x", "--no-checkpoint"], cwd: cwd)
        #expect(contradictory.status != 0 && contradictory.err.contains("not both"))
    }

    @Test("explain, history and appeal what-if name what they cannot find")
    func unknowns() throws {
        let log = try Self.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let explain = try CLI.run(["explain", "--log", log, "--unit", "NOPE", "--year", "2023"])
        #expect(explain.status == 1 && explain.err.contains("unknown unit NOPE"))
        let item = try CLI.run(["explain", "--log", log, "--unit", "SKHDT", "--year", "2023", "--item", "9.9"])
        #expect(item.status == 1 && item.err.contains("item 9.9 is not in framework PAR-2023-department"))
        let history = try CLI.run(["history", "--log", log, "--unit", "SKHDT", "--year", "2031", "--item", "1.1.1"])
        #expect(history.status == 1 && history.err.contains("no framework scores SKHDT in PAR 2031 (block department has PAR years 2022, 2023)"))
        let appeal = try CLI.run(["appeal", "what-if", "--log", log, "KN-404"])
        #expect(appeal.status == 1 && appeal.err.contains("no appeal KN-404") && appeal.err.contains("appeal list"))
        let whatIf = try CLI.run(["appeal", "what-if", "--log", log, "KN-2023-2"])
        #expect(whatIf.status == 0 && whatIf.out.contains("2 units' rank, band or awards change"))
    }

    @Test("diff and verify-snapshot refuse a directory that is not a snapshot")
    func notSnapshots() throws {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let diff = try CLI.run(["diff", dir, dir])
        #expect(diff.status == 2 && diff.err.contains("not a snapshot directory (no manifest.json)"))
        let verify = try CLI.run(["verify-snapshot", dir])
        #expect(verify.status == 1 && verify.err.contains("no manifest"))
    }

    @Test("verify-snapshot exits 1 naming the edited file; passes on the untouched snapshot")
    func verifySnapshot() throws {
        let log = try Self.demoLog()
        let out = log + "-snap"
        defer { try? FileManager.default.removeItem(atPath: log); try? FileManager.default.removeItem(atPath: out) }
        #expect(try CLI.run(["run", "--log", log, "pipelines/nightly.yaml", "--out", out, "--full"]).status == 0)
        let ok = try CLI.run(["verify-snapshot", "--log", log, out])
        #expect(ok.status == 0 && ok.out.hasPrefix("ok: 24 files"))
        let file = out + "/awards/PAR-2023-district.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"eligible\"", with: "\"not-eligible\"").write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["verify-snapshot", "--log", log, out])
        #expect(bad.status == 1 && bad.err.contains("awards/PAR-2023-district.json: file edited"))
    }

    @Test("generate national refuses a log that already holds events, and appends nothing")
    func generateIntoNonEmptyLog() throws {
        let log = try Self.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let before = try CLI.run(["verify", "--log", log]).out
        let r = try CLI.run(["generate", "national", "--provinces", "1", "--units", "5", "--items", "20", "--from", "2023", "--log", log])
        #expect(r.status == 1 && r.err.contains("holds 6973 events: a generated data set names events by seq, so it goes into an empty log"))
        #expect(try CLI.run(["verify", "--log", log]).out == before)
        let both = try CLI.run(["generate", "national", "--out", "x.jsonl", "--log", log])
        #expect(both.status != 0 && both.err.contains("give --out FILE or --log DIR"))
    }
}
