import EventLog
import Ledger
import Projections
import ScoreModel

/// What the HTML report needs beyond the score book: the events themselves
/// (who, when, notes, grounds, reasons: the book keeps seqs only), the
/// impact of every correction and resolved appeal, and the log point read.
///
/// Read in one pass over the log up to the run's point, so a run from a
/// checkpoint and a run from scratch see the same inputs and render the
/// same bytes.
public struct ReportInputs: Sendable {
    public var events: [EventSeq: RecordedEvent]
    /// Every correction and resolved appeal, in log order, with what it did to its block.
    public var impacts: [EventImpact]
    public var point: Manifest.LogPoint

    public init(events: [EventSeq: RecordedEvent], impacts: [EventImpact], point: Manifest.LogPoint) {
        self.events = events; self.impacts = impacts; self.point = point
    }

    /// Reads the log up to `point.seq` (and business time `point.asOf`, when
    /// set), measuring each correction and resolution under `rules`.
    public static func read(log: String, point: Manifest.LogPoint, rules: [AwardRule]) throws -> ReportInputs {
        var asOf: BusinessTime?
        if let text = point.asOf, case .success(let t) = RFC3339.parse(text) { asOf = t }
        var book = ScoreBook()
        var events: [EventSeq: RecordedEvent] = [:]
        var impacts: [EventImpact] = []
        guard point.seq > 0 else { return ReportInputs(events: [:], impacts: [], point: point) }
        let reader = try LogReader(directory: log)
        try Ledger.replay(reader, limit: .seq(EventSeq(point.seq)), prose: true) { r in
            if let asOf, r.event.at > asOf { return }
            switch r.event.body {
            case .correctionIssued, .appealResolved:
                if let impact = book.applyMeasuring(r, rules: rules) { impacts.append(impact) }
            case .frameworkPublished:
                book.apply(r)
                return
            default:
                book.apply(r)
            }
            events[r.seq] = r
        }
        return ReportInputs(events: events, impacts: impacts, point: point)
    }
}
