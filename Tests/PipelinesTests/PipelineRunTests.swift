import DataGen
import EventLog
import Foundation
import Ledger
import Pipelines
import ScoreModel
import Testing

@Suite("Pipeline runs")
struct PipelineRunTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url = url.deletingLastPathComponent() }
        return url
    }()
    static var nightly: PipelineSpec { get throws { try PipelineRunner.load(root.appendingPathComponent("pipelines/nightly.yaml").path) } }

    final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-run-\(UUID().uuidString)").path
        var log: String { path + "/events" }
        init() throws { try LogWriter.create(directory: log) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func importLines(_ events: ArraySlice<Event>) throws {
            let text = events.map { EventJSON.encode($0) + "\n" }.joined()
            _ = try Ledger.importEvents([ImportSource(name: "part.jsonl", bytes: Array(text.utf8))], into: log)
        }
        func tree(_ dir: String) throws -> [String: Data] {
            var out: [String: Data] = [:]
            let base = URL(fileURLWithPath: dir)
            for case let rel as String in FileManager.default.enumerator(atPath: dir)! {
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: base.appendingPathComponent(rel).path, isDirectory: &isDir)
                if !isDir.boolValue { out[rel] = try Data(contentsOf: base.appendingPathComponent(rel)) }
            }
            return out
        }
    }

    @Test("Both shipped pipelines parse")
    func shippedPipelines() throws {
        let nightly = try Self.nightly
        #expect(nightly.projections == [.ranking, .trend, .awards])
        #expect(nightly.awards.map(\.code) == ["emulation-flag", "certificate-of-merit"])
        let review = try PipelineRunner.load(Self.root.appendingPathComponent("pipelines/appeals-review.yaml").path)
        #expect(review.formats == [.json])
    }

    @Test("Two runs of the same log and pipeline write the same bytes, manifest included")
    func deterministic() throws {
        let s = try Scratch()
        try s.importLines(DemoProvince.events()[...])
        let spec = try Self.nightly
        let one = try PipelineRunner.run(spec, log: s.log, out: s.path + "/one")
        let two = try PipelineRunner.run(spec, log: s.log, out: s.path + "/two")
        #expect(try s.tree(s.path + "/one") == s.tree(s.path + "/two"))
        #expect(one.manifest == two.manifest)
        #expect(one.manifest.files.count == 24)
        // CSV twins open in spreadsheets: BOM first.
        let csv = try Data(contentsOf: URL(fileURLWithPath: s.path + "/one/ranking/PAR-2023-department.csv"))
        #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: csv, as: UTF8.self).contains("1,SKHDT,Sở Kế hoạch và Đầu tư,94.72,100,94.72,excellent,Xuất sắc"))
    }

    @Test("Incremental runs give the same bytes as a full run, at random split points", arguments: [1, 2, 3, 4, 5])
    func incrementalEqualsFull(seed: UInt64) throws {
        let events = DemoProvince.events()
        var rng = SplitMix64(seed: seed)
        let cuts = (0..<2).map { _ in rng.int(in: 40...(events.count - 1)) }.sorted()
        let s = try Scratch()
        let spec = try Self.nightly
        let out = s.path + "/incremental", checkpoint = PipelineRunner.checkpointPath(for: out)
        var start = 0
        var resumed: [UInt64?] = []
        for cut in cuts + [events.count] where cut > start {
            try s.importLines(events[start..<cut])
            start = cut
            resumed.append(try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint).resumedFrom)
        }
        #expect(resumed.first! == nil && resumed.dropFirst().allSatisfy { $0 != nil }, "later runs go on from the checkpoint")
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(out) == s.tree(s.path + "/full"))
    }

    @Test("A checkpoint that no longer matches the log is discarded with a notice, and the run is still right")
    func rewrittenLog() throws {
        let s = try Scratch()
        let events = DemoProvince.events()
        try s.importLines(events[..<3000])
        let spec = try Self.nightly
        let out = s.path + "/snap", checkpoint = PipelineRunner.checkpointPath(for: out)
        _ = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        // Replace the log with another history of the same length and more.
        try FileManager.default.removeItem(atPath: s.log)
        try LogWriter.create(directory: s.log)
        var other = events[..<3000].map { $0 }
        other.swapAt(40, 41)
        try s.importLines(other[...])
        try s.importLines(events[3000...])
        let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(report.resumedFrom == nil)
        #expect(report.notices.count == 1 && report.notices[0].contains("not what it was"))
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(out) == s.tree(s.path + "/full"))
    }

    @Test("A run as of the publication sees the ranking as announced, before corrections and appeals")
    func asAnnounced() throws {
        let s = try Scratch()
        try s.importLines(DemoProvince.events()[...])
        var book = try PipelineRunner.replay(log: s.log, limit: .head).book
        let p = Partition(index: .par, year: 2023, block: "department")
        let publication = try #require(book.published[p])
        let then = try PipelineRunner.replay(log: s.log, limit: .seq(publication.seq))
        #expect(then.point.seq == publication.seq.rawValue && then.point.limit == "seq")
        book = then.book
        let announced = try #require(book.ranking(p))
        #expect(announced.publishedSeq == publication.seq)
        // STNMT's upheld appeal and SYT's correction came after publication: their announced figures differ.
        let final = try #require(try PipelineRunner.replay(log: s.log, limit: .head).book.ranking(p))
        #expect(announced.row("STNMT")?.percent != final.row("STNMT")?.percent)
        #expect(announced.row("SYT")?.percent != final.row("SYT")?.percent)
    }
}

@Suite("Pipeline files")
struct PipelineSpecTests {
    @Test("Bad pipeline files are refused with file:line and the key", arguments: [
        ("pipeline: nightly\nprojections: [ranking, forecast]\n", "p.yaml:2", "unknown projection \"forecast\""),
        ("pipeline: nightly\nprojections: [ranking]\nselect:\n  blokcs: all\n", "p.yaml:4", "unknown key \"blokcs\""),
        ("pipeline: Nightly Run\nprojections: [ranking]\n", "p.yaml:1", "lower-case"),
        ("projections: [ranking]\n", "p.yaml:1", "missing required key \"pipeline\""),
        ("pipeline: n\nprojections: [awards]\n", "p.yaml:2", "needs award rules"),
        ("pipeline: n\nprojections: [ranking]\nawards:\n  - code: f\n    name: F\n    conditions:\n      - rank: { max: first }\n", "p.yaml:7", "whole number"),
        ("pipeline: n\nprojections: [ranking]\nawards:\n  - code: f\n    name: F\n    conditions:\n      - rank: { max: 1 }\n        band: { in: [x] }\n", "p.yaml:7", "exactly one key"),
        ("pipeline: n\nprojections: [ranking]\noutputs: [json, pdf]\n", "p.yaml:3", "unknown output format"),
        ("pipeline: n\n  projections: [ranking\n", "p.yaml:", "not valid YAML"),
    ])
    func badSpec(yaml: String, place: String, says: String) {
        #expect {
            _ = try PipelineSpec.parse(yaml: yaml, file: "p.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(place) && text.contains(says)
        }
    }

    @Test("The config hash follows meaning, not formatting")
    func configHash() throws {
        let a = try PipelineSpec.parse(yaml: "pipeline: n\nprojections: [ranking, trend]\n", file: "a")
        let b = try PipelineSpec.parse(yaml: "# comment\nprojections:\n  - ranking\n  - trend\npipeline: n\n", file: "b")
        let c = try PipelineSpec.parse(yaml: "pipeline: n\nprojections: [ranking]\n", file: "c")
        #expect(a.configHash == b.configHash)
        #expect(a.configHash != c.configHash)
    }
}
