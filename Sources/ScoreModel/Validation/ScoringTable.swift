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

    subscript(_ seq: Seq) -> LedgerState.Scoring? {
        guard seq.rawValue >= 1 else { return nil }
        let at = Int(seq.rawValue - 1)
        let block = at >> Self.blockBits
        guard block < blocks.count else { return nil }
        let e = blocks[block][at & ((1 << Self.blockBits) - 1)]
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

    private static func intern<C: Hashable, I: FixedWidthInteger>(_ code: C, _ list: inout [C], _ ids: inout [C: I]) -> I {
        if let id = ids[code] { return id }
        list.append(code)
        let id = I(list.count)
        ids[code] = id
        return id
    }
}
