import Primitives

/// The validation state as bytes, so that an import can start from a saved
/// state instead of replaying the whole log (the Ledger module seals and
/// stores it beside the log; see docs/FORMAT.md, "The validation state").
///
/// Layout (version 2): the version byte; `nextSeq` (varint); the units,
/// as a count and binary event records (docs/RECORDS.md) of their
/// `unit.registered` bodies (a renamed unit with its current name); the
/// frameworks (partition, id, then each item's code, minimum, maximum and
/// source); the actors, as records of their `actor.registered` and
/// `actor.revoked` bodies; the published partitions; the headers of the
/// appeals and of the event ids (``KeyedTable/Header``: count, bytes,
/// the offset of every 32nd entry); the header of the table of scoring
/// events (its interned codes and block count). Then, where the *borrowed*
/// part begins, the tables' entries: the appeals (id, item key, resolved),
/// the event ids (id, seq, fingerprint as 8 bytes little-endian), the
/// scoring events (``ScoringTable/serializeEntries(into:)``). Every table
/// is written in key order, so the same state always gives the same bytes.
extension LedgerState {
    static let serializedVersion: UInt8 = 2

    /// Where the entries of a serialized state's tables (appeals, event
    /// ids, scoring events: the part that grows with the log) are read from
    /// when they are not copied: `source` gives the state's bytes (offsets
    /// from the state's first byte). `borrowedAt` is where those entries
    /// begin, as the file that holds them says, and `borrowedBytes` how many
    /// bytes of them there are; the state's other bytes all lie before
    /// them, and the serialized bytes given to the initializer end there.
    public struct Borrowing: Sendable {
        public var borrowedAt: Int
        public var borrowedBytes: Int
        public var source: any BorrowedBytes
        public init(borrowedAt: Int, borrowedBytes: Int, source: any BorrowedBytes) {
            self.borrowedAt = borrowedAt; self.borrowedBytes = borrowedBytes; self.source = source
        }
    }

    /// The state's bytes. Throws only for a state borrowed from saved bytes
    /// that cannot be had as saved, or do not hold a state (its source is told).
    public func serialized() throws(BinaryFormatError) -> [UInt8] {
        var out: [UInt8] = []
        try serialize(into: &out)
        return out
    }

    /// Appends the state's bytes; returns the position in `out` where its
    /// borrowed part (the tables' entries) begins (it runs to the end).
    @discardableResult
    public func serialize(into out: inout [UInt8]) throws(BinaryFormatError) -> Int {
        let (appealTable, idTable) = (try appeals.serialized(), try ids.serialized())
        out.append(Self.serializedVersion)
        out.appendVarint(nextSeq.rawValue)
        func record(_ body: EventBody) { out.appendBlob(EventCodec.encode(Event(at: Self.recordTime, by: Self.recordActor, body: body))) }
        out.appendVarint(UInt64(units.count))
        for (_, u) in units.sorted(by: { $0.key < $1.key }) { record(.unitRegistered(u)) }
        out.appendVarint(UInt64(frameworks.count))
        for (p, id) in frameworks.sorted(by: { $0.key < $1.key }) {
            Self.append(p, to: &out)
            out.appendString(id.rawValue)
            let rules = items[p] ?? [:]
            out.appendVarint(UInt64(rules.count))
            for (_, rule) in rules.sorted(by: { $0.key < $1.key }) {
                out.appendString(rule.code.rawValue)
                out.appendZigzag(rule.min.thousandths)
                out.appendZigzag(rule.max.thousandths)
                out.append(rule.source == .survey ? 1 : 0)
            }
        }
        out.appendVarint(UInt64(actors.count))
        for (_, a) in actors.sorted(by: { $0.key < $1.key }) {
            record(.actorRegistered(a.registered))
            out.append(a.revoked == nil ? 0 : 1)
            if let r = a.revoked { record(.actorRevoked(r)) }
        }
        out.appendVarint(UInt64(published.count))
        for p in published.sorted() { Self.append(p, to: &out) }
        KeyedTable<Appeal>.write(appealTable.header, to: &out)
        KeyedTable<Identified>.write(idTable.header, to: &out)
        scoring.serializeHeader(into: &out)
        let borrowedAt = out.count
        // The entries, most of the bytes, are sized before they are written: one
        // buffer of the file's size, not one that doubles (64 KiB more for the file's seal).
        out.reserveCapacity(out.count + appealTable.entries.count + idTable.entries.count + scoring.serializedSize + (1 << 16))
        out += appealTable.entries
        out += idTable.entries
        scoring.serializeEntries(into: &out)
        return borrowedAt
    }

    /// The state of ``serialized()``; a malformed input is refused with what is wrong.
    ///
    /// With `borrowing`, the tables' entries (most of a national state's
    /// bytes, and of its strings) are not copied: they are read through it
    /// when a lookup asks for them (see ``Borrowing``).
    public init(serialized bytes: UnsafeRawBufferPointer, borrowing: Borrowing? = nil) throws {
        self.init()
        var r = BinaryReader(bytes)
        let version = try r.byte()
        guard version == Self.serializedVersion else { throw BinaryFormatError("validation state of version \(version); this parledger reads version \(Self.serializedVersion)") }
        let next = try r.varint()
        guard next >= 1 else { throw BinaryFormatError("validation state: next seq 0") }
        var decoder = RecordDecoder()
        // Each table is sized once.
        let unitCount = try r.count()
        units.reserveCapacity(unitCount)
        for _ in 0..<unitCount {
            guard case .unitRegistered(let u) = try Self.record(&r, &decoder) else { throw BinaryFormatError("validation state: a unit that is not a unit.registered record") }
            units[u.unit] = u
        }
        let frameworkCount = try r.count()
        frameworks.reserveCapacity(frameworkCount); items.reserveCapacity(frameworkCount); frameworkIDs.reserveCapacity(frameworkCount)
        for _ in 0..<frameworkCount {
            let p = try Self.partition(&r)
            let id = FrameworkID(try r.string())
            let n = try r.count()
            var rules: [ItemCode: ItemRule] = [:]
            rules.reserveCapacity(n)
            for _ in 0..<n {
                let code = ItemCode(try r.string())
                let min = Score(thousandths: try r.zigzag()), max = Score(thousandths: try r.zigzag())
                rules[code] = ItemRule(code: code, min: min, max: max, source: try Self.source(&r))
            }
            addFramework(p, id: id, items: rules)
        }
        for _ in 0..<(try r.count()) {
            guard case .actorRegistered(let a) = try Self.record(&r, &decoder) else { throw BinaryFormatError("validation state: an actor that is not an actor.registered record") }
            var state = ActorState(registered: a)
            if try r.flag() {
                guard case .actorRevoked(let revoked) = try Self.record(&r, &decoder) else { throw BinaryFormatError("validation state: a revocation that is not an actor.revoked record") }
                state.revoked = revoked
            }
            actors[a.actor] = state
        }
        let publishedCount = try r.count()
        published.reserveCapacity(publishedCount)
        for _ in 0..<publishedCount { published.insert(try Self.partition(&r)) }
        let seqs = next - 1
        let appealHeader = try KeyedTable<Appeal>.header(&r)
        let idHeader = try KeyedTable<Identified>.header(&r)
        let blocks = try scoring.readHeader(&r, seqs: seqs)
        if let borrowing {
            guard r.offset == borrowing.borrowedAt else {
                throw BinaryFormatError("validation state: its tables' entries begin at byte \(r.offset), not at \(borrowing.borrowedAt) as its file says")
            }
            let scoringBytes = blocks * ScoringTable.blockBytes
            guard appealHeader.bytes + idHeader.bytes + scoringBytes == borrowing.borrowedBytes else {
                throw BinaryFormatError("validation state: \(appealHeader.bytes) bytes of appeals, \(idHeader.bytes) of ids and \(blocks) blocks of scoring events, but \(borrowing.borrowedBytes) bytes of entries")
            }
            let at = borrowing.borrowedAt
            appeals = KeyedTable(borrowing: appealHeader, at: at, seqs: seqs, from: borrowing.source)
            ids = KeyedTable(borrowing: idHeader, at: at + appealHeader.bytes, seqs: seqs, from: borrowing.source)
            scoring.borrow(blocks: blocks, at: at + appealHeader.bytes + idHeader.bytes, from: borrowing.source)
        } else {
            appeals = try KeyedTable(reading: &r, appealHeader, seqs: seqs)
            ids = try KeyedTable(reading: &r, idHeader, seqs: seqs)
            try scoring.readEntries(&r, blocks: blocks, seqs: seqs)
        }
        guard r.isAtEnd else { throw BinaryFormatError("validation state: \(bytes.count - r.offset) bytes after its tables") }
        nextSeq = Seq(next)
    }

    /// The time and author of the records that carry a state's units,
    /// frameworks and actors (only their bodies are state).
    static let recordTime = BusinessTime(microsecondsSinceEpoch: 0, offsetMinutes: 0)
    static let recordActor = Actor("parledger")

    static func record(_ r: inout BinaryReader, _ decoder: inout RecordDecoder) throws -> EventBody {
        try decoder.decode(try r.rawBlob()).body
    }

    static func source(_ r: inout BinaryReader) throws -> ItemSource {
        let byte = try r.byte()
        guard byte <= 1 else { throw BinaryFormatError("validation state: item source \(byte)") }
        return byte == 0 ? .assessment : .survey
    }

    static func append(_ p: Partition, to out: inout [UInt8]) {
        out.appendString(p.index.rawValue); out.appendZigzag(Int64(p.year)); out.appendString(p.block.rawValue)
    }
    static func partition(_ r: inout BinaryReader) throws -> Partition {
        Partition(index: IndexCode(try r.string()), year: Int(try r.zigzag()), block: BlockCode(try r.string()))
    }
    static func append(_ k: ItemKey, to out: inout [UInt8]) {
        out.appendString(k.unit.rawValue); out.appendString(k.index.rawValue); out.appendZigzag(Int64(k.year)); out.appendString(k.item.rawValue)
    }
    static func key(_ r: inout BinaryReader) throws -> ItemKey {
        ItemKey(unit: UnitCode(try r.string()), index: IndexCode(try r.string()), year: Int(try r.zigzag()), item: ItemCode(try r.string()))
    }
}

extension LedgerState.Appeal: KeyedEntry {
    typealias Key = AppealID
    static var what: String { "appeal" }
    func write(to out: inout [UInt8]) {
        LedgerState.append(key, to: &out)
        out.append(resolved ? 1 : 0)
    }
    init(reading r: inout BinaryReader, seqs: UInt64) throws {
        key = try LedgerState.key(&r)
        resolved = try Self.resolved(&r)
    }
    static func skip(_ r: inout BinaryReader, seqs: UInt64) throws {
        _ = try r.rawBlob(); _ = try r.rawBlob(); _ = try r.varint(); _ = try r.rawBlob()
        _ = try resolved(&r)
    }
    static func resolved(_ r: inout BinaryReader) throws -> Bool {
        let byte = try r.byte()
        guard byte <= 1 else { throw BinaryFormatError("validation state: an appeal resolved \(byte)") }
        return byte == 1
    }
}

extension LedgerState.Identified: KeyedEntry {
    typealias Key = EventID
    static var what: String { "event id" }
    func write(to out: inout [UInt8]) {
        out.appendVarint(seq.rawValue)
        withUnsafeBytes(of: UInt64(bitPattern: Int64(fingerprint)).littleEndian) { out.append(contentsOf: $0) }
    }
    init(reading r: inout BinaryReader, seqs: UInt64) throws {
        seq = Seq(try Self.seq(&r, seqs: seqs))
        guard r.offset + 8 <= r.bytes.count else { throw BinaryFormatError("cut short") }
        fingerprint = Int(Int64(bitPattern: UInt64(littleEndian: r.bytes.loadUnaligned(fromByteOffset: r.offset, as: UInt64.self))))
        r.offset += 8
    }
    static func skip(_ r: inout BinaryReader, seqs: UInt64) throws {
        _ = try seq(&r, seqs: seqs)
        guard r.offset + 8 <= r.bytes.count else { throw BinaryFormatError("cut short") }
        r.offset += 8
    }
    static func seq(_ r: inout BinaryReader, seqs: UInt64) throws -> UInt64 {
        let seq = try r.varint()
        guard seq >= 1 && seq <= seqs else { throw BinaryFormatError("validation state: an id at seq \(seq), past the state's end") }
        return seq
    }
}
