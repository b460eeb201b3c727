import Foundation
import ArgumentParser
import Ledger
import Pipelines
import Projections
import ScoreModel

/// `--format`, `--as-of`, `--at-seq`: shared by every read command.
struct ReadOptions: ParsableArguments {
    @Option(help: "Output: table (for people), json or csv.")
    var format: OutputFormat = .table

    @Flag(help: "With --format csv: begin with a UTF-8 byte-order mark, so Excel shows Vietnamese correctly.")
    var bom = false

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Only events whose business time is at or before TIME (RFC 3339, e.g. 2024-02-19T14:00:00+07:00).", valueName: "time"))
    var asOf: String?

    @Option(name: .customLong("at-seq"), help: ArgumentHelp("The log as it stood after event N.", valueName: "n"))
    var atSeq: UInt64?

    @Option(help: ArgumentHelp("Go on from this checkpoint of a pipeline run instead of replaying the whole log (default: the nightly run's, snapshots/.nightly.checkpoint, when it is there and matches the log). Not with --as-of or --at-seq.", valueName: "file"))
    var checkpoint: String?

    @Flag(name: .customLong("no-checkpoint"), help: "Replay the whole log, trusting nothing but it (for an inspection: a checkpoint is a cache).")
    var noCheckpoint = false

    func validate() throws {
        if bom && format != .csv { throw ValidationError("--bom goes with --format csv") }
        if asOf != nil && atSeq != nil { throw ValidationError("give --as-of or --at-seq, not both") }
        if checkpoint != nil && (asOf != nil || atSeq != nil) { throw ValidationError("--checkpoint reads the log at its head: not with --as-of or --at-seq") }
        if checkpoint != nil && noCheckpoint { throw ValidationError("give --checkpoint or --no-checkpoint, not both") }
        if let asOf, case .failure(let e) = RFC3339.parse(asOf) { throw ValidationError("--as-of \(asOf): \(e.message)") }
    }

    var limit: ReplayLimit {
        if let atSeq { return .seq(EventSeq(atSeq)) }
        if let asOf, case .success(let t) = RFC3339.parse(asOf) { return .asOf(t) }
        return .head
    }

    /// The score book of the log within the limit: at the head, from a
    /// checkpoint that matches the log when there is one.
    /// With `only`, the book may hold just the partition of that unit and
    /// year (when it comes from a checkpoint): for explain and history.
    func book(_ location: LogLocation, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) throws -> ScoreBook {
        try bookAndEvents(location, only: only).book
    }

    /// The book, and the events the read already holds (with their prose)
    /// when it came from the partition index: explain and history need not
    /// read those frames again.
    func bookAndEvents(_ location: LogLocation, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) throws
        -> (book: ScoreBook, events: [EventSeq: RecordedEvent]) {
        if let checkpoint, !FileManager.default.fileExists(atPath: checkpoint) {
            throw fail("no checkpoint at \(checkpoint); a pipeline run saves one beside its output (`parledger run pipelines/nightly.yaml` writes snapshots/.nightly.checkpoint)")
        }
        do {
            // One unit's partition at the head: from the partition index beside the log, when the runner's key seals one.
            if let only, limit == .head, !noCheckpoint, checkpoint == nil {
                let r = try PipelineRunner.indexedBook(log: location.log, unit: only.unit, index: only.index, year: only.year)
                if let notice = r.notice { printErr("parledger: notice: \(notice)") }
                if let book = r.book { return (book, r.events) }
            }
            let saved = checkpoint ?? PipelineRunner.checkpointPath(for: "snapshots/nightly")
            if limit == .head, !noCheckpoint, FileManager.default.fileExists(atPath: saved) {
                let r = try PipelineRunner.book(log: location.log, checkpoint: saved, only: only, progress: ProgressBar.make(label: "replaying"))
                if checkpoint != nil, let notice = r.notice { printErr("parledger: notice: \(notice)") }
                return (r.book, [:])
            }
            return (try PipelineRunner.replay(log: location.log, limit: limit, asOfText: asOf, progress: ProgressBar.make(label: "replaying")).book, [:])
        } catch {
            throw fail(error)
        }
    }
}

func bandLabel(_ band: Band?) -> String { band?.label ?? "—" }
