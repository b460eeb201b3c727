import Primitives
import DataGen
import EventLog
import Foundation
import Ledger
@testable import Pipelines
import ScoreModel
import Testing

/// What the audit path must never take for true: a forged checkpoint, an
/// edited snapshot file carried over, a run from a log that lost or rewrote
/// events, two runs into one output, or a manifest that points outside.
@Suite("Trust: caches, outputs and re-derivation")
struct TrustTests {
    typealias Scratch = PipelineRunTests.Scratch

    @Test("A checkpoint forged with every checksum recomputed (but without the runner's key) changes no figure, in a run or a read")
    func forgedCheckpoint() throws {
        let events = DemoProvince.events()
        let (s, spec, out, checkpoint) = try PipelineRunTests.firstRun(events[..<6000])
        let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: checkpoint)))
        // The forger edits the book (here: a byte of the slot columns, where scores live) and
        // seals the file again the way parledger would, with a key of their own.
        let body = raw.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: raw.count - 44, as: UInt64.self))) }
        var forged = Array(raw[..<body])
        forged[forged.count - 200] ^= 0x07
        let theirs = CheckpointKey(secret: [UInt8](repeating: 7, count: 32), path: "forger.key")
        SealedFile.seal(&forged, key: theirs, domain: Checkpoint.domain)
        try Data(forged).write(to: URL(fileURLWithPath: checkpoint))

        let read = try PipelineRunner.book(log: s.log, checkpoint: checkpoint)
        #expect(read.resumedFrom == nil && read.notice?.contains("its seal does not verify") == true)
        try s.importLines(events[6000...])
        let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
        #expect(report.resumedFrom == nil && report.rendered == nil)
        #expect(report.notices.count == 1 && report.notices[0].contains("its seal does not verify"))
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
        #expect(try s.tree(out) == s.tree(s.path + "/full"))
    }

    @Test("A read command without the runner's key trusts the log alone, and says why the checkpoint was not used")
    func noKeyNoCheckpoint() throws {
        let events = DemoProvince.events()
        let (s, _, _, checkpoint) = try PipelineRunTests.firstRun(events[..<3000])
        let r = try PipelineRunner.resume(log: s.log, checkpoint: checkpoint, key: nil, withTail: true)
        #expect(r.from == nil && r.events == 3000 && r.discarded?.contains("no checkpoint key") == true)
    }

    @Test("A snapshot file edited in place (same size) is never carried into the next run; neither is one whose manifest entry was edited to match")
    func editedSnapshotFiles() throws {
        let events = DemoProvince.events()
        for editManifestToo in [false, true] {
            let (s, spec, out, checkpoint) = try PipelineRunTests.firstRun(events.dropLast())
            let dir = SnapshotWriter.resolve(out)
            let victim = dir + "/ranking/PAR-2022-department.json"
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: victim)))
            let digit = try #require(bytes.firstIndex(of: UInt8(ascii: "9")))
            bytes[digit] = UInt8(ascii: "8")   // same size, another figure
            try Data(bytes).write(to: URL(fileURLWithPath: victim))
            if editManifestToo {
                let manifestPath = dir + "/" + Manifest.fileName
                var manifest = try Manifest.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: manifestPath))), file: manifestPath)
                manifest.files = manifest.files.map { $0.path == "ranking/PAR-2022-department.json" ? Manifest.File(path: $0.path, bytes: $0.bytes, sha256: SnapshotWriter.sha256Hex(bytes)) : $0 }
                try Data(manifest.serialized()).write(to: URL(fileURLWithPath: manifestPath))
            }
            try s.importLines(events.suffix(1))
            let report = try PipelineRunner.run(spec, log: s.log, out: out, checkpoint: checkpoint)
            if editManifestToo {
                #expect(report.rendered == nil, "a manifest the checkpoint does not vouch for is no source of kept files")
            } else {
                #expect(report.rendered == 2 && report.keptFiles == 17, "the edited file is rendered anew, the others kept")
            }
            _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/full")
            #expect(try s.tree(out) == s.tree(s.path + "/full"))
        }
    }

    @Test("A run from a log that lost its last events refuses to replace the snapshot made from more of it")
    func shorterLog() throws {
        let events = DemoProvince.events()
        let (s, spec, out, _) = try PipelineRunTests.firstRun(events[..<4000])
        let published = try s.tree(out)
        // The log restored from an older backup: the same history, shorter.
        try FileManager.default.removeItem(atPath: s.log)
        try LogWriter.create(directory: s.log)
        try s.importLines(events[..<3500])
        #expect {
            _ = try PipelineRunner.run(spec, log: s.log, out: out)
        } throws: { "\($0)".contains("up to seq 4000") && "\($0)".contains("only up to seq 3500") }
        #expect(try s.tree(out) == published)
        // --at-seq into the published output is refused for the same reason.
        try s.importLines(events[3500..<4500])
        #expect(throws: PipelineError.self) { _ = try PipelineRunner.run(spec, log: s.log, out: out, limit: .seq(Seq(3999))) }
        #expect(try s.tree(out) == published)
    }

    @Test("One run per output at a time: a second is refused naming the holder, and writes nothing")
    func outputLock() throws {
        let events = DemoProvince.events()
        let (s, spec, out, _) = try PipelineRunTests.firstRun(events[..<2000])
        let published = try s.tree(out)
        let held = try OutputLock(output: out)
        #expect {
            _ = try PipelineRunner.run(spec, log: s.log, out: out)
        } throws: { "\($0)".contains("another run is writing this output") && "\($0)".contains("pid \(getpid())") }
        #expect(try s.tree(out) == published)
        withExtendedLifetime(held) {}
    }

    @Test("What an interrupted run left beside the output is removed by the next run")
    func staleStaging() throws {
        let events = DemoProvince.events()
        let (s, spec, out, _) = try PipelineRunTests.firstRun(events[..<2000])
        let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
        for junk in [".snap.snap-1-99999", ".snap.new-4242", ".snap.link-77"] {
            try FileManager.default.createDirectory(atPath: parent + "/" + junk + "/ranking", withIntermediateDirectories: true)
        }
        _ = try PipelineRunner.run(spec, log: s.log, out: out)
        let left = try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(".snap.") && !$0.hasSuffix(".lock") && !$0.hasSuffix(".checkpoint") }
        #expect(left == [try FileManager.default.destinationOfSymbolicLink(atPath: out)])
    }

    @Test("verify-snapshot of a multi-thousand-event log, many times in a row: never a false alarm")
    func verifyManyTimes() throws {
        let s = try Scratch()
        try s.importLines(DemoProvince.events()[...])
        let spec = try PipelineRunTests.nightly
        let out = s.path + "/snap"
        _ = try PipelineRunner.run(spec, log: s.log, out: out)
        for run in 0..<25 {
            let report = try SnapshotVerifier.verify(snapshot: out, spec: spec, log: s.log)
            #expect(report.ok, "run \(run): \(report.problems)")
            #expect(report.manifest.files.count == 24)
        }
    }

    @Test("verify-snapshot refuses a manifest that names a file outside the snapshot or a pipeline that is not a plain name, and reads nothing outside",
          arguments: [("files", "../../../etc/passwd"), ("files", "/etc/passwd"), ("pipeline", "../../tmp/evil"), ("pipeline", "nightly/../x")])
    func manifestIsInput(field: String, value: String) throws {
        let events = DemoProvince.events()
        let (s, spec, out, _) = try PipelineRunTests.firstRun(events[..<2000])
        let path = SnapshotWriter.resolve(out) + "/" + Manifest.fileName
        var manifest = try Manifest.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
        if field == "files" { manifest.files[0].path = value } else { manifest.pipeline = value }
        try Data(manifest.serialized()).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try SnapshotVerifier.verify(snapshot: out, spec: spec, log: s.log)
        } throws: { error in
            let text = "\(error)"
            return text.contains(Manifest.fileName) && text.contains(field) && text.contains(value)
        }
    }

    @Test("verify-snapshot names a manifest entry whose partition was edited (diff pairs files by it), though every hash still matches")
    func editedPartition() throws {
        let events = DemoProvince.events()
        let (s, spec, out, _) = try PipelineRunTests.firstRun(events[..<2000])
        #expect(try SnapshotVerifier.verify(snapshot: out, spec: spec, log: s.log).ok)
        let path = SnapshotWriter.resolve(out) + "/" + Manifest.fileName
        var manifest = try Manifest.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
        let i = try #require(manifest.files.firstIndex { $0.partition != nil })
        manifest.files[i].partition?.year += 1
        try Data(manifest.serialized()).write(to: URL(fileURLWithPath: path))
        let report = try SnapshotVerifier.verify(snapshot: out, spec: spec, log: s.log)
        #expect(report.problems.count == 1)
        #expect(report.problems.first.map { $0.path == manifest.files[i].path && $0.kind == .fileEdited && $0.detail.contains("the manifest names partition") } == true,
                "\(report.problems)")
    }
}
