import EventLog
import Foundation
import Ledger
import Projections
import ScoreModel

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
    public var resumedFrom: UInt64?
    /// Why a checkpoint was not used, if one was there.
    public var notices: [String] = []
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
        var book = ScoreBook()
        var count = 0
        let total = reader.head.seq.rawValue
        try Ledger.replay(reader, limit: limit, prose: false) { recorded in
            book.apply(recorded)
            count += 1
            if let progress, recorded.seq.rawValue & 0xFFFF == 0 { progress(recorded.seq.rawValue, total) }
        }
        progress?(total, total)
        let head = reader.head
        var seq = head.seq.rawValue
        var limitName = "head"
        switch limit {
        case .head: break
        case .seq(let s): seq = min(s.rawValue, head.seq.rawValue); limitName = "seq"
        case .asOf: limitName = "as-of"
        }
        let hash = seq == 0 ? LogHead.empty.hash : (try reader.frameHash(containing: Seq(seq)) ?? head.hash)
        let point = Manifest.LogPoint(seq: seq, hash: LogHead(seq: Seq(seq), hash: hash).hashHex, limit: limitName, asOf: asOfText)
        return (book, count, point)
    }

    /// The snapshot files of a pipeline for a score book. Each partition's
    /// ranking is computed once and shared by its trend, its awards and the
    /// next year's trend.
    public static func snapshot(_ spec: PipelineSpec, book: ScoreBook) throws -> (set: SnapshotSet, partitions: [Partition]) {
        var set = SnapshotSet()
        let partitions = try snapshot(spec, book: book) { path, bytes in try set.add(path, bytes) }
        return (set, partitions)
    }

    /// The same files, handed to `emit` one at a time as they are rendered.
    public static func snapshot(_ spec: PipelineSpec, book: ScoreBook, emit: (String, [UInt8]) throws -> Void) throws -> [Partition] {
        let partitions = book.partitions.filter(spec.selects)
        var rankings: [Partition: Ranking] = [:]
        func ranking(_ p: Partition) -> Ranking? {
            if let r = rankings[p] { return r }
            let r = book.ranking(p)
            rankings[p] = r
            return r
        }
        let all = book.partitions
        for p in partitions {
            guard let now = ranking(p) else { continue }
            func add(_ projection: String, _ json: CanonicalJSON, _ csv: CSVTable) throws {
                if spec.formats.contains(.json) {
                    try emit(SnapshotPath.file(projection: projection, index: p.index.rawValue, year: p.year, block: p.block.rawValue, ext: "json"), json.serialized())
                }
                if spec.formats.contains(.csv) {
                    try emit(SnapshotPath.file(projection: projection, index: p.index.rawValue, year: p.year, block: p.block.rawValue, ext: "csv"), csv.serialized())
                }
            }
            var trend: BlockTrend?
            if spec.projections.contains(.trend) || spec.projections.contains(.awards) {
                let previousYear = all.filter { $0.index == p.index && $0.block == p.block && $0.year < p.year }.map(\.year).max()
                trend = ScoreBook.trend(now, previousYear.flatMap { ranking(p.year($0)) })
            }
            for projection in spec.projections {
                switch projection {
                case .ranking: try add("ranking", Render.rankingJSON(now), Render.rankingCSV(now))
                case .trend: try add("trend", Render.trendJSON(trend!), Render.trendCSV(trend!))
                case .awards:
                    let verdicts = ScoreBook.awards(ranking: now, trend: trend, openAppeals: book.openAppeals(in: p), rules: spec.awards)
                    try add("awards", Render.awardsJSON(p, verdicts), Render.awardsCSV(verdicts))
                }
            }
        }
        return partitions
    }

    /// Where a run keeps its checkpoint: beside the output directory.
    public static func checkpointPath(for out: String) -> String {
        let url = URL(fileURLWithPath: out).standardizedFileURL
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).checkpoint").path
    }

    /// Runs `spec` on the log and writes the snapshot into `out`.
    ///
    /// A run to the head with `checkpoint` set goes on from the saved score
    /// book when the log still holds what it held then (incremental), and
    /// saves a new one. Runs with `--at-seq` or `--as-of` always replay from
    /// the start. Either way the snapshot bytes are the same.
    public static func run(_ spec: PipelineSpec, log: String, out: String, limit: ReplayLimit = .head, asOfText: String? = nil,
                           checkpoint: String? = nil, progress: Progress? = nil) throws -> RunReport {
        var notices: [String] = []
        var resumed: UInt64?
        let book: ScoreBook, events: Int, point: Manifest.LogPoint
        if limit == .head, let checkpoint {
            let reader = try LogReader(directory: log)
            var start = ScoreBook()
            switch Checkpoint.load(checkpoint, reader: reader) {
            case .usable(let saved): start = saved.book; resumed = saved.seq
            case .discarded(let why): notices.append("checkpoint \(checkpoint) discarded: \(why); replaying from the start")
            case .none: break
            }
            var b = start
            var count = 0
            let total = reader.head.seq.rawValue
            try Ledger.replay(reader, from: EventSeq((resumed ?? 0) + 1), prose: false) { r in
                b.apply(r)
                count += 1
                if let progress, r.seq.rawValue & 0xFFFF == 0 { progress(r.seq.rawValue, total) }
            }
            progress?(total, total)
            book = b
            events = count
            let head = reader.head
            point = Manifest.LogPoint(seq: head.seq.rawValue, hash: head.hashHex, limit: "head")
        } else {
            (book, events, point) = try replay(log: log, limit: limit, asOfText: asOfText, progress: progress)
        }
        var partitions: [Partition] = []
        let manifest = try SnapshotWriter.write(pipeline: spec.name, configHash: spec.configHash, log: point, to: out) { emit in
            partitions = try snapshot(spec, book: book, emit: emit)
        }
        if limit == .head, let checkpoint, point.seq > 0 {
            try Checkpoint(seq: point.seq, frameHash: hexBytes(point.hash), book: book).save(checkpoint)
        }
        return RunReport(manifest: manifest, directory: out, events: events, partitions: partitions, resumedFrom: resumed, notices: notices)
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) ?? 0)
            chars = chars.dropFirst(2)
        }
        return out
    }
}

extension PipelineRunner {
    /// The events with these seqs, read from the log (for explain and history).
    public static func events(log: String, seqs: Set<EventSeq>) throws -> [EventSeq: RecordedEvent] {
        guard let first = seqs.min(), let last = seqs.max() else { return [:] }
        var out: [EventSeq: RecordedEvent] = [:]
        try Ledger.replay(directory: log, from: first, limit: .seq(last)) { r in
            if seqs.contains(r.seq) { out[r.seq] = r }
        }
        return out
    }
}
