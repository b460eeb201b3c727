import Primitives
import ScoreModel

/// Where one unit stood in its block: points, percent, rank, band and the
/// awards it was eligible for.
public struct Standing: Hashable, Sendable {
    public var points: Score
    public var max: Score
    public var percent: Percent?
    public var rank: Int?
    public var band: Band?
    /// Codes of the awards the unit was eligible for, in rule order.
    public var awards: [String]
}

/// What one event did to its block: the unit it scores just before and just
/// after it, and every other unit whose rank or award verdict moved.
///
/// ```swift
/// var book = ScoreBook()
/// for r in events where r.seq < n { book.apply(r) }
/// let impact = book.applyMeasuring(eventN, rules: rules)   // book now holds event N too
/// ```
public struct EventImpact: Hashable, Sendable {
    public struct Move: Hashable, Sendable {
        public var unit: UnitCode
        public var name: String
        public var before: Standing
        public var after: Standing
        public var rankMoved: Bool { before.rank != after.rank }
        public var bandMoved: Bool { before.band?.code != after.band?.code }
        public var awardsMoved: Bool { before.awards != after.awards }
    }
    public var seq: Seq
    public var type: EventType
    public var at: BusinessTime
    public var by: Actor
    /// The item the event scores (for a correction: its target's item).
    public var key: ItemKey
    public var partition: Partition
    /// The unit the event scores, before and after.
    public var unit: Move
    /// Other units whose rank, band or award verdict changed, in ranking order after the event.
    public var others: [Move]
    /// The correction's target, or the appeal resolved.
    public var target: Seq?
    public var appeal: AppealID?
}

extension ScoreBook {
    /// The item an event scores or concerns: its own key, a correction's
    /// target's, a resolved appeal's. Nil for events that touch no item.
    public func itemKey(of event: Event) -> ItemKey? {
        switch event.body {
        case .correctionIssued(let c):
            let target: Seq? = switch c.target { case .seq(let t): t; case .id(let id): ids[id] }
            return target.flatMap(key(ofScoring:))
        case .appealResolved(let r): return appeals[r.appeal]?.key
        default: return event.body.itemKey
        }
    }

    /// The event a correction names, when the log holds it.
    public func target(of correction: CorrectionIssued) -> Seq? {
        switch correction.target { case .seq(let t): t; case .id(let id): ids[id] }
    }

    /// The item a scoring event (self-assessment, appraisal, survey) scores.
    func key(ofScoring seq: Seq) -> ItemKey? {
        guard let place = place(of: seq), scoringSlot[place] != 0 else { return nil }
        let s = Int(scoringSlot[place] - 1)
        let lo = sheet(ofSlot: s)
        let p = Int(sheetPartitions[lo]), offset = Int32(s) - sheetStarts[lo]
        guard let unit = unitNumbers.first(where: { $0.value == sheetUnits[lo] })?.key,
              let item = itemSlots[p].first(where: { $0.offset == offset })?.item else { return nil }
        let partition = partitionList[p]
        return ItemKey(unit: unit, index: partition.index, year: partition.year, item: item.code)
    }

    /// Every unit's standing in a partition with the ranking (nil without a framework).
    public func standings(_ partition: Partition, rules: [AwardRule]) -> (ranking: Ranking, standings: [UnitCode: Standing])? {
        guard let ranking = ranking(partition) else { return nil }
        let verdicts = Self.awards(ranking: ranking, trend: trend(partition), openAppeals: openAppeals(in: partition), rules: rules)
        var out: [UnitCode: Standing] = [:]
        for row in ranking.rows {
            out[row.unit] = Standing(points: row.points, max: row.max, percent: row.percent, rank: row.rank, band: row.band,
                                     awards: verdicts.filter { $0.unit == row.unit && $0.status == .eligible }.map(\.award))
        }
        return (ranking, out)
    }

    /// Applies `recorded` and returns what it did to its block: the unit's
    /// standing just before and just after it, and the other units whose
    /// rank, band or award verdict moved. Nil (the event still applied) when
    /// it touches no item the book knows.
    public mutating func applyMeasuring(_ recorded: RecordedEvent, rules: [AwardRule]) -> EventImpact? {
        guard let key = itemKey(of: recorded.event), let info = units[key.unit] else { apply(recorded); return nil }
        let partition = Partition(index: key.index, year: key.year, block: info.block)
        guard let before = standings(partition, rules: rules) else { apply(recorded); return nil }
        var target: Seq?, appeal: AppealID?
        switch recorded.event.body {
        case .correctionIssued(let c): target = switch c.target { case .seq(let t): t; case .id(let id): ids[id] }
        case .appealResolved(let r): appeal = r.appeal; target = appeals[r.appeal]?.filed
        case .appealFiled(let a): appeal = a.appeal
        default: break
        }
        apply(recorded)
        guard let after = standings(partition, rules: rules) else { return nil }
        let empty = Standing(points: .zero, max: .zero, percent: nil, rank: nil, band: nil, awards: [])
        func move(_ row: RankingRow) -> EventImpact.Move {
            EventImpact.Move(unit: row.unit, name: row.name, before: before.standings[row.unit] ?? empty, after: after.standings[row.unit] ?? empty)
        }
        let unitRow = after.ranking.row(key.unit)
        let own = unitRow.map(move) ?? EventImpact.Move(unit: key.unit, name: info.name, before: before.standings[key.unit] ?? empty, after: empty)
        let others = after.ranking.rows.filter { $0.unit != key.unit }.map(move).filter { $0.rankMoved || $0.bandMoved || $0.awardsMoved }
        return EventImpact(seq: recorded.seq, type: recorded.event.type, at: recorded.event.at, by: recorded.event.by, key: key,
                           partition: partition, unit: own, others: others, target: target, appeal: appeal)
    }
}
