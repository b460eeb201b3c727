import Primitives
import EventLog
import Ledger
import Projections
import ScoreModel

extension PipelineRunner {
    /// What event `seq` did: its unit's standing just before and just after
    /// it, and the other units of its block whose rank, band or award verdict
    /// (under `rules`) moved. Replays the log up to `seq`.
    public static func impact(log: String, seq: Seq, rules: [AwardRule]) throws -> EventImpact {
        let reader = try LogReader(directory: log)
        let head = reader.head.seq
        guard seq.rawValue >= 1, seq <= head else {
            throw PipelineError(code: .mismatch, place: log, message: "no event \(seq.label): the log holds events #1 to \(head.label)",
                                hint: "`parledger history` or `parledger explain` shows the seqs behind a figure")
        }
        var book = ScoreBook()
        var impact: EventImpact?
        var type: EventType?
        try Ledger.replay(reader, limit: .seq(seq), prose: false) { r in
            if r.seq == seq {
                type = r.event.type
                impact = book.applyMeasuring(r, rules: rules)
            } else {
                book.apply(r)
            }
        }
        guard let impact else {
            throw PipelineError(code: .mismatch, place: seq.label,
                                message: "event \(seq.label) (\(type?.rawValue ?? "unknown")) scores no item of a unit with a framework, so it moved no figure",
                                hint: "give the seq of an assessment, appraisal, survey, correction or appeal resolution")
        }
        return impact
    }
}
