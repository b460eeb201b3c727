import Primitives
import EventLog
import Ledger
import Projections
import ScoreModel

/// What the HTML report needs beyond the score book: the impact of every
/// correction and resolved appeal, the log point read, and the events
/// themselves (who, when, notes, grounds, reasons: the book keeps seqs
/// only), read from the log one block at a time as its pages are rendered,
/// so memory follows a block, not the log.
///
/// The impacts are measured in one pass over the log up to the run's point,
/// so a run from a checkpoint and a run from scratch see the same inputs and
/// render the same bytes.
public struct ReportInputs: Sendable {
    /// The log directory the events are read from.
    public var log: String
    /// Events read (within the point's business time, when it has one).
    public var eventCount: Int
    /// Every correction and resolved appeal, in log order, with what it did to its block.
    public var impacts: [EventImpact]
    public var point: Manifest.LogPoint

    public init(log: String, eventCount: Int, impacts: [EventImpact], point: Manifest.LogPoint) {
        self.log = log; self.eventCount = eventCount; self.impacts = impacts; self.point = point
    }

    /// The events with these seqs, with their texts.
    func events(_ seqs: Set<Seq>) throws -> [Seq: RecordedEvent] {
        seqs.isEmpty ? [:] : try PipelineRunner.events(log: log, seqs: seqs)
    }

    /// Reads the log up to `point.seq` (and business time `point.asOf`, when
    /// set), measuring each correction and resolution under `rules`.
    public static func read(log: String, point: Manifest.LogPoint, rules: [AwardRule]) throws -> ReportInputs {
        var asOf: BusinessTime?
        if let text = point.asOf, case .success(let t) = RFC3339.parse(text) { asOf = t }
        var book = ScoreBook()
        var count = 0
        var impacts: [EventImpact] = []
        guard point.seq.rawValue > 0 else { return ReportInputs(log: log, eventCount: 0, impacts: [], point: point) }
        let reader = try LogReader(directory: log)
        try Ledger.replay(reader, limit: .seq(point.seq), prose: false) { r in
            if let asOf, r.event.at > asOf { return }
            count += 1
            switch r.event.body {
            case .correctionIssued, .appealResolved:
                if let impact = book.applyMeasuring(r, rules: rules) { impacts.append(impact) }
            default:
                book.apply(r)
            }
        }
        return ReportInputs(log: log, eventCount: count, impacts: impacts, point: point)
    }
}
