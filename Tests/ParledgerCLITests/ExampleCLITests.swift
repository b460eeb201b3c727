import Foundation
import Testing

/// `demo --example`, `generate examples`, and frameworks with a ranking rule at the command line.
@Suite("Bundled examples and ranking rules at the command line")
struct ExampleCLITests {
    @Test("demo --example builds the log and prints the ranking beside the published one, agreeing")
    func demoExample() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["demo", "--dir", dir, "--example", "thanhhoa-par2024-departments"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("ranked by: exact ratio points/max"))
        #expect(r.out.contains("source: https://congthuong.vn/"))
        #expect(r.out.contains("mean 85.41% (printed 85.41%)"))
        #expect(r.out.contains("agrees with the published table: order, ranks, percents and mean"))
        let rank = try CLI.run(["rank", "--log", dir + "/thanhhoa-par2024-departments", "--year", "2024", "--block", "department", "--format", "json"])
        #expect(rank.status == 0 && rank.out.contains(#""rank": 3,"#) && !rank.out.contains(#""rank": 2,\#n    "unit": "VPUBNDT""#))
        let table = try CLI.run(["rank", "--log", dir + "/thanhhoa-par2024-departments", "--year", "2024", "--block", "department"])
        #expect(table.out.contains("ranked by exact ratio points/max") && table.out.contains("mean 85.41%\n"), "no band counts: none were printed")
        let explain = try CLI.run(["explain", "--log", dir + "/thanhhoa-par2024-departments", "--unit", "VPUBNDT", "--year", "2024"])
        #expect(explain.status == 0 && explain.out.contains("total 90.02 / 100.00 = 90.02% · rank 3 (by exact ratio points/max"), "\(explain.out)")
        let par = try CLI.run(["demo", "--dir", dir, "--example", "par2020-provinces-top10"])
        #expect(par.status == 0 && par.out.contains("agrees with the published table: order, ranks, percents, parts"), "\(par.err)")
    }

    @Test("An unknown example is refused, naming the ones there are")
    func unknownExample() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["demo", "--dir", dir, "--example", "hanoi"])
        #expect(r.status == 1)
        #expect(r.err.contains(#"no example "hanoi" in events/examples (known: par2020-provinces-top10, thanhhoa-par2024-departments)"#), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/hanoi"), "no log was made")
    }

    @Test("A log that does not give the printed table back: exit 1, naming each row that differs")
    func differs() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("events/examples"), to: URL(fileURLWithPath: dir + "/examples"))
        let csv = dir + "/examples/published/thanhhoa_par2024_departments.csv"
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        try text.replacingOccurrences(of: ",89.3,", with: ",89.31,").write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try CLI.run(["demo", "--dir", dir, "--examples", dir + "/examples", "--example", "thanhhoa-par2024-departments"])
        #expect(r.status == 1)
        #expect(r.err.contains("differs from the published table:\n  position 4 STP: 89.30%, published 89.31%"), "\(r.err)")
    }

    @Test("generate examples writes the committed files")
    func generate() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let examples = CLI.root.appendingPathComponent("events/examples")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: examples.appendingPathComponent("published"), to: URL(fileURLWithPath: dir + "/published"))
        let r = try CLI.run(["generate", "examples", "--dir", dir])
        #expect(r.status == 0 && r.out.contains("chosen: 90.02% is printed for 2 units at positions 2 and 3"), "\(r.err)")
        for name in ["thanhhoa-par2024-departments.jsonl", "par2020-provinces-top10.jsonl"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)) == Data(contentsOf: examples.appendingPathComponent(name)))
        }
    }

    @Test("A framework with an unknown ranking order is refused with file:line:field, and nothing is imported")
    func badRule() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CLI.run(["init", "--log", dir])
        try CLI.run(["import", "--log", dir, CLI.root.appendingPathComponent("events/demo/01-units.jsonl").path])
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }
        let before = try segments.map { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)) }
        let bad = dir + "-rule.jsonl"
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let line = #"{"type":"framework.published","at":"2024-01-01T08:00:00+07:00","by":"x","framework":"F9","index":"PAR","year":2030,"block":"department","bands":[],"areas":[{"code":"1","name":"a","criteria":[{"code":"1","name":"c","items":[{"code":"1.1","name":"i","max":10}]}]}],"ranking":{"order":"exact"}}"#
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: bad))
        let r = try CLI.run(["import", "--log", dir, bad])
        #expect(r.status == 1)
        #expect(r.err.contains(#"\#(bad):1: field "ranking.order": "exact": expected percent2, ratio, points3"#), "\(r.err)")
        #expect(r.err.contains("nothing was imported"))
        #expect(try segments.map { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)) } == before)
    }
}
