import EventLog
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What is kept beside the log so that roots and proofs need no rehash of
/// the whole log: the hashes of the complete, aligned subtrees of 256,
/// 65,536, 16,777,216 … leaves (levels 8, 16, 24, … of the tree, the tops
/// of C2SP tlog-tiles' full tiles), and the leaf hashes of the last,
/// incomplete block of 256. Any subtree hash is then at most 255 node
/// hashes above a stored level, above the stored last leaves, or above 256
/// leaves of one complete block read from the log.
///
/// The file (`merkle.tree` in the log directory) is a cache: rebuildable
/// from the log, checked on every open (its own SHA-256, and the hash of
/// the frame holding its last leaf: the log's head when it is up to date),
/// and rebuilt when it does not match. Layout (integers big-endian):
///
/// ```
/// "PLMTREE2"                 8 bytes
/// size                       u64: leaves covered (the log's head when written)
/// frame hash                 32 bytes: the log's frame holding seq `size` (zeros when size is 0)
/// level count L              u32
/// L times: count u64, then count × 32-byte hashes (level 8, then 16, …)
/// tail count T               u32: size mod 256
/// T × 32-byte leaf hashes    leaves 256⌊size/256⌋ … size − 1
/// SHA-256 of all the bytes above
/// ```
///
/// Version 1 (`"PLMTREE1"`: no tail, size a multiple of 256) is still read,
/// and rewritten as version 2 by the next command that saves the tree.
struct TreeSidecar: Equatable {
    static let fileName = "merkle.tree"
    static let magic = Array("PLMTREE2".utf8)
    static let magicVersion1 = Array("PLMTREE1".utf8)
    /// Levels stored: multiples of this height.
    static let tileHeight = 8
    static let tileWidth: UInt64 = 1 << 8

    var size: UInt64 = 0
    var frameHash: [UInt8] = [UInt8](repeating: 0, count: 32)
    /// levels[k]: the hashes of the complete aligned subtrees of level 8(k+1), 32 bytes each, one after the other.
    var levels: [[UInt8]] = []
    /// The leaf hashes of the last, incomplete block (size mod 256 of them), one after the other.
    var tail: [UInt8] = []
    /// The file's format when it was read (1 or 2); a version-1 file is rewritten.
    var version = 2

    /// Leaves in complete blocks of 256 (the rest are in `tail`).
    var blockedLeaves: UInt64 { size / Self.tileWidth * Self.tileWidth }

    /// How many hashes stored level `k` holds.
    func count(level k: Int) -> Int { levels[k].count / 32 }

    /// Hash `i` of stored level `k`.
    func hash(level k: Int, _ i: Int) -> [UInt8] { Array(levels[k][(32 * i)..<(32 * i + 32)]) }

    /// The leaf hash of leaf `index`, which is in the tail.
    func tailHash(leaf index: UInt64) -> [UInt8] {
        let i = Int(index - blockedLeaves)
        return Array(tail[(32 * i)..<(32 * i + 32)])
    }

    func serialized() -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(8 + 8 + 32 + 4 + levels.reduce(0) { $0 + 8 + $1.count } + 4 + tail.count + 32)
        func u64(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
        func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
        u64(size)
        out += frameHash
        u32(UInt32(levels.count))
        for level in levels {
            u64(UInt64(level.count / 32))
            out += level
        }
        u32(UInt32(tail.count / 32))
        out += tail
        return Self.sealed(out)
    }

    /// The bytes followed by their SHA-256, the file's checksum.
    static func sealed(_ body: [UInt8]) -> [UInt8] { body + Array(SHA256.hash(data: body)) }

    /// Reads and parses the sidecar at `path`: nil when there is none, else
    /// the sidecar or the reason it cannot be used. The file is mapped, not
    /// read into memory (it is replaced by rename, never in place).
    static func read(_ path: String) -> Result<TreeSidecar, SidecarDamage>? {
        guard access(path, F_OK) == 0 else { return nil }
        do {
            let file = try MappedFile(path: path)
            return withExtendedLifetime(file) { parse(file.bytes) }
        } catch {
            return .failure(SidecarDamage("it cannot be read (\(error))"))
        }
    }

    /// Parses a sidecar (version 1 or 2); the reason it cannot be used, when it cannot.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<TreeSidecar, SidecarDamage> {
        let version: Int
        guard bytes.count >= 8 + 8 + 32 + 4 + 32 else { return .failure(SidecarDamage("not a parledger Merkle tree file")) }
        switch Array(bytes[0..<8]) {
        case magic: version = 2
        case magicVersion1: version = 1
        default: return .failure(SidecarDamage("not a parledger Merkle tree file"))
        }
        let end = bytes.count - 32
        guard Array(SHA256.hash(data: UnsafeRawBufferPointer(rebasing: bytes[0..<end]))) == Array(bytes[end...]) else {
            return .failure(SidecarDamage("its checksum does not match its contents"))
        }
        var at = 8
        func uint(_ width: Int) -> UInt64? {
            guard at + width <= end else { return nil }
            var v: UInt64 = 0
            for i in 0..<width { v = v << 8 | UInt64(bytes[at + i]) }
            at += width
            return v
        }
        guard let size = uint(8), at + 32 + 4 <= end else { return .failure(SidecarDamage("it is truncated")) }
        var sidecar = TreeSidecar(size: size, frameHash: Array(bytes[at..<(at + 32)]), version: version)
        at += 32
        let levelCount = Int(uint(4)!)
        guard levelCount == Self.levelCount(for: size) else {
            return .failure(SidecarDamage("it has \(levelCount) levels, but \(size) leaves need \(Self.levelCount(for: size))"))
        }
        for k in 0..<levelCount {
            let expected = size >> UInt64(tileHeight * (k + 1))
            guard let count = uint(8), count == expected, at + Int(count) * 32 <= end else {
                return .failure(SidecarDamage("level \(tileHeight * (k + 1)) does not hold the \(expected) hashes its size needs"))
            }
            sidecar.levels.append(Array(bytes[at..<(at + Int(count) * 32)]))
            at += Int(count) * 32
        }
        if version == 2 {
            let expected = size % tileWidth
            guard let count = uint(4), count == expected, at + Int(count) * 32 <= end else {
                return .failure(SidecarDamage("it does not hold the leaf hashes of its last \(expected) leaves"))
            }
            sidecar.tail = Array(bytes[at..<(at + Int(count) * 32)])
            at += Int(count) * 32
        } else if size % tileWidth != 0 {
            return .failure(SidecarDamage("its levels do not add up to its size"))
        }
        guard at == end else { return .failure(SidecarDamage("its levels do not add up to its size")) }
        return .success(sidecar)
    }

    /// How many stored levels a sidecar of `size` leaves has.
    static func levelCount(for size: UInt64) -> Int {
        var k = 0
        while size >> UInt64(tileHeight * (k + 1)) > 0 { k += 1 }
        return k
    }

    /// Adds the next leaf's hash. A leaf that completes a block of 256 adds
    /// the block's hash to level 8, and the hashes of every higher stored
    /// subtree it completes.
    mutating func appendLeaf(_ hash: [UInt8]) {
        size += 1
        tail += hash
        guard tail.count == 32 * Int(Self.tileWidth) else { return }
        var carry = Self.root(ofComplete: tail[...])
        tail.removeAll(keepingCapacity: true)
        var k = 0
        while true {
            if levels.count == k { levels.append([]) }
            levels[k] += carry
            guard count(level: k) % Int(Self.tileWidth) == 0 else { return }
            // 256 siblings complete a subtree of the next stored level.
            carry = Self.root(ofComplete: levels[k][(levels[k].count - 32 * Int(Self.tileWidth))...])
            k += 1
        }
    }

    /// The root of a complete subtree whose 2^h hashes lie one after the
    /// other: each row of node hashes is written over the row below it.
    static func root(ofComplete hashes: ArraySlice<UInt8>) -> [UInt8] {
        var row = Array(hashes)
        var n = row.count / 32
        row.withUnsafeMutableBytes { buffer in
            while n > 1 {
                for i in 0..<(n / 2) {
                    var h = SHA256()
                    withUnsafeBytes(of: UInt8(0x01)) { h.update(bufferPointer: $0) }
                    h.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[(64 * i)..<(64 * i + 64)]))
                    h.finalize().withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[(32 * i)..<(32 * i + 32)]).copyMemory(from: $0) }
                }
                n /= 2
            }
        }
        return Array(row[0..<32])
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
