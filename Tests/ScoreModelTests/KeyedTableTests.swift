import Primitives
import Synchronization
import Testing
@testable import ScoreModel

/// The appeals and event ids of a saved validation state, borrowed from its
/// bytes: found by binary search over the groups' first keys, reading only
/// the groups a lookup needs, and saved again merged with what was added.
@Suite("Borrowed keyed tables")
struct KeyedTableTests {
    typealias IDs = KeyedTable<LedgerState.Identified>
    typealias Appeals = KeyedTable<LedgerState.Appeal>

    /// Saved bytes behind `offset` bytes of something else, with every read recorded.
    final class Source: BorrowedBytes {
        let bytes: [UInt8]
        let reads = Mutex<[Range<Int>]>([])
        let problems = Mutex<[String]>([])
        init(_ entries: [UInt8], offset: Int) { bytes = [UInt8](repeating: 0xEE, count: offset) + entries }
        func withBytes<R: Sendable>(_ offset: Int, _ count: Int, _ body: @Sendable (UnsafeRawBufferPointer) -> R) -> R? {
            reads.withLock { $0.append(offset..<(offset + count)) }
            return bytes[offset..<(offset + count)].withUnsafeBytes { body($0) }
        }
        func malformed(_ reason: String) { problems.withLock { $0.append(reason) } }
        func takeReads() -> [Range<Int>] { reads.withLock { r in defer { r = [] }; return r } }
    }

    /// 1,000 ids (31 full groups and one of 8), inserted out of order, of several lengths.
    static let keys: [EventID] = (0..<1000).map { EventID("r1-\(2014 + $0 % 10)-U\(($0 * 37) % 1000)" + ($0 % 3 == 0 ? "-1.1.\($0 % 7)" : "")) }
    static func entry(_ i: Int) -> LedgerState.Identified { LedgerState.Identified(seq: Seq(UInt64(i + 1)), fingerprint: i &* 0x1E37_79B9_7F4A_7C15) }

    static func held(_ pairs: [(EventID, LedgerState.Identified)]) -> IDs {
        var t = IDs()
        for (k, v) in pairs { t[k] = v }
        return t
    }

    static func borrowed(_ t: IDs, seqs: UInt64 = 5000) throws -> (IDs, Source) {
        let (header, entries) = try t.serialized()
        // The header as a state writes it, read back.
        var bytes: [UInt8] = []
        IDs.write(header, to: &bytes)
        let read = try bytes.withUnsafeBytes { raw in var r = BinaryReader(raw); return try IDs.header(&r) }
        let source = Source(entries, offset: 100)
        return (IDs(borrowing: read, at: 100, seqs: seqs, from: source), source)
    }

    @Test("Every key is found with its entry (the first, the last, each group's first and last); keys before, after and between them are not")
    func presentAndAbsent() throws {
        let (table, source) = try Self.borrowed(Self.held(Self.keys.enumerated().map { ($1, Self.entry($0)) }))
        let sorted = Self.keys.enumerated().sorted { $0.element < $1.element }
        #expect(table[sorted.first!.element]?.seq == Seq(UInt64(sorted.first!.offset + 1)), "the first key")
        #expect(table[sorted.last!.element]?.seq == Seq(UInt64(sorted.last!.offset + 1)), "the last key")
        for (i, key) in Self.keys.enumerated() {
            let found = table[key]
            #expect(found?.seq == Seq(UInt64(i + 1)) && found?.fingerprint == Self.entry(i).fingerprint, "\(key)")
        }
        #expect(table[EventID("a")] == nil, "before the first key")
        #expect(table[EventID("zz")] == nil, "after the last key")
        #expect(table[EventID(sorted.last!.element.rawValue + "0")] == nil, "just after the last key")
        #expect(table[EventID(String(sorted.first!.element.rawValue.dropLast()))] == nil, "just before the first key")
        for (key, _) in sorted.map({ ($0.element, 0) }) { #expect(table[EventID(key.rawValue + "\u{0}")] == nil, "just after \(key)") }
        #expect(source.problems.withLock { $0 }.isEmpty)

        // A lookup reads a group per step of the binary search (32 groups: at most 6) and the one it walks, each a group's bytes, not the table's.
        _ = source.takeReads()
        let largest = try Self.held(Self.keys.enumerated().map { ($1, Self.entry($0)) }).serialized().entries.count
        for key in [sorted.first!.element, sorted[500].element, sorted.last!.element, EventID("zz")] {
            _ = table[key]
            let reads = source.takeReads()
            #expect(reads.count <= 7, "\(key): \(reads.count) reads")
            #expect(reads.allSatisfy { $0.count < largest / 16 }, "\(key): \(reads.map(\.count)) bytes of \(largest)")
        }
    }

    @Test("An empty table and a table of one entry")
    func emptyAndOne() throws {
        let (empty, emptySource) = try Self.borrowed(IDs())
        #expect(empty[EventID("x")] == nil)
        #expect(emptySource.takeReads().isEmpty)
        #expect(try empty.serialized().entries.isEmpty)
        let (one, _) = try Self.borrowed(Self.held([(EventID("m"), Self.entry(4))]))
        #expect(one[EventID("m")]?.seq == Seq(5))
        #expect(one[EventID("a")] == nil && one[EventID("z")] == nil && one[EventID("m0")] == nil)
    }

    @Test("Saved again after changes, a borrowed table gives the bytes of the same table held whole")
    func mergedLikeHeld() throws {
        let base = Self.keys.enumerated().map { ($1, Self.entry($0)) }
        var (table, source) = try Self.borrowed(Self.held(base))
        // Before the first, between keys, after the last, over a borrowed entry, and in a run of new keys in one group.
        let sorted = Self.keys.sorted()
        var added: [(EventID, LedgerState.Identified)] = [(EventID("a-first"), Self.entry(1001)), (EventID("zz-last"), Self.entry(1002)),
                                                            (sorted[40], Self.entry(1003)), (sorted.last!, Self.entry(1004))]
        for i in stride(from: 0, to: 1000, by: 97) { added.append((EventID(sorted[i].rawValue + "-b"), Self.entry(1100 + i))) }
        for i in 0..<40 { added.append((EventID(sorted[300].rawValue + "-\(i)"), Self.entry(1200 + i))) }
        for (k, v) in added { table[k] = v }
        var whole = base
        whole.append(contentsOf: added)
        let expected = try Self.held(whole).serialized()
        let got = try table.serialized()
        #expect(got.entries == expected.entries)
        #expect(got.header.count == expected.header.count && got.header.count == 1000 + added.count - 2)
        #expect(got.header.samples == expected.header.samples && got.header.bytes == expected.header.bytes)
        #expect(table[sorted[40]]?.seq == Self.entry(1003).seq, "the held entry stands over the borrowed one")
        #expect(source.problems.withLock { $0 }.isEmpty)

        // Appeals (item keys, a resolved flag; ids with letters beyond ASCII sort by their UTF-8 bytes) alike.
        let key = ItemKey(unit: "SNV", index: .par, year: 2022, item: "1.1.1")
        var appeals = Appeals()
        for (i, id) in ["KN-2", "KN-10", "KN-Đà Nẵng-1", "KN-Zeta", "KN-Ánh"].enumerated() { appeals[AppealID(id)] = LedgerState.Appeal(key: key, resolved: i % 2 == 0) }
        let (header, entries) = try appeals.serialized()
        let appealSource = Source(entries, offset: 7)
        var lent = Appeals(borrowing: header, at: 7, seqs: 10, from: appealSource)
        #expect(lent[AppealID("KN-Đà Nẵng-1")]?.resolved == true && lent[AppealID("KN-Ánh")]?.resolved == true && lent[AppealID("KN-10")]?.resolved == false)
        #expect(lent[AppealID("KN-Đà")] == nil)
        lent[AppealID("KN-10")]?.resolved = true
        appeals[AppealID("KN-10")]?.resolved = true
        #expect(try lent.serialized().entries == (try appeals.serialized().entries))
    }

    @Test("Borrowed bytes that are not a table read as no entry and are reported; the table is not saved from them")
    func malformedReported() throws {
        let base = Self.keys.enumerated().map { ($1, Self.entry($0)) }
        let (header, entries) = try Self.held(base).serialized()
        var bad = entries
        // The length of the first key of group 5 says it runs past the group (16,383 bytes).
        bad[header.samples[5]] = 0xFF
        bad[header.samples[5] + 1] = 0x7F
        let source = Source(bad, offset: 0)
        let table = IDs(borrowing: header, at: 0, seqs: 5000, from: source)
        let sorted = Self.keys.sorted()
        #expect(table[sorted[5 * 32]] == nil)
        #expect(source.problems.withLock { $0 }.contains { $0.contains("event id table") })
        #expect(throws: BinaryFormatError.self) { _ = try table.serialized() }

        // An id past the state's events is not an entry either.
        let (few, fewSource) = try Self.borrowed(Self.held(base), seqs: 10)
        #expect(few[Self.keys[500]] == nil)
        #expect(fewSource.problems.withLock { $0 }.contains { $0.contains("past the state's end") })

        // Group offsets out of order are refused when the header is read.
        var h = header
        h.samples.swapAt(3, 4)
        var bytes: [UInt8] = []
        IDs.write(h, to: &bytes)
        #expect(throws: BinaryFormatError.self) { _ = try bytes.withUnsafeBytes { raw in var r = BinaryReader(raw); return try IDs.header(&r) } }
    }
}
