import Foundation
import Testing

/// The national benchmark script (Benchmarks/national.py) on data sets small
/// enough for the test suite: correctness only, its timings are ignored. It
/// must keep running, and its peers (DuckDB, PostgreSQL) must keep computing
/// the same rankings as parledger.
@Suite("The benchmark script, small scale", .serialized,
       .enabled(if: BenchmarkScript.toolsPresent || ProcessInfo.processInfo.environment["CI"] == "true",
                "needs python3 with duckdb and PostgreSQL's initdb; bash .ci/run installs them"))
struct BenchmarkScriptTests {
    @Test("A generated data set: the peers' rankings equal parledger's, the incremental run equals the full one")
    func generated() throws {
        let r = try BenchmarkScript.run(["--small"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("rankings equal: parledger, DuckDB and PostgreSQL agree on 48 rows of 12 partitions"), "\(r.err)")
        #expect(r.out.contains("| import from JSON Lines"), "the table is printed")
    }

    @Test("The demo province, which has every rule (corrections, round 2, appeals, not applicable): the peers agree")
    func demo() throws {
        let r = try BenchmarkScript.run(["--demo"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("agree on 58 rows of 4 partitions"), "\(r.err)")
    }

    @Test("The bundled examples: the peers follow each framework's ranking rule (Thanh Hóa's exact ratio breaks its printed ties)")
    func examples() throws {
        let r = try BenchmarkScript.run(["--examples"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("agree on 30 rows of 2 partitions"), "\(r.err)")
    }

    @Test("A peer that ignores the ranking rule is caught on the Thanh Hóa ties")
    func peerIgnoringRule() throws {
        let r = try BenchmarkScript.run(["--examples"], peerEdit: ("WHEN 'ratio' THEN", "WHEN 'no such rule' THEN"))
        #expect(r.status == 1)
        #expect(r.err.contains("('PAR', 2024, 'department', 'SYT'): parledger (14,"), "\(r.err)")
    }

    @Test("A peer that scores differently is caught: exit 1 naming the rows that differ")
    func differentPeer() throws {
        let r = try BenchmarkScript.run(["--demo"], peerEdit: ("r.outcome IN ('upheld', 'partial')", "r.outcome IN ('upheld')"))
        #expect(r.status == 1)
        #expect(r.err.contains("DuckDB's ranking differs from parledger's"), "\(r.err)")
        #expect(r.err.contains("('PAR', 2023, 'district', 'HLV'): parledger (4, Decimal('86.4')"), "the partial appeal of HLV is the difference: \(r.err)")
        #expect(!r.out.contains("| import from JSON Lines"), "no table when a check fails")
    }
}

enum BenchmarkScript {
    static var toolsPresent: Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["sh", "-c", "python3 -c 'import duckdb' && (command -v initdb || ls /usr/lib/postgresql/*/bin/initdb)"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    /// Runs the script with a copy of the peers' SQL whose rankings (ranking-duckdb.sql and
    /// ranking-postgres.sql) have the same edit.
    static func run(_ args: [String], peerEdit: (old: String, new: String)) throws -> CLI.Result {
        let peers = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: peers) }
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("Benchmarks/peers").path, toPath: peers)
        for engine in ["duckdb", "postgres"] {
            let file = peers + "/ranking-\(engine).sql"
            let sql = try String(contentsOfFile: file, encoding: .utf8)
            let broken = sql.replacingOccurrences(of: peerEdit.old, with: peerEdit.new)
            #expect(broken != sql, "the edit applies to ranking-\(engine).sql")
            try broken.write(toFile: file, atomically: true, encoding: .utf8)
        }
        return try run(args + ["--peers", peers])
    }

    static func run(_ args: [String]) throws -> CLI.Result {
        let bin = try CLI.binary().deletingLastPathComponent().path
        var env = ProcessInfo.processInfo.environment
        if let dir = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted().last {
            env["PATH"] = (env["PATH"] ?? "/usr/bin:/bin") + ":/usr/lib/postgresql/\(dir)/bin"
        }
        return try CLI.run(["python3", CLI.root.appendingPathComponent("Benchmarks/national.py").path, "--bin", bin] + args,
                           executable: URL(fileURLWithPath: "/usr/bin/env"), environment: env)
    }
}
