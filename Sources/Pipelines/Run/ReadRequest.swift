import Primitives
import Foundation
import Ledger
import Projections
import ScoreModel

/// What a read command asks of the log: the limit, and whether it may go on
/// from a pipeline run's checkpoint. The policy of where that checkpoint is
/// lives here, found from the log's place, never from the working directory.
///
/// ```swift
/// let request = ReadRequest(log: "events", limit: .head)
/// let book = try request.book().book   // the nightly run's checkpoint when it verifies, else a replay
/// ```
public struct ReadRequest: Sendable {
    /// Which checkpoint a read may start from.
    public enum Checkpoint: Sendable, Equatable {
        /// The nightly pipeline's, beside its default output (when it is there).
        case nightly
        /// This file (an error when it is missing).
        case file(String)
        /// None: every figure from the log alone.
        case none
    }

    public var log: String
    public var limit: ReplayLimit
    /// The `--as-of` time as given, for the manifest-like log point.
    public var asOfText: String?
    public var checkpoint: Checkpoint

    public init(log: String, limit: ReplayLimit = .head, asOfText: String? = nil, checkpoint: Checkpoint = .nightly) {
        self.log = log; self.limit = limit; self.asOfText = asOfText; self.checkpoint = checkpoint
    }

    /// The limit of `--at-seq N` or `--as-of TIME` (at most one of them).
    public static func limit(atSeq: Seq?, asOf: String?) throws -> ReplayLimit {
        if let atSeq { return .seq(atSeq) }
        if let asOf {
            switch RFC3339.parse(asOf) {
            case .success(let time): return .asOf(time)
            case .failure(let e): throw PipelineError(code: .badSpec, place: "--as-of \(asOf)", message: e.message, hint: "give an RFC 3339 time with an offset, e.g. 2024-02-19T14:00:00+07:00")
            }
        }
        return .head
    }

    /// The snapshot folder of a log: `snapshots/` beside the log directory
    /// (`events/` → `snapshots/`), where runs write by default.
    public static func snapshots(log: String) -> String {
        URL(fileURLWithPath: log).standardizedFileURL.deletingLastPathComponent().appendingPathComponent("snapshots").path
    }

    /// Where a pipeline writes by default: `snapshots/<pipeline>` beside the log.
    public static func defaultOutput(log: String, pipeline: String) -> String {
        snapshots(log: log) + "/" + pipeline
    }

    /// The checkpoint file this request may start from, if any.
    public var checkpointFile: String? {
        guard limit == .head else { return nil }
        switch checkpoint {
        case .none: return nil
        case .file(let path): return path
        case .nightly:
            let path = PipelineRunner.checkpointPath(for: Self.defaultOutput(log: log, pipeline: "nightly"))
            return FileManager.default.fileExists(atPath: path) ? path : nil
        }
    }

    /// The score book of the log within the limit, and why a checkpoint
    /// that was there was not used (nil when none was, or it was used).
    /// With `only`, the book may hold just the partition of that unit and
    /// year (when it comes from a checkpoint): for explain and history.
    public func book(only: (unit: UnitCode, index: IndexCode, year: Int)? = nil, progress: Progress? = nil) throws -> (book: ScoreBook, notice: String?) {
        let r = try bookAndEvents(only: only, progress: progress)
        return (r.book, r.notice)
    }

    /// The book, and the events the read already holds (with their prose)
    /// when it came from the partition index beside the log: explain and
    /// history of one unit-year at the head need not read those frames again.
    /// The notice is for the person reading: what happened to the partition
    /// index, or why a checkpoint they named was not used (the nightly
    /// checkpoint, tried by default, falls back to the log without a word).
    public func bookAndEvents(only: (unit: UnitCode, index: IndexCode, year: Int)? = nil, progress: Progress? = nil) throws
        -> (book: ScoreBook, events: [Seq: RecordedEvent], notice: String?) {
        if let only, limit == .head, checkpoint == .nightly {
            let r = try PipelineRunner.indexedBook(log: log, unit: only.unit, index: only.index, year: only.year)
            if let book = r.book { return (book, r.events, r.notice) }
            if let notice = r.notice { return try withNotice(notice, only: only, progress: progress) }
        }
        return try withNotice(nil, only: only, progress: progress)
    }

    private func withNotice(_ earlier: String?, only: (unit: UnitCode, index: IndexCode, year: Int)?, progress: Progress?) throws
        -> (book: ScoreBook, events: [Seq: RecordedEvent], notice: String?) {
        let r = try bookFromCheckpointOrLog(only: only, progress: progress)
        let named: String? = if case .file = checkpoint { r.notice } else { nil }
        return (r.book, [:], [earlier, named].compactMap { $0 }.joined(separator: "; ").nilIfEmpty)
    }

    private func bookFromCheckpointOrLog(only: (unit: UnitCode, index: IndexCode, year: Int)?, progress: Progress?) throws -> (book: ScoreBook, notice: String?) {
        if case .file(let path) = checkpoint, !FileManager.default.fileExists(atPath: path) {
            throw PipelineError(code: .badOutput, place: "--checkpoint", message: "no checkpoint at \(path)",
                                hint: "a pipeline run saves one beside its output (`parledger run pipelines/nightly.yaml` writes snapshots/.nightly.checkpoint)")
        }
        if let file = checkpointFile {
            let r = try PipelineRunner.book(log: log, checkpoint: file, only: only, progress: progress)
            return (r.book, r.notice)
        }
        return (try PipelineRunner.replay(log: log, limit: limit, asOfText: asOfText, progress: progress).book, nil)
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
