import Foundation
import Testing

/// `import` reads any readable stream; `--version` names what it reads.
@Suite("The command line: inputs and version", .serialized)
struct InputStreamTests {
    static let units = CLI.root.appendingPathComponent("events/demo/01-units.jsonl").path

    @Test("import reads a FIFO")
    func fifo() throws {
        let log = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: log) }
        try CLI.run(["init", "--log", log])
        let fifo = log + "/../" + UUID().uuidString + ".fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.units))
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) { handle.write(bytes); try? handle.close() }
        }
        writer.start()
        let r = try CLI.run(["import", "--log", log, fifo])
        #expect(r.status == 0 && r.out.hasPrefix("imported 29 events"), "\(r.err)")
    }

    @Test("import reads a process substitution, as `import <(zcat x.jsonl.gz)`")
    func processSubstitution() throws {
        let log = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: log) }
        try CLI.run(["init", "--log", log])
        let bash = URL(fileURLWithPath: "/bin/bash")
        try #require(FileManager.default.isExecutableFile(atPath: bash.path), "bash is needed for a process substitution")
        let r = try CLI.run(["-c", "\"$0\" import --log \"$1\" <(gzip -c \"$2\" | gzip -dc)", try CLI.binary().path, log, Self.units], executable: bash)
        #expect(r.status == 0 && r.out.hasPrefix("imported 29 events"), "\(r.err)")
    }

    @Test("import names a path it cannot read and the reason, and imports nothing")
    func unreadable() throws {
        let log = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: log) }
        try CLI.run(["init", "--log", log])
        let r = try CLI.run(["import", "--log", log, Self.units, log + "/nope.jsonl"])
        #expect(r.status == 1 && r.err.contains("cannot read \(log)/nope.jsonl: No such file or directory; nothing was imported"))
        let dir = try CLI.run(["import", "--log", log, log])
        #expect(dir.status == 1 && dir.err.contains("it is a directory"))
        #expect(try CLI.run(["export", "--log", log]).out.isEmpty)
    }

    @Test("--version prints the tool's version and the log, record and snapshot formats it reads")
    func version() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n")
        #expect(lines.first?.hasPrefix("parledger ") == true && lines.count == 4, "\(r.out)")
        #expect(r.out.contains("log: formats 1–2 (writes 2), frame format 1") && r.out.contains("records: event record versions 1–3") && r.out.contains("parledger-snapshot/2"))
    }
}
