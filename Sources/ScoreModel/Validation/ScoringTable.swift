import Primitives

/// The scoring events of a log by seq, for validation: what a correction
/// may target, and the item it then changes.
///
/// A national log holds millions of them, so an entry is 12 bytes (codes
/// interned, the table indexed by seq in blocks of 64Ki entries), not a
/// dictionary entry holding three strings: 6.3 million scoring events take
/// about 76 MiB, and the table grows without copying what it holds.
struct ScoringTable: Sendable {
    /// `unit` 0: no scoring event at this seq.
    struct Entry: Sendable {
        var unit: UInt32 = 0
        var item: UInt32 = 0
        var index: UInt16 = 0
        /// (year − 1900) × 4 + the type (1 assessment, 2 appraisal, 3 survey).
        var yearAndType: UInt16 = 0
    }
    static let blockBits = 16
    private var blocks: [[Entry]] = []
    /// Interned codes: id − 1 is the position in the list.
    private var units: [UnitCode] = [], unitIDs: [UnitCode: UInt32] = [:]
    private var items: [ItemCode] = [], itemIDs: [ItemCode: UInt32] = [:]
    private var indexes: [IndexCode] = [], indexIDs: [IndexCode: UInt16] = [:]

    init() {}

    /// The blocks of a saved state, left where they lie (a mapped file)
    /// instead of copied: the table's serialized entries
    /// (``serializeEntries(into:)``) begin at `at` in `source`, and
    /// `read(offset, count)` gives their bytes at `offset`.
    /// Such a block has an empty placeholder in ``blocks`` until an entry
    /// of it is set, when it is copied in.
    struct Borrowed: Sendable {
        var at: Int
        var source: any BorrowedBytes
        func read(_ offset: Int, _ count: Int) -> [UInt8]? { source.withBytes(at + offset, count) { Array($0) } }
    }
    private var borrowed: Borrowed?
    static let blockBytes = (1 << blockBits) * 12

    subscript(_ seq: Seq) -> LedgerState.Scoring? {
        guard seq.rawValue >= 1 else { return nil }
        let at = Int(seq.rawValue - 1)
        let block = at >> Self.blockBits
        guard block < blocks.count else { return nil }
        let e: Entry
        if blocks[block].isEmpty, let borrowed {
            // Bytes that cannot be had as saved read as no scoring event; the caller learns why.
            guard let raw = borrowed.read(at * 12, 12) else { return nil }
            e = Self.entries(raw)[0]
            // Codes out of range cannot pass a verified seal; read as no scoring event all the same.
            guard e.unit <= units.count, e.item >= 1, e.item <= items.count, e.index >= 1, e.index <= indexes.count else { return nil }
        } else {
            e = blocks[block][at & ((1 << Self.blockBits) - 1)]
        }
        guard e.unit != 0 else { return nil }
        let type: EventType = switch e.yearAndType & 3 {
        case 1: .assessmentSubmitted
        case 2: .appraisalRecorded
        default: .surveyRecorded
        }
        let key = ItemKey(unit: units[Int(e.unit) - 1], index: indexes[Int(e.index) - 1], year: Int(e.yearAndType >> 2) + 1900,
                          item: items[Int(e.item) - 1])
        return LedgerState.Scoring(key: key, type: type)
    }

    mutating func set(_ seq: Seq, _ key: ItemKey, _ type: EventType) {
        let at = Int(seq.rawValue - 1)
        let block = at >> Self.blockBits
        while blocks.count <= block { blocks.append([Entry](repeating: Entry(), count: 1 << Self.blockBits)) }
        if blocks[block].isEmpty, let borrowed {
            blocks[block] = borrowed.read(block * Self.blockBytes, Self.blockBytes).map(Self.entries) ?? [Entry](repeating: Entry(), count: 1 << Self.blockBits)
        }
        let code: UInt16 = switch type {
        case .assessmentSubmitted: 1
        case .appraisalRecorded: 2
        default: 3
        }
        // Years are 1900–2200 (EventJSON.years), so (year − 1900) × 4 fits.
        let entry = Entry(unit: Self.intern(key.unit, &units, &unitIDs), item: Self.intern(key.item, &items, &itemIDs),
                          index: Self.intern(key.index, &indexes, &indexIDs), yearAndType: UInt16(clamping: key.year - 1900) << 2 | code)
        blocks[block][at & ((1 << Self.blockBits) - 1)] = entry
    }

    /// Entries from their serialized bytes (12 each, little-endian).
    static func entries(_ raw: [UInt8]) -> [Entry] {
        raw.withUnsafeBytes { raw in
            (0..<(raw.count / 12)).map { i in
                Entry(unit: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 12, as: UInt32.self)),
                      item: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 12 + 4, as: UInt32.self)),
                      index: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 12 + 8, as: UInt16.self)),
                      yearAndType: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 12 + 10, as: UInt16.self)))
            }
        }
    }

    private static func intern<C: Hashable, I: FixedWidthInteger>(_ code: C, _ list: inout [C], _ ids: inout [C: I]) -> I {
        if let id = ids[code] { return id }
        list.append(code)
        let id = I(list.count)
        ids[code] = id
        return id
    }

    // MARK: bytes (a saved validation state)

    /// The size of ``serializeHeader(into:)``'s and ``serializeEntries(into:)``'s output, near enough to reserve it.
    var serializedSize: Int { blocks.count * (1 << Self.blockBits) * 12 + (units.count + items.count) * 16 + 64 }

    /// The interned codes (count, then strings), then the number of blocks.
    func serializeHeader(into out: inout [UInt8]) {
        for list in [units.map(\.rawValue), items.map(\.rawValue), indexes.map(\.rawValue)] {
            out.appendVarint(UInt64(list.count))
            for code in list { out.appendString(code) }
        }
        out.appendVarint(UInt64(blocks.count))
    }

    /// Each block's 65,536 entries of 12 bytes, little-endian: unit id
    /// (u32), item id (u32), index id (u16), (year − 1900) × 4 + type (u16).
    func serializeEntries(into out: inout [UInt8]) {
        let start = out.count
        defer { precondition(out.count == start + blocks.count * Self.blockBytes, "each block is 65,536 entries") }
        for (b, block) in blocks.enumerated() {
            if block.isEmpty, let borrowed {
                out += borrowed.read(b * Self.blockBytes, Self.blockBytes) ?? [UInt8](repeating: 0, count: Self.blockBytes)
                continue
            }
            #if _endian(little)
            if MemoryLayout<Entry>.stride == 12 {
                // The entries' memory is already the format.
                block.withUnsafeBytes { out.append(contentsOf: $0) }
                continue
            }
            #endif
            for e in block {
                withUnsafeBytes(of: e.unit.littleEndian) { out.append(contentsOf: $0) }
                withUnsafeBytes(of: e.item.littleEndian) { out.append(contentsOf: $0) }
                withUnsafeBytes(of: e.index.littleEndian) { out.append(contentsOf: $0) }
                withUnsafeBytes(of: e.yearAndType.littleEndian) { out.append(contentsOf: $0) }
            }
        }
    }

    /// Reads ``serializeHeader(into:)``'s bytes for a state of `seqs`
    /// events; returns the number of blocks, whose entries follow
    /// elsewhere (``readEntries(_:blocks:seqs:)``, ``borrow(blocks:at:from:)``).
    mutating func readHeader(_ r: inout BinaryReader, seqs: UInt64) throws -> Int {
        func codes<C: DomainCode, I: FixedWidthInteger>(_ list: inout [C], _ ids: inout [C: I]) throws {
            let n = try r.count()
            guard n < Int(I.max) else { throw BinaryFormatError("validation state: \(n) interned codes") }
            list.reserveCapacity(n)
            for _ in 0..<n { _ = Self.intern(C(try r.string()), &list, &ids) }
            guard ids.count == n else { throw BinaryFormatError("validation state: an interned code is listed twice") }
        }
        try codes(&units, &unitIDs)
        try codes(&items, &itemIDs)
        try codes(&indexes, &indexIDs)
        // Not r.count(): the entries are not in these bytes.
        let stated = try r.varint()
        guard stated <= UInt64(Int32.max) else { throw BinaryFormatError("validation state: \(stated) blocks of scoring events") }
        guard stated <= (seqs + UInt64(1 << Self.blockBits) - 1) >> UInt64(Self.blockBits) else {
            throw BinaryFormatError("validation state: \(stated) blocks of scoring events for \(seqs) events")
        }
        return Int(stated)
    }

    /// The blocks left where they lie: their entries are read through
    /// `source` (at `at`, from the state's first byte) when asked for, and
    /// each is checked then.
    mutating func borrow(blocks count: Int, at: Int, from source: any BorrowedBytes) {
        borrowed = Borrowed(at: at, source: source)
        blocks = [[Entry]](repeating: [], count: count)
    }

    /// Reads ``serializeEntries(into:)``'s bytes for a state of `seqs`
    /// events; every entry must name interned codes and a seq within the state.
    mutating func readEntries(_ r: inout BinaryReader, blocks count: Int, seqs: UInt64) throws {
        let perBlock = 1 << Self.blockBits
        guard r.bytes.count - r.offset >= count * perBlock * 12 else { throw BinaryFormatError("cut short") }
        let (unitLimit, itemLimit, indexLimit) = (UInt32(units.count), UInt32(items.count), UInt16(indexes.count))
        blocks.reserveCapacity(count)
        for b in 0..<count {
            let base = r.offset + b * perBlock * 12
            let raw = r.bytes
            var bad: Int?
            let block = [Entry](unsafeUninitializedCapacity: perBlock) { buffer, initialized in
                for i in 0..<perBlock {
                    let at = base + i * 12
                    let e = Entry(unit: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)),
                                  item: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self)),
                                  index: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8, as: UInt16.self)),
                                  yearAndType: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at + 10, as: UInt16.self)))
                    if e.unit != 0 && (e.unit > unitLimit || e.item == 0 || e.item > itemLimit || e.index == 0 || e.index > indexLimit
                                       || e.yearAndType & 3 == 0 || UInt64(b * perBlock + i) >= seqs) { bad = bad ?? (b * perBlock + i + 1) }
                    buffer[i] = e
                }
                initialized = perBlock
            }
            if let bad { throw BinaryFormatError("validation state: the scoring entry of seq \(bad) is not valid") }
            blocks.append(block)
        }
        r.offset += count * perBlock * 12
    }
}
