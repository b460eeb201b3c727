import Foundation
import Testing

/// Runs the built `parledger` executable, as a user would.
struct CLI {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url = url.deletingLastPathComponent() }
        return url
    }()

    static func binary() throws -> URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        var candidates: [URL] = []
        for _ in 0..<4 { candidates.append(dir.appendingPathComponent("parledger")); dir = dir.deletingLastPathComponent() }
        candidates.append(root.appendingPathComponent(".build/debug/parledger"))
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "parledger not built: \(candidates.map(\.path))"])
    }

    struct Result { var status: Int32; var out: String; var err: String }

    @discardableResult
    static func run(_ args: [String], stdin: String? = nil, cwd: URL = root, executable: URL? = nil,
                    environment: [String: String]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = try executable ?? binary()
        p.arguments = args
        p.currentDirectoryURL = cwd
        // The runner's checkpoint key: a test one, never the user's.
        var env = environment ?? ProcessInfo.processInfo.environment
        if env["PARLEDGER_CHECKPOINT_KEY"] == nil {
            env["PARLEDGER_CHECKPOINT_KEY"] = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-test-checkpoint.key").path
        }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    static func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("parledger-cli-\(UUID().uuidString)").path
    }
}

@Suite("The command line, end to end", .serialized)
struct CLITests {
    @Test("demo: builds the log, runs the nightly pipeline, prints the report's figures and the flags")
    func demo() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["demo", "--dir", dir])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("demo log: 6973 events"))
        #expect(r.out.contains("   1  SKHDT    Sở Kế hoạch và Đầu tư"))
        #expect(r.out.contains("94.72  Xuất sắc"))
        #expect(r.out.contains("mean 89.55% · Xuất sắc 9 · Tốt 8"))
        #expect(r.out.contains("mean 89.55%, up 2.66 points (from 86.89%)"))
        #expect(r.out.contains("Xuất sắc: 9, 7 more than 2022"))
        #expect(r.out.contains("mean 85.36%, up 3.09 points (from 82.27%)"))
        #expect(r.out.contains("Xuất sắc: 7, 3 more than 2022"))
        #expect(r.out.contains("Cờ thi đua: Sở Kế hoạch và Đầu tư"))
        #expect(r.out.contains("Cờ thi đua: UBND huyện Châu Thành"))
        #expect(FileManager.default.fileExists(atPath: dir + "/snapshots/nightly/manifest.json"))
        // The README's command, run again: a new demo log, and its own snapshot.
        let again = try CLI.run(["demo", "--dir", dir])
        #expect(again.status == 0, "\(again.err)")
        #expect(again.out.contains("Cờ thi đua: UBND huyện Châu Thành"))
    }

    @Test("import from stdin, rank as JSON with the contract's fields, verify, stat, export")
    func importRankVerify() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try CLI.run(["init", "--log", dir]).status == 0)
        let again = try CLI.run(["init", "--log", dir])
        #expect(again.status != 0 && again.err.contains("already holds a parledger log"))
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("events/demo").path).sorted()
        let text = try files.map { try String(contentsOf: CLI.root.appendingPathComponent("events/demo/\($0)"), encoding: .utf8) }.joined()
        let imported = try CLI.run(["import", "--log", dir, "-"], stdin: text)
        #expect(imported.status == 0 && imported.out.hasPrefix("imported 6973 events"), "\(imported.err)")
        let rank = try CLI.run(["rank", "--log", dir, "--year", "2023", "--block", "district", "--format", "json"])
        #expect(rank.status == 0)
        #expect(rank.out.contains(#""rank": 1,"#) && rank.out.contains(#""name": "UBND huyện Châu Thành","#) && rank.out.contains(#""percent": 90.79,"#))
        let verify = try CLI.run(["verify", "--log", dir])
        #expect(verify.status == 0 && verify.out.contains("head      seq 6973"))
        let stat = try CLI.run(["stat", "--log", dir])
        #expect(stat.status == 0 && stat.out.contains("events") && stat.out.contains("6973"))
        let export = try CLI.run(["export", "--log", dir, "--from-seq", "6973"])
        #expect(export.out.hasPrefix(#"{"seq":6973,"#) && export.out.split(separator: "\n").count == 1)
        let announced = try CLI.run(["rank", "--log", dir, "--year", "2023", "--block", "department", "--as-announced", "--format", "csv"])
        #expect(announced.status == 0 && announced.out.hasPrefix("rank,unit,name,points,max,percent,band,band_label\r\n"))
    }

    @Test("A bad import exits non-zero, names file:line:field, and leaves the log as it was")
    func badImport() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CLI.run(["init", "--log", dir])
        let good = CLI.root.appendingPathComponent("events/demo/01-units.jsonl").path
        try CLI.run(["import", "--log", dir, good])
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }
        let before = try segments.map { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)) }
        let bad = dir + "-bad.jsonl"
        defer { try? FileManager.default.removeItem(atPath: bad) }
        try Data(#"{"type":"unit.registered","at":"2024-01-01T08:00:00+07:00","by":"x","unit":"SKHDT","name":"Lặp","block":"department"}"#.utf8)
            .write(to: URL(fileURLWithPath: bad))
        let r = try CLI.run(["import", "--log", dir, bad])
        #expect(r.status == 1)
        #expect(r.err.contains("\(bad):1: field \"unit\": unit \"SKHDT\" is already registered"))
        #expect(r.err.contains("nothing was imported"))
        #expect(try segments.map { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)) } == before)
        let missing = try CLI.run(["import", "--log", dir, "/nonexistent.jsonl"])
        #expect(missing.status == 1 && missing.err.contains("cannot read /nonexistent.jsonl"))
    }

    @Test("import: a saved validation state that is not one is named on stderr and the log replayed; the import goes on and the log verifies")
    func importDiscardsBadValidationState() throws {
        let dir = CLI.tempDir(), key = CLI.tempDir() + ".key"
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: key) }
        try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: URL(fileURLWithPath: key))
        let env = ProcessInfo.processInfo.environment.merging(["PARLEDGER_CHECKPOINT_KEY": key]) { $1 }
        try CLI.run(["init", "--log", dir])
        #expect(try CLI.run(["import", "--log", dir, CLI.root.appendingPathComponent("events/demo/01-units.jsonl").path], environment: env).err == "")
        try Data("not a state".utf8).write(to: URL(fileURLWithPath: dir + "/validation.state"))
        let r = try CLI.run(["import", "--log", dir, CLI.root.appendingPathComponent("events/demo/02-par-2022.jsonl").path], environment: env)
        #expect(r.status == 0 && r.out.hasPrefix("imported "))
        #expect(r.err == "parledger: notice: the saved validation state (validation.state) was not used: it is 11 bytes long, too short to hold a seal (a save cut short?); the log was replayed\n")
        #expect(try CLI.run(["verify", "--log", dir]).status == 0)
    }

    @Test("verify exits 1 on a flipped byte and names the segment and offset")
    func verifyDetectsFlip() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CLI.run(["init", "--log", dir])
        try CLI.run(["import", "--log", dir, CLI.root.appendingPathComponent("events/demo/01-units.jsonl").path])
        try CLI.run(["import", "--log", dir, CLI.root.appendingPathComponent("events/demo/02-par-2022.jsonl").path])
        let segment = dir + "/00000000000000000001.seg"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        bytes[200] ^= 0x01   // inside the first frame's payload: not the last frame
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        let r = try CLI.run(["verify", "--log", dir])
        #expect(r.status == 1)
        #expect(r.err.contains("corrupt log: 00000000000000000001.seg offset 0 (frame of seq 1)"))
    }

    @Test("run: a bad pipeline file is refused with file:line and nothing is written")
    func badPipeline() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CLI.run(["init", "--log", dir + "/log"])
        let pipeline = dir + "/p.yaml"
        try Data("pipeline: p\nprojections: [ranking]\nselect:\n  year: 2023\n".utf8).write(to: URL(fileURLWithPath: pipeline))
        let r = try CLI.run(["run", "--log", dir + "/log", pipeline, "--out", dir + "/out"])
        #expect(r.status == 1 && r.err.contains("\(pipeline):4: select.year: unknown key \"year\""))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    @Test("Read commands refuse contradictory or malformed time options with a clear message")
    func badOptions() throws {
        let r = try CLI.run(["rank", "--year", "2023", "--block", "x", "--as-of", "yesterday"])
        #expect(r.status != 0 && r.err.contains("--as-of yesterday"))
        let both = try CLI.run(["rank", "--year", "2023", "--block", "x", "--at-seq", "3", "--as-of", "2024-01-01T00:00:00Z"])
        #expect(both.status != 0 && both.err.contains("not both"))
        let nolog = try CLI.run(["rank", "--log", "/nonexistent-log", "--year", "2023", "--block", "x"])
        #expect(nolog.status == 1 && nolog.err.contains("parledger init"))
    }
}
