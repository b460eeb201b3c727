import Primitives

/// An event as a score fold needs it, without strings: an item event
/// (self-assessment, appraisal, explanation, survey) names its unit, index
/// and item by the numbers its decoder gave their codes (see
/// ``FoldBatch/newCodes``), so the fold finds its sheet by array index and
/// nothing is allocated, retained or released for it. Any other event is
/// carried whole in ``FoldBatch/others``.
public struct FoldRecord: Sendable, BitwiseCopyable {
    public enum Kind: UInt8, Sendable, BitwiseCopyable { case assessment, appraisal, explanation, survey, other }
    public var seq: UInt64
    /// The score in thousandths (`Int64.min`: not applicable); for `.other`,
    /// the event's place in ``FoldBatch/others``.
    public var value: Int64
    /// Code numbers of the decoder that read the record.
    public var unit: Int32, index: Int32, item: Int32
    public var year: Int32
    /// The appraisal round, clamped to `Int32.max`.
    public var round: Int32
    public var kind: Kind
    /// The event has an id: the next one in ``FoldBatch/ids``.
    public var hasID: Bool
}

/// The fold records of one frame, in seq order, with what a fold needs to
/// read them: the whole events that are not item events, the ids, and the
/// codes the decoder met for the first time in this frame.
public struct FoldBatch: Sendable {
    /// Which decoder read the frame: code numbers are that decoder's.
    public var decoder: Int
    public var records: [FoldRecord] = []
    public var others: [RecordedEvent] = []
    public var ids: [EventID] = []
    /// The codes numbered `firstNewCode`, `firstNewCode + 1`, ... by this
    /// frame; a fold that has taken every earlier batch of the same decoder
    /// knows all the numbers before them.
    public var newCodes: [String] = []
    public var firstNewCode: Int32 = 0

    public init(decoder: Int) { self.decoder = decoder }
}

extension RecordDecoder {
    /// Starts the batch of a frame: its new codes are counted from here.
    public func beginFold(decoder: Int) -> FoldBatch {
        var batch = FoldBatch(decoder: decoder)
        batch.firstNewCode = Int32(foldCodes.strings.count)
        return batch
    }

    /// Ends the batch of a frame: hands over the codes first met in it.
    public func endFold(_ batch: inout FoldBatch) {
        batch.newCodes = Array(foldCodes.strings[Int(batch.firstNewCode)...])
    }

    /// Decodes a record into `batch`: an item event as a ``FoldRecord``
    /// (checked as ``decode(_:)`` checks it: version, tag, every length,
    /// UTF-8 of each code, no stray bytes; texts are skipped as with
    /// `prose: false`), any other event whole, through ``decode(_:)``.
    public mutating func decodeFold(_ bytes: UnsafeRawBufferPointer, seq: Seq, recordedAt: RecordTime, into batch: inout FoldBatch) throws {
        var r = BinaryReader(bytes)
        let version = try r.byte()
        let tag = try r.byte()
        let kind: FoldRecord.Kind = switch tag {
        case 3: .assessment
        case 4: .appraisal
        case 5: .explanation
        case 6: .survey
        default: .other
        }
        guard kind != .other, version >= 1 && version <= EventCodec.version else { return try other(bytes, seq, recordedAt, &batch) }
        let flags = try r.varint()
        _ = try r.zigzag(); _ = try r.zigzag()   // at, and its offset: a fold of the head or a prefix does not need them
        let end = bytes.baseAddress! + bytes.count
        _ = try foldCodes.number(try r.rawBlob(), hint: &hints.by, readableTo: end)   // by: checked, not kept
        // Ids are one per event, not worth numbering.
        let id: String? = flags & EventCodec.hasID != 0 ? try BinaryReader.makeString(try r.rawBlob()) : nil
        let unit = try foldCodes.number(try r.rawBlob(), hint: &hints.unit, readableTo: end)
        let index = try foldCodes.number(try r.rawBlob(), hint: &hints.index, readableTo: end)
        let year = try r.zigzag()
        let item = try foldCodes.number(try r.rawBlob(), hint: &hints.item, readableTo: end)
        guard let year32 = Int32(exactly: year) else { return try other(bytes, seq, recordedAt, &batch) }
        var value: Int64 = .min, round: Int32 = 0
        switch kind {
        case .assessment:
            if flags & EventCodec.isNotApplicable == 0 { value = try r.zigzag() }
            try Self.skipTexts(&r)
            if flags & EventCodec.hasNote != 0 { _ = try r.rawBlob() }
        case .appraisal:
            if flags & EventCodec.isNotApplicable == 0 { value = try r.zigzag() }
            let n = try r.varint()
            guard n <= UInt64(Int.max) else { return try other(bytes, seq, recordedAt, &batch) }
            round = Int32(clamping: n)
            if flags & EventCodec.hasNote != 0 { _ = try r.rawBlob() }
        case .explanation:
            _ = try r.rawBlob()
            try Self.skipTexts(&r)
        case .survey:
            value = try r.zigzag()
            if flags & EventCodec.hasNumber != 0 { _ = try r.zigzag() }
        case .other: break
        }
        guard r.isAtEnd else { throw Malformed("\(bytes.count - r.offset) stray bytes after the record") }
        if let id { batch.ids.append(EventID(id)) }
        batch.records.append(FoldRecord(seq: seq.rawValue, value: value, unit: unit, index: index, item: item, year: year32,
                                        round: round, kind: kind, hasID: id != nil))
    }

    private mutating func other(_ bytes: UnsafeRawBufferPointer, _ seq: Seq, _ recordedAt: RecordTime, _ batch: inout FoldBatch) throws {
        batch.others.append(RecordedEvent(seq: seq, recordedAt: recordedAt, event: try decode(bytes)))
        batch.records.append(FoldRecord(seq: seq.rawValue, value: Int64(batch.others.count - 1), unit: 0, index: 0, item: 0, year: 0,
                                        round: 0, kind: .other, hasID: false))
    }

    /// A list of strings, read past.
    private static func skipTexts(_ r: inout BinaryReader) throws {
        for _ in 0..<(try r.count()) { _ = try r.rawBlob() }
    }
}

/// Codes numbered in the order first met: an open-addressing table. A code
/// is known by its length and two 8-byte words (its first and last eight
/// bytes, overlapping; zero-padded below eight), which are the whole code
/// up to 16 bytes; a longer code is also compared byte for byte. The
/// numbers of one table are dense and never change.
struct CodeTable {
    private(set) var strings: [String] = []
    private struct Entry { var length: Int; var first: UInt64; var last: UInt64; var hash: UInt64 }
    private var entries: [Entry] = []
    /// The bytes of every code longer than 16 bytes, by number.
    private var long: [Int32: [UInt8]] = [:]
    /// -1: empty; else a code's number.
    private var table = [Int32](repeating: -1, count: 1024)

    /// The number of the code with these bytes; a new code is checked as
    /// UTF-8 and numbered next. `hint` is tried first, without hashing, and
    /// set to the answer: the records of a frame repeat their unit, index
    /// and actor codes.
    mutating func number(_ raw: UnsafeRawBufferPointer, hint: inout Int32, readableTo end: UnsafeRawPointer) throws -> Int32 {
        let (first, last) = Self.words(raw, readableTo: end)
        if hint >= 0, holds(hint, raw, first, last) { return hint }
        let hash = Self.hash(raw.count, first, last)
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let n = table[i]
            if n < 0 { break }
            if entries[Int(n)].hash == hash, holds(n, raw, first, last) { hint = n; return n }
            i = (i + 1) & mask
        }
        let s = try BinaryReader.makeString(raw)
        let n = Int32(strings.count)
        strings.append(s)
        entries.append(Entry(length: raw.count, first: first, last: last, hash: hash))
        if raw.count > 16 { long[n] = Array(raw) }
        table[i] = n
        if strings.count * 2 > table.count { grow() }
        hint = n
        return n
    }

    @inline(__always)
    private func holds(_ n: Int32, _ raw: UnsafeRawBufferPointer, _ first: UInt64, _ last: UInt64) -> Bool {
        let e = entries[Int(n)]
        guard e.length == raw.count, e.first == first, e.last == last else { return false }
        return raw.count <= 16 || long[n]!.elementsEqual(raw)
    }

    /// A code's two words. A code shorter than eight bytes is read as one
    /// load and masked when eight bytes from its start lie before `end`
    /// (the record's end: readable memory).
    @inline(__always)
    private static func words(_ raw: UnsafeRawBufferPointer, readableTo end: UnsafeRawPointer) -> (UInt64, UInt64) {
        let n = raw.count
        if n >= 8 {
            return (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        }
        guard n > 0, let base = raw.baseAddress else { return (0, 0) }
        if end - base >= 8 {
            return (base.loadUnaligned(as: UInt64.self) & (UInt64.max >> UInt64(64 - 8 * n)), 0)
        }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(raw[i]) << UInt64(8 * i) }
        return (w, 0)
    }

    @inline(__always)
    private static func hash(_ length: Int, _ first: UInt64, _ last: UInt64) -> UInt64 {
        // Every bit of the words reaches the low bits the table uses (murmur3's finalizer).
        var h = first ^ (last &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(length)
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    private mutating func grow() {
        table = [Int32](repeating: -1, count: table.count * 2)
        let mask = table.count - 1
        for (n, e) in entries.enumerated() {
            var i = Int(truncatingIfNeeded: e.hash) & mask
            while table[i] >= 0 { i = (i + 1) & mask }
            table[i] = Int32(n)
        }
    }
}
