import EventLog
import Crypto
import Foundation

/// What is kept beside the log so that roots and proofs need no rehash of
/// the whole log: the hashes of the complete, aligned subtrees of 256,
/// 65,536, 16,777,216 … leaves (levels 8, 16, 24, … of the tree, the tops
/// of C2SP tlog-tiles' full tiles). Any subtree hash is then at most 255
/// node hashes above a stored level or above 256 leaves read from the log.
///
/// The file (`merkle.tree` in the log directory) is a cache: rebuildable
/// from the log, checked on every open (its own SHA-256, and the hash of
/// the frame holding its last leaf), and rebuilt when it does not match.
/// Layout (integers big-endian):
///
/// ```
/// "PLMTREE1"                 8 bytes
/// size                       u64: leaves covered, a multiple of 256
/// frame hash                 32 bytes: the log's frame holding seq `size` (zeros when size is 0)
/// level count L              u32
/// L times: count u64, then count × 32-byte hashes (level 8, then 16, …)
/// SHA-256 of all the bytes above
/// ```
struct TreeSidecar: Equatable {
    static let fileName = "merkle.tree"
    static let magic = Array("PLMTREE1".utf8)
    /// Levels stored: multiples of this height.
    static let tileHeight = 8
    static let tileWidth: UInt64 = 1 << 8

    var size: UInt64 = 0
    var frameHash: [UInt8] = [UInt8](repeating: 0, count: 32)
    /// levels[k] holds the hashes of the complete aligned subtrees of level 8(k+1).
    var levels: [[[UInt8]]] = []

    func serialized() -> [UInt8] {
        var out = Self.magic
        func u64(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
        u64(size)
        out += frameHash
        let count = UInt32(levels.count)
        for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: count >> UInt32(s))) }
        for level in levels {
            u64(UInt64(level.count))
            for h in level { out += h }
        }
        out += Array(SHA256.hash(data: out))
        return out
    }

    /// Parses a sidecar; the reason it cannot be used, when it cannot.
    static func parse(_ bytes: [UInt8]) -> Result<TreeSidecar, SidecarDamage> {
        guard bytes.count >= 8 + 8 + 32 + 4 + 32, Array(bytes[0..<8]) == magic else { return .failure(SidecarDamage("not a parledger Merkle tree file")) }
        let body = bytes[0..<(bytes.count - 32)]
        guard Array(SHA256.hash(data: body)) == Array(bytes[(bytes.count - 32)...]) else {
            return .failure(SidecarDamage("its checksum does not match its contents"))
        }
        var at = 8
        func u64() -> UInt64? {
            guard at + 8 <= body.count else { return nil }
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(body[at + i]) }
            at += 8
            return v
        }
        guard let size = u64(), at + 36 <= body.count else { return .failure(SidecarDamage("it is truncated")) }
        var sidecar = TreeSidecar(size: size, frameHash: Array(body[at..<(at + 32)]))
        at += 32
        var levelCount = 0
        for i in 0..<4 { levelCount = levelCount << 8 | Int(body[at + i]) }
        at += 4
        for k in 0..<levelCount {
            let expected = size >> UInt64(tileHeight * (k + 1))
            guard let count = u64(), count == expected, at + Int(count) * 32 <= body.count else {
                return .failure(SidecarDamage("level \(tileHeight * (k + 1)) does not hold the \(expected) hashes its size needs"))
            }
            sidecar.levels.append((0..<Int(count)).map { i in Array(body[(at + 32 * i)..<(at + 32 * i + 32)]) })
            at += Int(count) * 32
        }
        guard at == body.count, size % tileWidth == 0, sidecar.levels.count == Self.levelCount(for: size) else {
            return .failure(SidecarDamage("its levels do not add up to its size"))
        }
        return .success(sidecar)
    }

    /// How many stored levels a sidecar of `size` leaves has.
    static func levelCount(for size: UInt64) -> Int {
        var k = 0
        while size >> UInt64(tileHeight * (k + 1)) > 0 { k += 1 }
        return k
    }

    /// Adds the hash of the next complete block of 256 leaves, and the
    /// hashes of every higher stored subtree it completes.
    mutating func appendBlock(_ hash: [UInt8]) {
        size += Self.tileWidth
        var carry = hash
        var k = 0
        while true {
            if levels.count == k { levels.append([]) }
            levels[k].append(carry)
            guard levels[k].count % Int(Self.tileWidth) == 0 else { return }
            // 256 siblings complete a subtree of the next stored level.
            var row = Array(levels[k].suffix(Int(Self.tileWidth)))
            while row.count > 1 { row = stride(from: 0, to: row.count, by: 2).map { Merkle.nodeHash(row[$0], row[$0 + 1]) } }
            carry = row[0]
            k += 1
        }
    }

    /// Writes the file atomically (a temporary file, then a rename). Not
    /// fsynced: a cache checked before use, rebuilt when lost.
    func write(to path: String) throws {
        try DurableFile.replace(path, with: serialized(), durable: false)
    }
}

/// Why a sidecar could not be used.
struct SidecarDamage: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
