import Primitives
import EventLog
import Foundation
import Ledger
import Projections
import ScoreModel

/// Everything one unit's score in one index and year depends on, each
/// event with its inclusion proof in a signed checkpoint, and the score as
/// explained: checkable with no access to the log (docs/TRANSPARENCY.md).
public struct AuditKit: Sendable {
    public static let format = "parledger audit kit 1"

    /// One event: its seq, its record bytes (the tree's leaf) and its audit path in the checkpoint's tree.
    public struct Entry: Sendable, Equatable {
        public var seq: UInt64
        public var record: [UInt8]
        public var path: [[UInt8]]
    }

    /// One item of the statement: its points (nil: not applicable), status and the events behind it.
    public struct ItemLine: Sendable, Equatable {
        public var item: String
        public var points: String?
        public var status: String
        public var events: [UInt64]
    }

    /// The score as the operator explained it at the checkpoint.
    public struct Statement: Sendable, Equatable {
        public var points: String
        public var max: String
        public var percent: String?
        public var band: String?
        public var items: [ItemLine]
        /// Every event the score depends on (the kit's events when it was made), in seq order.
        public var basis: [UInt64]
    }

    public var unit: String
    public var index: String
    public var year: Int
    /// The signed checkpoint, as a note.
    public var checkpoint: String
    public var events: [Entry]
    public var statement: Statement
    /// Optional: a consistency proof between the kit's tree and a witnessed checkpoint's.
    public var consistency: [ConsistencyProof]

    /// Which events a unit-year's score depends on (``make``): the unit's
    /// registration and renames; the frameworks and publications of its
    /// block for that index and year; its submissions, appraisals,
    /// explanations, surveys and appeals filed for that index and year;
    /// corrections of any of those; resolutions of those appeals.
    struct Selection {
        let unit: UnitCode, index: IndexCode, year: Int
        var block: BlockCode?
        var ids: Set<EventID> = [], seqs: Set<Seq> = [], appeals: Set<AppealID> = []
        /// Frameworks and publications of the index and year, by block: kept once the unit's block is known.
        var byBlock: [(BlockCode, Seq)] = []

        mutating func admits(_ r: RecordedEvent) -> Bool {
            let keep: Bool
            switch r.event.body {
            case .unitRegistered(let u): keep = u.unit == unit; if keep { block = u.block }
            case .unitRenamed(let u): keep = u.unit == unit
            case .frameworkPublished(let f):
                if f.index == index && f.year == year { byBlock.append((f.block, r.seq)) }
                keep = false
            case .resultsPublished(let p):
                if p.index == index && p.year == year { byBlock.append((p.block, r.seq)) }
                keep = false
            case .correctionIssued(let c):
                switch c.target { case .id(let id): keep = ids.contains(id); case .seq(let s): keep = seqs.contains(s) }
            case .appealResolved(let a): keep = appeals.contains(a.appeal)
            default:
                guard let key = r.event.body.itemKey else { keep = false; break }
                keep = key.unit == unit && key.index == index && key.year == year
                if keep, case .appealFiled(let a) = r.event.body { appeals.insert(a.appeal) }
            }
            if keep {
                seqs.insert(r.seq)
                if let id = r.event.id { ids.insert(id) }
            }
            return keep
        }

        /// The seqs of the block's frameworks and publications.
        var blockSeqs: Set<Seq> { Set(byBlock.filter { $0.0 == block }.map(\.1)) }
    }

    /// Makes the kit of `unit` in `index` and `year` at `checkpoint` (whose
    /// tree must be the log's at that size), with a consistency proof to
    /// `witnessed` when given.
    public static func make(log: String, unit: String, index: String, year: Int, checkpoint text: String, checkpointFile: String,
                            witnessed: (text: String, file: String)? = nil) throws -> AuditKit {
        let checkpoint = try Checkpoint.parse(text, place: checkpointFile)
        let tree = try LogTree(directory: log)
        guard checkpoint.size <= tree.size else {
            throw TransparencyError("\(checkpointFile): the checkpoint is of size \(checkpoint.size) but the log holds \(tree.size) events",
                                   hint: "give the log the checkpoint was made from")
        }
        guard try tree.root(size: checkpoint.size) == checkpoint.root else {
            throw TransparencyError("\(checkpointFile): the log's tree of size \(checkpoint.size) has another root than the checkpoint",
                                   hint: "the log was rewritten after the checkpoint was signed, or the checkpoint is of another log")
        }
        // One pass up to the checkpoint: select, keep the records, fold.
        var selection = Selection(unit: UnitCode(unit), index: IndexCode(index), year: year)
        var records: [UInt64: [UInt8]] = [:]
        var pending: [UInt64: RecordedEvent] = [:]
        var decoder = RecordDecoder()
        guard checkpoint.size > 0 else { throw TransparencyError("the checkpoint's tree is empty: no events to put in a kit") }
        try tree.reader.forEachRecord(from: Seq(1), through: Seq(checkpoint.size)) { record in
            let recorded = try Ledger.decode(record, &decoder)
            switch recorded.event.body {
            case .frameworkPublished, .resultsPublished:
                if selection.admits(recorded) {}
                records[record.seq.rawValue] = Array(record.payload)
                pending[record.seq.rawValue] = recorded
            default:
                if selection.admits(recorded) { records[record.seq.rawValue] = Array(record.payload) }
            }
        }
        guard selection.block != nil else {
            throw TransparencyError("unit \(unit) is not registered in the log's first \(checkpoint.size) events", hint: "check the unit code")
        }
        let block = selection.blockSeqs
        let chosen = (selection.seqs.union(block)).map(\.rawValue).sorted()
        guard block.contains(where: { if case .frameworkPublished = pending[$0.rawValue]?.event.body { true } else { false } }) else {
            throw TransparencyError("no \(index) framework for \(year) and the block of \(unit) in the log's first \(checkpoint.size) events",
                                   hint: "check --year and --index")
        }
        var entries: [Entry] = []
        for seq in chosen {
            let proof = try tree.inclusionProof(seq: Seq(seq), size: checkpoint.size)
            entries.append(Entry(seq: seq, record: records[seq]!, path: proof.path))
        }
        var kit = AuditKit(unit: unit, index: index, year: year, checkpoint: text, events: entries,
                           statement: Statement(points: "0", max: "0", percent: nil, band: nil, items: [], basis: []), consistency: [])
        // The statement is what the projections make of these events: the
        // same fold `explain` runs, over the kit's events only.
        kit.statement = try kit.recompute(place: "the log").statement
        if let witnessed {
            let other = try Checkpoint.parse(witnessed.text, place: witnessed.file)
            let (a, b) = other.size <= checkpoint.size ? (other.size, checkpoint.size) : (checkpoint.size, other.size)
            guard b <= tree.size else {
                throw TransparencyError("\(witnessed.file): size \(b) is past the log's head (\(tree.size) events)")
            }
            kit.consistency = [try tree.consistencyProof(from: a, to: b)]
        }
        return kit
    }

    /// Decodes the kit's events and folds them with the score book.
    func recompute(place: String) throws -> (statement: Statement, events: [RecordedEvent]) {
        var decoder = RecordDecoder()
        var book = ScoreBook()
        var decoded: [RecordedEvent] = []
        for entry in events {
            let event: Event
            do { event = try entry.record.withUnsafeBytes { try decoder.decode($0) } } catch {
                throw TransparencyError("\(place): event #\(entry.seq): its record does not decode: \(error)")
            }
            let recorded = RecordedEvent(seq: Seq(entry.seq), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: event)
            decoded.append(recorded)
            book.apply(recorded)
        }
        let byseq = Dictionary(uniqueKeysWithValues: decoded.map { ($0.seq, $0) })
        guard let x = book.explain(unit: UnitCode(unit), index: IndexCode(index), year: year, lookup: { byseq[$0] }) else {
            throw TransparencyError("\(place): the kit's events give no score for \(unit) in \(index) \(year)",
                                   hint: "the unit's registration or its block's framework is missing from the kit")
        }
        var items: [ItemLine] = []
        for a in x.areas { for c in a.criteria { for i in c.items {
            items.append(ItemLine(item: i.item.code.rawValue, points: i.effective.isApplicable ? i.effective.points.description : nil,
                                  status: i.effective.status.rawValue, events: i.events.map(\.seq.rawValue)))
        } } }
        return (Statement(points: x.points.description, max: x.max.description, percent: x.percent?.description, band: x.band?.code, items: items,
                          basis: events.map(\.seq)), decoded)
    }
}
