import Primitives
import EventLog
import Foundation
import Ledger
import Projections
import ScoreModel

extension PartitionIndex {
    /// Adds the log's events after `size` (the whole log for an empty
    /// index), checked against nothing: the log's own checked frames.
    mutating func catchUp(_ reader: LogReader) throws {
        let head = reader.head.seq.rawValue
        guard size < head else { return }
        unpack()
        // The partition of each scoring event added now, by seq (for
        // corrections by #seq); older ones are found in the seq lists.
        var recent = [Int32](repeating: -1, count: Int(head - size))
        let base = size, indexed = partitionSeqs
        func scoring(_ seq: UInt64) -> Int? {
            if seq > base, seq <= head { let p = recent[Int(seq - base - 1)]; return p < 0 ? nil : Int(p) }
            return Self.partition(holding: seq, in: indexed)
        }
        try Ledger.replay(reader, from: Seq(size + 1), prose: false) { recorded in
            let seq = recorded.seq.rawValue
            if let p = add(recorded, scoring: scoring), scores(recorded.event.body) { recent[Int(seq - base - 1)] = Int32(p) }
        }
        size = head
        frameHash = try reader.frameHash(containing: Seq(head))?.bytes ?? frameHash
    }

    /// The partition whose seq list holds `seq`.
    static func partition(holding seq: UInt64, in partitionSeqs: [[UInt64]]) -> Int? {
        for (p, list) in partitionSeqs.enumerated() {
            var lo = 0, hi = list.count
            while lo < hi { let mid = (lo + hi) / 2; if list[mid] < seq { lo = mid + 1 } else { hi = mid } }
            if lo < list.count && list[lo] == seq { return p }
        }
        return nil
    }

    /// Files one event under its block or partition; returns the partition.
    mutating func add(_ recorded: RecordedEvent, scoring: (UInt64) -> Int?) -> Int? {
        let seq = recorded.seq.rawValue, event = recorded.event
        func inPartition(_ index: IndexCode, _ year: Int, _ block: Int) -> Int {
            let p = partition(PartitionKey(index: index.rawValue, year: year, block: block))
            partitionSeqs[p].append(seq)
            return p
        }
        switch event.body {
        case .unitRegistered(let e):
            let b = block(e.block.rawValue)
            if units[e.unit.rawValue] == nil { units[e.unit.rawValue] = b }
            blockSeqs[b].append(seq)
            return nil
        case .unitRenamed(let e):
            guard let b = units[e.unit.rawValue] else { return nil }
            blockSeqs[b].append(seq)
            return nil
        case .frameworkPublished(let f):
            return inPartition(f.index, f.year, block(f.block.rawValue))
        case .resultsPublished(let e):
            return inPartition(e.index, e.year, block(e.block.rawValue))
        case .appealResolved(let e):
            guard let p = appeals[e.appeal.rawValue] else { return nil }
            partitionSeqs[p].append(seq)
            return p
        case .correctionIssued(let e):
            let target: Int? = switch e.target {
            case .id(let id): ids[id.rawValue]
            case .seq(let s): scoring(s.rawValue)
            }
            guard let p = target else { return nil }
            partitionSeqs[p].append(seq)
            return p
        default:
            guard let key = event.body.itemKey, let b = units[key.unit.rawValue] else { return nil }
            let p = inPartition(key.index, key.year, b)
            if scores(event.body), let id = event.id { ids[id.rawValue] = p }
            if case .appealFiled(let a) = event.body { appeals[a.appeal.rawValue] = p }
            return p
        }
    }

    /// Whether `event` (read at one of the seqs this index names for block
    /// `b` and partition `p`) belongs there: a damaged or forged index can
    /// name no event of another partition.
    func belongs(_ event: Event, block b: Int, partition p: Int, seqs: Set<UInt64>) -> Bool {
        let key = partitions[p]
        switch event.body {
        case .unitRegistered(let e): return e.block.rawValue == blocks[b]
        case .unitRenamed(let e): return units[e.unit.rawValue] == b
        case .frameworkPublished(let f): return f.index.rawValue == key.index && f.year == key.year && f.block.rawValue == blocks[b]
        case .resultsPublished(let e): return e.index.rawValue == key.index && e.year == key.year && e.block.rawValue == blocks[b]
        case .appealResolved(let e): return partition(ofAppeal: e.appeal.rawValue) == p
        case .correctionIssued(let e):
            switch e.target {
            case .id(let id): return partition(ofID: id.rawValue) == p
            case .seq(let s): return seqs.contains(s.rawValue)
            }
        default:
            guard let k = event.body.itemKey else { return false }
            return units[k.unit.rawValue] == b && k.index.rawValue == key.index && k.year == key.year
        }
    }

    /// The index of the log at `log`, caught up to its head: the file's when
    /// it is sound and the log still holds what it indexed, else rebuilt.
    /// `notice` says why a file that was there was not used; `changed`,
    /// that the file is behind (the caller saves it once its read succeeded).
    static func current(log: String, reader: LogReader, key: CheckpointKey) throws -> (index: PartitionIndex, notice: String?, changed: Bool) {
        let path = Self.path(log: log)
        var index = PartitionIndex()
        var notice: String?
        if let data = FileManager.default.contents(atPath: path) {
            switch parse([UInt8](data), key: key) {
            case .success(let saved):
                let hash = saved.size == 0 ? [UInt8](repeating: 0, count: 32) : try reader.frameHash(containing: Seq(saved.size))?.bytes
                if saved.size <= reader.head.seq.rawValue, hash == saved.frameHash {
                    index = saved
                } else {
                    notice = "partition index \(path) no longer matches the log (rewritten at or before seq \(saved.size)); rebuilt from the log"
                }
            case .failure(let damage):
                notice = "partition index \(path) not used: \(damage.reason); rebuilt from the log"
            }
        }
        let before = index.size
        try index.catchUp(reader)
        return (index, notice, index.size != before || notice != nil || !FileManager.default.fileExists(atPath: path))
    }

    /// The score book of one unit's partition in `index` `year`, folded
    /// from the events the index names, each read from the log's checked
    /// frames and checked to be the seq asked for and to belong to that
    /// partition. Nil when the index does not know the unit or partition
    /// (the caller replays, and its messages say what exists), or when
    /// an event does not check (then `damaged` says which).
    func book(log reader: LogReader, unit: UnitCode, index idx: IndexCode, year: Int) throws -> (book: ScoreBook?, shown: [Seq: RecordedEvent], damaged: String?) {
        guard let (b, p) = partition(unit: unit, index: idx, year: year) else { return (nil, [:], nil) }
        let wanted = (seqs(block: b) + seqs(partition: p)).sorted()
        let set = Set(wanted)
        var events: [RecordedEvent] = []
        events.reserveCapacity(wanted.count)
        var decoder = RecordDecoder(prose: false), full = RecordDecoder(prose: true)
        var damaged: String?
        // The events an explanation or history of this unit may show, with their notes and evidence.
        var shown: [Seq: RecordedEvent] = [:]
        try reader.forEachRecord(seqs: wanted.map { Seq($0) }) { record in
            let recorded = try Ledger.decode(record, &decoder)
            if damaged == nil, !belongs(recorded.event, block: b, partition: p, seqs: set) {
                damaged = "it names event \(recorded.seq.label) (\(recorded.event.type.rawValue)) under \(partitions[p].index) \(year) \(blocks[b]), where it does not belong"
            }
            if recorded.event.body.itemKey.map({ $0.unit == unit }) ?? true { shown[recorded.seq] = try Ledger.decode(record, &full) }
            events.append(recorded)
        }
        if damaged == nil, events.count != wanted.count {
            damaged = "it names \(wanted.count - events.count) seqs the log does not hold"
        }
        if let damaged { return (nil, [:], damaged) }
        var book = ScoreBook.sparse()
        for e in events { book.apply(e) }
        return (book, shown, nil)
    }
}

extension PipelineRunner {
    /// The book of one unit's partition at the head of the log, from the
    /// partition index beside the log (built or caught up first), for
    /// `explain` and `history`. Nil when there is no checkpoint key (the
    /// index is sealed with it: a reader without it trusts the log alone)
    /// or the index does not know the unit or partition; then the caller
    /// goes on as before. `notice` says why an index file was rebuilt.
    /// `events` holds the partition's events that concern the unit (its
    /// scores, explanations and appeals, the partition's corrections,
    /// resolutions, frameworks and the block's registrations), read once,
    /// with their prose: what `explain` and `history` print.
    public static func indexedBook(log: String, unit: UnitCode, index: IndexCode, year: Int) throws
        -> (book: ScoreBook?, events: [Seq: RecordedEvent], notice: String?) {
        try indexedBook(log: log, unit: unit, index: index, year: year, key: CheckpointKey.load())
    }

    static func indexedBook(log: String, unit: UnitCode, index: IndexCode, year: Int, key: CheckpointKey?) throws
        -> (book: ScoreBook?, events: [Seq: RecordedEvent], notice: String?) {
        guard let key else { return (nil, [:], nil) }
        let reader = try LogReader(directory: log)
        var (partitions, notice, changed) = try PartitionIndex.current(log: log, reader: reader, key: key)
        var r = try partitions.book(log: reader, unit: unit, index: index, year: year)
        if let damaged = r.damaged {
            // It named an event that is not the partition's: rebuilt once from the log.
            partitions = PartitionIndex()
            try partitions.catchUp(reader)
            changed = true
            notice = [notice, "partition index \(PartitionIndex.path(log: log)) not used: \(damaged); rebuilt from the log"].compactMap { $0 }.joined(separator: "; ")
            r = try partitions.book(log: reader, unit: unit, index: index, year: year)
        }
        // Saved only by a read that found what it asked for: a failed read writes nothing.
        if changed, r.book != nil {
            do { try partitions.write(to: PartitionIndex.path(log: log), key: key) } catch {
                notice = [notice, "partition index not saved (\(error)); the next read builds it again"].compactMap { $0 }.joined(separator: "; ")
            }
        }
        return (r.book, r.shown, notice)
    }
}

/// Whether an event scores an item (a correction can target it).
private func scores(_ body: EventBody) -> Bool {
    switch body {
    case .assessmentSubmitted, .appraisalRecorded, .surveyRecorded: true
    default: false
    }
}
