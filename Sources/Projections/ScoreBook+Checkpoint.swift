import ScoreModel

/// The score book as bytes, for incremental runs: a run saves the book at
/// seq N and the next run replays only what follows. Lossless: a book read
/// back gives the same figures, byte for byte, as the book that was saved.
///
/// Layout: magic `PLBK`, version (1), then each table in a fixed order with
/// its keys sorted, integers as varints, strings length-prefixed UTF-8,
/// frameworks as binary event records (see docs/RECORDS.md).
extension ScoreBook {
    static let checkpointMagic: [UInt8] = Array("PLBK".utf8)
    static let checkpointVersion: UInt64 = 1

    public struct CheckpointError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { "unreadable checkpoint: \(message)" }
    }

    public func serialized() -> [UInt8] {
        var w = BookWriter()
        w.out = Self.checkpointMagic
        w.varint(Self.checkpointVersion)
        w.varint(lastSeq.rawValue)
        let unitList = units.values.sorted { $0.code < $1.code }
        w.varint(UInt64(unitList.count))
        for u in unitList {
            w.string(u.code.rawValue); w.string(u.name); w.string(u.block.rawValue); w.optionalString(u.parent?.rawValue); w.varint(u.registered.rawValue)
        }
        let fws = frameworks.sorted { $0.key < $1.key }
        w.varint(UInt64(fws.count))
        for (_, f) in fws {
            w.bytes(EventCodec.encode(Event(at: BusinessTime(microsecondsSinceEpoch: 0, offsetMinutes: 0), by: "checkpoint", body: .frameworkPublished(f))))
        }
        let pubs = published.sorted { $0.key < $1.key }
        w.varint(UInt64(pubs.count))
        for (p, v) in pubs { w.partition(p); w.varint(v.seq.rawValue); w.time(v.at) }
        let itemList = items.sorted { a, b in (a.key.unit, a.key.index, a.key.year, a.key.item) < (b.key.unit, b.key.index, b.key.year, b.key.item) }
        w.varint(UInt64(itemList.count))
        for (key, ledger) in itemList {
            w.key(key)
            w.flag(ledger.latestSelf != nil); if let s = ledger.latestSelf { w.varint(s.seq.rawValue); w.value(s.value) }
            w.flag(ledger.bestAppraisal != nil); if let a = ledger.bestAppraisal { w.varint(UInt64(a.round)); w.varint(a.seq.rawValue); w.value(a.value) }
            w.flag(ledger.latestSurvey != nil); if let s = ledger.latestSurvey { w.varint(s.seq.rawValue); w.value(s.value) }
            let corrections = ledger.corrections.sorted { $0.key < $1.key }
            w.varint(UInt64(corrections.count))
            for (target, c) in corrections { w.varint(target.rawValue); w.varint(c.seq.rawValue); w.value(c.value) }
            w.flag(ledger.appealed != nil); if let a = ledger.appealed { w.varint(a.seq.rawValue); w.string(a.appeal.rawValue); w.signed(a.score.thousandths) }
            w.varint(UInt64(ledger.lineage.count))
            var previous: UInt64 = 0
            for seq in ledger.lineage { w.varint(seq.rawValue - previous); previous = seq.rawValue }
        }
        let appealList = appeals.values.sorted { $0.id < $1.id }
        w.varint(UInt64(appealList.count))
        for a in appealList {
            w.string(a.id.rawValue); w.key(a.key); w.signed(a.requested.thousandths); w.string(a.grounds); w.varint(a.filed.rawValue); w.time(a.filedAt)
            w.flag(a.resolution != nil)
            if let r = a.resolution, let seq = a.resolvedSeq {
                w.string(r.outcome.rawValue); w.flag(r.score != nil); if let s = r.score { w.signed(s.thousandths) }
                w.string(r.reason); w.varint(seq.rawValue)
            }
        }
        let idList = ids.sorted { $0.key < $1.key }
        w.varint(UInt64(idList.count))
        for (id, seq) in idList { w.string(id.rawValue); w.varint(seq.rawValue) }
        let scoring = scoringSeqs.sorted { $0.key < $1.key }
        w.varint(UInt64(scoring.count))
        for (seq, key) in scoring { w.varint(seq.rawValue); w.key(key) }
        return w.out
    }

    public init(serialized bytes: [UInt8]) throws {
        self.init()
        guard bytes.count >= 4, Array(bytes[0..<4]) == Self.checkpointMagic else { throw CheckpointError(message: "not a score-book checkpoint") }
        do {
            try bytes.withUnsafeBytes { raw in
                var r = BinaryReader(raw)
                r.offset = 4
                try self.read(&r)
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(message: "\(error)")
        }
    }

    private mutating func read(_ r: inout BinaryReader) throws {
        let version = try r.varint()
        guard version == Self.checkpointVersion else { throw CheckpointError(message: "version \(version), this build reads \(Self.checkpointVersion)") }
        lastSeq = EventSeq(try r.varint())
        for _ in 0..<(try r.count()) {
            let code = UnitCode(try r.string()), name = try r.string(), block = BlockCode(try r.string())
            let parent = try r.optionalString().map { UnitCode($0) }
            units[code] = UnitInfo(code: code, name: name, block: block, parent: parent, registered: EventSeq(try r.varint()))
        }
        var decoder = RecordDecoder()
        for _ in 0..<(try r.count()) {
            let record = try r.blob()
            guard case .frameworkPublished(let f) = try record.withUnsafeBytes({ try decoder.decode($0) }).body else {
                throw CheckpointError(message: "a framework entry holds another event")
            }
            let p = Partition(index: f.index, year: f.year, block: f.block)
            frameworks[p] = f
            var lookup: [ItemCode: Item] = [:]
            for item in f.items { lookup[item.code] = item }
            itemIndex[p] = lookup
        }
        for _ in 0..<(try r.count()) {
            let p = try r.partition()
            published[p] = (EventSeq(try r.varint()), try r.time())
        }
        for _ in 0..<(try r.count()) {
            let key = try r.key()
            var ledger = ItemLedger()
            if try r.flag() { ledger.latestSelf = (EventSeq(try r.varint()), try r.value()) }
            if try r.flag() { ledger.bestAppraisal = (Int(try r.varint()), EventSeq(try r.varint()), try r.value()) }
            if try r.flag() { ledger.latestSurvey = (EventSeq(try r.varint()), try r.value()) }
            for _ in 0..<(try r.count()) {
                let target = EventSeq(try r.varint())
                ledger.corrections[target] = (EventSeq(try r.varint()), try r.value())
            }
            if try r.flag() { ledger.appealed = (EventSeq(try r.varint()), AppealID(try r.string()), Score(thousandths: try r.signed())) }
            var previous: UInt64 = 0
            for _ in 0..<(try r.count()) { previous += try r.varint(); ledger.lineage.append(EventSeq(previous)) }
            items[key] = ledger
        }
        for _ in 0..<(try r.count()) {
            let id = AppealID(try r.string()), key = try r.key(), requested = Score(thousandths: try r.signed()), grounds = try r.string()
            var state = AppealState(id: id, key: key, requested: requested, grounds: grounds, filed: EventSeq(try r.varint()), filedAt: try r.time())
            if try r.flag() {
                guard let outcome = AppealOutcome(rawValue: try r.string()) else { throw CheckpointError(message: "bad appeal outcome") }
                let score = try r.flag() ? Score(thousandths: try r.signed()) : nil
                state.resolution = AppealResolved(appeal: id, outcome: outcome, score: score, reason: try r.string())
                state.resolvedSeq = EventSeq(try r.varint())
            }
            appeals[id] = state
        }
        for _ in 0..<(try r.count()) { ids[EventID(try r.string())] = EventSeq(try r.varint()) }
        for _ in 0..<(try r.count()) { scoringSeqs[EventSeq(try r.varint())] = try r.key() }
        guard r.isAtEnd else { throw CheckpointError(message: "\(r.bytes.count - r.offset) stray bytes") }
    }
}

/// The checkpoint's composite values, written with ScoreModel's binary primitives.
struct BookWriter {
    var out: [UInt8] = []
    mutating func varint(_ value: UInt64) { out.appendVarint(value) }
    mutating func signed(_ v: Int64) { out.appendZigzag(v) }
    mutating func string(_ s: String) { out.appendString(s) }
    mutating func optionalString(_ s: String?) { flag(s != nil); if let s { string(s) } }
    mutating func bytes(_ b: [UInt8]) { out.appendBlob(b) }
    mutating func flag(_ b: Bool) { out.append(b ? 1 : 0) }
    mutating func time(_ t: BusinessTime) { signed(t.microsecondsSinceEpoch); signed(Int64(t.offsetMinutes)) }
    mutating func partition(_ p: Partition) { string(p.index.rawValue); signed(Int64(p.year)); string(p.block.rawValue) }
    mutating func key(_ k: ItemKey) { string(k.unit.rawValue); string(k.index.rawValue); signed(Int64(k.year)); string(k.item.rawValue) }
    mutating func value(_ v: ScoreValue) {
        switch v {
        case .notApplicable: flag(false)
        case .score(let s): flag(true); signed(s.thousandths)
        }
    }
}

extension BinaryReader {
    mutating func signed() throws -> Int64 { try zigzag() }
    mutating func optionalString() throws -> String? { try flag() ? try string() : nil }
    mutating func time() throws -> BusinessTime { BusinessTime(microsecondsSinceEpoch: try zigzag(), offsetMinutes: Int16(truncatingIfNeeded: try zigzag())) }
    mutating func partition() throws -> Partition { Partition(index: IndexCode(try string()), year: Int(try zigzag()), block: BlockCode(try string())) }
    mutating func key() throws -> ItemKey { ItemKey(unit: UnitCode(try string()), index: IndexCode(try string()), year: Int(try zigzag()), item: ItemCode(try string())) }
    mutating func value() throws -> ScoreValue { try flag() ? .score(Score(thousandths: try zigzag())) : .notApplicable }
}
