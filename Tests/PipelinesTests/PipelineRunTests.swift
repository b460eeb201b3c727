import Primitives
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
        init() throws {
            // The runner's checkpoint key: a test one, not the user's.
            setenv("PARLEDGER_CHECKPOINT_KEY", FileManager.default.temporaryDirectory.appendingPathComponent("parledger-test-checkpoint.key").path, 0)
            try LogWriter.create(directory: log)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func importLines(_ events: ArraySlice<Event>) throws {
            let text = events.map { EventJSON.encode($0) + "\n" }.joined()
            _ = try Ledger.importEvents([ImportSource(name: "part.jsonl", bytes: Array(text.utf8))], into: log)
        }
        func tree(_ dir: String) throws -> [String: Data] {
            var out: [String: Data] = [:]
            // An output is a link to its current directory: walk what it points at.
            let dir = SnapshotWriter.resolve(dir)
            let base = URL(fileURLWithPath: dir)
            #expect(FileManager.default.fileExists(atPath: dir + "/" + Manifest.fileName), "a snapshot at \(dir)")
            for case let rel as String in FileManager.default.enumerator(atPath: dir)! {
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: base.appendingPathComponent(rel).path, isDirectory: &isDir)
                if !isDir.boolValue { out[rel] = try Data(contentsOf: base.appendingPathComponent(rel)) }
            }
            return out
        }
    }

    @Test("The shipped pipelines parse")
    func shippedPipelines() throws {
        let nightly = try Self.nightly
        #expect(nightly.projections == [.ranking, .trend, .awards])
        #expect(nightly.awards.map(\.code) == ["emulation-flag", "certificate-of-merit"])
        let review = try PipelineRunner.load(Self.root.appendingPathComponent("pipelines/appeals-review.yaml").path)
        #expect(review.formats == [.json])
        let examples = try PipelineRunner.load(Self.root.appendingPathComponent("pipelines/examples.yaml").path)
        #expect(examples.projections == [.ranking] && examples.awards.isEmpty)
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
        var resumed: [Seq?] = []
        for cut in cuts + [events.count] where cut > start {
            try s.importLines(events[start..<cut])
            start = cut
            resumed.append(try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint).resumedFrom)
        }
        #expect(resumed.first! == nil && resumed.dropFirst().allSatisfy { $0 != nil }, "later runs go on from the checkpoint")
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(out) == s.tree(s.path + "/full"))
    }

    /// A log holding `events`, and a first nightly run into `snap` that saved its checkpoint.
    static func firstRun(_ events: ArraySlice<Event>) throws -> (scratch: Scratch, spec: PipelineSpec, out: String, checkpoint: String) {
        let s = try Scratch()
        let spec = try Self.nightly
        try s.importLines(events)
        let out = s.path + "/snap", checkpoint = PipelineRunner.checkpointPath(for: out)
        _ = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        return (s, spec, out, checkpoint)
    }

    /// File path → inode, to tell files kept by link from files written anew.
    static func inodes(_ dir: String) throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        let dir = SnapshotWriter.resolve(dir)
        for case let rel as String in FileManager.default.enumerator(atPath: dir)! {
            let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/" + rel)
            if attributes[.type] as? FileAttributeType == .typeRegular, rel != Manifest.fileName {
                out[rel] = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value
            }
        }
        return out
    }

    @Test("An incremental run renders only what the new events changed and keeps the other files of the last snapshot as they were")
    func keepsUnchangedFiles() throws {
        let events = DemoProvince.events()
        let (s, spec, out, checkpoint) = try Self.firstRun(events.dropLast())
        let before = try Self.inodes(out)
        // The last demo event resolves an appeal of the 2023 district block: one partition, the last year (no next-year trend).
        try s.importLines(events.suffix(1))
        let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(report.events == 1 && report.rendered == 1 && report.keptFiles == 18)
        let after = try Self.inodes(out)
        let rewritten = Set(after.keys.filter { after[$0] != before[$0] })
        #expect(rewritten == Set(["ranking", "trend", "awards"].flatMap { ["\($0)/PAR-2023-district.json", "\($0)/PAR-2023-district.csv"] }))
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(out) == s.tree(s.path + "/full"), "kept files and manifest are what a full run writes")

        // An event of 2022 changes that year and the next year's trend and awards.
        let early = s.path + "/early", earlyCheckpoint = PipelineRunner.checkpointPath(for: early)
        let s2 = try Scratch()
        let cut = events.firstIndex { if case .resultsPublished(let p) = $0.body { p.year == 2022 && p.block == "district" } else { false } }!
        try s2.importLines(events[..<cut])
        _ = try PipelineRunner.run(spec, log: s2.log, out: early, checkpoint: earlyCheckpoint)
        try s2.importLines(events[cut...].prefix(1))
        let second = try PipelineRunner.run(spec, log: s2.log, out: early, checkpoint: earlyCheckpoint)
        let next = events[..<cut].contains { if case .frameworkPublished(let f) = $0.body { f.year == 2023 && f.block == "district" } else { false } }
        #expect(second.rendered == (next ? 2 : 1), "2022 district, and 2023 district when it has a framework")
        _ = try PipelineRunner.run(spec, log: s2.log, out: s2.path + "/full")
        #expect(try s.tree(early) == s2.tree(s2.path + "/full"))
    }

    @Test("A night of few events leaves the checkpoint as it was and saves a small tail beside it; the next nights go on from both with a full run's bytes, until enough events have come to save the book again")
    func checkpointTail() throws {
        let events = DemoProvince.events()
        let (s, spec, out, checkpoint) = try Self.firstRun(events.dropLast(12))
        let tail = checkpoint + ".tail", saved = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        #expect(!FileManager.default.fileExists(atPath: tail))
        let base = UInt64(events.count - 12)
        var seen: [(tail: Seq?, saved: Bool, events: Int)] = []
        for night in [events.suffix(12).prefix(3), events.suffix(9).prefix(4), events.suffix(5)] {
            try s.importLines(night)
            let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
            #expect(report.resumedFrom == Seq(base) && report.notices.isEmpty, "\(report.notices)")
            #expect(report.rendered != nil && report.rendered! < report.partitions.count, "only what changed since the last snapshot is rendered")
            seen.append((report.tailSeq, report.savedBook, report.events))
            // The book is not saved again: the checkpoint's bytes are as the first run left them.
            #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == saved && FileManager.default.fileExists(atPath: tail))
            _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
            #expect(try s.tree(out) == s.tree(s.path + "/full"), "after \(seen.count) nights")
            try FileManager.default.removeItem(atPath: SnapshotWriter.resolve(s.path + "/full"))
            try FileManager.default.removeItem(atPath: s.path + "/full")
        }
        // Each night folds the events after the checkpoint again: first to the tail's seq, then the night's.
        #expect(seen.map(\.tail) == [nil, Seq(base + 3), Seq(base + 7)] && seen.map(\.events) == [3, 7, 12] && seen.allSatisfy { !$0.saved })
        // More than 1% of the log since the checkpoint: the book is saved again, at the head, and the tail removed.
        let more = (0..<Int(base / 100) + 1).map { Event(at: events.last!.at, by: "test", body: .unitRegistered(UnitRegistered(unit: UnitCode("T\($0)"), name: "Đơn vị \($0)", block: "district"))) }
        try s.importLines(more[...])
        let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(report.savedBook && report.tailSeq == Seq(UInt64(events.count)) && !FileManager.default.fileExists(atPath: tail))
        #expect(try PipelineRunner.book(log: s.log, checkpoint: checkpoint).resumedFrom == Seq(UInt64(events.count + more.count)))
    }

    @Test("A tail forged, damaged or put back from an earlier night changes no figure: the run renders what it cannot vouch for and says why",
          arguments: ["flipped byte", "earlier night", "of an older checkpoint"])
    func damagedTail(damage: String) throws {
        let events = DemoProvince.events()
        let (s, spec, out, checkpoint) = try Self.firstRun(events.dropLast(6))
        let tail = checkpoint + ".tail"
        try s.importLines(events.suffix(6).prefix(2))
        _ = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        let first = try Data(contentsOf: URL(fileURLWithPath: tail))
        try s.importLines(events.suffix(4).prefix(2))
        _ = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tail)))
        switch damage {
        case "flipped byte": bytes[bytes.count / 3] ^= 0x04
        case "earlier night": bytes = [UInt8](first)   // sealed with the key, but it names the snapshot before this one
        default:
            // The tail of another checkpoint (an earlier one of this log), sealed with the key: not this checkpoint's.
            let (other, _, otherOut, otherCheckpoint) = try Self.firstRun(events.dropLast(8))
            try other.importLines(events.suffix(8).prefix(1))
            _ = try PipelineRunner.run(spec, log: other.log, out: otherOut, checkpoint: otherCheckpoint)
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: otherCheckpoint + ".tail")))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: tail))
        try s.importLines(events.suffix(2))
        let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(report.resumedFrom == Seq(UInt64(events.count - 6)))
        switch damage {
        case "flipped byte":
            #expect(report.tailSeq == nil && report.rendered == nil, "nothing kept from a snapshot it cannot vouch for")
            #expect(report.notices.count == 1 && report.notices[0].contains("checkpoint tail") && report.notices[0].contains("no longer match their sealed hash"),
                    "\(report.notices)")
        case "earlier night":
            #expect(report.tailSeq == Seq(UInt64(events.count - 4)) && report.rendered == nil, "its manifest is not the one in the output")
        default:
            #expect(report.tailSeq == nil && report.rendered == nil && report.notices.isEmpty, "\(report.notices)")
        }
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(out) == s.tree(s.path + "/full"))
        // The run vouched for what it wrote: the next night keeps files again.
        let quiet = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(quiet.rendered == 0 && quiet.tailSeq == Seq(UInt64(events.count)), "rendered \(String(describing: quiet.rendered))")
    }

    @Test("Files of the last snapshot are not kept when the pipeline changed or a file is not what its manifest says")
    func keepsOnlyWhatIsVouchedFor() throws {
        let events = DemoProvince.events()
        let (s, spec, out, checkpoint) = try Self.firstRun(events.dropLast())
        // Someone edits a file of a partition the next event does not touch: it no longer has its manifest's size.
        let edited = out + "/ranking/PAR-2022-department.csv"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: edited))
        try handle.seekToEnd(); try handle.write(contentsOf: Data("tampered\n".utf8)); try handle.close()
        try s.importLines(events.suffix(1))
        let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(report.keptFiles == 17 && report.rendered == 2)
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(out) == s.tree(s.path + "/full"))

        // Another configuration of the pipeline (a different award rule) into the same directory: nothing is kept.
        let yaml = try String(contentsOfFile: Self.root.appendingPathComponent("pipelines/nightly.yaml").path, encoding: .utf8)
        let other = try PipelineSpec.parse(yaml: yaml.replacingOccurrences(of: "rank: { max: 1 }", with: "rank: { max: 2 }"), file: "other.yaml")
        #expect(other.configHash != spec.configHash)
        try s.importLines([Event(at: events.last!.at, by: "test", body: .unitRegistered(UnitRegistered(unit: "NEW", name: "Mới", block: "district")))][...])
        let changed = try PipelineRunner.run(other, log: s.log, out: out, checkpoint: checkpoint)
        #expect(changed.resumedFrom != nil && changed.rendered == nil && changed.keptFiles == 0)
        _ = try PipelineRunner.run(other, log: s.log, out: s.path + "/full-other")
        #expect(try s.tree(out) == s.tree(s.path + "/full-other"))
    }

    @Test("A read at the head goes on from a run's checkpoint and the events after it, with the figures of a full replay")
    func readsFromCheckpoint() throws {
        let events = DemoProvince.events()
        let (s, _, _, checkpoint) = try Self.firstRun(events[..<5000])
        try s.importLines(events[5000...])
        let resumed = try PipelineRunner.book(log: s.log, checkpoint: checkpoint)
        #expect(resumed.resumedFrom == 5000 && resumed.events == events.count - 5000 && resumed.notice == nil)
        let replayed = try PipelineRunner.replay(log: s.log, limit: .head).book
        for p in replayed.partitions { #expect(resumed.book.ranking(p) == replayed.ranking(p)) }
        #expect(resumed.book.lineage(unit: "SKHDT", index: .par, year: 2023) == replayed.lineage(unit: "SKHDT", index: .par, year: 2023))

        // The checkpoint of another log: not used, and said so.
        let other = try Scratch()
        try other.importLines(events[..<100])
        let foreign = try PipelineRunner.book(log: other.log, checkpoint: checkpoint)
        #expect(foreign.resumedFrom == nil && foreign.events == 100)
        #expect(foreign.notice?.contains("it is at seq 5000 but the log ends at 100") == true)
    }

    @Test("A partial book read from a checkpoint for one unit and year explains it, and every item's history, exactly as a full replay does",
          arguments: [2500, 5000, 6500])
    func partialBookExplains(cut: Int) throws {
        let events = DemoProvince.events()
        let (s, _, _, checkpoint) = try Self.firstRun(events[..<cut])
        try s.importLines(events[cut...])   // corrections, appeals and publications after the checkpoint
        let full = try PipelineRunner.replay(log: s.log, limit: .head).book
        let lookup = try PipelineRunner.events(log: s.log, seqs: Set((1...UInt64(events.count)).map { Seq($0) }))
        var explained = 0
        for unit in full.units.keys.sorted() {
            for year in [2022, 2023] {
                let partial = try PipelineRunner.book(log: s.log, checkpoint: checkpoint, only: (unit, .par, year))
                #expect(partial.resumedFrom == Seq(UInt64(cut)) && partial.book.isPartial)
                let a = partial.book.explain(unit: unit, year: year, lookup: { lookup[$0] })
                let b = full.explain(unit: unit, year: year, lookup: { lookup[$0] })
                #expect(a == b, "\(unit) \(year)")
                if b != nil { explained += 1 }
                #expect(partial.book.lineage(unit: unit, index: .par, year: year) == full.lineage(unit: unit, index: .par, year: year))
                for item in full.framework(for: unit, index: .par, year: year)?.items ?? [] {
                    let key = ItemKey(unit: unit, index: .par, year: year, item: item.code)
                    let ha = partial.book.history(key, lookup: { lookup[$0] }), hb = full.history(key, lookup: { lookup[$0] })
                    #expect(ha?.map(\.line) == hb?.map(\.line) && ha?.map(\.after) == hb?.map(\.after), "\(key)")
                }
            }
        }
        #expect(explained >= 20)
    }

    @Test("A checkpoint cut short, with a flipped byte or of an older format is discarded with a notice saying why, and the run is still right",
          arguments: ["short header", "cut in half", "flipped byte", "format 3"])
    func damagedCheckpoint(damage: String) throws {
        let events = DemoProvince.events()
        let (s, spec, out, checkpoint) = try Self.firstRun(events[..<4000])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: checkpoint)))
        switch damage {
        case "short header": bytes = Array(bytes.prefix(10))
        case "cut in half": bytes = Array(bytes.prefix(bytes.count / 2))
        case "format 3": bytes = Array("PLCK".utf8) + [3] + bytes[5..<(bytes.count - 76)] + [UInt8](repeating: 0x5A, count: 32)   // its framing, without this format's seal
        default: bytes[bytes.count / 2] ^= 0x10
        }
        try Data(bytes).write(to: URL(fileURLWithPath: checkpoint))
        try s.importLines(events[4000...])
        let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(report.resumedFrom == nil && report.rendered == nil)
        let why = ["short header": "too short to hold a seal", "cut in half": "its length does not match", "flipped byte": "no longer match their sealed hash",
                   "format 3": "a checkpoint of format 3; this parledger reads format 4"][damage]!
        #expect(report.notices.count == 1 && report.notices[0].contains(why), "\(report.notices)")
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(out) == s.tree(s.path + "/full"))
        // The run saved a good checkpoint again.
        #expect(try PipelineRunner.book(log: s.log, checkpoint: checkpoint).resumedFrom == Seq(UInt64(events.count)))
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
        // The published snapshot came from the other history: the run refuses to replace it.
        let published = try s.tree(out)
        #expect {
            _ = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        } throws: { "\($0)".contains("seq 3000") && "\($0)".contains("the log was rewritten or replaced") }
        #expect(try s.tree(out) == published, "the published snapshot is kept")
        // Into a new output, the stale checkpoint is discarded with a notice, and the figures are the log's.
        let report = try PipelineRunner.run(spec, log: s.log, out: s.path + "/again", checkpoint: checkpoint)
        #expect(report.resumedFrom == nil)
        #expect(report.notices.count == 1 && report.notices[0].contains("not what it was"))
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(s.path + "/again") == s.tree(s.path + "/full"))
    }

    @Test("A run as of the publication sees the ranking as announced, before corrections and appeals")
    func asAnnounced() throws {
        let s = try Scratch()
        try s.importLines(DemoProvince.events()[...])
        var book = try PipelineRunner.replay(log: s.log, limit: .head).book
        let p = Partition(index: .par, year: 2023, block: "department")
        let publication = try #require(book.published[p])
        let then = try PipelineRunner.replay(log: s.log, limit: .seq(publication.seq))
        #expect(then.point.seq == publication.seq && then.point.limit == "seq")
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
