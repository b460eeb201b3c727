import Foundation
import Testing

/// A selection that matches nothing and an impossible argument are errors
/// that say what exists, with a non-zero exit and nothing written.
@Suite("The command line: no silent empty results", .serialized)
struct EmptySelectionTests {
    @Test("run: a pipeline selecting a block or year the log lacks fails naming what the log has, and writes nothing")
    func runSelectsNothing() throws {
        let log = try CLIFailureTests.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pipeline = log + "/../\(UUID().uuidString).yaml"
        try "pipeline: only\nprojections: [ranking]\nselect: { years: [2031], blocks: [departments] }\n".write(toFile: pipeline, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        let out = log + "-out"
        let r = try CLI.run(["run", "--log", log, pipeline, "--out", out])
        #expect(r.status == 1)
        #expect(r.err.contains("selects nothing: years [2031] are not in the log (it has 2022, 2023); blocks [departments] are not in the log (it has department, district)"), "\(r.err)")
        #expect(r.err.contains("the log has: PAR 2022 department"))
        #expect(!r.out.contains("0 files for 0 partitions"))
        #expect(!FileManager.default.fileExists(atPath: out), "nothing was written")
    }

    @Test("--at-seq past the head is an error naming the head, for read commands and run")
    func atSeqPastHead() throws {
        let log = try CLIFailureTests.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let rank = try CLI.run(["rank", "--log", log, "--year", "2023", "--block", "department", "--at-seq", "99999"])
        #expect(rank.status == 1 && rank.err.contains("--at-seq 99999 is past the head of the log, seq 6973") && rank.out.isEmpty, "\(rank.err)")
        let out = log + "-out"
        let run = try CLI.run(["run", "--log", log, CLI.root.appendingPathComponent("pipelines/nightly.yaml").path, "--out", out, "--at-seq", "7000"])
        #expect(run.status == 1 && run.err.contains("--at-seq 7000 is past the head of the log, seq 6973"))
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try CLI.run(["rank", "--log", log, "--year", "2023", "--block", "department", "--at-seq", "6973"]).status == 0)
    }

    @Test("export: a reversed or out-of-log range is an error, and nothing is printed", arguments: [
        (["--from-seq", "6970", "--to-seq", "6960"], "--from-seq 6970 is after --to-seq 6960: the range is empty"),
        (["--from-seq", "7000"], "--from-seq 7000 is past the head of the log, seq 6973"),
        (["--to-seq", "8000"], "--to-seq 8000 is past the head of the log, seq 6973"),
        (["--from-seq", "0"], "--from-seq 0: seqs start at 1"),
    ])
    func exportRange(args: [String], message: String) throws {
        let log = try CLIFailureTests.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try CLI.run(["export", "--log", log] + args)
        #expect(r.status != 0 && r.err.contains(message) && r.out.isEmpty, "\(r.err)")
        let ok = try CLI.run(["export", "--log", log, "--from-seq", "6960", "--to-seq", "6970"])
        #expect(ok.status == 0 && ok.out.split(separator: "\n").count == 11)
    }

    @Test("trend: a reversed range, a block without those years, a unit without figures: errors that say what exists")
    func trendRanges() throws {
        let log = try CLIFailureTests.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let reversed = try CLI.run(["trend", "--log", log, "--block", "district", "--from", "2023", "--to", "2022"])
        #expect(reversed.status != 0 && reversed.err.contains("--from 2023 is after --to 2022"))
        let none = try CLI.run(["trend", "--log", log, "--block", "district", "--from", "2025"])
        #expect(none.status == 1 && none.err.contains("block district has PAR years 2022, 2023"), "\(none.err)")
        let unit = try CLI.run(["trend", "--log", log, "--unit", "NOPE"])
        #expect(unit.status == 1 && unit.err.contains("no such unit in the log"))
    }

    @Test("history of an item no event has touched is an error that says so, not an empty table")
    func emptyHistory() throws {
        let log = try TerminalEscapeTests.hostileLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let line = TerminalEscapeTests.lines[1].replacingOccurrences(of: #""framework":"F","index":"PAR","year":2023"#, with: #""framework":"G","index":"PAR","year":2024"#)
        #expect(try CLI.run(["import", "--log", log, "-"], stdin: line + "\n").status == 0)
        let r = try CLI.run(["history", "--log", log, "--unit", "SKHDT", "--year", "2024", "--item", "1.1.1"])
        #expect(r.status == 1 && r.out.isEmpty && r.err.contains("no event has touched item 1.1.1 of SKHDT in PAR 2024 yet: it counts 0 (status missing)"), "\(r.err)")
    }
}
