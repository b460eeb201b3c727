import Primitives
import ScoreModel

/// One event behind an item, as an auditor reads it.
public struct EventLine: Hashable, Sendable {
    public var seq: Seq
    public var at: BusinessTime
    public var by: Actor
    public var type: EventType
    /// The value it carries (`7.5`, `not applicable`, `requested 9`), if any.
    public var value: String?
    /// Its note, reason, grounds or text.
    public var text: String?
    /// What it did to the item: `counts`, `replaced by #12`, `corrected #8 to 7`, …
    public var role: String
}

/// How one item's score was reached.
public struct ItemExplanation: Hashable, Sendable {
    public var item: Item
    public var effective: EffectiveScore
    public var amendedAfterPublication: Bool
    public var events: [EventLine]
}

/// The tree of points: unit → areas → criteria → items, with totals that add up.
public struct Explanation: Hashable, Sendable {
    public struct CriterionNode: Hashable, Sendable {
        public var criterion: Criterion
        public var points: Score
        public var max: Score
        public var items: [ItemExplanation]
    }
    public struct AreaNode: Hashable, Sendable {
        public var area: Area
        public var points: Score
        public var max: Score
        public var percent: Percent?
        public var criteria: [CriterionNode]
    }
    public var unit: UnitInfo
    public var partition: Partition
    public var framework: FrameworkID
    public var points: Score
    public var max: Score
    public var percent: Percent?
    public var band: Band?
    public var rank: Int?
    /// The framework's ranking rule, which `rank` follows.
    public var rule: RankingRule
    public var areas: [AreaNode]
    /// The one item explained, when only one was asked for: then `points`
    /// and `max` are that item's, and there is no percent, band or rank
    /// (a band belongs to a unit's total, never to one item).
    public var item: ItemCode? = nil
}

extension ScoreBook {
    /// Every seq an explanation of these items needs to look up.
    public func lineage(unit: UnitCode, index: IndexCode, year: Int, item: ItemCode? = nil) -> Set<Seq> {
        guard let framework = self.framework(for: unit, index: index, year: year) else { return [] }
        var seqs: Set<Seq> = []
        for code in framework.items.map(\.code) where item == nil || code == item {
            if let ledger = ledger(ItemKey(unit: unit, index: index, year: year, item: code)) { seqs.formUnion(ledger.lineage) }
        }
        return seqs
    }

    /// Explains a unit's score in a year (or one item of it). `lookup` gives
    /// the events of the lineage (the runner replays them). `ranking`, the
    /// block's ranking when the caller has it, saves computing it again.
    public func explain(unit: UnitCode, index: IndexCode = .par, year: Int, item only: ItemCode? = nil, ranking known: Ranking? = nil,
                        lookup: (Seq) -> RecordedEvent?) -> Explanation? {
        guard let info = units[unit] else { return nil }
        let partition = Partition(index: index, year: year, block: info.block)
        guard let framework = frameworks[partition] else { return nil }
        let row = (known?.partition == partition ? known : ranking(partition))?.row(unit)
        var areas: [Explanation.AreaNode] = []
        for area in framework.areas {
            var criteria: [Explanation.CriterionNode] = []
            for criterion in area.criteria {
                var nodes: [ItemExplanation] = []
                for item in criterion.items where only == nil || item.code == only {
                    let key = ItemKey(unit: unit, index: index, year: year, item: item.code)
                    let effective = self.effective(key)
                    let lines = (ledger(key)?.lineage ?? []).compactMap { lookup($0) }.map { describe($0, key: key, effective: effective) }
                    nodes.append(ItemExplanation(item: item, effective: effective, amendedAfterPublication: amendedAfterPublication(key), events: lines))
                }
                guard !nodes.isEmpty else { continue }
                let applicable = nodes.filter { $0.effective.isApplicable }
                criteria.append(Explanation.CriterionNode(criterion: criterion, points: applicable.reduce(.zero) { $0 + $1.effective.points },
                                                          max: applicable.reduce(.zero) { $0 + $1.item.max }, items: nodes))
            }
            guard !criteria.isEmpty else { continue }
            let points = criteria.reduce(Score.zero) { $0 + $1.points }, max = criteria.reduce(Score.zero) { $0 + $1.max }
            areas.append(Explanation.AreaNode(area: area, points: points, max: max, percent: Percent(points: points, max: max), criteria: criteria))
        }
        let points = areas.reduce(Score.zero) { $0 + $1.points }, max = areas.reduce(Score.zero) { $0 + $1.max }
        guard only == nil else {
            return Explanation(unit: info, partition: partition, framework: framework.id, points: points, max: max, percent: nil,
                               band: nil, rank: nil, rule: framework.ranking, areas: areas, item: only)
        }
        return Explanation(unit: info, partition: partition, framework: framework.id, points: points, max: max,
                           percent: Percent(points: points, max: max), band: row?.band, rank: row?.rank, rule: framework.ranking, areas: areas)
    }

    /// An event line with its role for the item.
    func describe(_ r: RecordedEvent, key: ItemKey, effective: EffectiveScore) -> EventLine {
        let ledger = self.ledger(key) ?? ItemLedger()
        func show(_ v: ScoreValue) -> String { if case .score(let s) = v { s.description } else { "not applicable" } }
        var value: String?, text: String?, role = "recorded"
        let seq = r.seq
        let correction = ledger.corrections[seq]
        func scoring(_ v: ScoreValue) {
            value = show(v)
            if seq == effective.source {
                role = correction.map { "counts, as corrected by \($0.seq.label) to \(show($0.value))" } ?? "counts"
            } else {
                role = "superseded" + (effective.source.map { " by \($0.label)" } ?? "")
                if let c = correction { role += "; corrected by \(c.seq.label) to \(show(c.value))" }
            }
        }
        switch r.event.body {
        case .assessmentSubmitted(let e): scoring(e.value); text = e.note ?? (e.evidence.isEmpty ? nil : "evidence: " + e.evidence.joined(separator: "; "))
        case .appraisalRecorded(let e): scoring(e.value); text = e.note; role = "round \(e.round), " + role
        case .surveyRecorded(let e): scoring(.score(e.score)); text = e.respondents.map { "\($0) respondents" }
        case .explanationSubmitted(let e): text = e.text; role = "explanation"
        case .correctionIssued(let c):
            value = show(c.value); text = c.reason
            let target: Seq? = switch c.target { case .seq(let s): s; case .id(let id): ids[id] }
            role = "corrects \(target.map { $0.label } ?? c.target.description)"
            if let target, ledger.corrections[target]?.seq != seq { role += " (a later correction replaced it)" }
        case .appealFiled(let a): value = "requested \(a.requested)"; text = a.grounds; role = "appeal \(a.appeal) filed"
        case .appealResolved(let a):
            value = a.score.map { $0.description }; text = a.reason
            role = "appeal \(a.appeal) \(a.outcome.rawValue)" + (effective.source == seq ? ": counts" : "")
        default: break
        }
        return EventLine(seq: seq, at: r.event.at, by: r.event.by, type: r.event.type, value: value, text: text, role: role)
    }

    /// Every event that touched an item, in order, with the item's effective
    /// value after each.
    public func history(_ key: ItemKey, lookup: (Seq) -> RecordedEvent?) -> [(line: EventLine, after: EffectiveScore)]? {
        guard let info = units[key.unit] else { return nil }
        let partition = Partition(index: key.index, year: key.year, block: info.block)
        guard let framework = frameworks[partition], let ledger = ledger(key) else { return frameworks[partition] == nil ? nil : [] }
        var replay = seeded(unit: info, framework: framework)
        var out: [(EventLine, EffectiveScore)] = []
        for seq in ledger.lineage {
            guard let r = lookup(seq) else { continue }
            replay.apply(r)
            let after = replay.effective(key)
            out.append((replay.describe(r, key: key, effective: after), after))
        }
        return out
    }
}
