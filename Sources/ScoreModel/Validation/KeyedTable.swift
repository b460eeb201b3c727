import Primitives

/// Where the tables of a saved validation state that are not copied are
/// read from (the Ledger module's sealed, mapped file): offsets from the
/// state's first byte.
public protocol BorrowedBytes: Sendable {
    /// Calls `body` with the state's bytes `offset..<(offset + count)` as
    /// they were saved; nil when they cannot be had so (the source knows
    /// why, and the state must not be trusted).
    func withBytes<R: Sendable>(_ offset: Int, _ count: Int, _ body: @Sendable (UnsafeRawBufferPointer) -> R) -> R?
    /// Told when bytes had as saved do not hold what the state's layout
    /// says (which a sealed file cannot, unless the key's holder wrote them
    /// so): the state must not be trusted either.
    func malformed(_ reason: String)
}

/// What a ``KeyedTable`` holds under each key, and its bytes after the key.
protocol KeyedEntry: Sendable {
    associatedtype Key: DomainCode
    /// What a key names, for messages ("appeal", "event id").
    static var what: String { get }
    func write(to out: inout [UInt8])
    /// Reads what ``write(to:)`` wrote, in a state of `seqs` events.
    init(reading r: inout BinaryReader, seqs: UInt64) throws
    /// Steps over what ``write(to:)`` wrote, checking it as ``init(reading:seqs:)`` would, without making strings.
    static func skip(_ r: inout BinaryReader, seqs: UInt64) throws
}

/// A table of a validation state keyed by a code (the appeals, the event
/// ids), which a saved state can lend without copying.
///
/// Saved, the entries are written in key order (UTF-8 byte order, as
/// ``DomainCode`` compares), each its key (a length-prefixed string) and
/// then the entry's bytes, and the state keeps the offset of every
/// ``groupSize``-th entry. Borrowed from a saved state, the table holds
/// only those offsets: a key is found by a binary search over the groups'
/// first keys, then a walk through one group, reading from the saved bytes
/// only the groups it looks at (so a sealed file checks only their
/// pieces). What this process sets is held in memory, over the borrowed
/// entries, and the saved table and the held one are merged in key order
/// when the state is saved again, so it saves the bytes a full replay would.
struct KeyedTable<Entry: KeyedEntry>: Sendable {
    typealias Key = Entry.Key
    /// The offset of every 32nd entry is kept: a lookup reads about
    /// log2(n / 32) first keys and at most 32 entries.
    static var groupSize: Int { 32 }

    /// Set by this process (every entry, when nothing is borrowed); over the borrowed ones.
    private var held: [Key: Entry] = [:]
    private var borrowed: Borrowed?

    /// The entries of a saved state, left where they lie.
    struct Borrowed: Sendable {
        var count: Int
        /// Where the entries begin in the state, and their bytes.
        var at: Int, bytes: Int
        /// The offset, from `at`, of entries 0, groupSize, 2 × groupSize, …
        var samples: [Int]
        var seqs: UInt64
        var source: any BorrowedBytes
    }

    init() {}

    subscript(key: Key) -> Entry? {
        get { held[key] ?? borrowed?.find(key) }
        set {
            precondition(newValue != nil, "entries are never removed")
            held[key] = newValue
        }
    }

    mutating func reserveCapacity(_ n: Int) { held.reserveCapacity(n) }

    /// How a saved table begins: its entry count, its entries' bytes and
    /// the offsets of its groups (each u64 little-endian), which lie with
    /// the state's small tables; the entries follow elsewhere.
    struct Header: Sendable {
        var count: Int
        var bytes: Int
        var samples: [Int]
    }

    /// The saved entries in key order (this process's over the borrowed
    /// ones), and their header. Throws when borrowed bytes cannot be had as
    /// saved or do not hold a table (``BorrowedBytes/malformed(_:)`` is told).
    func serialized() throws(BinaryFormatError) -> (header: Header, entries: [UInt8]) {
        let sorted = held.sorted { $0.key < $1.key }.map { (key: Array($0.key.rawValue.utf8), entry: $0.value) }
        guard let borrowed else {
            var w = Writer()
            for (key, entry) in sorted { w.start(key); entry.write(to: &w.out) }
            return (Header(count: w.count, bytes: w.out.count, samples: w.samples), w.out)
        }
        let merged = borrowed.source.withBytes(borrowed.at, borrowed.bytes) { raw -> Result<Writer, BinaryFormatError> in
            Result { try Self.merge(raw, borrowed, sorted) }.mapError { $0 as? BinaryFormatError ?? BinaryFormatError("\($0)") }
        }
        guard let merged else {
            throw BinaryFormatError("the \(Entry.what) table's bytes cannot be read as they were saved")
        }
        switch merged {
        case .success(let w): return (Header(count: w.count, bytes: w.out.count, samples: w.samples), w.out)
        case .failure(let error):
            borrowed.source.malformed("its \(Entry.what) table is not what its layout says (\(error.message))")
            throw error
        }
    }

    /// Entries written in key order, with the offset of each group's first.
    struct Writer {
        var out: [UInt8] = [], samples: [Int] = [], count = 0
        mutating func start(_ key: [UInt8]) {
            if count % KeyedTable.groupSize == 0 { samples.append(out.count) }
            count += 1
            out.appendVarint(UInt64(key.count))
            out += key
        }
    }

    /// The borrowed entries, walked in order and checked as they go, with `held` (in key order) merged in.
    static func merge(_ raw: UnsafeRawBufferPointer, _ borrowed: Borrowed, _ held: [(key: [UInt8], entry: Entry)]) throws -> Writer {
        var w = Writer()
        w.out.reserveCapacity(raw.count + held.count * 48)
        var r = BinaryReader(raw)
        var next = 0
        var previous: UnsafeRawBufferPointer?
        for i in 0..<borrowed.count {
            if i % groupSize == 0, r.offset != borrowed.samples[i / groupSize] {
                throw BinaryFormatError("the \(Entry.what) table's group \(i / groupSize) begins at byte \(r.offset), not \(borrowed.samples[i / groupSize])")
            }
            let start = r.offset
            let key = try r.rawBlob()
            try Entry.skip(&r, seqs: borrowed.seqs)
            if let previous, compare(previous, key) >= 0 { throw BinaryFormatError("the \(Entry.what) table is not in key order at entry \(i)") }
            previous = key
            while next < held.count, held[next].key.withUnsafeBytes({ compare($0, key) }) < 0 {
                w.start(held[next].key); held[next].entry.write(to: &w.out); next += 1
            }
            if next < held.count, held[next].key.withUnsafeBytes({ compare($0, key) }) == 0 {
                w.start(held[next].key); held[next].entry.write(to: &w.out); next += 1
            } else {
                if w.count % groupSize == 0 { w.samples.append(w.out.count) }
                w.count += 1
                w.out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[start..<r.offset]))
            }
        }
        guard r.isAtEnd else { throw BinaryFormatError("\(raw.count - r.offset) bytes after the \(Entry.what) table's entries") }
        while next < held.count { w.start(held[next].key); held[next].entry.write(to: &w.out); next += 1 }
        return w
    }

    /// UTF-8 byte order, as ``DomainCode`` compares: < 0, 0, > 0.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return Int(a[i]) - Int(b[i]) }
        return a.count - b.count
    }

    // MARK: reading a saved table

    /// Reads a table's ``Header`` (a state's bytes need not hold its entries).
    static func header(_ r: inout BinaryReader) throws -> Header {
        let (count, bytes) = (try r.varint(), try r.varint())
        // An entry is at least two bytes (a key's length and one byte of it).
        guard bytes < (1 << 48), count <= bytes / 2 else { throw BinaryFormatError("validation state: \(count) \(Entry.what)s in \(bytes) bytes") }
        let groups = (Int(count) + groupSize - 1) / groupSize
        guard groups * 8 <= r.bytes.count - r.offset else { throw BinaryFormatError("cut short") }
        var samples: [Int] = []
        samples.reserveCapacity(groups)
        for g in 0..<groups {
            let at = UInt64(littleEndian: r.bytes.loadUnaligned(fromByteOffset: r.offset + 8 * g, as: UInt64.self))
            guard at < bytes, g == 0 ? at == 0 : at > UInt64(samples[g - 1]) else {
                throw BinaryFormatError("validation state: the \(Entry.what) table's group \(g) begins at byte \(at)")
            }
            samples.append(Int(at))
        }
        r.offset += groups * 8
        return Header(count: Int(count), bytes: Int(bytes), samples: samples)
    }

    static func write(_ h: Header, to out: inout [UInt8]) {
        out.appendVarint(UInt64(h.count))
        out.appendVarint(UInt64(h.bytes))
        for s in h.samples { withUnsafeBytes(of: UInt64(s).littleEndian) { out.append(contentsOf: $0) } }
    }

    /// Reads and checks a table's entries whole (key order, groups where the header says).
    init(reading r: inout BinaryReader, _ h: Header, seqs: UInt64) throws {
        guard h.bytes <= r.bytes.count - r.offset else { throw BinaryFormatError("cut short") }
        let base = r.offset
        held.reserveCapacity(h.count)
        var previous: UnsafeRawBufferPointer?
        for i in 0..<h.count {
            if i % Self.groupSize == 0, r.offset - base != h.samples[i / Self.groupSize] {
                throw BinaryFormatError("validation state: the \(Entry.what) table's group \(i / Self.groupSize) begins at byte \(r.offset - base), not \(h.samples[i / Self.groupSize])")
            }
            let raw = try r.rawBlob()
            if let previous, Self.compare(previous, raw) >= 0 { throw BinaryFormatError("validation state: the \(Entry.what) table is not in key order at entry \(i)") }
            previous = raw
            let key = Key(try BinaryReader.makeString(raw))
            held[key] = try Entry(reading: &r, seqs: seqs)
            guard r.offset - base <= h.bytes else { throw BinaryFormatError("validation state: the \(Entry.what) table runs past its \(h.bytes) bytes") }
        }
        guard r.offset - base == h.bytes else { throw BinaryFormatError("validation state: the \(Entry.what) table's entries end at byte \(r.offset - base), not \(h.bytes)") }
    }

    /// A table whose entries are read through `source` (at `at`, from the state's first byte) when asked for.
    init(borrowing h: Header, at: Int, seqs: UInt64, from source: any BorrowedBytes) {
        borrowed = Borrowed(count: h.count, at: at, bytes: h.bytes, samples: h.samples, seqs: seqs, source: source)
    }
}

extension KeyedTable.Borrowed {
    /// What a look at saved bytes found.
    enum Probe: Sendable {
        case order(Int)            // the group's first key against the one asked for
        case found(Entry)
        case absent
        case malformed(String)
    }

    func groupRange(_ g: Int) -> (offset: Int, count: Int) {
        let end = g + 1 < samples.count ? samples[g + 1] : bytes
        return (at + samples[g], end - samples[g])
    }

    /// The entry under `key`: the last group whose first key is not past it
    /// (a binary search reading first keys), then that group walked. Bytes
    /// that cannot be had as saved read as no entry (the source knows why
    /// and the caller must not trust the state); bytes that do not hold a
    /// table read so too, and the source is told.
    func find(_ key: Entry.Key) -> Entry? {
        guard count > 0 else { return nil }
        let target = Array(key.rawValue.utf8)
        let seqs = seqs
        // Groups below `lo` begin at or before the key; groups from `hi` begin after it.
        var lo = 0, hi = samples.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let (offset, n) = groupRange(mid)
            let probe = source.withBytes(offset, n) { raw -> Probe in
                var r = BinaryReader(raw)
                guard let first = try? r.rawBlob() else { return .malformed("a key cut short") }
                return target.withUnsafeBytes { .order(KeyedTable.compare(first, $0)) }
            }
            switch probe {
            case .order(let c)?: if c <= 0 { lo = mid + 1 } else { hi = mid }
            case .malformed(let why)?: return report(why, group: mid)
            default: return nil
            }
        }
        guard lo > 0 else { return nil }
        let g = lo - 1
        let entries = Swift.min(KeyedTable.groupSize, count - g * KeyedTable.groupSize)
        let (offset, n) = groupRange(g)
        let probe = source.withBytes(offset, n) { raw -> Probe in
            var r = BinaryReader(raw)
            do {
                for _ in 0..<entries {
                    let k = try r.rawBlob()
                    let c = target.withUnsafeBytes { KeyedTable.compare(k, $0) }
                    if c == 0 { return .found(try Entry(reading: &r, seqs: seqs)) }
                    if c > 0 { return .absent }
                    try Entry.skip(&r, seqs: seqs)
                }
                return .absent
            } catch {
                return .malformed("\(error)")
            }
        }
        switch probe {
        case .found(let entry)?: return entry
        case .malformed(let why)?: return report(why, group: g)
        default: return nil
        }
    }

    func report(_ why: String, group: Int) -> Entry? {
        source.malformed("its \(Entry.what) table's group \(group) is not what its layout says (\(why))")
        return nil
    }
}
