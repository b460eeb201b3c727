import Primitives
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

    @Option(help: ArgumentHelp("Go on from this checkpoint of a pipeline run instead of replaying the whole log (default: the nightly run's, snapshots/.nightly.checkpoint beside the log directory, when it is there and verifies). Not with --as-of or --at-seq.", valueName: "file"))
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

    var limit: ReplayLimit { (try? ReadRequest.limit(atSeq: atSeq.map { Seq($0) }, asOf: asOf)) ?? .head }   // validated above

    /// The score book of the log within the limit (see ``ReadRequest``).
    func book(_ location: LogLocation, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) throws -> ScoreBook {
        try bookAndEvents(location, only: only).book
    }

    /// The book, and the events the read already holds when it came from
    /// the partition index (see ``ReadRequest/bookAndEvents(only:progress:)``).
    func bookAndEvents(_ location: LogLocation, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) throws
        -> (book: ScoreBook, events: [Seq: RecordedEvent]) {
        let request = ReadRequest(log: location.log, limit: limit, asOfText: asOf,
                                  checkpoint: noCheckpoint ? .none : checkpoint.map { .file($0) } ?? .nightly)
        let r = try request.bookAndEvents(only: only, progress: ProgressBar.make(label: "replaying"))
        if let notice = r.notice { printErr("parledger: notice: \(notice)") }
        return (r.book, r.events)
    }
}

func bandLabel(_ band: Band?) -> String { band?.label ?? "—" }
