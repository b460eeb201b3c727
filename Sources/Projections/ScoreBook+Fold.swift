import Primitives
import ScoreModel

extension ScoreBook {
    /// Folds batches of ``FoldRecord``s into a book: the replay's hot path.
    ///
    /// ```swift
    /// var folder = ScoreBook.Folder()
    /// try Ledger.replayFold(reader) { batch in folder.apply(batch, to: &book) }
    /// ```
    ///
    /// An item event names its unit, index and item by the numbers its
    /// decoder gave their codes; the folder learns what each number means
    /// to the book once (a unit's dense number, an index's and an item
    /// code's numbers of its own) and then finds a sheet by one integer
    /// key and an item's slot by array index, where ``apply(_:)`` hashes
    /// strings. The book it builds is the one ``apply(_:)`` builds from the
    /// same events, slot for slot. Keep one folder per replay and book:
    /// what it learnt holds for the decoders of that replay only.
    public struct Folder: Sendable {
        /// What one decoder's code numbers mean: the codes, and the unit,
        /// index and item numbers found for them so far (-1: not yet).
        struct Lane: Sendable {
            var codes: [String] = []
            var unit: [Int32] = []
            var index: [Int32] = []
            var item: [Int32] = []
        }
        var lanes: [Lane] = []
        /// The folder's own numbers of index and item codes.
        var indexNumbers: [String: Int32] = [:]
        var itemNumbers: [String: Int32] = [:]
        /// Per book partition: item number → slot offset in the sheet (-1:
        /// not in the framework), made the first time the partition is met.
        /// Partition `p`'s table is `offsetTable[tableStart[p]...]`,
        /// `tableWidth[p]` long (start -1 until made): one flat column, so
        /// that a lookup retains no array.
        var tableStart: [Int32] = []
        var tableWidth: [Int32] = []
        var offsetTable: [Int32] = []
        /// (unit number, index number, year) → the sheet's first slot and its partition.
        var sheets: [UInt64: (first: Int32, partition: Int32)] = [:]
        var last: (key: UInt64, first: Int32, partition: Int32) = (.max, 0, 0)

        public init() {}

        /// Applies a frame's records in seq order. Batches of one decoder
        /// must come in the order it decoded them (``Ledger/replayFold``
        /// hands them over so).
        public mutating func apply(_ batch: FoldBatch, to book: inout ScoreBook) {
            while lanes.count <= batch.decoder { lanes.append(Lane()) }
            learn(batch)
            var nextID = 0
            for r in batch.records {
                if r.kind == .other {
                    book.apply(batch.others[Int(r.value)])
                    continue
                }
                precondition(r.seq < UInt64(UInt32.max), "a score book holds seqs below 2^32 - 1")
                let seq = Seq(r.seq)
                book.lastSeq = seq
                if r.hasID { book.ids[batch.ids[nextID]] = seq; nextID += 1 }
                guard let (s, partition) = slot(r, lane: batch.decoder, &book) else { continue }
                book.applyItem(r.kind, slot: s, partition: partition, seq: UInt32(r.seq), value: r.value, round: Int(r.round))
            }
        }

        private mutating func learn(_ batch: FoldBatch) {
            precondition(Int(batch.firstNewCode) == lanes[batch.decoder].codes.count,
                         "fold batches of decoder \(batch.decoder) out of order")
            guard !batch.newCodes.isEmpty else { return }
            let more = batch.newCodes.count
            lanes[batch.decoder].codes.append(contentsOf: batch.newCodes)
            lanes[batch.decoder].unit.append(contentsOf: repeatElement(-1, count: more))
            lanes[batch.decoder].index.append(contentsOf: repeatElement(-1, count: more))
            lanes[batch.decoder].item.append(contentsOf: repeatElement(-1, count: more))
        }

        /// The item's slot and partition, creating the unit's sheet as
        /// ``ScoreBook/slot(creating:)`` does; nil when the unit, the
        /// framework or the item is unknown to the book.
        private mutating func slot(_ r: FoldRecord, lane l: Int, _ book: inout ScoreBook) -> (Int, Int32)? {
            let first: Int32, partition: Int32
            var unit = lanes[l].unit[Int(r.unit)]
            if unit < 0 {
                // Not cached until the unit is registered: an event before that is ignored.
                guard let n = book.unitNumbers[UnitCode(lanes[l].codes[Int(r.unit)])] else { return nil }
                unit = n
                lanes[l].unit[Int(r.unit)] = n
            }
            var index = lanes[l].index[Int(r.index)]
            if index < 0 {
                index = Self.number(lanes[l].codes[Int(r.index)], in: &indexNumbers)
                lanes[l].index[Int(r.index)] = index
            }
            guard index <= 0xFFFF, (0...0xFFFF).contains(r.year) else { return book.slot(creating: key(r, lane: l)) }
            let sheetKey = UInt64(UInt32(unit)) << 32 | UInt64(index) << 16 | UInt64(r.year)
            if sheetKey == last.key {
                first = last.first; partition = last.partition
            } else if let known = sheets[sheetKey] {
                (first, partition) = known
                last = (sheetKey, first, partition)
            } else {
                guard let found = book.sheet(creating: UnitCode(lanes[l].codes[Int(r.unit)]), index: IndexCode(lanes[l].codes[Int(r.index)]),
                                             year: Int(r.year)) else { return nil }
                (first, partition) = found
                sheets[sheetKey] = found
                last = (sheetKey, first, partition)
            }
            var item = lanes[l].item[Int(r.item)]
            if item < 0 {
                item = Self.number(lanes[l].codes[Int(r.item)], in: &itemNumbers)
                lanes[l].item[Int(r.item)] = item
            }
            let p = Int(partition)
            if p >= tableStart.count || tableStart[p] < 0 { makeTable(of: partition, book.itemOffsets[p]) }
            guard item < tableWidth[p] else { return nil }
            let offset = offsetTable[Int(tableStart[p] + item)]
            guard offset >= 0 else { return nil }
            return (Int(first + offset), partition)
        }

        /// The folder's number of an index or item code, numbered next when new.
        private static func number(_ code: String, in numbers: inout [String: Int32]) -> Int32 {
            if let n = numbers[code] { return n }
            let n = Int32(numbers.count)
            numbers[code] = n
            return n
        }

        /// Makes partition `partition`'s table of item number → slot offset from its framework's offsets.
        private mutating func makeTable(of partition: Int32, _ codes: [ItemCode: Int32]) {
            while tableStart.count <= Int(partition) { tableStart.append(-1); tableWidth.append(0) }
            var table: [Int32] = []
            for (code, offset) in codes {
                let n = Self.number(code.rawValue, in: &itemNumbers)
                if table.count <= Int(n) { table.append(contentsOf: repeatElement(-1, count: Int(n) + 1 - table.count)) }
                table[Int(n)] = offset
            }
            precondition(offsetTable.count + table.count < Int(Int32.max), "a fold's offset table holds up to 2^31 entries")
            tableStart[Int(partition)] = Int32(offsetTable.count)
            tableWidth[Int(partition)] = Int32(table.count)
            offsetTable.append(contentsOf: table)
        }

        private func key(_ r: FoldRecord, lane l: Int) -> ItemKey {
            let codes = lanes[l].codes
            return ItemKey(unit: UnitCode(codes[Int(r.unit)]), index: IndexCode(codes[Int(r.index)]), year: Int(r.year),
                           item: ItemCode(codes[Int(r.item)]))
        }
    }
}
