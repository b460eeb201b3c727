import Primitives
import ScoreModel

/// The score book as bytes, for incremental runs: a run saves the book at
/// seq N and the next run replays only what follows. Lossless: a book read
/// back gives the same figures, byte for byte, as the book that was saved.
///
/// Layout: magic `PLBK`, version (3), then each table in a fixed order with
/// its keys sorted, integers as varints, strings length-prefixed UTF-8,
/// the partitions' keys and item counts, then their frameworks as binary
/// event records (see docs/RECORDS.md), then the
/// book's compact storage (sheets, slots, lineage chain) as columns of
/// fixed-width little-endian integers.
extension ScoreBook {
    static let checkpointMagic: [UInt8] = Array("PLBK".utf8)
    static let checkpointVersion: UInt64 = 3

    /// A partial read was asked for a unit the checkpoint does not know.
    public struct NotInCheckpoint: Error {}

    public struct CheckpointError: Diagnostic {
        public let message: String
        public var parts: DiagnosticParts { DiagnosticParts(code: .unreadableCheckpoint, title: "unreadable checkpoint", message: message) }
    }

    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }

    /// Appends the book's bytes to `out`.
    public func serialize(into out: inout [UInt8]) {
        var w = BookWriter<Never>(sink: nil, chunk: .max)
        swap(&w.out, &out)
        defer { swap(&w.out, &out) }
        write(&w)
    }

    /// Hands the book's bytes to `sink` in order, about `chunk` bytes at a
    /// time (a megabyte unless asked otherwise): a checkpoint of hundreds of
    /// megabytes is written to its file without being held whole in
    /// memory. The bytes are those of ``serialized()``.
    public func serialize<E: Error>(chunk: Int = 1 << 20, _ sink: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        precondition(chunk >= 16, "a chunk of at least 16 bytes")
        try withoutActuallyEscaping(sink) { (sink) throws(E) in
            var w = BookWriter<E>(sink: sink, chunk: chunk)
            try write(&w)
            try w.drain(all: true)
        }
    }

    private func write<E: Error>(_ w: inout BookWriter<E>) throws(E) {
        w.out.append(contentsOf: Self.checkpointMagic)
        w.varint(Self.checkpointVersion)
        w.varint(lastSeq.rawValue)
        // Units and frameworks in their number order, which the reader rebuilds.
        var unitList = [UnitCode](repeating: "", count: unitNumbers.count)
        for (code, n) in unitNumbers { unitList[Int(n)] = code }
        w.varint(UInt64(unitList.count))
        for code in unitList {
            let u = units[code]!
            w.string(u.code.rawValue); w.string(u.name); w.string(u.block.rawValue); w.optionalString(u.parent?.rawValue); w.varint(u.registered.rawValue)
            try w.drain()
        }
        precondition(!isPartial && !isSparse, "a partial or sparse book is for reading one partition, not for saving")
        w.varint(UInt64(partitionList.count))
        // Keys and item counts first: a partial read skips the other frameworks undecoded.
        for (i, p) in partitionList.enumerated() { w.partition(p); w.varint(UInt64(itemSlots[i].count)) }
        for p in partitionList {
            w.bytes(EventCodec.encode(Event(at: BusinessTime(microsecondsSinceEpoch: 0, offsetMinutes: 0), by: "checkpoint", body: .frameworkPublished(frameworks[p]!))))
            try w.drain()
        }
        let pubs = published.sorted { $0.key < $1.key }
        w.varint(UInt64(pubs.count))
        for (p, v) in pubs { w.partition(p); w.varint(v.seq.rawValue); w.time(v.at) }
        // The keys are sorted, not the states: an appeal's state is large to move.
        let appealIDs = appeals.keys.sorted()
        w.varint(UInt64(appealIDs.count))
        for id in appealIDs {
            let a = appeals[id]!
            w.string(a.id.rawValue); w.key(a.key); w.signed(a.requested.thousandths); w.string(a.grounds); w.varint(a.filed.rawValue); w.time(a.filedAt)
            w.flag(a.resolution != nil)
            if let r = a.resolution, let seq = a.resolvedSeq {
                w.string(r.outcome.rawValue); w.flag(r.score != nil); if let s = r.score { w.signed(s.thousandths) }
                w.string(r.reason); w.varint(seq.rawValue)
            }
            try w.drain()
        }
        let idList = ids.sorted { $0.key < $1.key }
        w.varint(UInt64(idList.count))
        for (id, seq) in idList { w.string(id.rawValue); w.varint(seq.rawValue); try w.drain() }
        // Into one buffer, the rest is sized before it is written, so that a
        // national book is held in a buffer of its own size: a buffer that
        // doubled as it grew would hold up to twice the file while it copies.
        if !w.streaming {
            let columns = 2 * (10 + 4 * sheetUnits.count) + 9 * 10 + slots.count * 45 + 4 * (touchPrevious.count + scoringSlot.count) + 20
            let tail = 30 * corrections.count + appealed.reduce(0) { $0 + 40 + $1.value.appeal.rawValue.utf8.count } + 20
            w.out.reserveCapacity(w.out.count + columns + tail + (1 << 16))
        }
        // Sheets in slot order: unit number and partition number.
        try w.column(sheetUnits)
        try w.column(sheetPartitions)
        // Slots as columns of fixed-width little-endian integers.
        try w.column(slots, \.selfSeq); try w.column(slots, \.appraisalSeq); try w.column(slots, \.surveySeq)
        try w.column(slots, \.lastTouch); try w.column(slots, \.lastCorrection); try w.column(slots, \.round)
        try w.column(slots, \.selfValue); try w.column(slots, \.appraisalValue); try w.column(slots, \.surveyValue)
        try w.column(touchPrevious)
        try w.column(scoringSlot)
        let correctionList = corrections.sorted { $0.key < $1.key }
        w.varint(UInt64(correctionList.count))
        for (target, c) in correctionList { w.varint(UInt64(target)); w.varint(UInt64(c.seq)); w.signed(c.value); try w.drain() }
        let appealedList = appealed.sorted { $0.key < $1.key }
        w.varint(UInt64(appealedList.count))
        for (slot, a) in appealedList { w.varint(UInt64(slot)); w.varint(a.seq.rawValue); w.string(a.appeal.rawValue); w.signed(a.score.thousandths); try w.drain() }
    }

    public init(serialized bytes: [UInt8]) throws {
        try self = bytes.withUnsafeBytes { try ScoreBook(serialized: $0) }
    }

    /// Reads a book from bytes it does not keep (a file's buffer, a map).
    ///
    /// With `only`, a *partial* book: the one partition that scores that
    /// unit in that index and year (its framework, every sheet of it, the
    /// lineage of its items), plus every unit, publication, appeal and id,
    /// which are small. Enough for `explain` and `history` of that unit and
    /// year, with the events after the checkpoint applied; nothing else may
    /// be asked of it (``isPartial``). Throws ``NotInCheckpoint`` when the
    /// checkpoint does not know the unit.
    ///
    /// `done` is told, as the read goes, of bytes of `raw` it has finished
    /// with and will not read again, so that a caller reading from a mapped
    /// file can let go of their pages. The slot columns, read side by side,
    /// are handed on every `doneEvery` slots.
    public init(serialized raw: UnsafeRawBufferPointer, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil,
                done: (UnsafeRawBufferPointer) -> Void = { _ in }, doneEvery: Int = 1 << 16) throws {
        self.init()
        guard raw.count >= 4, Array(raw[0..<4]) == Self.checkpointMagic else { throw CheckpointError(message: "not a score-book checkpoint") }
        do {
            var r = BinaryReader(raw)
            r.offset = 4
            try self.read(&r, only: only, done: done, doneEvery: max(1, doneEvery))
        } catch let error as CheckpointError {
            throw error
        } catch let error as NotInCheckpoint {
            throw error
        } catch {
            throw CheckpointError(message: "\(error)")
        }
    }

    private mutating func read(_ r: inout BinaryReader, only: (unit: UnitCode, index: IndexCode, year: Int)?, done: (UnsafeRawBufferPointer) -> Void,
                               doneEvery: Int) throws {
        var finished = 0   // the bytes before this one have been handed to `done`
        func finish(upTo end: Int, of bytes: UnsafeRawBufferPointer) {
            guard end > finished else { return }
            done(UnsafeRawBufferPointer(rebasing: bytes[finished..<end])); finished = end
        }
        let version = try r.varint()
        guard version == Self.checkpointVersion else { throw CheckpointError(message: "version \(version), this build reads \(Self.checkpointVersion)") }
        lastSeq = Seq(try r.varint())
        for _ in 0..<(try r.count()) {
            let code = UnitCode(try r.string()), name = try r.string(), block = BlockCode(try r.string())
            let parent = try r.optionalString().map { UnitCode($0) }
            register(UnitInfo(code: code, name: name, block: block, parent: parent, registered: Seq(try r.varint())))
        }
        var target: Partition?
        if let only {
            guard let unit = units[only.unit] else { throw NotInCheckpoint() }
            target = Partition(index: only.index, year: only.year, block: unit.block)
            isPartial = true
        }
        let partitionCount = try r.count()
        var keys: [(partition: Partition, items: Int)] = []
        for _ in 0..<partitionCount { keys.append((try r.partition(), Int(try r.varint()))) }
        var decoder = RecordDecoder()
        var targetNumber: Int32 = -1
        for key in keys {
            let record = try r.blob()
            if let target, key.partition != target {
                // Kept in the numbering, without its framework: events of it are ignored.
                partitionList.append(key.partition); itemOffsets.append([:]); itemSlots.append([]); dirtyFlags.append(false)
                continue
            }
            guard case .frameworkPublished(let f) = try record.withUnsafeBytes({ try decoder.decode($0) }).body else {
                throw CheckpointError(message: "a framework entry holds another event")
            }
            guard Partition(index: f.index, year: f.year, block: f.block) == key.partition, f.itemCount == key.items else {
                throw CheckpointError(message: "a framework does not match its partition key")
            }
            if target != nil { targetNumber = Int32(partitionList.count) }
            publish(f)
        }
        for _ in 0..<(try r.count()) {
            let p = try r.partition()
            published[p] = (Seq(try r.varint()), try r.time())
        }
        // Tables sized once from their counts (bounded by the bytes left), not grown by rehashing.
        let appealCount = try r.count()
        appeals.reserveCapacity(appealCount)
        // Grounds and reasons repeat from one appeal to the next (a council's few phrasings): the same bytes as the
        // last one share its string, neither allocated nor checked again.
        var lastGrounds = "", lastReason = ""
        func text(_ last: inout String) throws -> String {
            let raw = try r.rawBlob()
            if BinaryReader.holds(last, raw) { return last }
            last = try BinaryReader.makeString(raw)
            return last
        }
        for _ in 0..<appealCount {
            let id = AppealID(try r.string()), key = try r.key(), requested = Score(thousandths: try r.signed()), grounds = try text(&lastGrounds)
            var state = AppealState(id: id, key: key, requested: requested, grounds: grounds, filed: Seq(try r.varint()), filedAt: try r.time())
            if try r.flag() {
                guard let outcome = AppealOutcome(rawValue: try r.string()) else { throw CheckpointError(message: "bad appeal outcome") }
                let score = try r.flag() ? Score(thousandths: try r.signed()) : nil
                state.resolution = AppealResolved(appeal: id, outcome: outcome, score: score, reason: try text(&lastReason))
                state.resolvedSeq = Seq(try r.varint())
            }
            file(state)
        }
        let idCount = try r.count()
        ids.reserveCapacity(idCount)
        for _ in 0..<idCount { ids[EventID(try r.string())] = Seq(try r.varint()) }
        finish(upTo: r.offset, of: r.bytes)
        let unitsOfSheets: [Int32] = try r.column(), partitionsOfSheets: [Int32] = try r.column()
        guard unitsOfSheets.count == partitionsOfSheets.count else { throw CheckpointError(message: "sheet columns differ in length") }
        // Sheets kept: (first slot in the file, first slot here, slots).
        var kept: [(from: Int, to: Int, count: Int)] = []
        var total = 0, keptTotal = 0
        for (unit, p) in zip(unitsOfSheets, partitionsOfSheets) {
            guard unit >= 0, Int(unit) < unitNumbers.count, p >= 0, Int(p) < keys.count else { throw CheckpointError(message: "a sheet names an unknown unit or partition") }
            let count = keys[Int(p)].items
            if target == nil || p == targetNumber {
                addSheet(unit: unit, partition: p, first: Int32(keptTotal))
                kept.append((total, keptTotal, count))
                keptTotal += count
            }
            total += count
        }
        // Slots straight from the nine columns, without a copy of each.
        let selfSeq = try r.columnView(UInt32.self, total), appraisalSeq = try r.columnView(UInt32.self, total)
        let surveySeq = try r.columnView(UInt32.self, total), lastTouch = try r.columnView(UInt32.self, total)
        let lastCorrection = try r.columnView(UInt32.self, total), round = try r.columnView(UInt8.self, total)
        let selfValue = try r.columnView(Int64.self, total), appraisalValue = try r.columnView(Int64.self, total)
        let surveyValue = try r.columnView(Int64.self, total)
        // A whole book reads the columns from start to end side by side: each one's read part is let go as it goes.
        var columnsDone = 0
        func finishColumns(upTo end: Int) {
            guard end >= columnsDone + doneEvery else { return }
            for part in [selfSeq.part(columnsDone..<end), appraisalSeq.part(columnsDone..<end), surveySeq.part(columnsDone..<end),
                         lastTouch.part(columnsDone..<end), lastCorrection.part(columnsDone..<end), round.part(columnsDone..<end),
                         selfValue.part(columnsDone..<end), appraisalValue.part(columnsDone..<end), surveyValue.part(columnsDone..<end)] {
                done(part)
            }
            columnsDone = end
        }
        // Room for a sixteenth more (address space only until used), so that the sheets of a night's
        // new unit-years do not copy a national book's slots into an array twice their size.
        slots = [Slot](unsafeUninitializedCapacity: target == nil ? keptTotal + keptTotal / 16 : keptTotal) { buffer, initialized in
            for sheet in kept {
                if target == nil { finishColumns(upTo: sheet.from) }
                for k in 0..<sheet.count {
                    let i = sheet.from + k
                    buffer.initializeElement(at: sheet.to + k, to: Slot(
                        selfSeq: selfSeq[i], appraisalSeq: appraisalSeq[i], surveySeq: surveySeq[i], lastTouch: lastTouch[i],
                        lastCorrection: lastCorrection[i], round: round[i], selfValue: selfValue[i], appraisalValue: appraisalValue[i],
                        surveyValue: surveyValue[i]))
                }
            }
            initialized = keptTotal
        }
        finish(upTo: r.offset, of: r.bytes)
        touchPrevious = try r.column()
        let scoring = try r.columnView(UInt32.self, touchPrevious.count)
        guard !touchPrevious.isEmpty, touchPrevious.allSatisfy({ UInt64($0) <= lastSeq.rawValue }) else {
            throw CheckpointError(message: "lineage columns are inconsistent")
        }
        if target == nil {
            scoringSlot = [UInt32](unsafeUninitializedCapacity: touchPrevious.count) { buffer, initialized in
                for i in 0..<touchPrevious.count { buffer.initializeElement(at: i, to: scoring[i]) }
                initialized = touchPrevious.count
            }
            guard scoringSlot.allSatisfy({ Int($0) <= total }) else { throw CheckpointError(message: "lineage columns are inconsistent") }
        } else {
            // Only the kept slots' scoring events, renumbered: found along their lineage chains.
            scoringSlot = [UInt32](repeating: 0, count: touchPrevious.count)
            for sheet in kept {
                for k in 0..<sheet.count {
                    var seq = Int(slots[sheet.to + k].lastTouch)
                    while seq != 0 {
                        let v = Int(scoring[seq])
                        if v > sheet.from, v <= sheet.from + sheet.count { scoringSlot[seq] = UInt32(v - sheet.from + sheet.to) }
                        seq = Int(touchPrevious[seq])
                    }
                }
            }
        }
        finish(upTo: r.offset, of: r.bytes)
        let correctionCount = try r.count()
        if target == nil { corrections.reserveCapacity(correctionCount) }
        for _ in 0..<correctionCount {
            let target = UInt32(truncatingIfNeeded: try r.varint())
            corrections[target] = (UInt32(truncatingIfNeeded: try r.varint()), try r.signed())
        }
        for _ in 0..<(try r.count()) {
            let slot = Int32(truncatingIfNeeded: try r.varint())
            guard slot >= 0, Int(slot) < total else { throw CheckpointError(message: "an appeal names slot \(slot) of \(total)") }
            let value = (Seq(try r.varint()), AppealID(try r.string()), Score(thousandths: try r.signed()))
            if target == nil {
                appealed[slot] = value
            } else if let sheet = kept.first(where: { Int(slot) >= $0.from && Int(slot) < $0.from + $0.count }) {
                appealed[Int32(Int(slot) - sheet.from + sheet.to)] = value
            }
        }
        guard r.isAtEnd else { throw CheckpointError(message: "\(r.bytes.count - r.offset) stray bytes") }
        markClean()
    }
}

/// The checkpoint's composite values, written with ScoreModel's binary primitives.
struct BookWriter<E: Error> {
    var out: [UInt8] = []
    /// Where the bytes go a megabyte at a time (nil: they all stay in `out`).
    let sink: ((UnsafeRawBufferPointer) throws(E) -> Void)?
    let chunk: Int
    var streaming: Bool { sink != nil }
    init(sink: ((UnsafeRawBufferPointer) throws(E) -> Void)?, chunk: Int) { (self.sink, self.chunk) = (sink, chunk) }

    /// How many integers of `size` bytes fill the buffer to a chunk (at least one).
    func room(_ size: Int) -> Int { streaming ? max(1, (chunk - out.count) / size) : .max }

    /// Hands what is buffered to the sink once it holds a chunk (or, with `all`, whatever it holds).
    mutating func drain(all: Bool = false) throws(E) {
        guard let sink, out.count >= (all ? 1 : chunk) else { return }
        try out.withBytes { (raw) throws(E) in try sink(raw) }
        out.removeAll(keepingCapacity: true)
    }
    mutating func varint(_ value: UInt64) { out.appendVarint(value) }
    mutating func signed(_ v: Int64) { out.appendZigzag(v) }
    mutating func string(_ s: String) { out.appendString(s) }
    mutating func optionalString(_ s: String?) { flag(s != nil); if let s { string(s) } }
    mutating func bytes(_ b: [UInt8]) { out.appendBlob(b) }
    mutating func flag(_ b: Bool) { out.append(b ? 1 : 0) }
    /// A count, then the integers as fixed-width little-endian bytes.
    mutating func column<T: FixedWidthInteger>(_ values: [T]) throws(E) {
        varint(UInt64(values.count))
        let size = MemoryLayout<T>.size
        var i = 0
        while i < values.count {
            let end = i + min(values.count - i, room(size))
            let start = out.count
            values.withUnsafeBytes { out.append(contentsOf: $0[(i * size)..<(end * size)]) }
            #if _endian(big)
            out.withUnsafeMutableBufferPointer { b in
                var j = start
                while j < b.count { b[j..<(j + size)].reverse(); j += size }
            }
            #else
            _ = start
            #endif
            i = end
            try drain()
        }
    }
    /// One field of every slot as a column, written straight into the buffer (no array per field).
    /// `field` is a function, not a `KeyPath` (a key path literal still reads as one): projecting a key
    /// path looks up generic metadata for every slot, 7% of a heavy incremental run.
    mutating func column<T: FixedWidthInteger>(_ slots: [ScoreBook.Slot], _ field: (ScoreBook.Slot) -> T) throws(E) {
        varint(UInt64(slots.count))
        let size = MemoryLayout<T>.size
        var first = 0
        while first < slots.count {
            let end = first + min(slots.count - first, room(size))
            let start = out.count
            // A zeroed array appends at memcpy speed; `repeatElement` appends a byte at a time.
            out.append(contentsOf: [UInt8](repeating: 0, count: (end - first) * size))
            out.withUnsafeMutableBytes { raw in
                slots.withUnsafeBufferPointer { slots in
                    for i in first..<end {
                        raw.storeBytes(of: field(slots[i]).littleEndian, toByteOffset: start + (i - first) * size, as: T.self)
                    }
                }
            }
            first = end
            try drain()
        }
    }
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
    /// A column written by `BookWriter.column`.
    mutating func column<T: FixedWidthInteger>() throws -> [T] {
        let n = try varint()
        let size = MemoryLayout<T>.size
        guard n <= UInt64((bytes.count - offset) / size) else { throw BinaryFormatError("a column of \(n) runs past the end") }
        let count = Int(n)
        var values = [T](repeating: 0, count: count)
        values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count * size)])) }
        offset += count * size
        #if _endian(big)
        values = values.map { T(littleEndian: $0) }
        #endif
        return values
    }
    /// A column of `count` values (as written by `BookWriter.column`), read in place.
    mutating func columnView<T: FixedWidthInteger>(_: T.Type, _ count: Int) throws -> ColumnView<T> {
        let n = try varint()
        guard n == UInt64(count) else { throw ScoreBook.CheckpointError(message: "a column of \(n) values where \(count) were expected") }
        let size = MemoryLayout<T>.size
        guard count <= (bytes.count - offset) / size else { throw BinaryFormatError("a column of \(n) runs past the end") }
        defer { offset += count * size }
        return ColumnView(base: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count * size)]))
    }
    mutating func signed() throws -> Int64 { try zigzag() }
    mutating func optionalString() throws -> String? { try flag() ? try string() : nil }
    mutating func time() throws -> BusinessTime { BusinessTime(microsecondsSinceEpoch: try zigzag(), offsetMinutes: Int16(truncatingIfNeeded: try zigzag())) }
    mutating func partition() throws -> Partition { Partition(index: IndexCode(try string()), year: Int(try zigzag()), block: BlockCode(try string())) }
    mutating func key() throws -> ItemKey { ItemKey(unit: UnitCode(try string()), index: IndexCode(try string()), year: Int(try zigzag()), item: ItemCode(try string())) }
    mutating func value() throws -> ScoreValue { try flag() ? .score(Score(thousandths: try zigzag())) : .notApplicable }
}

/// Fixed-width little-endian integers read where they lie.
struct ColumnView<T: FixedWidthInteger> {
    let base: UnsafeRawBufferPointer
    subscript(i: Int) -> T { T(littleEndian: base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)) }
    /// The bytes of values `range`.
    func part(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: base[(range.lowerBound * MemoryLayout<T>.size)..<(range.upperBound * MemoryLayout<T>.size)])
    }
}

extension DiagnosticCode {
    /// A score-book checkpoint cannot be read (it is then not used).
    public static let unreadableCheckpoint = DiagnosticCode("unreadable-checkpoint")
}
