import Foundation
import Testing

@Suite("impact, end to end", .serialized)
struct ImpactCLITests {
    /// The demo log, imported once per test.
    static func demoLog() throws -> String {
        let dir = CLI.tempDir()
        #expect(try CLI.run(["init", "--log", dir]).status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("events/demo").path).sorted()
        let text = try files.map { try String(contentsOf: CLI.root.appendingPathComponent("events/demo/\($0)"), encoding: .utf8) }.joined()
        let imported = try CLI.run(["import", "--log", dir, "-"], stdin: text)
        #expect(imported.status == 0, "\(imported.err)")
        return dir
    }

    @Test("impact on the demo's correction and upheld appeal prints the changes the README states")
    func demoEvents() throws {
        let log = try Self.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let correction = try CLI.run(["impact", "--log", log, "--seq", "6966"])
        #expect(correction.status == 0, "\(correction.err)")
        #expect(correction.out.contains("#6966 correction.issued at 2024-02-29T09:00:00+07:00 by ban-chi-dao-cchc-tinh, on #6622"))
        #expect(correction.out.contains("SYT   Sở Y tế  90.30 → 90.05  90.30 → 90.05     8  Xuất sắc"))
        #expect(correction.out.contains("no other unit's rank, band or award verdict moved"))
        let appeal = try CLI.run(["impact", "--log", log, "--seq", "6969"])
        #expect(appeal.status == 0, "\(appeal.err)")
        #expect(appeal.out.contains("appeal KN-2023-1"))
        #expect(appeal.out.contains("*  STNMT  Sở Tài nguyên và Môi trường  89.81 → 90.31  89.81 → 90.31  9 → 8  Tốt → Xuất sắc"))
        #expect(appeal.out.contains("*  SYT    Sở Y tế                              90.05          90.05  8 → 9  Xuất sắc"))
        let json = try CLI.run(["impact", "--log", log, "--seq", "6969", "--format", "json"])
        #expect(json.status == 0 && json.out.contains(#""rankMoved": true"#) && json.out.contains(#""appeal": "KN-2023-1""#))
    }

    @Test("impact on an event that scores nothing, or past the head, fails saying why")
    func refusals() throws {
        let log = try Self.demoLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let unit = try CLI.run(["impact", "--log", log, "--seq", "1"])
        #expect(unit.status != 0 && unit.err.contains("event #1 (unit.registered) scores no item") && unit.out.isEmpty)
        let past = try CLI.run(["impact", "--log", log, "--seq", "7000"])
        #expect(past.status != 0 && past.err.contains("no event #7000: the log holds events #1 to #6973") && past.out.isEmpty)
    }
}
