#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The durable record of the last acknowledged append: `parledger.head`.
///
/// The writer fsyncs a batch into its segment, then writes this record and
/// fsyncs it, and only then acknowledges the batch. So every byte up to the
/// recorded end was acknowledged, and every byte after it was not: damage
/// before the end is corruption (refused, never cut), and only what lies
/// after it may be cut by recovery. Without it a flipped byte in the last
/// frame looks exactly like an interrupted write.
///
/// The file holds two 80-byte slots, written in turn (the one not holding
/// the newest head), so a torn write of one slot leaves the other intact:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `PLHD` |
/// | 4 | 2 | version 1 |
/// | 6 | 2 | zero |
/// | 8 | 8 | seq: the last acknowledged seq (0: none yet) |
/// | 16 | 8 | first seq of the segment holding it (its file name) |
/// | 24 | 8 | end: byte offset just past the frame holding it |
/// | 32 | 32 | SHA-256 of that frame |
/// | 64 | 8 | recordedAt of that seq (µs) |
/// | 72 | 4 | CRC-32 of bytes 0–71 |
/// | 76 | 4 | zero |
struct AcknowledgedHead: Equatable {
    static let fileName = "parledger.head"
    static let slotSize = 80
    static let magic = Array("PLHD".utf8)

    var seq: UInt64
    var segmentFirstSeq: UInt64
    var end: UInt64
    var hash: [UInt8]
    var recordedAt: Int64

    static let none = AcknowledgedHead(seq: 0, segmentFirstSeq: 0, end: 0, hash: [UInt8](repeating: 0, count: 32), recordedAt: 0)

    func encoded() -> [UInt8] {
        var out = Self.magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(UInt16(1)); put(UInt16(0))
        put(seq); put(segmentFirstSeq); put(end)
        out.append(contentsOf: hash)
        put(recordedAt)
        let crc = out.withUnsafeBytes { crc32Of($0) }
        put(crc); put(UInt32(0))
        return out
    }

    static func decode(_ slot: ArraySlice<UInt8>) -> AcknowledgedHead? {
        let b = Array(slot)
        guard b.count == slotSize, Array(b[0..<4]) == magic else { return nil }
        func get<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            b.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
        }
        guard get(4, UInt16.self) == 1, b.withUnsafeBytes({ crc32Of(UnsafeRawBufferPointer(rebasing: $0[0..<72])) }) == get(72, UInt32.self) else {
            return nil
        }
        return AcknowledgedHead(seq: get(8, UInt64.self), segmentFirstSeq: get(16, UInt64.self), end: get(24, UInt64.self),
                                hash: Array(b[32..<64]), recordedAt: get(64, Int64.self))
    }

    /// The newest valid slot of the log's head file.
    static func read(_ directory: String) throws(EventLogError) -> AcknowledgedHead {
        let path = directory + "/" + fileName
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT {
                throw EventLogError(.corrupt, "the log has no \(fileName), the record of its last acknowledged append", segment: fileName,
                                    hint: "it was deleted or the directory was copied in part; restore the whole log directory from a backup")
            }
            throw EventLogError(.io, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 2 * slotSize)
        let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n >= 0 else { throw EventLogError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        let slots = [decode(bytes[0..<slotSize]), n >= 2 * slotSize ? decode(bytes[slotSize..<(2 * slotSize)]) : nil].compactMap { $0 }
        guard let newest = slots.max(by: { $0.seq < $1.seq }) else {
            throw EventLogError(.corrupt, "\(fileName) holds no valid record of the last acknowledged append (both slots fail their CRC-32)",
                                segment: fileName, offset: FrameOffset(rawValue: 0),
                                hint: "the file was damaged; restore the whole log directory from a backup")
        }
        return newest
    }

    /// Where the writer puts the next record: the slot not holding the newest.
    static func slotToWrite(_ directory: String) -> Int {
        let path = directory + "/" + fileName
        guard let bytes = try? readAll(path), bytes.count >= 2 * slotSize else { return 1 }
        let a = decode(bytes[0..<slotSize]), b = decode(bytes[slotSize..<(2 * slotSize)])
        switch (a, b) {
        case let (a?, b?): return a.seq >= b.seq ? 1 : 0
        case (_?, nil): return 1
        default: return 0
        }
    }

    private static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 2 * slotSize)
        let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        return Array(bytes.prefix(max(0, n)))
    }
}
