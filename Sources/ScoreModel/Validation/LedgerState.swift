import Primitives

/// What validation needs to know about the log so far, folded from its
/// events: units, frameworks, publications, appeals, ids, scoring events.
///
/// Replaying a log into it and then validating a batch decides whether the
/// batch may be appended. ``apply(_:)`` trusts its input (it was validated
/// when it was appended); ``validate(_:file:limit:)`` checks and applies.
public struct LedgerState: Sendable {
    public typealias Partition = ScoreModel.Partition

    /// What validation checks of an item: its range and its source.
    struct ItemRule: Sendable, Hashable {
        var code: ItemCode
        var min: Score
        var max: Score
        var source: ItemSource
    }

    struct Scoring: Sendable {
        var key: ItemKey
        var type: EventType
    }

    public internal(set) var units: [UnitCode: UnitRegistered] = [:]
    /// The id of each partition's framework.
    var frameworks: [Partition: FrameworkID] = [:]
    var frameworkIDs: Set<FrameworkID> = []
    /// What validation needs of each framework's items.
    var items: [Partition: [ItemCode: ItemRule]] = [:]
    public internal(set) var published: Set<Partition> = []
    /// An appeal filed: its item, and whether it is resolved.
    struct Appeal: Sendable {
        var key: ItemKey
        var resolved: Bool
    }
    /// The event an id names: its seq, and a fingerprint of its content.
    struct Identified: Sendable {
        var seq: Seq
        var fingerprint: Int
    }
    var appeals = KeyedTable<Appeal>()
    var ids = KeyedTable<Identified>()
    /// The scoring events by seq (what a correction may target).
    var scoring = ScoringTable()
    /// The actors registered so far (with their revocations).
    public internal(set) var actors: [Actor: ActorState] = [:]
    /// The last signer checked and its entry in ``actors`` (cleared by every
    /// actor event), so that a run of one signer's events looks it up once.
    var signerCache: (actor: Actor?, state: ActorState?) = (nil, nil)
    /// A unit's year of one index, as validation looks its items up.
    struct UnitYear: Hashable, Sendable {
        var unit: UnitCode
        var index: IndexCode
        var year: Int
    }
    /// What validation found for a unit's year of an index: its partition,
    /// the partition's items, whether its results are published (see
    /// ``knownItem(_:)``). Filled as events are checked, never saved. A
    /// unit's block and a partition's items never change once there (a
    /// framework is not replaced), so only a publication clears it.
    var itemsOf: [UnitYear: (partition: Partition, items: [ItemCode: ItemRule], published: Bool)] = [:]
    /// The seq the next appended event will get.
    public internal(set) var nextSeq = Seq(1)

    public init() {}

    /// Folds an event already in the log.
    public mutating func apply(_ recorded: RecordedEvent) {
        precondition(recorded.seq == nextSeq, "events must be applied in seq order")
        record(recorded.event, seq: recorded.seq)
    }

    mutating func record(_ event: Event, seq: Seq) {
        if let id = event.id { ids[id] = Identified(seq: seq, fingerprint: Self.fingerprint(event)) }
        switch event.body {
        case .unitRegistered(let u): units[u.unit] = u
        case .unitRenamed(let r): units[r.unit]?.name = r.name
        case .frameworkPublished(let f): addFramework(f)
        case .assessmentSubmitted(let e): scoring.set(seq, e.key, .assessmentSubmitted)
        case .appraisalRecorded(let e): scoring.set(seq, e.key, .appraisalRecorded)
        case .surveyRecorded(let e): scoring.set(seq, e.key, .surveyRecorded)
        case .appealFiled(let a): appeals[a.appeal] = Appeal(key: a.key, resolved: false)
        case .appealResolved(let r): appeals[r.appeal]?.resolved = true
        case .resultsPublished(let p):
            published.insert(Partition(index: p.index, year: p.year, block: p.block))
            itemsOf.removeAll(keepingCapacity: true)
        case .actorRegistered(let a): actors[a.actor] = ActorState(registered: a); signerCache = (nil, nil)
        case .actorRevoked(let r): actors[r.actor]?.revoked = r; signerCache = (nil, nil)
        case .explanationSubmitted, .correctionIssued, .batchSigned: break
        }
        nextSeq = Seq(seq.rawValue + 1)
    }

    mutating func addFramework(_ f: Framework) {
        var lookup: [ItemCode: ItemRule] = [:]
        lookup.reserveCapacity(f.items.count)
        for item in f.items { lookup[item.code] = ItemRule(code: item.code, min: item.min, max: item.max, source: item.source) }
        addFramework(Partition(index: f.index, year: f.year, block: f.block), id: f.id, items: lookup)
    }

    mutating func addFramework(_ p: Partition, id: FrameworkID, items lookup: [ItemCode: ItemRule]) {
        frameworks[p] = id
        frameworkIDs.insert(id)
        items[p] = lookup
    }

    /// Same content ⇔ same fingerprint (the binary record is the content):
    /// FNV-1a, 64 bits, of the record, so that a saved state's fingerprints
    /// hold in the next process. A collision between two different events
    /// with the same id (1 in 2^64 by chance) would let the second be
    /// skipped as a repeat instead of refused; it can change nothing that
    /// is already in the log.
    static func fingerprint(_ event: Event) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in EventCodec.encode(event) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int(Int64(bitPattern: hash))
    }
}
