import Crypto
import EventLog
import Foundation
import Primitives
import Ledger
import Projections
import ScoreModel
import Transparency

/// Told how far a long replay has come: (seq reached, last seq).
public typealias Progress = (UInt64, UInt64) -> Void

/// What a run read and wrote.
public struct RunReport: Sendable {
    public var manifest: Manifest
    public var directory: String
    /// Events replayed by this run (after the checkpoint, when incremental).
    public var events: Int
    public var partitions: [Partition]
    /// The checkpoint's seq when the run went on from one.
    public var resumedFrom: Seq?
    /// The seq its tail vouched for, when the run went on from one (the
    /// events between the checkpoint and it were folded again).
    public var tailSeq: Seq?
    /// Whether the run saved the whole book as a new checkpoint (else, with
    /// a checkpoint path, a tail beside the one it went on from, or nothing
    /// when that one still stands for what the run read and wrote).
    public var savedBook = false
    /// Why a checkpoint was not used, if one was there.
    public var notices: [String] = []
    /// When the run went on from the snapshot it replaced: the partitions
    /// rendered anew, and the files kept as they were.
    public var rendered: Int?
    public var keptFiles = 0
}

/// Runs a pipeline: replays the log into a score book, asks the
/// projections for their figures, and writes the snapshot files and their
/// manifest. The only place, with the log, that touches files.
public enum PipelineRunner {
    /// Reads a pipeline file from disk.
    public static func load(_ path: String) throws -> PipelineSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(code: .badSpec, place: path, message: "cannot read the pipeline file", hint: "check the path; pipelines live in pipelines/")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError(code: .badSpec, place: path, message: "the pipeline file is not UTF-8")
        }
        return try PipelineSpec.parse(yaml: text, file: path)
    }

    /// Replays the log within `limit` into a score book; returns the book,
    /// the number of events read and the log point read to.
    public static func replay(log: String, limit: ReplayLimit, asOfText: String? = nil,
                              progress: Progress? = nil) throws -> (book: ScoreBook, events: Int, point: Manifest.LogPoint) {
        let reader = try LogReader(directory: log)
        if case .seq(let s) = limit, s.rawValue > reader.head.seq.rawValue {
            throw PipelineError(code: .log, place: log, message: "--at-seq \(s.rawValue) is past the head of the log, seq \(reader.head.seq.rawValue)",
                                hint: "give a seq from 0 to \(reader.head.seq.rawValue), or leave --at-seq out to read to the head")
        }
        var book = ScoreBook()
        let count = try fold(reader, into: &book, limit: limit, progress: progress)
        let head = reader.head
        var seq = head.seq.rawValue
        var limitName = "head"
        switch limit {
        case .head: break
        case .seq(let s): seq = min(s.rawValue, head.seq.rawValue); limitName = "seq"
        case .asOf: limitName = "as-of"
        }
        let hash = seq == 0 ? LogHead.empty.hash : (try reader.frameHash(containing: Seq(seq)) ?? head.hash)
        let point = Manifest.LogPoint(seq: Seq(seq), hash: hash, limit: limitName, asOf: asOfText)
        return (book, count, point)
    }

    /// The snapshot files of a pipeline for a score book. Each partition's
    /// ranking is computed once and shared by its trend, its awards and the
    /// next year's trend.
    /// `report` holds what the HTML report needs beyond the book (its events
    /// and impacts); required when the pipeline has the report projection.
    public static func snapshot(_ spec: PipelineSpec, book: ScoreBook, report: ReportInputs? = nil) throws -> (set: SnapshotSet, partitions: [Partition]) {
        // Rendering threads add to one set: under a lock.
        let set = Locked(SnapshotSet())
        let sink = SnapshotWriter.Sink(emitFile: { path, bytes, partition in try set.withLock { try $0.add(path, bytes, partition: partition) } },
                                       keepFile: { _ in false })
        let partitions = try snapshot(spec, book: book, changed: nil, into: sink, report: report).partitions
        return (set.withLock { $0 }, partitions)
    }

    /// The partitions whose files can differ from the last run's when the
    /// book changed in `dirty`: those, and the next year of the same index
    /// and block (its trend and awards compare with the year before).
    public static func affected(by dirty: Set<Partition>, among all: [Partition]) -> Set<Partition> {
        var out = dirty
        for p in dirty {
            if let next = all.next(of: p) { out.insert(next) }
        }
        return out
    }

    /// Renders the files of every selected partition into `sink`. With
    /// `changed` set, a partition outside it keeps the previous snapshot's
    /// files (``SnapshotWriter/Sink/keep(_:)``) and is rendered only where
    /// one is missing. Returns the partitions and how many were rendered.
    ///
    /// The partitions are shared among `workers` threads, each (index, block)
    /// with all its years on one thread, so a year's ranking is computed
    /// once for its own files and the next year's trend. The bytes do not
    /// depend on the number of workers: each file is rendered from the book
    /// alone, and the manifest is sorted.
    static func snapshot(_ spec: PipelineSpec, book: ScoreBook, changed: Set<Partition>?, into sink: SnapshotWriter.Sink,
                         report: ReportInputs? = nil, workers: Int = Parallel.cores) throws -> (partitions: [Partition], rendered: Int, kept: Int) {
        let partitions = book.partitions.filter(spec.selects)
        let all = book.partitions
        // Whole (index, block) series to the least loaded worker, largest first.
        var series: [String: [Partition]] = [:]
        for p in partitions { series[p.index.rawValue + "\u{0}" + p.block.rawValue, default: []].append(p) }
        let n = max(1, min(workers, series.count))
        var shares = [[Partition]](repeating: [], count: n)
        for group in series.values.sorted(by: { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }) {
            let least = shares.indices.min { shares[$0].count < shares[$1].count }!
            shares[least] += group
        }
        let work = shares
        let site = try reportContext(spec, book: book, report: report)
        let done = try Parallel.map(n) { w in try render(work[w], of: all, spec: spec, book: book, changed: changed, into: sink, site: site) }
        if let site { try renderReportIndex(partitions, context: site, into: sink) }
        return (partitions, done.reduce(0) { $0 + $1.rendered }, done.reduce(0) { $0 + $1.kept })
    }

    /// One worker's share of ``snapshot(_:book:changed:into:workers:)``.
    private static func render(_ partitions: [Partition], of all: [Partition], spec: PipelineSpec, book: ScoreBook, changed: Set<Partition>?,
                               into sink: SnapshotWriter.Sink, site: ReportSite.Context?) throws -> (rendered: Int, kept: Int) {
        var rankings: [Partition: Ranking] = [:]
        func ranking(_ p: Partition) -> Ranking? {
            if let r = rankings[p] { return r }
            let r = book.ranking(p)
            rankings[p] = r
            return r
        }
        var rendered = 0, keptFiles = 0
        for p in partitions {
            func path(_ projection: String, _ ext: String) -> String {
                SnapshotPath.file(projection: projection, index: p.index.rawValue, year: p.year, block: p.block.rawValue, ext: ext)
            }
            let exts = [(PipelineSpec.Format.json, "json"), (.csv, "csv")].filter { spec.formats.contains($0.0) }.map(\.1)
            var kept: Set<String> = []
            let tables = spec.projections.filter { $0 != .report }
            if let changed, !changed.contains(p) {
                for projection in tables { for ext in exts where try sink.keep(path(projection.rawValue, ext)) { kept.insert(path(projection.rawValue, ext)) } }
                keptFiles += kept.count
                if kept.count == tables.count * exts.count { continue }
            }
            guard let now = ranking(p) else { continue }
            rendered += 1
            func add(_ projection: String, _ json: CanonicalJSON, _ csv: CSVTable) throws {
                for ext in exts where !kept.contains(path(projection, ext)) {
                    try sink.emit(path(projection, ext), ext == "json" ? json.serialized() : csv.serialized(),
                                  partition: Manifest.PartitionName(index: p.index.rawValue, year: p.year, block: p.block.rawValue))
                }
            }
            var trend: BlockTrend?
            if spec.projections.contains(.trend) || spec.projections.contains(.awards) {
                trend = ScoreBook.trend(now, all.previous(of: p).flatMap { ranking($0) })
            }
            for projection in spec.projections {
                switch projection {
                case .ranking: try add("ranking", Render.rankingJSON(now), Render.rankingCSV(now))
                case .trend: try add("trend", Render.trendJSON(trend!), Render.trendCSV(trend!))
                case .awards:
                    let verdicts = ScoreBook.awards(ranking: now, trend: trend, openAppeals: book.openAppeals(in: p), rules: spec.awards)
                    try add("awards", Render.awardsJSON(p, verdicts), Render.awardsCSV(verdicts))
                case .report: break
                }
            }
        }
        if let site {
            let r = try renderReport(partitions, changed: changed, ranking: ranking, context: site, into: sink)
            keptFiles += r.kept
        }
        return (rendered, keptFiles)
    }

    /// The signed tree checkpoint in a snapshot made with a key (C2SP tlog-checkpoint).
    public static let checkpointFileName = "checkpoint"

    /// Where a run keeps its checkpoint: beside the output directory.
    public static func checkpointPath(for out: String) -> String {
        let url = URL(fileURLWithPath: out).standardizedFileURL
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).checkpoint").path
    }

    /// Runs `spec` on the log and writes the snapshot into `out`.
    ///
    /// A run to the head with `checkpoint` set goes on from the saved score
    /// book when it verifies with the runner's key and the log still holds
    /// what it held then (incremental), and saves a new one. Runs with
    /// `--at-seq` or `--as-of` always replay from the start. Either way the
    /// snapshot bytes are the same.
    ///
    /// A run never replaces a snapshot made from more of the log, or from a
    /// log that has since been rewritten: it refuses and says why.
    public static func run(_ spec: PipelineSpec, log: String, out: String, limit: ReplayLimit = .head, asOfText: String? = nil,
                           checkpoint: String? = nil, key: CheckpointKey? = nil, progress: Progress? = nil, signer: SignerKey? = nil) throws -> RunReport {
        let lock = try OutputLock(output: out)
        var notices: [String] = []
        var resumed: Seq?, base: Checkpoint?, tail: CheckpointTail?
        var previous: Manifest?
        let book: ScoreBook, events: Int, point: Manifest.LogPoint
        let key = try checkpoint.map { _ in try key ?? CheckpointKey.loadOrCreate() }
        // Read once, under the output's lock: the source of kept files and the point a run may not fall behind.
        let published = PublishedManifest(out: out)
        if limit == .head, let checkpoint {
            let r = try resume(log: log, checkpoint: checkpoint, key: key, withTail: true, progress: progress)
            (book, events, point, resumed, base, tail) = (r.book, r.events, r.point, r.from?.seq, r.from, r.tail)
            if let why = r.discarded { notices.append("checkpoint \(checkpoint) discarded: \(why); replaying from the start") }
            if let why = r.tailDiscarded { notices.append("checkpoint tail \(CheckpointTail.path(checkpoint: checkpoint)) discarded: \(why); every partition is rendered") }
            previous = tail.map { reusable(published, spec: spec, seq: $0.seq, frameHash: $0.frameHash, manifestHash: $0.manifestHash) }
                ?? r.from.flatMap { reusable(published, spec: spec, seq: $0.seq, frameHash: $0.frameHash, manifestHash: $0.manifestHash) }
        } else {
            (book, events, point) = try replay(log: log, limit: limit, asOfText: asOfText, progress: progress)
        }
        try spec.check(against: book.frameworks)
        try checkNotBehind(published, out: out, log: log, point: point)
        // Going on from a checkpoint whose run wrote the snapshot now in
        // `out`: only the partitions the new events changed are rendered.
        let changed = previous.map { _ in affected(by: book.dirty, among: book.partitions) }
        let reportInputs = spec.projections.contains(.report) ? try ReportInputs.read(log: log, point: point, rules: spec.awards) : nil
        let counts = Locked<(partitions: [Partition], rendered: Int, kept: Int)>(([], 0, 0))
        let manifest = try SnapshotWriter.write(pipeline: spec.name, configHash: spec.configHash, log: point, to: out, keeping: previous,
                                                lock: lock) { sink in
            let result = try snapshot(spec, book: book, changed: changed, into: sink, report: reportInputs)
            counts.withLock { $0 = result }
            // With a key: the signed checkpoint of the log the run read.
            if let signer {
                let signed = try Transparency.checkpoint(log: log, key: signer, size: point.seq.rawValue)
                if let notice = signed.notice { notices.append(notice) }
                try sink.emit(checkpointFileName, Array(signed.checkpoint.text.utf8))
            }
        }
        let result = counts.withLock { $0 }
        let saved = try limit == .head && checkpoint != nil
            ? saveCheckpoint(checkpoint!, key: key!, point: point, manifest: manifest, book: book, base: base, tail: tail) : false
        withExtendedLifetime(lock) {}
        var report = RunReport(manifest: manifest, directory: out, events: events, partitions: result.partitions, resumedFrom: resumed,
                               tailSeq: tail?.seq, savedBook: saved, notices: notices)
        if changed != nil {
            report.rendered = result.rendered
            report.keptFiles = result.kept
        }
        return report
    }

    /// Keeps the checkpoint standing for what the run read (`point`) and
    /// wrote (`manifest`): when the run went on from a checkpoint that is
    /// behind by at most ``Checkpoint/tailLimit(_:)`` events, a tail beside
    /// it (``CheckpointTail``); otherwise the whole book, saved anew (and
    /// the old tail removed). Nothing when the checkpoint or its tail
    /// already stands for them. Returns whether the book was saved.
    static func saveCheckpoint(_ path: String, key: CheckpointKey, point: Manifest.LogPoint, manifest: Manifest, book: ScoreBook,
                               base: Checkpoint?, tail: CheckpointTail?) throws -> Bool {
        guard point.seq.rawValue > 0 else { return false }
        let manifestHash = Array(SHA256.hash(data: manifest.serialized()))
        if let base, base.seq <= point.seq, point.seq.rawValue - base.seq.rawValue <= Checkpoint.tailLimit(base.seq) {
            if base.seq == point.seq, base.manifestHash == manifestHash, tail == nil { return false }
            let new = CheckpointTail(base: base.seq, baseHash: base.frameHash, seq: point.seq, frameHash: point.hash, manifestHash: manifestHash)
            if new != tail { try new.save(CheckpointTail.path(checkpoint: path), key: key) }
            return false
        }
        try Checkpoint(seq: point.seq, frameHash: point.hash, manifestHash: manifestHash, book: book).save(path, key: key)
        // The old tail names the old checkpoint, so it would not be used; removed so that it does not linger.
        unlink(CheckpointTail.path(checkpoint: path))
        return true
    }

    /// Refuses to replace the snapshot in `out` with one read from less of
    /// the log than it was, or from a log that no longer holds what it was
    /// made from: a published figure is never silently rolled back.
    static func checkNotBehind(_ manifest: PublishedManifest, out: String, log: String, point: Manifest.LogPoint) throws {
        guard let parsed = manifest.parsed else { return }
        let published: Manifest
        do {
            published = try parsed.get()
        } catch {
            throw PipelineError(code: .mismatch, place: manifest.path, message: "the snapshot in \(out) has a manifest that cannot be read, so this run cannot tell whether it would roll it back",
                                hint: "check it with `parledger verify-snapshot \(out)`; to replace it anyway, move it away first")
        }
        let was = published.log
        if was.seq > point.seq {
            throw PipelineError(code: .mismatch, place: out,
                                message: "the snapshot there was made from the log up to seq \(was.seq); this run read only up to seq \(point.seq), so it would roll published figures back",
                                hint: "if the log lost events, restore it; for a view of an earlier point use --out with another directory")
        }
        guard was.seq.rawValue > 0 else { return }
        let reader = try LogReader(directory: log)
        let hash = try reader.frameHash(containing: was.seq)
        if hash != was.hash {
            throw PipelineError(code: .mismatch, place: out,
                                message: "the snapshot there was made from a log whose frame at seq \(was.seq) hashes to \(was.hash.hex.prefix(16))…; this log's hashes to \((hash?.hex ?? "").prefix(16))…: the log was rewritten or replaced",
                                hint: "find out why with `parledger verify` and `parledger verify-snapshot \(out)`; to publish from this log anyway, move the old snapshot away first")
        }
    }

    /// The book at the head of the log, going on from a checkpoint saved by
    /// a run when it still matches the log (for read commands: an explain
    /// after the nightly run reads what the run saved, not the whole log).
    /// `notice` says why a checkpoint that was there was not used.
    ///
    /// With `only`, the book may be partial (``ScoreBook/isPartial``): just
    /// the partition that scores that unit in that index and year, for
    /// `explain` and `history`, read without building the rest.
    public static func book(log: String, checkpoint: String, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil, progress: Progress? = nil)
        throws -> (book: ScoreBook, events: Int, resumedFrom: Seq?, notice: String?) {
        let r = try resume(log: log, checkpoint: checkpoint, key: CheckpointKey.load(), only: only, withTail: false, progress: progress)
        return (r.book, r.events, r.from?.seq, r.discarded.map { "checkpoint \(checkpoint) discarded: \($0); replayed the log from the start" })
    }

    /// The book at the head of the log: the checkpoint's, when it still
    /// matches the log, with the events after it applied; otherwise a
    /// replay from the start (`discarded` says why a checkpoint was not used).
    ///
    /// `withTail`: with the checkpoint's tail when there is a usable one
    /// (`tailDiscarded` says why one was not), the events up to the seq it
    /// vouches for are folded first and the book marked clean there, so
    /// that its dirty partitions are those changed since the snapshot the
    /// tail names.
    static func resume(log: String, checkpoint: String, key: CheckpointKey?, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil,
                       withTail: Bool, progress: Progress? = nil)
        throws -> (book: ScoreBook, events: Int, point: Manifest.LogPoint, from: Checkpoint?, discarded: String?,
                   tail: CheckpointTail?, tailDiscarded: String?) {
        let reader = try LogReader(directory: log)
        var book = ScoreBook()
        var from: Checkpoint?, discarded: String?, tail: CheckpointTail?, tailDiscarded: String?
        switch Checkpoint.load(checkpoint, reader: reader, key: key, only: only) {
        case .usable(var saved):
            // The book moves out of the checkpoint: folding into it while `from` held it too would copy
            // every array of it (185 MB of a heavy national book) at the first event.
            book = saved.book
            saved.book = ScoreBook()
            from = saved
        case .discarded(let why): discarded = why
        case .none: break
        }
        var count = 0
        if withTail, let from, let key {
            switch CheckpointTail.load(checkpoint: checkpoint, base: from, reader: reader, key: key) {
            case .usable(let t):
                tail = t
                count = try fold(reader, into: &book, from: from.seq.next, limit: .seq(t.seq), progress: nil)
                book.markClean()
            case .discarded(let why): tailDiscarded = why
            case .none: break
            }
        }
        count += try fold(reader, into: &book, from: (tail?.seq ?? from?.seq ?? 0).next, progress: progress)
        let head = reader.head
        return (book, count, Manifest.LogPoint(seq: head.seq, hash: head.hash, limit: "head"), from, discarded, tail, tailDiscarded)
    }

    /// Applies the log's events from `from` within `limit` to `book`;
    /// returns how many were applied.
    static func fold(_ reader: LogReader, into book: inout ScoreBook, from: Seq = Seq(1), limit: ReplayLimit = .head,
                     progress: Progress?) throws -> Int {
        var count = 0
        let total = reader.head.seq.rawValue
        let through: Seq?
        switch limit {
        case .head: through = nil
        case .seq(let last): through = last
        case .asOf:
            // Business time is in the events: the whole-event path.
            try Ledger.replay(reader, from: from, limit: limit, prose: false) { recorded in
                book.apply(recorded)
                count += 1
                if let progress, recorded.seq.rawValue & 0xFFFF == 0 { progress(recorded.seq.rawValue, total) }
            }
            progress?(total, total)
            return count
        }
        book.reserve(seqsThrough: through ?? reader.head.seq)
        var folder = ScoreBook.Folder()
        try Ledger.replayFold(reader, from: from, through: through) { batch in
            let before = book.lastSeq.rawValue
            folder.apply(batch, to: &book)
            count += batch.records.count
            if let progress, book.lastSeq.rawValue >> 16 != before >> 16 { progress(book.lastSeq.rawValue, total) }
        }
        progress?(total, total)
        return count
    }

    /// The manifest of the snapshot in `out` when its files are the ones
    /// this run would write for unchanged partitions: the very manifest the
    /// authenticated checkpoint or its tail names (by SHA-256), so an edited
    /// manifest or one of another run is never a source of kept files.
    static func reusable(_ published: PublishedManifest, spec: PipelineSpec, seq: Seq, frameHash: FrameHash, manifestHash: [UInt8]) -> Manifest? {
        guard published.sha256 == manifestHash, let manifest = try? published.parsed?.get() else { return nil }
        guard manifest.pipeline == spec.name, manifest.configHash == spec.configHash,
              manifest.log.limit == "head", manifest.log.seq == seq,
              manifest.log.hash == frameHash else { return nil }
        return manifest
    }
}

/// The manifest of the snapshot now in an output, read once by a run:
/// its SHA-256 (what an authenticated checkpoint names) and what its bytes
/// parse to. Nil fields: there is no manifest there.
struct PublishedManifest {
    let path: String
    let sha256: [UInt8]?
    let parsed: Result<Manifest, any Error>?

    init(out: String) {
        path = URL(fileURLWithPath: out).appendingPathComponent(Manifest.fileName).path
        guard let data = FileManager.default.contents(atPath: path) else { (sha256, parsed) = (nil, nil); return }
        let bytes = [UInt8](data)
        sha256 = Array(SHA256.hash(data: bytes))
        parsed = Result { [path] in try Manifest.parse(bytes, file: path) }
    }
}

extension PipelineRunner {
    /// The events with these seqs, read from the log (for explain and history).
    public static func events(log: String, seqs: Set<Seq>) throws -> [Seq: RecordedEvent] {
        var out: [Seq: RecordedEvent] = [:]
        var decoder = RecordDecoder()
        let reader = try LogReader(directory: log)
        try reader.forEachRecord(seqs: seqs.map { Seq($0.rawValue) }.sorted()) { record in
            let recorded = try Ledger.decode(record, &decoder)
            out[recorded.seq] = recorded
        }
        return out
    }
}
