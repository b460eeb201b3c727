import Foundation
import Pipelines
import Testing

/// Outputs say exactly what they are: one CSV table per command, JSON with
/// what the table shows, an item without a band, diff with diff(1)'s exit
/// status, file errors in words.
@Suite("The command line: outputs that cannot mislead", .serialized)
struct OutputShapeTests {
    /// Header and rows of a CSV text; fails the test if it is not one rectangular table.
    static func table(_ text: String) throws -> (header: [String], rows: [[String]]) {
        let parsed = try #require(CSVTable.parse(Array(text.utf8)), "every row has the header's number of cells")
        #expect(!parsed.rows.contains(parsed.header), "one header, not one per block")
        return parsed
    }

    @Test("explain --item shows the item's points and maximum, no percent or band of its own")
    func explainItem() throws {
        let log = try CLIFailureTests.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try CLI.run(["explain", "--log", log, "--unit", "SKHDT", "--year", "2023", "--item", "1.1.1"])
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n")
        #expect(lines[1] == "item 1.1.1: 1.25 of 1.50 points (the unit's total, band and rank: explain without --item)", "\(lines[1])")
        for band in ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"] { #expect(!r.out.contains(band)) }
        #expect(!r.out.contains("%"))
        let json = try CLI.run(["explain", "--log", log, "--unit", "SKHDT", "--year", "2023", "--item", "1.1.1", "--format", "json"]).out
        #expect(json.contains(#""band": null"#) && json.contains(#""percent": null"#) && json.contains(#""points": 1.25"#))
    }

    @Test("trend, awards and appeal what-if --format csv: one rectangular table each, with the key columns")
    func oneTable() throws {
        let log = try CLIFailureTests.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let trend = try Self.table(try CLI.run(["trend", "--log", log, "--block", "district", "--format", "csv"]).out)
        #expect(Array(trend.header.prefix(5)) == ["index", "year", "block", "previous_year", "unit"])
        #expect(trend.rows.count == 24 && Set(trend.rows.map { $0[1] }) == ["2022", "2023"])
        let awards = try Self.table(try CLI.run(["awards", "--log", log, "--year", "2023", "--format", "csv"]).out)
        #expect(Array(awards.header.prefix(4)) == ["index", "year", "block", "award"])
        #expect(Set(awards.rows.map { $0[2] }) == ["department", "district"])
        let whatIf = try CLI.run(["appeal", "what-if", "--log", log, "KN-2023-2", "--format", "csv"])
        #expect(whatIf.status == 0)
        let t = try Self.table(whatIf.out)
        #expect(t.header.contains("if_upheld_rank") && t.header.contains("changed") && t.rows.count == 17)
        #expect(!whatIf.out.contains("─"), "not a text table")
    }

    @Test("--bom puts a byte-order mark before a command's CSV; without --format csv it is refused")
    func bom() throws {
        let log = try CLIFailureTests.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let with = try CLI.run(["rank", "--log", log, "--year", "2023", "--block", "department", "--format", "csv", "--bom"])
        #expect(with.out.hasPrefix("\u{FEFF}rank,unit,name"))
        let without = try CLI.run(["rank", "--log", log, "--year", "2023", "--block", "department", "--format", "csv"])
        #expect(without.out.hasPrefix("rank,unit,name"))
        let table = try CLI.run(["rank", "--log", log, "--year", "2023", "--block", "department", "--bom"])
        #expect(table.status != 0 && table.err.contains("--bom goes with --format csv") && table.out.isEmpty)
    }

    @Test("rank --format json carries provisional, published and each unit's open appeals, as the table shows them")
    func rankJSON() throws {
        let log = try CLIFailureTests.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let out = try CLI.run(["rank", "--log", log, "--year", "2023", "--block", "department", "--format", "json"]).out
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        #expect(rows.count == 17)
        #expect(rows.allSatisfy { $0["provisional"] as? Bool == true && $0["published"] as? Bool == true })
        #expect((rows[0]["provisionalReasons"] as? [String]) == ["2 appeals are open: KN-2023-2, KN-2023-4"])
        let appealing = rows.filter { !(($0["openAppeals"] as? [String]) ?? []).isEmpty }
        #expect(Set(appealing.flatMap { $0["openAppeals"] as! [String] }) == ["KN-2023-2", "KN-2023-4"])
        // appeal list: the current score the table shows is in JSON too.
        let appeals = try CLI.run(["appeal", "list", "--log", log, "--format", "json"]).out
        let list = try #require(try JSONSerialization.jsonObject(with: Data(appeals.utf8)) as? [[String: Any]])
        #expect(list.count == 7 && list.allSatisfy { $0["current"] is NSNumber })
    }

    @Test("diff: a CSV-only pipeline's change is found, exit 1; no change exits 0; other configs are warned about; not a snapshot exits 2")
    func diff() throws {
        let log = try CLIFailureTests.demoLog()
        let dir = log + "-diff"
        defer { try? FileManager.default.removeItem(atPath: log); try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "pipeline: sheets\nprojections: [ranking]\noutputs: [csv]\n".write(toFile: dir + "/sheets.yaml", atomically: true, encoding: .utf8)
        try "pipeline: sheets\nprojections: [ranking]\nselect: { years: [2023] }\noutputs: [csv]\n".write(toFile: dir + "/other.yaml", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run", "--log", log, dir + "/sheets.yaml", "--out", dir + "/announced", "--at-seq", "6963"]).status == 0)
        #expect(try CLI.run(["run", "--log", log, dir + "/sheets.yaml", "--out", dir + "/now"]).status == 0)
        #expect(try CLI.run(["run", "--log", log, dir + "/other.yaml", "--out", dir + "/other"]).status == 0)
        let changed = try CLI.run(["diff", dir + "/announced", dir + "/now"])
        #expect(changed.status == 1, "\(changed.err)")
        #expect(changed.out.contains("ranking/PAR-2023-department.csv") && changed.out.contains("STNMT") && !changed.out.contains("no changes"))
        let same = try CLI.run(["diff", dir + "/now", dir + "/now"])
        #expect(same.status == 0 && same.out == "no changes\n" && same.err.isEmpty)
        let other = try CLI.run(["diff", dir + "/now", dir + "/other"])
        #expect(other.status == 1 && other.err.contains("warning: the snapshots come from different pipeline configurations"))
        #expect(other.out.contains("ranking/PAR-2022-department.csv") && other.out.contains("present"))
        #expect(try CLI.run(["diff", dir, dir + "/now"]).status == 2)
    }

    @Test("A file-system error names the path and the reason in words, and nothing is written")
    func fileSystemErrors() throws {
        let log = try CLIFailureTests.demoLog()
        let blocker = log + "-file"
        defer { try? FileManager.default.removeItem(atPath: log); try? FileManager.default.removeItem(atPath: blocker) }
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: blocker))
        let r = try CLI.run(["run", "--log", log, CLI.root.appendingPathComponent("pipelines/nightly.yaml").path, "--out", blocker + "/snap/nightly"])
        #expect(r.status == 1)
        #expect(r.err.contains(blocker) && (r.err.contains("File exists") || r.err.contains("Not a directory")), "\(r.err)")
        #expect(!r.err.contains("NSCocoaErrorDomain") && !r.err.contains("error 512"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: blocker)) == Data("not a directory".utf8))
        let initLog = try CLI.run(["init", "--log", blocker + "/events"])
        #expect(initLog.status == 1 && initLog.err.contains("cannot create \(blocker)/events: Not a directory"), "\(initLog.err)")
        #expect(!initLog.err.contains("NSCocoaErrorDomain"))
    }
}
