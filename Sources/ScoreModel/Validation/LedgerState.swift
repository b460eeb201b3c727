import Primitives

/// What validation needs to know about the log so far, folded from its
/// events: units, frameworks, publications, appeals, ids, scoring events.
///
/// Replaying a log into it and then validating a batch decides whether the
/// batch may be appended. ``apply(_:)`` trusts its input (it was validated
/// when it was appended); ``validate(_:file:limit:)`` checks and applies.
public struct LedgerState: Sendable {
    public typealias Partition = ScoreModel.Partition

    struct Scoring: Sendable {
        var key: ItemKey
        var type: EventType
    }

    public private(set) var units: [UnitCode: UnitRegistered] = [:]
    public private(set) var frameworks: [Partition: Framework] = [:]
    var frameworkIDs: Set<FrameworkID> = []
    var items: [Partition: [ItemCode: Item]] = [:]
    public private(set) var published: Set<Partition> = []
    var appeals: [AppealID: (key: ItemKey, resolved: Bool)] = [:]
    /// id → (seq, a fingerprint of the event's content).
    var ids: [EventID: (seq: Seq, fingerprint: Int)] = [:]
    /// The scoring events by seq (what a correction may target).
    var scoring = ScoringTable()
    /// The actors registered so far (with their revocations).
    public internal(set) var actors: [Actor: ActorState] = [:]
    /// The last signer checked and its entry in ``actors`` (cleared by every
    /// actor event), so that a run of one signer's events looks it up once.
    var signerCache: (actor: Actor?, state: ActorState?) = (nil, nil)
    /// The seq the next appended event will get.
    public private(set) var nextSeq = Seq(1)

    public init() {}

    /// Folds an event already in the log.
    public mutating func apply(_ recorded: RecordedEvent) {
        precondition(recorded.seq == nextSeq, "events must be applied in seq order")
        record(recorded.event, seq: recorded.seq)
    }

    /// The framework that scores a unit in an index and year.
    public func framework(unit: UnitCode, index: IndexCode, year: Int) -> Framework? {
        guard let u = units[unit] else { return nil }
        return frameworks[Partition(index: index, year: year, block: u.block)]
    }

    mutating func record(_ event: Event, seq: Seq) {
        if let id = event.id { ids[id] = (seq, Self.fingerprint(event)) }
        switch event.body {
        case .unitRegistered(let u): units[u.unit] = u
        case .unitRenamed(let r): units[r.unit]?.name = r.name
        case .frameworkPublished(let f):
            let p = Partition(index: f.index, year: f.year, block: f.block)
            frameworks[p] = f
            frameworkIDs.insert(f.id)
            var lookup: [ItemCode: Item] = [:]
            for item in f.items { lookup[item.code] = item }
            items[p] = lookup
        case .assessmentSubmitted(let e): scoring.set(seq, e.key, .assessmentSubmitted)
        case .appraisalRecorded(let e): scoring.set(seq, e.key, .appraisalRecorded)
        case .surveyRecorded(let e): scoring.set(seq, e.key, .surveyRecorded)
        case .appealFiled(let a): appeals[a.appeal] = (a.key, false)
        case .appealResolved(let r): appeals[r.appeal]?.resolved = true
        case .resultsPublished(let p): published.insert(Partition(index: p.index, year: p.year, block: p.block))
        case .actorRegistered(let a): actors[a.actor] = ActorState(registered: a); signerCache = (nil, nil)
        case .actorRevoked(let r): actors[r.actor]?.revoked = r; signerCache = (nil, nil)
        case .explanationSubmitted, .correctionIssued, .batchSigned: break
        }
        nextSeq = Seq(seq.rawValue + 1)
    }

    /// Same content ⇔ same fingerprint (the binary record is the content).
    /// 64 bits: a collision between two different events with the same id is
    /// not a practical concern.
    static func fingerprint(_ event: Event) -> Int {
        var hasher = Hasher()
        hasher.combine(EventCodec.encode(event))
        return hasher.finalize()
    }
}
