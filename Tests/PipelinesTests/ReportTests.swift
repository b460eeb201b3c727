import Primitives
import DataGen
import EventLog
import Foundation
import Ledger
import Pipelines
import Projections
import ScoreModel
import Testing

/// The demo log with the report pipeline run on it once, shared by the
/// report tests (a run takes a second or two in a debug build).
final class DemoReport: Sendable {
    static let shared: DemoReport = { try! DemoReport() }()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-report-\(UUID().uuidString)").path
    var log: String { path + "/events" }
    var out: String { path + "/report" }
    /// The snapshot's directory (the output is a link to it).
    var site: String { SnapshotWriter.resolve(out) + "/report" }
    let manifest: Manifest

    static var spec: PipelineSpec { get throws { try PipelineRunner.load(PipelineRunTests.root.appendingPathComponent("pipelines/report.yaml").path) } }

    init() throws {
        setenv("PARLEDGER_CHECKPOINT_KEY", FileManager.default.temporaryDirectory.appendingPathComponent("parledger-test-checkpoint.key").path, 0)
        try LogWriter.create(directory: path + "/events")
        let text = DemoProvince.events().map { EventJSON.encode($0) + "\n" }.joined()
        _ = try Ledger.importEvents([ImportSource(name: "demo.jsonl", bytes: Array(text.utf8))], into: path + "/events")
        manifest = try PipelineRunner.run(Self.spec, log: path + "/events", out: path + "/report").manifest
    }

    func page(_ name: String) throws -> String {
        try String(contentsOfFile: site + "/" + name, encoding: .utf8)
    }
}

@Suite("The HTML report")
struct ReportTests {
    @Test("The report's pages are listed in the manifest and verify-snapshot re-derives every one of them")
    func listedAndVerified() throws {
        let demo = DemoReport.shared
        let pages = demo.manifest.files.map(\.path).filter { $0.hasPrefix("report/") }
        #expect(pages.contains("report/index.html"))
        #expect(pages.contains("report/PAR-2023-department.html"))
        #expect(pages.contains("report/PAR-2023-department/SKHDT.html"))
        #expect(pages.contains("report/PAR-department.html"))
        // 4 blocks and years, 2 series, 29 units × 2 years, the index and the style sheet.
        #expect(pages.count == 4 + 2 + 58 + 2)
        let report = try SnapshotVerifier.verify(snapshot: demo.out, spec: try DemoReport.spec, log: demo.log)
        #expect(report.problems.isEmpty, "\(report.problems)")
    }

    @Test("verify-snapshot names a report page edited after the run")
    func editedPageIsCaught() throws {
        let demo = DemoReport.shared
        let copy = demo.path + "/edited-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: SnapshotWriter.resolve(demo.out), toPath: copy)
        let page = copy + "/report/PAR-2023-department.html"
        let text = try String(contentsOfFile: page, encoding: .utf8).replacingOccurrences(of: "94,72", with: "99,72")
        try text.write(toFile: page, atomically: true, encoding: .utf8)
        let report = try SnapshotVerifier.verify(snapshot: copy, spec: try DemoReport.spec, log: demo.log)
        #expect(report.problems.map(\.path) == ["report/PAR-2023-department.html"])
        #expect(report.problems.first?.kind == .fileEdited)
    }

    @Test("A run from the checkpoint renders again only the blocks that changed, and writes the same bytes as a run from scratch")
    func incrementalEqualsFull() throws {
        let s = try PipelineRunTests.Scratch()
        let events = DemoProvince.events()
        let spec = try DemoReport.spec
        let checkpoint = s.path + "/.report.checkpoint"
        let out = s.path + "/inc"
        func inode(_ page: String) throws -> Int {
            try (FileManager.default.attributesOfItem(atPath: SnapshotWriter.resolve(out) + "/report/" + page)[.systemFileNumber] as? Int) ?? -1
        }
        try s.importLines(events[..<6964])
        _ = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        let district = try ["PAR-2023-district.html", "PAR-district.html", "PAR-2023-district/HCT.html"].map(inode)
        let department = try inode("PAR-2023-department.html")
        // #6965 and #6966: an appeal and a correction in the departments only.
        try s.importLines(events[6964..<6966])
        let step = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(step.resumedFrom == 6964)
        #expect(try ["PAR-2023-district.html", "PAR-district.html", "PAR-2023-district/HCT.html"].map(inode) == district,
                "the districts' pages are carried over, not rendered")
        #expect(try inode("PAR-2023-department.html") != department)
        try s.importLines(events[6966...])
        _ = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        let a = try s.tree(out), b = try s.tree(s.path + "/full")
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, bytes) in b where a[path] != bytes { Issue.record("\(path) differs between the incremental and the full run") }
    }

    @Test("A report of the log before the 2023 publication marks that year's figures provisional and unpublished")
    func beforePublication() throws {
        let s = try PipelineRunTests.Scratch()
        try s.importLines(DemoProvince.events()[...])
        let out = s.path + "/before"
        let run = try PipelineRunner.run(DemoReport.spec, log: s.log, out: out, limit: .seq(Seq(6962)))
        #expect(run.manifest.log.seq == Seq(6962))
        let site = SnapshotWriter.resolve(out) + "/report/"
        let html = try String(contentsOfFile: site + "PAR-2023-department.html", encoding: .utf8)
        #expect(html.contains("<span class=\"flag\">chưa công bố</span>"))
        #expect(html.contains("Kết quả tạm thời:</strong> kết quả chưa được công bố"))
        let index = try String(contentsOfFile: site + "index.html", encoding: .utf8)
        #expect(index.contains("sự kiện #6962"))
        let report = try SnapshotVerifier.verify(snapshot: out, spec: try DemoReport.spec, log: s.log)
        #expect(report.problems.isEmpty, "\(report.problems)")
    }

    @Test("Every link between report pages leads to a page of the snapshot, and every #anchor to an element with that id")
    func linksResolve() throws {
        let demo = DemoReport.shared
        let base = URL(fileURLWithPath: demo.site)
        var checked = 0
        for file in demo.manifest.files where file.path.hasSuffix(".html") {
            let url = base.deletingLastPathComponent().appendingPathComponent(file.path)
            let html = try String(contentsOf: url, encoding: .utf8)
            for href in Self.attributes("href", in: html) {
                #expect(!href.contains("://"), "\(file.path): \(href) leaves the snapshot")
                let parts = href.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let target = parts[0].isEmpty ? url : URL(fileURLWithPath: parts[0], relativeTo: url.deletingLastPathComponent())
                guard let text = try? String(contentsOf: target, encoding: .utf8) else {
                    Issue.record("\(file.path): \(href) names a file that is not there"); continue
                }
                if parts.count == 2 { #expect(text.contains("id=\"\(parts[1])\""), "\(file.path): \(href): no element with that id") }
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test("Templates write every value escaped: none uses {{{…}}} or {{&…}}")
    func templatesEscape() throws {
        let source = try String(contentsOfFile: PipelineRunTests.root.appendingPathComponent("Sources/Pipelines/Report/ReportTemplates.swift").path,
                                encoding: .utf8)
        let code = source.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
        #expect(code.contains("{{name}}") || code.contains("{{title}}"), "the templates are in this file")
        #expect(!code.contains("{{{"))
        #expect(!code.contains("{{&"))
    }

    @Test("The block page holds the published figures, with decimal commas, bands, flags and the open appeals")
    func blockFigures() throws {
        let html = try DemoReport.shared.page("PAR-2023-department.html")
        let row = try #require(Self.row(containing: ">SKHDT<", in: html))
        #expect(row.contains(">1<") && row.contains("94,72") && row.contains("Xuất sắc") && row.contains("Cờ thi đua"))
        #expect(html.contains("89,55%"))
        #expect(html.contains("khiếu nại đang mở: KN-2023-2"))
        #expect(html.contains("+2,66 điểm (từ 86,89%)"))
    }

    @Test("impact: the demo's 2023 correction moves SYT's percent but no rank; the upheld appeal lifts STNMT to 8th and excellent")
    func demoImpacts() throws {
        let demo = DemoReport.shared
        let rules = try DemoReport.spec.awards
        let correction = try PipelineRunner.impact(log: demo.log, seq: 6966, rules: rules)
        #expect(correction.type == .correctionIssued)
        #expect(correction.unit.unit == "SYT")
        #expect(correction.unit.before.percent?.description == "90.30" && correction.unit.after.percent?.description == "90.05")
        #expect(correction.unit.before.rank == 8 && correction.unit.after.rank == 8)
        #expect(correction.others.isEmpty)
        let appeal = try PipelineRunner.impact(log: demo.log, seq: 6969, rules: rules)
        #expect(appeal.appeal == "KN-2023-1")
        #expect(appeal.unit.unit == "STNMT")
        #expect(appeal.unit.before.percent?.description == "89.81" && appeal.unit.after.percent?.description == "90.31")
        #expect(appeal.unit.before.rank == 9 && appeal.unit.after.rank == 8)
        #expect(appeal.unit.before.band?.code == "good" && appeal.unit.after.band?.code == "excellent")
        #expect(appeal.others.map(\.unit) == ["SYT"])
        #expect(appeal.others.first.map { ($0.before.rank, $0.after.rank) } ?? (0, 0) == (8, 9))
        // The block page has a section for each.
        let html = try demo.page("PAR-2023-department.html")
        #expect(html.contains("id=\"impact-6966\"") && html.contains("id=\"impact-6969\""))
    }

    @Test("impact refuses a seq past the head, and an event that scores nothing, saying why")
    func impactRefusals() throws {
        let demo = DemoReport.shared
        #expect { try PipelineRunner.impact(log: demo.log, seq: 99_999, rules: []) } throws: { "\($0)".contains("no event #99999: the log holds events #1 to #6973") }
        #expect { try PipelineRunner.impact(log: demo.log, seq: 1, rules: []) } throws: { "\($0)".contains("scores no item") }
    }

    /// The `<tr>…</tr>` holding `needle`.
    static func row(containing needle: String, in html: String) -> String? {
        guard let hit = html.range(of: needle), let start = html.range(of: "<tr", options: .backwards, range: html.startIndex..<hit.lowerBound),
              let end = html.range(of: "</tr>", range: hit.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func attributes(_ name: String, in html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let r = rest.range(of: " \(name)=\"") {
            let after = rest[r.upperBound...]
            guard let close = after.firstIndex(of: "\"") else { break }
            out.append(String(after[..<close]).replacingOccurrences(of: "&amp;", with: "&"))
            rest = after[close...]
        }
        return out
    }
}
