import Primitives
import EventLog
import Foundation
import Ledger
import Projections
import ScoreModel
import Transparency

/// Checks a snapshot directory against the log and the pipeline that made
/// it: every file's hash, the log at the recorded head, the pipeline's
/// config, and the content re-derived from the log.
public enum SnapshotVerifier {
    /// One thing found wrong, with the file it concerns and why.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable { case fileEdited = "file edited", fileMissing = "file missing", unexpectedFile = "unexpected file",
                                              logRewritten = "log rewritten", configChanged = "pipeline config differs", contentDiffers = "content differs" }
        public var kind: Kind
        public var path: String
        public var detail: String
        public var description: String { "\(path): \(kind.rawValue): \(detail)" }
    }

    public struct Report: Sendable {
        public var manifest: Manifest
        public var problems: [Problem]
        public var ok: Bool { problems.isEmpty }
    }

    /// A snapshot's `checkpoint` file (a run with a key) is checked against
    /// the log's Merkle tree at the run's seq, and its signature with `key` when given.
    public static func verify(snapshot dir: String, spec: PipelineSpec, log: String, key: VerifierKey? = nil) throws -> Report {
        let manifestPath = dir + "/" + Manifest.fileName
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw PipelineError(code: .mismatch, place: manifestPath, message: "no manifest: this is not a snapshot directory made by `parledger run`")
        }
        let manifest = try Manifest.parse([UInt8](data), file: manifestPath)
        var problems: [Problem] = []
        // 1. Every file against the manifest.
        var listed: Set<String> = [Manifest.fileName]
        for file in manifest.files {
            listed.insert(file.path)
            guard let bytes = FileManager.default.contents(atPath: dir + "/" + file.path) else {
                problems.append(Problem(kind: .fileMissing, path: file.path, detail: "listed in the manifest but not in the directory"))
                continue
            }
            let hash = SnapshotWriter.sha256Hex([UInt8](bytes))
            if hash != file.sha256 {
                problems.append(Problem(kind: .fileEdited, path: file.path,
                                        detail: "SHA-256 is \(hash.prefix(16))…, the manifest says \(file.sha256.prefix(16))…: the file or the manifest was changed after the run"))
            }
        }
        if let all = FileManager.default.enumerator(atPath: SnapshotWriter.resolve(dir)) {
            for case let rel as String in all {
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir)
                if !isDir.boolValue && !listed.contains(rel) {
                    problems.append(Problem(kind: .unexpectedFile, path: rel, detail: "not listed in the manifest"))
                }
            }
        }
        // 2. The pipeline.
        if spec.configHash != manifest.configHash || spec.name != manifest.pipeline {
            problems.append(Problem(kind: .configChanged, path: Manifest.fileName,
                                    detail: "the snapshot was made by pipeline \(manifest.pipeline) with config \(manifest.configHash.prefix(16))…; the pipeline given is \(spec.name) with config \(spec.configHash.prefix(16))…"))
        }
        // 3. The log at the recorded point.
        let reader = try LogReader(directory: log)
        let seq = manifest.log.seq
        if seq > reader.head.seq {
            problems.append(Problem(kind: .logRewritten, path: Manifest.fileName, detail: "the snapshot read to seq \(seq) but the log ends at \(reader.head.seq)"))
            return Report(manifest: manifest, problems: problems)
        }
        let hash = seq.rawValue == 0 ? FrameHash.zero : try reader.frameHash(containing: seq)
        if hash != manifest.log.hash {
            problems.append(Problem(kind: .logRewritten, path: Manifest.fileName,
                                    detail: "the log's hash at seq \(seq) is \((hash?.hex ?? "").prefix(16))…, the manifest says \(manifest.log.hash.hex.prefix(16))…: the log was rewritten after the snapshot"))
            return Report(manifest: manifest, problems: problems)
        }
        // 4. Re-derive and compare.
        var asOf: ReplayLimit?   // a run as of a time read the log to its head, keeping the events that limit admits
        if let text = manifest.log.asOf, case .success(let t) = RFC3339.parse(text) { asOf = .asOf(t) }
        // Through the event path (whole events, `ScoreBook.apply`), not the
        // runner's fold path (`Ledger.replayFold`): a second reading of the
        // log, so that a fault in the hot path shows up as files that differ.
        var book = ScoreBook()
        try Ledger.replay(reader, limit: .seq(seq)) { r in
            if let asOf, !asOf.admits(r) { return }
            book.apply(r)
        }
        let report = spec.projections.contains(.report) ? try ReportInputs.read(log: log, point: manifest.log, rules: spec.awards) : nil
        let (set, _) = try PipelineRunner.snapshot(spec, book: book, report: report)
        let derived = Dictionary(set.files.map { file in   // named as the manifest's format names them
            (SnapshotPath.path(file.path, partition: set.partitions[file.path], inFormat: manifest.format), SnapshotWriter.sha256Hex(file.bytes))
        }, uniquingKeysWith: { first, _ in first })
        // The partition each entry names (format /2) is input too: `diff` pairs files by it.
        let derivedPartitions = Dictionary(set.files.compactMap { file in
            set.partitions[file.path].map { (SnapshotPath.path(file.path, partition: $0, inFormat: manifest.format), $0) }
        }, uniquingKeysWith: { first, _ in first })
        for file in manifest.files where file.path == PipelineRunner.checkpointFileName {
            let text = String(decoding: FileManager.default.contents(atPath: dir + "/" + file.path) ?? Data(), as: UTF8.self)
            if let wrong = try Transparency.checkSnapshotCheckpoint(text, place: file.path, log: log, size: seq.rawValue, key: key) {
                problems.append(Problem(kind: .contentDiffers, path: file.path, detail: wrong))
            }
        }
        for file in manifest.files where file.path != PipelineRunner.checkpointFileName {
            guard let d = derived[file.path] else {
                problems.append(Problem(kind: .contentDiffers, path: file.path, detail: "the log and pipeline do not produce this file"))
                continue
            }
            if d != file.sha256 {
                problems.append(Problem(kind: .contentDiffers, path: file.path, detail: "re-derived from the log it hashes to \(d.prefix(16))…, the manifest says \(file.sha256.prefix(16))…"))
            }
            if let named = file.partition, named != derivedPartitions[file.path] {
                let truth = derivedPartitions[file.path].map { "\($0.index) \($0.year) \($0.block)" } ?? "none"
                problems.append(Problem(kind: .fileEdited, path: file.path,
                                        detail: "the manifest names partition \(named.index) \(named.year) \(named.block); the file belongs to \(truth): the manifest was edited"))
            }
        }
        for path in derived.keys.sorted() where !manifest.files.contains(where: { $0.path == path }) {
            problems.append(Problem(kind: .contentDiffers, path: path, detail: "the log and pipeline produce this file but the snapshot lacks it"))
        }
        return Report(manifest: manifest, problems: problems)
    }
}
