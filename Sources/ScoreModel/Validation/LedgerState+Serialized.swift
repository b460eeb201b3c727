import Primitives

/// The validation state as bytes, so that an import can start from a saved
/// state instead of replaying the whole log (the Ledger module seals and
/// stores it beside the log; see docs/FORMAT.md, "The validation state").
///
/// Layout (version 1): the version byte; `nextSeq` (varint); the units,
/// as a count and binary event records (docs/RECORDS.md) of their
/// `unit.registered` bodies (a renamed unit with its current name); the
/// frameworks (partition, id, then each item's code, minimum, maximum and
/// source); the actors, as records of their `actor.registered` and
/// `actor.revoked` bodies; the published partitions; the appeals
/// (id, item key, resolved); the event ids (id, seq, fingerprint as 8 bytes
/// little-endian); then the table of scoring events
/// (``ScoringTable/serialize(into:)``). Every table is written in key
/// order, so the same state always gives the same bytes.
extension LedgerState {
    static let serializedVersion: UInt8 = 1

    /// Where the entries of a serialized state's table of scoring events
    /// are read from when they are not copied: `read(offset, count)` gives
    /// the state's bytes `offset..<(offset + count)` (offsets from the
    /// state's first byte), or nil when they cannot be had as they were
    /// saved (the caller then knows why, and must not trust the state).
    /// `entriesAt` is where the entries begin, as the file that holds them
    /// says; the state's other bytes must all lie before it.
    /// With a borrowed table the serialized bytes given to the initializer
    /// may end where the entries begin, and `entriesBytes` says how many
    /// bytes of entries `read` can give.
    public struct Borrowing: Sendable {
        public var entriesAt: Int
        public var entriesBytes: Int
        public var read: @Sendable (_ offset: Int, _ count: Int) -> [UInt8]?
        public init(entriesAt: Int, entriesBytes: Int, read: @escaping @Sendable (_ offset: Int, _ count: Int) -> [UInt8]?) {
            self.entriesAt = entriesAt; self.entriesBytes = entriesBytes; self.read = read
        }
    }

    /// The state's bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }

    /// Appends the state's bytes; returns the position in `out` where the
    /// entries of the table of scoring events begin (they run to the end).
    @discardableResult
    public func serialize(into out: inout [UInt8]) -> Int {
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
        out.appendVarint(UInt64(appeals.count))
        for (id, a) in appeals.sorted(by: { $0.key < $1.key }) {
            out.appendString(id.rawValue)
            Self.append(a.key, to: &out)
            out.append(a.resolved ? 1 : 0)
        }
        out.appendVarint(UInt64(ids.count))
        for (id, e) in ids.sorted(by: { $0.key < $1.key }) {
            out.appendString(id.rawValue)
            out.appendVarint(e.seq.rawValue)
            withUnsafeBytes(of: UInt64(bitPattern: Int64(e.fingerprint)).littleEndian) { out.append(contentsOf: $0) }
        }
        // The table, most of the bytes, is sized before it is written: one
        // buffer of the file's size, not one that doubles (64 KiB more for the file's seal).
        out.reserveCapacity(out.count + scoring.serializedSize + (1 << 16))
        return scoring.serialize(into: &out)
    }

    /// The state of ``serialized()``; a malformed input is refused with what is wrong.
    ///
    /// With `borrowing`, the table of scoring events (most of a national
    /// state's bytes) is not copied: its entries are read through it when a
    /// correction asks for one (see ``Borrowing``).
    public init(serialized bytes: UnsafeRawBufferPointer, borrowing: Borrowing? = nil) throws {
        self.init()
        var r = BinaryReader(bytes)
        let version = try r.byte()
        guard version == Self.serializedVersion else { throw BinaryFormatError("validation state of version \(version); this parledger reads version \(Self.serializedVersion)") }
        let next = try r.varint()
        guard next >= 1 else { throw BinaryFormatError("validation state: next seq 0") }
        var decoder = RecordDecoder()
        // Each table is sized once: a heavy history has tens of thousands of appeals and ids.
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
        let appealCount = try r.count()
        appeals.reserveCapacity(appealCount)
        for _ in 0..<appealCount {
            let id = AppealID(try r.string())
            appeals[id] = (try Self.key(&r), try r.flag())
        }
        let idCount = try r.count()
        ids.reserveCapacity(idCount)
        for _ in 0..<idCount {
            let id = EventID(try r.string())
            let seq = try r.varint()
            guard seq >= 1 && seq < next else { throw BinaryFormatError("validation state: id \(id) at seq \(seq), past the state's end") }
            guard r.offset + 8 <= bytes.count else { throw BinaryFormatError("cut short") }
            let fingerprint = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: r.offset, as: UInt64.self))
            r.offset += 8
            ids[id] = (Seq(seq), Int(Int64(bitPattern: fingerprint)))
        }
        scoring = try ScoringTable(reading: &r, seqs: next - 1, borrowing: borrowing)
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
