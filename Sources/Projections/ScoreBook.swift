import ScoreModel

/// How an item's score stands.
public enum ItemStatus: String, Hashable, Sendable {
    /// Nothing recorded: counts 0 points.
    case missing
    /// Only the unit's self-assessment: provisional.
    case selfAssessed = "self-assessed"
    /// Appraised by the council (round 1 or 2).
    case appraised
    /// From the sociological survey.
    case survey
    /// Set by a resolved (upheld or partial) appeal.
    case appealed
    /// Taken out of both the points and the maximum.
    case notApplicable = "not-applicable"
}

/// The state of one item of one unit in one index and year: every event
/// that counts for it, as seqs with their values.
public struct ItemLedger: Hashable, Sendable {
    public var latestSelf: (seq: EventSeq, value: ScoreValue)?
    public var bestAppraisal: (round: Int, seq: EventSeq, value: ScoreValue)?
    public var latestSurvey: (seq: EventSeq, value: ScoreValue)?
    /// Target seq → the latest correction of it (its seq and value).
    public var corrections: [EventSeq: (seq: EventSeq, value: ScoreValue)] = [:]
    /// The latest upheld or partial resolution: (its seq, the appeal, the score).
    public var appealed: (seq: EventSeq, appeal: AppealID, score: Score)?
    /// Every event that touched the item, in order.
    public var lineage: [EventSeq] = []

    public init() {}

    public static func == (a: ItemLedger, b: ItemLedger) -> Bool {
        a.latestSelf?.seq == b.latestSelf?.seq && a.latestSelf?.value == b.latestSelf?.value
            && a.bestAppraisal?.seq == b.bestAppraisal?.seq && a.bestAppraisal?.value == b.bestAppraisal?.value
            && a.latestSurvey?.seq == b.latestSurvey?.seq && a.latestSurvey?.value == b.latestSurvey?.value
            && a.corrections.mapValues { $0.seq } == b.corrections.mapValues { $0.seq }
            && a.appealed?.seq == b.appealed?.seq && a.lineage == b.lineage
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(lineage) }

    /// The value of a scoring event after its latest correction.
    func corrected(_ seq: EventSeq, _ value: ScoreValue) -> ScoreValue { corrections[seq]?.value ?? value }
}

/// An item's effective score, by the rules of CONTRACT.md §2.
public struct EffectiveScore: Hashable, Sendable {
    public var value: ScoreValue
    public var status: ItemStatus
    /// The appraisal round, when appraised.
    public var round: Int?
    /// The event whose value counts (nil when missing).
    public var source: EventSeq?
    /// The correction that set the value, if one did.
    public var correctedBy: EventSeq?

    /// Points for sums: 0 when not applicable (check `value` for that).
    public var points: Score { if case .score(let s) = value { s } else { .zero } }
    public var isApplicable: Bool { value != .notApplicable }
}

/// A unit as registered (with its current name).
public struct UnitInfo: Hashable, Sendable {
    public var code: UnitCode
    public var name: String
    public var block: BlockCode
    public var parent: UnitCode?
    public var registered: EventSeq
}

/// An appeal and where it stands.
public struct AppealState: Hashable, Sendable {
    public var id: AppealID
    public var key: ItemKey
    public var requested: Score
    public var grounds: String
    public var filed: EventSeq
    public var filedAt: BusinessTime
    public var resolution: AppealResolved?
    public var resolvedSeq: EventSeq?
    public var isOpen: Bool { resolution == nil }
}

/// The score book: a pure fold over the log that knows, for every unit,
/// index, year and item, the effective score, its status and the events
/// behind it.
///
/// ```swift
/// var book = ScoreBook()
/// for event in events { book.apply(event) }
/// let score = book.effective(ItemKey(unit: "SKHDT", year: 2023, item: "1.1.1"))
/// ```
///
/// Events must come in seq order; an event that names something unknown is
/// ignored (the importer refuses such events, so it only happens on a
/// hand-built log).
public struct ScoreBook: Sendable {
    public internal(set) var units: [UnitCode: UnitInfo] = [:]
    public internal(set) var frameworks: [Partition: Framework] = [:]
    /// The items of each framework by code.
    var itemIndex: [Partition: [ItemCode: Item]] = [:]
    /// Publication of results: the seq and business time.
    public internal(set) var published: [Partition: (seq: EventSeq, at: BusinessTime)] = [:]
    public internal(set) var items: [ItemKey: ItemLedger] = [:]
    public internal(set) var appeals: [AppealID: AppealState] = [:]
    var ids: [EventID: EventSeq] = [:]
    /// seq → the item of a scoring event, so corrections find their target.
    var scoringSeqs: [EventSeq: ItemKey] = [:]
    /// The last seq applied.
    public internal(set) var lastSeq = EventSeq(0)
    /// Partitions whose figures changed since `markClean()`: for incremental runs.
    public internal(set) var dirty: Set<Partition> = []

    public init() {}

    public mutating func apply(_ recorded: RecordedEvent) {
        let seq = recorded.seq
        lastSeq = seq
        let event = recorded.event
        if let id = event.id { ids[id] = seq }
        switch event.body {
        case .unitRegistered(let u):
            guard units[u.unit] == nil else { return }
            units[u.unit] = UnitInfo(code: u.unit, name: u.name, block: u.block, parent: u.parent, registered: seq)
            markBlock(u.block)
        case .unitRenamed(let r):
            guard let unit = units[r.unit] else { return }
            units[r.unit]?.name = r.name
            markBlock(unit.block)
        case .frameworkPublished(let f):
            let p = Partition(index: f.index, year: f.year, block: f.block)
            guard frameworks[p] == nil else { return }
            frameworks[p] = f
            var lookup: [ItemCode: Item] = [:]
            for item in f.items { lookup[item.code] = item }
            itemIndex[p] = lookup
            dirty.insert(p)
        case .assessmentSubmitted(let e):
            update(e.key, seq) { $0.latestSelf = (seq, e.value) }
            scoringSeqs[seq] = e.key
        case .appraisalRecorded(let e):
            update(e.key, seq) { ledger in
                if let best = ledger.bestAppraisal, best.round > e.round { return }
                ledger.bestAppraisal = (e.round, seq, e.value)
            }
            scoringSeqs[seq] = e.key
        case .surveyRecorded(let e):
            update(e.key, seq) { $0.latestSurvey = (seq, .score(e.score)) }
            scoringSeqs[seq] = e.key
        case .explanationSubmitted(let e):
            update(e.key, seq) { _ in }
        case .correctionIssued(let c):
            let target: EventSeq? = switch c.target {
            case .seq(let s): s
            case .id(let id): ids[id]
            }
            guard let target, let key = scoringSeqs[target] else { return }
            update(key, seq) { $0.corrections[target] = (seq, c.value) }
        case .appealFiled(let a):
            guard appeals[a.appeal] == nil else { return }
            appeals[a.appeal] = AppealState(id: a.appeal, key: a.key, requested: a.requested, grounds: a.grounds, filed: seq, filedAt: event.at)
            update(a.key, seq) { _ in }
        case .appealResolved(let r):
            guard let appeal = appeals[r.appeal], appeal.isOpen else { return }
            appeals[r.appeal]?.resolution = r
            appeals[r.appeal]?.resolvedSeq = seq
            update(appeal.key, seq) { ledger in
                if r.outcome != .rejected, let score = r.score { ledger.appealed = (seq, r.appeal, score) }
            }
        case .resultsPublished(let p):
            let partition = Partition(index: p.index, year: p.year, block: p.block)
            guard published[partition] == nil else { return }
            published[partition] = (seq, event.at)
            dirty.insert(partition)
        }
    }

    private mutating func update(_ key: ItemKey, _ seq: EventSeq, _ change: (inout ItemLedger) -> Void) {
        change(&items[key, default: ItemLedger()])
        items[key]!.lineage.append(seq)
        if let unit = units[key.unit] { dirty.insert(Partition(index: key.index, year: key.year, block: unit.block)) }
    }

    private mutating func markBlock(_ block: BlockCode) {
        for p in frameworks.keys where p.block == block { dirty.insert(p) }
    }

    /// Forget which partitions changed (after a run has written them).
    public mutating func markClean() { dirty.removeAll() }

    // MARK: - Reading

    /// The framework that scores a unit in an index and year.
    public func framework(for unit: UnitCode, index: IndexCode, year: Int) -> Framework? {
        guard let u = units[unit] else { return nil }
        return frameworks[Partition(index: index, year: year, block: u.block)]
    }

    public func item(_ key: ItemKey) -> Item? {
        guard let u = units[key.unit] else { return nil }
        return itemIndex[Partition(index: key.index, year: key.year, block: u.block)]?[key.item]
    }

    /// The effective score of an item (CONTRACT.md §2): the latest upheld or
    /// partial appeal; else for survey items the latest survey score, for
    /// assessment items the latest appraisal of the highest round, else the
    /// latest self-assessment; else 0 (missing). Each event's value is taken
    /// after its latest correction.
    public func effective(_ key: ItemKey) -> EffectiveScore {
        let source = item(key)?.source ?? .assessment
        guard let ledger = items[key] else { return EffectiveScore(value: .score(.zero), status: .missing) }
        return Self.effective(ledger, source: source)
    }

    static func effective(_ ledger: ItemLedger, source: ItemSource) -> EffectiveScore {
        if let appeal = ledger.appealed {
            return EffectiveScore(value: .score(appeal.score), status: .appealed, source: appeal.seq)
        }
        func pick(_ seq: EventSeq, _ value: ScoreValue, _ status: ItemStatus, round: Int? = nil) -> EffectiveScore {
            let v = ledger.corrected(seq, value)
            return EffectiveScore(value: v, status: v == .notApplicable ? .notApplicable : status, round: round, source: seq,
                                  correctedBy: ledger.corrections[seq]?.seq)
        }
        switch source {
        case .survey:
            if let s = ledger.latestSurvey { return pick(s.seq, s.value, .survey) }
        case .assessment:
            if let a = ledger.bestAppraisal { return pick(a.seq, a.value, .appraised, round: a.round) }
            if let s = ledger.latestSelf { return pick(s.seq, s.value, .selfAssessed) }
        }
        return EffectiveScore(value: .score(.zero), status: .missing)
    }

    /// Whether the item was changed by a correction or an appeal after its
    /// block and year were published.
    public func amendedAfterPublication(_ key: ItemKey) -> Bool {
        guard let unit = units[key.unit], let ledger = items[key],
              let publication = published[Partition(index: key.index, year: key.year, block: unit.block)] else { return false }
        if let a = ledger.appealed, a.seq > publication.seq { return true }
        return ledger.corrections.values.contains { $0.seq > publication.seq }
    }

    /// Units of a block, by code.
    public func units(in block: BlockCode) -> [UnitInfo] {
        units.values.filter { $0.block == block }.sorted { $0.code < $1.code }
    }

    /// Open appeals of a partition, by id.
    public func openAppeals(in partition: Partition) -> [AppealState] {
        appeals.values.filter { appeal in
            appeal.isOpen && appeal.key.index == partition.index && appeal.key.year == partition.year
                && units[appeal.key.unit]?.block == partition.block
        }.sorted { $0.id < $1.id }
    }

    /// Every partition with a framework, in order.
    public var partitions: [Partition] { frameworks.keys.sorted() }

    /// A copy of the book in which an appeal is taken as upheld at its
    /// requested score: the appeals review's "what if".
    public func assumingUpheld(_ appeal: AppealID) -> ScoreBook? {
        guard let state = appeals[appeal] else { return nil }
        var copy = self
        let seq = EventSeq(lastSeq.rawValue + 1)
        copy.items[state.key, default: ItemLedger()].appealed = (seq, appeal, state.requested)
        copy.appeals[appeal]?.resolution = AppealResolved(appeal: appeal, outcome: .upheld, score: state.requested, reason: "what-if: upheld as requested")
        return copy
    }
}
