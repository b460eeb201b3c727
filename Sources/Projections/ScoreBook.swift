import Primitives
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
/// that counts for it, as seqs with their values. A view that
/// ``ScoreBook/ledger(_:)`` builds from the book's compact storage.
public struct ItemLedger: Hashable, Sendable {
    public var latestSelf: (seq: Seq, value: ScoreValue)?
    public var bestAppraisal: (round: Int, seq: Seq, value: ScoreValue)?
    public var latestSurvey: (seq: Seq, value: ScoreValue)?
    /// Target seq → the latest correction of it (its seq and value).
    public var corrections: [Seq: (seq: Seq, value: ScoreValue)] = [:]
    /// The latest upheld or partial resolution: (its seq, the appeal, the score).
    public var appealed: (seq: Seq, appeal: AppealID, score: Score)?
    /// Every event that touched the item, in order.
    public var lineage: [Seq] = []

    public init() {}

    /// Equal when every part is: each event's seq and value, the round,
    /// every correction's seq and value, and the appeal with its score.
    public static func == (a: ItemLedger, b: ItemLedger) -> Bool {
        a.latestSelf?.seq == b.latestSelf?.seq && a.latestSelf?.value == b.latestSelf?.value
            && a.bestAppraisal?.round == b.bestAppraisal?.round
            && a.bestAppraisal?.seq == b.bestAppraisal?.seq && a.bestAppraisal?.value == b.bestAppraisal?.value
            && a.latestSurvey?.seq == b.latestSurvey?.seq && a.latestSurvey?.value == b.latestSurvey?.value
            && a.corrections.count == b.corrections.count
            && a.corrections.allSatisfy { target, c in b.corrections[target].map { $0.seq == c.seq && $0.value == c.value } ?? false }
            && a.appealed?.seq == b.appealed?.seq && a.appealed?.appeal == b.appealed?.appeal && a.appealed?.score == b.appealed?.score
            && a.lineage == b.lineage
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(lineage) }

    /// The value of a scoring event after its latest correction.
    func corrected(_ seq: Seq, _ value: ScoreValue) -> ScoreValue { corrections[seq]?.value ?? value }
}

/// An item's effective score, by the rules of docs/CONTRACT.md
/// ("How a score is reached").
public struct EffectiveScore: Hashable, Sendable {
    public var value: ScoreValue
    public var status: ItemStatus
    /// The appraisal round, when appraised.
    public var round: Int?
    /// The event whose value counts (nil when missing).
    public var source: Seq?
    /// The correction that set the value, if one did.
    public var correctedBy: Seq?

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
    public var registered: Seq
}

/// An appeal and where it stands.
public struct AppealState: Hashable, Sendable {
    public var id: AppealID
    public var key: ItemKey
    public var requested: Score
    public var grounds: String
    public var filed: Seq
    public var filedAt: BusinessTime
    public var resolution: AppealResolved?
    public var resolvedSeq: Seq?
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
/// Events must come in seq order; an event that names something unknown (a
/// unit not registered, a partition without a framework, an item not in the
/// framework) is ignored: the importer refuses such events, so it only
/// happens on a hand-built log.
///
/// Storage is compact, for national logs of millions of events: units and
/// partitions get dense numbers; each (unit, partition) that has events gets
/// a *sheet*, a run of fixed-size slots, one per framework item, in one flat
/// array; the lineage of an item is a chain through a seq-indexed array
/// (each touching event points to the previous one; a ``sparse()`` book
/// indexes it by the events it folded instead). Strings are hashed once
/// per run of events of the same unit and year, not once per event. Seqs are
/// held in 32 bits: a book takes up to 4,294,967,294 events.
public struct ScoreBook: Sendable {
    public internal(set) var units: [UnitCode: UnitInfo] = [:]
    public internal(set) var frameworks: [Partition: Framework] = [:]
    /// Publication of results: the seq and business time.
    public internal(set) var published: [Partition: (seq: Seq, at: BusinessTime)] = [:]
    public internal(set) var appeals: [AppealID: AppealState] = [:]
    /// The appeals filed in each partition (by the unit's block at filing).
    var appealsIn: [Partition: [AppealID]] = [:]
    var ids: [EventID: Seq] = [:]
    /// The last seq applied.
    public internal(set) var lastSeq = Seq(0)
    /// Read from a checkpoint for one partition only (see
    /// ``init(serialized:only:)``): good for that partition's explain and
    /// history, nothing else.
    public internal(set) var isPartial = false

    // Dense numbering.
    var unitNumbers: [UnitCode: Int32] = [:]
    var blockUnits: [BlockCode: [UnitCode]] = [:]
    var partitionList: [Partition] = []
    var partitionNumbers: [Partition: Int32] = [:]
    /// Per partition: item code → slot offset in a sheet (framework order; the first of a repeated code).
    var itemOffsets: [[ItemCode: Int32]] = []
    /// Per partition: the framework's items in order, with their slot offsets.
    var itemSlots: [[(item: Item, offset: Int32)]] = []
    var dirtyFlags: [Bool] = []

    // Sheets and slots.
    /// (unit number << 32 | partition number) → the sheet's first slot.
    var sheets: [UInt64: Int32] = [:]
    /// First slot, unit number and partition number of every sheet, in slot order.
    var sheetStarts: [Int32] = []
    var sheetUnits: [Int32] = []
    var sheetPartitions: [Int32] = []
    var slots: [Slot] = []
    /// seq's place → the previous seq that touched the same item (0: none).
    var touchPrevious: [UInt32] = [0]
    /// seq's place → 1 + the slot of a scoring event (0: not a scoring event).
    var scoringSlot: [UInt32] = [0]
    /// The two columns above are indexed by a seq's *place*: in a book of
    /// the whole log, the seq itself; in a sparse book (``sparse()``: a
    /// few events of a long log, the partition index's reads) its place
    /// in this list of the seqs that touched an item, so that the columns
    /// follow the events folded and not the length of the log. Nil: not sparse.
    var sparseSeqs: [UInt32]?
    /// Target seq → its latest correction.
    var corrections: [UInt32: (seq: UInt32, value: Int64)] = [:]
    /// Slot → the latest upheld or partial resolution.
    var appealed: [Int32: (seq: Seq, appeal: AppealID, score: Score)] = [:]

    /// The last sheet found while applying: events come in runs of one unit and year.
    var cursor: (unit: UnitCode, index: IndexCode, year: Int, first: Int32, partition: Int32)?

    /// One item of one sheet: 48 bytes. Seqs 0 mean "none"; a value of
    /// `Int64.min` means not applicable.
    struct Slot: Sendable {
        var selfSeq: UInt32 = 0
        var appraisalSeq: UInt32 = 0
        var surveySeq: UInt32 = 0
        /// The newest event that touched the item (the head of its lineage chain).
        var lastTouch: UInt32 = 0
        /// The newest correction of any of the item's events.
        var lastCorrection: UInt32 = 0
        var round: UInt8 = 0
        var selfValue: Int64 = 0
        var appraisalValue: Int64 = 0
        var surveyValue: Int64 = 0
    }

    static func packed(_ v: ScoreValue) -> Int64 { if case .score(let s) = v { s.thousandths } else { .min } }
    static func unpacked(_ v: Int64) -> ScoreValue { v == .min ? .notApplicable : .score(Score(thousandths: v)) }

    public init() {}

    /// Partitions whose figures changed since `markClean()`: for incremental runs.
    public var dirty: Set<Partition> {
        Set(dirtyFlags.indices.lazy.filter { dirtyFlags[$0] }.map { partitionList[$0] })
    }

    /// Forget which partitions changed (after a run has written them).
    public mutating func markClean() { for i in dirtyFlags.indices { dirtyFlags[i] = false } }

    public mutating func apply(_ recorded: RecordedEvent) {
        let seq = recorded.seq
        precondition(seq.rawValue < UInt64(UInt32.max), "a score book holds seqs below 2^32 - 1")
        let s32 = UInt32(seq.rawValue)
        lastSeq = seq
        let event = recorded.event
        if let id = event.id { ids[id] = seq }
        switch event.body {
        case .unitRegistered(let u):
            register(UnitInfo(code: u.unit, name: u.name, block: u.block, parent: u.parent, registered: seq))
        case .unitRenamed(let r):
            guard let unit = units[r.unit] else { return }
            units[r.unit]?.name = r.name
            markBlock(unit.block)
        case .frameworkPublished(let f):
            publish(f)
        case .assessmentSubmitted(let e):
            scored(.assessment, e.key, s32, value: Self.packed(e.value))
        case .appraisalRecorded(let e):
            scored(.appraisal, e.key, s32, value: Self.packed(e.value), round: e.round)
        case .surveyRecorded(let e):
            scored(.survey, e.key, s32, value: e.score.thousandths)
        case .explanationSubmitted(let e):
            scored(.explanation, e.key, s32, value: 0)
        case .correctionIssued(let c):
            let target: Seq? = switch c.target {
            case .seq(let t): t
            case .id(let id): ids[id]
            }
            guard let target, let place = place(of: target), scoringSlot[place] != 0 else { return }
            let s = Int(scoringSlot[place] - 1)
            touch(slot: s, s32)
            corrections[UInt32(target.rawValue)] = (s32, Self.packed(c.value))
            slots[s].lastCorrection = s32
        case .appealFiled(let a):
            guard appeals[a.appeal] == nil else { return }
            file(AppealState(id: a.appeal, key: a.key, requested: a.requested, grounds: a.grounds, filed: seq, filedAt: event.at))
            _ = touch(a.key, s32)
        case .appealResolved(let r):
            guard let appeal = appeals[r.appeal], appeal.isOpen else { return }
            appeals[r.appeal]?.resolution = r
            appeals[r.appeal]?.resolvedSeq = seq
            guard let s = touch(appeal.key, s32) else { return }
            if r.outcome != .rejected, let score = r.score { appealed[Int32(s)] = (seq, r.appeal, score) }
        case .resultsPublished(let p):
            let partition = Partition(index: p.index, year: p.year, block: p.block)
            guard published[partition] == nil else { return }
            published[partition] = (seq, event.at)
            if let n = partitionNumbers[partition] { dirtyFlags[Int(n)] = true }
        case .actorRegistered, .actorRevoked, .batchSigned: break   // who signed; no points
        }
    }

    private mutating func scored(_ kind: FoldRecord.Kind, _ key: ItemKey, _ seq: UInt32, value: Int64, round: Int = 0) {
        guard let (s, partition) = slot(creating: key) else { return }
        applyItem(kind, slot: s, partition: partition, seq: seq, value: value, round: round)
    }

    /// An item event at its slot: its lineage, the dirty partition, and for
    /// a scoring event its value (an appraisal of a lower round than the
    /// one held does not replace it).
    mutating func applyItem(_ kind: FoldRecord.Kind, slot s: Int, partition: Int32, seq: UInt32, value: Int64, round: Int) {
        let place = link(s, seq)
        dirtyFlags[Int(partition)] = true
        switch kind {
        case .assessment:
            slots[s].selfSeq = seq
            slots[s].selfValue = value
            scoringSlot[place] = UInt32(s + 1)
        case .appraisal:
            scoringSlot[place] = UInt32(s + 1)
            if slots[s].appraisalSeq != 0, Int(slots[s].round) > round { return }
            slots[s].appraisalSeq = seq
            slots[s].round = UInt8(clamping: round)
            slots[s].appraisalValue = value
        case .survey:
            slots[s].surveySeq = seq
            slots[s].surveyValue = value
            scoringSlot[place] = UInt32(s + 1)
        case .explanation, .other: break
        }
    }

    mutating func register(_ unit: UnitInfo) {
        guard units[unit.code] == nil else { return }
        units[unit.code] = unit
        unitNumbers[unit.code] = Int32(unitNumbers.count)
        blockUnits[unit.block, default: []].append(unit.code)
        markBlock(unit.block)
    }

    mutating func file(_ appeal: AppealState) {
        appeals[appeal.id] = appeal
        if let unit = units[appeal.key.unit] {
            appealsIn[Partition(index: appeal.key.index, year: appeal.key.year, block: unit.block), default: []].append(appeal.id)
        }
    }

    mutating func publish(_ f: Framework) {
        let p = Partition(index: f.index, year: f.year, block: f.block)
        guard frameworks[p] == nil else { return }
        frameworks[p] = f
        // `items` flattens the areas and criteria anew at each call: once here.
        let items = f.items
        var offsets: [ItemCode: Int32] = [:]
        offsets.reserveCapacity(items.count)
        for (i, item) in items.enumerated() where offsets[item.code] == nil { offsets[item.code] = Int32(i) }
        partitionNumbers[p] = Int32(partitionList.count)
        partitionList.append(p)
        itemOffsets.append(offsets)
        itemSlots.append(items.map { ($0, offsets[$0.code]!) })
        dirtyFlags.append(true)
    }

    /// The slot of an item, creating its sheet on the unit's first event in
    /// the partition; nil when the unit, framework or item is unknown.
    mutating func slot(creating key: ItemKey) -> (slot: Int, partition: Int32)? {
        let first: Int32, partition: Int32
        if let c = cursor, c.year == key.year, c.unit == key.unit, c.index == key.index {
            first = c.first; partition = c.partition
        } else {
            guard let found = sheet(creating: key.unit, index: key.index, year: key.year) else { return nil }
            (first, partition) = found
            cursor = (key.unit, key.index, key.year, first, partition)
        }
        guard let offset = itemOffsets[Int(partition)][key.item] else { return nil }
        return (Int(first + offset), partition)
    }

    /// The first slot of the unit's sheet in the partition that scores it
    /// in `index` and `year`, and that partition; the sheet is created on
    /// the unit's first event there. Nil when the unit or the partition's
    /// framework is unknown.
    mutating func sheet(creating unit: UnitCode, index: IndexCode, year: Int) -> (first: Int32, partition: Int32)? {
        guard let info = units[unit], let number = unitNumbers[unit],
              let p = partitionNumbers[Partition(index: index, year: year, block: info.block)] else { return nil }
        return (sheet(creating: number, partition: p), p)
    }

    /// The first slot of a unit's sheet in a partition, created (all slots
    /// empty) on the unit's first event there.
    mutating func sheet(creating unit: Int32, partition p: Int32) -> Int32 {
        if let existing = sheets[UInt64(UInt32(unit)) << 32 | UInt64(UInt32(p))] { return existing }
        precondition(slots.count + itemSlots[Int(p)].count < Int(Int32.max), "a score book holds up to 2^31 item slots")
        let first = Int32(slots.count)
        slots.append(contentsOf: repeatElement(Slot(), count: itemSlots[Int(p)].count))
        addSheet(unit: unit, partition: p, first: first)
        return first
    }

    /// Indexes a sheet whose slots start at `first` (the caller provides the slots).
    mutating func addSheet(unit: Int32, partition: Int32, first: Int32) {
        sheets[UInt64(UInt32(unit)) << 32 | UInt64(UInt32(partition))] = first
        sheetStarts.append(first)
        sheetUnits.append(unit)
        sheetPartitions.append(partition)
    }

    /// Records that event `seq` touched the item: its lineage and the dirty partition.
    private mutating func touch(_ key: ItemKey, _ seq: UInt32) -> Int? {
        guard let (s, partition) = slot(creating: key) else { return nil }
        link(s, seq)
        dirtyFlags[Int(partition)] = true
        return s
    }

    private mutating func touch(slot s: Int, _ seq: UInt32) {
        link(s, seq)
        dirtyFlags[Int(partition(ofSlot: s))] = true
    }

    /// An empty book for a few events of a long log (the partition
    /// index's reads): its lineage columns take room for the events it
    /// folds, not for every seq up to the last one (see ``sparseSeqs``).
    public static func sparse() -> ScoreBook {
        var book = ScoreBook()
        book.sparseSeqs = [0]
        return book
    }

    /// Room for the lineage of events up to `seq`, taken at once, for a
    /// replay that knows where it ends: the columns then grow in place
    /// instead of being copied to twice their size as they fill (a whole
    /// book; a sparse book's columns follow its events).
    public mutating func reserve(seqsThrough seq: Seq) {
        guard sparseSeqs == nil, seq.rawValue < UInt64(UInt32.max) else { return }
        let count = Int(seq.rawValue) + 1
        if touchPrevious.capacity < count { touchPrevious.reserveCapacity(count) }
        if scoringSlot.capacity < count { scoringSlot.reserveCapacity(count) }
    }

    /// Whether the book was made by ``sparse()``.
    public var isSparse: Bool { sparseSeqs != nil }

    /// The place of `seq` in the lineage columns; nil when no event at
    /// that seq touched an item.
    func place(of seq: Seq) -> Int? {
        guard seq.rawValue < UInt64(UInt32.max) else { return nil }
        let s32 = UInt32(seq.rawValue)
        guard let list = sparseSeqs else { return Int(s32) < touchPrevious.count ? Int(s32) : nil }
        var lo = 0, hi = list.count
        while lo < hi { let mid = (lo + hi) / 2; if list[mid] < s32 { lo = mid + 1 } else { hi = mid } }
        return lo < list.count && list[lo] == s32 ? lo : nil
    }

    /// Links event `seq` into the item's lineage; returns its place in
    /// the lineage columns.
    @discardableResult
    private mutating func link(_ s: Int, _ seq: UInt32) -> Int {
        let place: Int
        if sparseSeqs == nil {
            place = Int(seq)
            if touchPrevious.count <= place {
                // Grown in one step when seqs were skipped (events that touch no item).
                let more = place + 1 - touchPrevious.count
                if touchPrevious.capacity < place + 1 {
                    let capacity = max(place + 1 + place / 8, 2 * touchPrevious.capacity)
                    touchPrevious.reserveCapacity(capacity)
                    scoringSlot.reserveCapacity(capacity)
                }
                if more == 1 {   // the usual case: the next seq (a generic append of a repeated element is slow)
                    touchPrevious.append(0)
                    scoringSlot.append(0)
                } else {
                    touchPrevious.append(contentsOf: repeatElement(0, count: more))
                    scoringSlot.append(contentsOf: repeatElement(0, count: more))
                }
            }
        } else if sparseSeqs![sparseSeqs!.count - 1] == seq {
            place = sparseSeqs!.count - 1
        } else {
            precondition(sparseSeqs![sparseSeqs!.count - 1] < seq, "events come in seq order")
            sparseSeqs!.append(seq)
            touchPrevious.append(0)
            scoringSlot.append(0)
            place = touchPrevious.count - 1
        }
        touchPrevious[place] = slots[s].lastTouch
        slots[s].lastTouch = seq
        return place
    }

    /// The partition of the sheet holding a slot (for corrections and appeals).
    func partition(ofSlot s: Int) -> Int32 { sheetPartitions[sheet(ofSlot: s)] }

    /// The sheet holding a slot, by binary search over the sheets' first slots.
    func sheet(ofSlot s: Int) -> Int {
        var lo = 0, hi = sheetStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(sheetStarts[mid]) <= s { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    private mutating func markBlock(_ block: BlockCode) {
        for (i, p) in partitionList.enumerated() where p.block == block { dirtyFlags[i] = true }
    }

    // MARK: - Reading

    /// The framework that scores a unit in an index and year.
    public func framework(for unit: UnitCode, index: IndexCode, year: Int) -> Framework? {
        guard let u = units[unit] else { return nil }
        return frameworks[Partition(index: index, year: year, block: u.block)]
    }

    public func item(_ key: ItemKey) -> Item? {
        guard let u = units[key.unit], let p = partitionNumbers[Partition(index: key.index, year: key.year, block: u.block)],
              let offset = itemOffsets[Int(p)][key.item] else { return nil }
        return itemSlots[Int(p)][Int(offset)].item
    }

    /// The first slot of a unit's sheet in a partition, if it has events there.
    func sheet(unit: UnitCode, partition: Int32) -> Int32? {
        guard let number = unitNumbers[unit] else { return nil }
        return sheets[UInt64(UInt32(number)) << 32 | UInt64(UInt32(partition))]
    }

    /// The slot of an item, if any event touched its unit in its partition.
    func slotIndex(_ key: ItemKey) -> Int? {
        guard let u = units[key.unit], let p = partitionNumbers[Partition(index: key.index, year: key.year, block: u.block)],
              let first = sheet(unit: key.unit, partition: p), let offset = itemOffsets[Int(p)][key.item] else { return nil }
        return Int(first + offset)
    }

    /// The item's events and values, as a ledger; nil when no event touched it.
    public func ledger(_ key: ItemKey) -> ItemLedger? {
        guard let s = slotIndex(key), slots[s].lastTouch != 0 else { return nil }
        return ledger(slot: s)
    }

    func ledger(slot s: Int) -> ItemLedger {
        let slot = slots[s]
        var ledger = ItemLedger()
        if slot.selfSeq != 0 { ledger.latestSelf = (Seq(UInt64(slot.selfSeq)), Self.unpacked(slot.selfValue)) }
        if slot.appraisalSeq != 0 { ledger.bestAppraisal = (Int(slot.round), Seq(UInt64(slot.appraisalSeq)), Self.unpacked(slot.appraisalValue)) }
        if slot.surveySeq != 0 { ledger.latestSurvey = (Seq(UInt64(slot.surveySeq)), Self.unpacked(slot.surveyValue)) }
        ledger.lineage = lineage(slot: s)
        for seq in ledger.lineage {
            if let c = corrections[UInt32(seq.rawValue)] { ledger.corrections[seq] = (Seq(UInt64(c.seq)), Self.unpacked(c.value)) }
        }
        if let a = appealed[Int32(s)] { ledger.appealed = a }
        return ledger
    }

    /// Every event that touched a slot, in order.
    func lineage(slot s: Int) -> [Seq] {
        var out: [Seq] = []
        var seq = slots[s].lastTouch
        if sparseSeqs == nil {
            while seq != 0 { out.append(Seq(UInt64(seq))); seq = touchPrevious[Int(seq)] }
        } else {
            while seq != 0 { out.append(Seq(UInt64(seq))); seq = touchPrevious[place(of: Seq(UInt64(seq)))!] }
        }
        return out.reversed()
    }

    /// The effective score of an item (docs/CONTRACT.md, "How a score is
    /// reached"): the latest upheld or partial appeal; else for survey items
    /// the latest survey score, for assessment items the latest appraisal of
    /// the highest round, else the latest self-assessment; else 0 (missing).
    /// Each event's value is taken after its latest correction.
    public func effective(_ key: ItemKey) -> EffectiveScore {
        guard let s = slotIndex(key) else { return EffectiveScore(value: .score(.zero), status: .missing) }
        return effective(slot: s, source: item(key)?.source ?? .assessment)
    }

    func effective(slot s: Int, source: ItemSource) -> EffectiveScore {
        if let appeal = appealed[Int32(s)] {
            return EffectiveScore(value: .score(appeal.score), status: .appealed, source: appeal.seq)
        }
        let slot = slots[s]
        func pick(_ seq: UInt32, _ value: Int64, _ status: ItemStatus, round: Int? = nil) -> EffectiveScore {
            let correction = corrections.isEmpty ? nil : corrections[seq]
            let v = Self.unpacked(correction?.value ?? value)
            return EffectiveScore(value: v, status: v == .notApplicable ? .notApplicable : status, round: round, source: Seq(UInt64(seq)),
                                  correctedBy: correction.map { Seq(UInt64($0.seq)) })
        }
        switch source {
        case .survey:
            if slot.surveySeq != 0 { return pick(slot.surveySeq, slot.surveyValue, .survey) }
        case .assessment:
            if slot.appraisalSeq != 0 { return pick(slot.appraisalSeq, slot.appraisalValue, .appraised, round: Int(slot.round)) }
            if slot.selfSeq != 0 { return pick(slot.selfSeq, slot.selfValue, .selfAssessed) }
        }
        return EffectiveScore(value: .score(.zero), status: .missing)
    }

    /// Whether the item was changed by a correction or an appeal after its
    /// block and year were published.
    public func amendedAfterPublication(_ key: ItemKey) -> Bool {
        guard let unit = units[key.unit], let s = slotIndex(key),
              let publication = published[Partition(index: key.index, year: key.year, block: unit.block)] else { return false }
        return amended(slot: s, after: publication.seq)
    }

    func amended(slot s: Int, after publication: Seq) -> Bool {
        if let a = appealed[Int32(s)], a.seq > publication { return true }
        return UInt64(slots[s].lastCorrection) > publication.rawValue
    }

    /// Units of a block, by code.
    public func units(in block: BlockCode) -> [UnitInfo] {
        (blockUnits[block] ?? []).sorted().map { units[$0]! }
    }

    /// Open appeals of a partition, by id.
    public func openAppeals(in partition: Partition) -> [AppealState] {
        (appealsIn[partition] ?? []).compactMap { appeals[$0] }.filter(\.isOpen).sorted { $0.id < $1.id }
    }

    /// Every partition with a framework, in order.
    public var partitions: [Partition] { partitionList.sorted() }

    /// A copy of the book in which an appeal is taken as upheld at its
    /// requested score: the appeals review's "what if".
    public func assumingUpheld(_ appeal: AppealID) -> ScoreBook? {
        guard let state = appeals[appeal] else { return nil }
        var copy = self
        let seq = Seq(lastSeq.rawValue + 1)
        if let (s, _) = copy.slot(creating: state.key) { copy.appealed[Int32(s)] = (seq, appeal, state.requested) }
        copy.appeals[appeal]?.resolution = AppealResolved(appeal: appeal, outcome: .upheld, score: state.requested, reason: "what-if: upheld as requested")
        return copy
    }

    /// A book that knows one unit and one framework and nothing else: for
    /// replaying one item's history.
    func seeded(unit: UnitInfo, framework: Framework) -> ScoreBook {
        var book = ScoreBook()
        book.register(unit)
        book.publish(framework)
        return book
    }
}
