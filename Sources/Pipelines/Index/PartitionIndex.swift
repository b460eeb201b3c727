import Crypto
import EventLog
import Foundation
import ScoreModel

/// Where a partition's events are in the log: for each (index, year,
/// block), the seqs of every event that can change its figures or its
/// explanations (its frameworks and publications, its units' scores,
/// explanations, appeals and the corrections of those scores), and for
/// each block the seqs of its units' registrations and renames.
///
/// `explain` and `history` of one unit and year fold only those events
/// instead of replaying the log or loading a whole checkpoint. In a real
/// log a council appraises every unit of a province in the same weeks, so
/// a unit's events are spread over nearly every frame; the index names the
/// few thousand seqs to read.
///
/// The file (`partitions.index` in the log directory) is a cache:
/// rebuildable from the log, sealed with an HMAC-SHA-256 under the
/// runner's checkpoint key (``CheckpointKey``) and checked on every open
/// (the seal, and the hash of the frame holding its last seq, so a
/// rewritten log is noticed); caught up from its recorded size when the
/// log grew, rebuilt when damaged or when the log was rewritten. A reader
/// without the key does not use it. What a read trusts it for is stated in
/// docs/FORMAT.md: only which seqs belong to a partition; every event it
/// names is read from the log's checked frames and must be the seq asked
/// for and belong to that partition.
///
/// Layout (integers little-endian, strings a u16 length then UTF-8):
///
/// ```
/// "PLINDEX1"                     8 bytes
/// size                           u64: the log's seqs 1…size are indexed
/// frame hash                     32 bytes: the log's frame holding seq `size` (zeros when 0)
/// block count, blocks            u32, then each: code, seq list
/// partition count, partitions    u32, then each: index, year (u32), block number (u32), seq list
/// unit count, units              u32, then each: code, block number (u32)
/// id count, ids                  u32, then each: event id, partition number (u32)    (ids of scoring events)
/// appeal count, appeals          u32, then each: appeal id, partition number (u32)
/// HMAC-SHA-256 of all the bytes above under the checkpoint key
/// ```
///
/// A seq list is a u32 count, a u32 byte length, then the seqs ascending
/// as LEB128 deltas; a read decodes only the lists it needs. The unit, id
/// and appeal tables are written by name; a read finds an id or an appeal
/// by binary search over the entries, without hashing them all.
public struct PartitionIndex: Sendable {
    public static let fileName = "partitions.index"
    static let magic = Array("PLINDEX1".utf8)

    struct PartitionKey: Hashable, Sendable { var index: String; var year: Int; var block: Int }

    var size: UInt64 = 0
    var frameHash = [UInt8](repeating: 0, count: 32)
    var blocks: [String] = []
    var blockSeqs: [[UInt64]] = []
    var blockNumbers: [String: Int] = [:]
    var partitions: [PartitionKey] = []
    var partitionSeqs: [[UInt64]] = []
    var partitionNumbers: [PartitionKey: Int] = [:]
    var units: [String: Int] = [:]
    var ids: [String: Int] = [:]
    var appeals: [String: Int] = [:]
    /// The lists as read from the file, not decoded yet (nil once decoded or built).
    var packed: Packed?

    struct Packed: Sendable {
        var bytes: [UInt8]
        var blocks: [Range<Int>]
        var partitions: [Range<Int>]
        /// Where each entry of the id and appeal tables starts (its name's
        /// u16 length), in the file's order, which is by name: a read finds
        /// the few it needs by binary search instead of hashing every name
        /// (the heavy shape has 176,000 ids and 163,000 appeals).
        var ids: [Int] = []
        var appeals: [Int] = []

        func name(at offset: Int) -> String {
            let n = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
            return String(decoding: bytes[(offset + 2)..<(offset + 2 + n)], as: UTF8.self)
        }
        func number(at offset: Int) -> Int {
            let at = offset + 2 + (Int(bytes[offset]) | Int(bytes[offset + 1]) << 8)
            return Int(UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        }
        /// The number filed under `name` in a table, by binary search.
        func find(_ name: String, in entries: [Int]) -> Int? {
            var lo = 0, hi = entries.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if self.name(at: entries[mid]) < name { lo = mid + 1 } else { hi = mid }
            }
            guard lo < entries.count, self.name(at: entries[lo]) == name else { return nil }
            return number(at: entries[lo])
        }
        func table(_ entries: [Int]) -> [String: Int] {
            Dictionary(entries.map { (name(at: $0), number(at: $0)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The partition of a scoring event's id, and of an appeal.
    func partition(ofID id: String) -> Int? { packed.map { $0.find(id, in: $0.ids) } ?? ids[id] }
    func partition(ofAppeal appeal: String) -> Int? { packed.map { $0.find(appeal, in: $0.appeals) } ?? appeals[appeal] }

    func seqs(block b: Int) -> [UInt64] { packed.map { Self.decode($0.bytes[$0.blocks[b]]) } ?? blockSeqs[b] }
    func seqs(partition p: Int) -> [UInt64] { packed.map { Self.decode($0.bytes[$0.partitions[p]]) } ?? partitionSeqs[p] }

    /// Decodes every list, before the index grows.
    mutating func unpack() {
        guard let packed else { return }
        blockSeqs = packed.blocks.map { Self.decode(packed.bytes[$0]) }
        partitionSeqs = packed.partitions.map { Self.decode(packed.bytes[$0]) }
        ids = packed.table(packed.ids)
        appeals = packed.table(packed.appeals)
        self.packed = nil
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> [UInt64] {
        var list: [UInt64] = []
        var last: UInt64 = 0, d: UInt64 = 0, shift: UInt64 = 0
        for b in bytes {
            d |= UInt64(b & 0x7F) << shift
            if b < 0x80 { last += d; list.append(last); d = 0; shift = 0 } else { shift += 7 }
        }
        return list
    }

    static func path(log: String) -> String { URL(fileURLWithPath: log).appendingPathComponent(fileName).path }

    /// The block of a unit and the partition of (index, year) in it, when the index knows them.
    func partition(unit: UnitCode, index: IndexCode, year: Int) -> (block: Int, partition: Int)? {
        guard let block = units[unit.rawValue], let p = partitionNumbers[PartitionKey(index: index.rawValue, year: year, block: block)] else { return nil }
        return (block, p)
    }

    mutating func block(_ code: String) -> Int {
        if let b = blockNumbers[code] { return b }
        blocks.append(code); blockSeqs.append([]); blockNumbers[code] = blocks.count - 1
        return blocks.count - 1
    }

    mutating func partition(_ key: PartitionKey) -> Int {
        if let p = partitionNumbers[key] { return p }
        partitions.append(key); partitionSeqs.append([]); partitionNumbers[key] = partitions.count - 1
        return partitions.count - 1
    }

    // MARK: file

    func serialized(key: CheckpointKey) -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(16 << 20)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { let b = Array(s.utf8); out.append(UInt8(b.count & 0xFF)); out.append(UInt8(b.count >> 8)); out += b }
        func list(_ list: [UInt64]) {
            u32(list.count)
            let lengthAt = out.count
            u32(0)
            var last: UInt64 = 0
            for s in list {
                var d = s - last
                last = s
                while d >= 0x80 { out.append(UInt8(d & 0x7F) | 0x80); d >>= 7 }
                out.append(UInt8(d))
            }
            let length = UInt32(out.count - lengthAt - 4)
            for i in 0..<4 { out[lengthAt + i] = UInt8(truncatingIfNeeded: length >> UInt32(8 * i)) }
        }
        u64(size)
        out += frameHash
        u32(blocks.count)
        for (b, code) in blocks.enumerated() { string(code); list(seqs(block: b)) }
        u32(partitions.count)
        for (p, key) in partitions.enumerated() { string(key.index); u32(key.year); u32(key.block); list(seqs(partition: p)) }
        for table in [units, packed.map { $0.table($0.ids) } ?? ids, packed.map { $0.table($0.appeals) } ?? appeals] {
            u32(table.count)
            for (name, number) in table.sorted(by: { $0.key < $1.key }) { string(name); u32(number) }
        }
        out += key.code([out])
        return out
    }

    /// Parses and checks a file's bytes; the reason it cannot be used, when it cannot.
    static func parse(_ bytes: [UInt8], key: CheckpointKey) -> Result<PartitionIndex, IndexDamage> {
        guard bytes.count >= 8 + 8 + 32 + 32, Array(bytes[0..<8]) == magic else { return .failure(IndexDamage("not a parledger partition index")) }
        let body = Array(bytes[0..<(bytes.count - 32)])
        guard key.code([body]) == Array(bytes[(bytes.count - 32)...]) else {
            return .failure(IndexDamage("its seal does not verify with this runner's checkpoint key (made with another key, or edited)"))
        }
        var at = 8
        var index = PartitionIndex()
        struct Short: Error {}
        func need(_ n: Int) throws { if at + n > body.count { throw Short() } }
        func u32() throws -> Int { try need(4); defer { at += 4 }; return Int(UInt32(body[at]) | UInt32(body[at + 1]) << 8 | UInt32(body[at + 2]) << 16 | UInt32(body[at + 3]) << 24) }
        func u64() throws -> UInt64 { let lo = UInt64(try u32()); return lo | UInt64(try u32()) << 32 }
        func string() throws -> String {
            try need(2); let n = Int(body[at]) | Int(body[at + 1]) << 8; at += 2
            try need(n); defer { at += n }; return String(decoding: body[at..<(at + n)], as: UTF8.self)
        }
        /// A list's bytes, checked to hold `count` LEB128 numbers, left undecoded.
        func seqs() throws -> Range<Int> {
            let count = try u32(), length = try u32()
            try need(length)
            defer { at += length }
            var ends = 0
            for b in body[at..<(at + length)] where b < 0x80 { ends += 1 }
            guard ends == count, length == 0 || body[at + length - 1] < 0x80 else { throw Short() }
            return at..<(at + length)
        }
        var blockLists: [Range<Int>] = [], partitionLists: [Range<Int>] = []
        var idEntries: [Int] = [], appealEntries: [Int] = []
        do {
            index.size = try u64()
            try need(32); index.frameHash = Array(body[at..<(at + 32)]); at += 32
            for _ in 0..<(try u32()) { _ = index.block(try string()); blockLists.append(try seqs()) }
            for _ in 0..<(try u32()) {
                let key = PartitionKey(index: try string(), year: try u32(), block: try u32())
                guard key.block < index.blocks.count else { return .failure(IndexDamage("a partition names block \(key.block) of \(index.blocks.count)")) }
                _ = index.partition(key)
                partitionLists.append(try seqs())
            }
            for _ in 0..<(try u32()) {
                let name = try string(), number = try u32()
                guard number < index.blocks.count else { return .failure(IndexDamage("unit \(name) names block \(number) of \(index.blocks.count)")) }
                index.units[name] = number
            }
            // The ids and appeals: each entry's place, its name left as bytes (read when looked up).
            for t in 0..<2 {
                for _ in 0..<(try u32()) {
                    let start = at
                    try need(2)
                    let n = Int(body[at]) | Int(body[at + 1]) << 8
                    at += 2
                    try need(n)
                    at += n
                    let number = try u32()
                    guard number < index.partitions.count else {
                        let name = String(decoding: body[(start + 2)..<(start + 2 + n)], as: UTF8.self)
                        return .failure(IndexDamage("\(t == 0 ? "id" : "appeal") \(name) names partition \(number)"))
                    }
                    if t == 0 { idEntries.append(start) } else { appealEntries.append(start) }
                }
            }
        } catch {
            return .failure(IndexDamage("it is truncated"))
        }
        guard at == body.count else { return .failure(IndexDamage("it has \(body.count - at) bytes after its tables")) }
        guard blockLists.count == index.blocks.count, partitionLists.count == index.partitions.count else {
            return .failure(IndexDamage("it names a block or partition twice"))
        }
        index.packed = Packed(bytes: body, blocks: blockLists, partitions: partitionLists, ids: idEntries, appeals: appealEntries)
        return .success(index)
    }

    /// Writes the file atomically (a temporary file, then a rename).
    func write(to path: String, key: CheckpointKey) throws {
        let temporary = path + ".tmp-\(getpid())"
        try Data(serialized(key: key)).write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw PipelineError(code: .badOutput, place: path, message: "cannot replace the partition index: \(String(cString: strerror(code)))")
        }
    }
}

/// Why an index file could not be used.
struct IndexDamage: Error, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
