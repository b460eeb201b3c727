import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// The fixed 96-byte header in front of every frame (all integers
/// little-endian). See docs/FORMAT.md.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `PLF1` (0x50 0x4C 0x46 0x31) |
/// | 4 | 2 | format version (1) |
/// | 6 | 2 | flags: bit 0 = last frame of its batch |
/// | 8 | 8 | first seq |
/// | 16 | 4 | record count |
/// | 20 | 4 | plain (inflated) length |
/// | 24 | 4 | compressed length |
/// | 28 | 4 | CRC-32 (zlib/ISO-HDLC) of the compressed bytes |
/// | 32 | 8 | recordedAt of the first record, µs since the Unix epoch |
/// | 40 | 8 | recordedAt of the last record |
/// | 48 | 32 | SHA-256 of the previous frame (zeros for the first frame) |
/// | 80 | 4 | CRC-32 of bytes 0..<80 |
/// | 84 | 12 | reserved, zero |
struct FrameHeader: Equatable {
    static let size = 96
    static let magic: [UInt8] = [0x50, 0x4C, 0x46, 0x31]   // "PLF1"
    static let version: UInt16 = 1
    static let batchEndFlag: UInt16 = 1

    var flags: UInt16
    var firstSeq: UInt64
    var count: UInt32
    var plainLength: UInt32
    var compressedLength: UInt32
    var payloadCRC: UInt32
    var recordedMin: Int64
    var recordedMax: Int64
    var previousHash: [UInt8]

    var isBatchEnd: Bool { flags & Self.batchEndFlag != 0 }
    var lastSeq: UInt64 { firstSeq + UInt64(count) - 1 }

    func encoded() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        out.replaceSubrange(0..<4, with: Self.magic)
        put(&out, 4, UInt64(Self.version), 2)
        put(&out, 6, UInt64(flags), 2)
        put(&out, 8, firstSeq, 8)
        put(&out, 16, UInt64(count), 4)
        put(&out, 20, UInt64(plainLength), 4)
        put(&out, 24, UInt64(compressedLength), 4)
        put(&out, 28, UInt64(payloadCRC), 4)
        put(&out, 32, UInt64(bitPattern: recordedMin), 8)
        put(&out, 40, UInt64(bitPattern: recordedMax), 8)
        out.replaceSubrange(48..<80, with: previousHash)
        let crc = out.withUnsafeBytes { crc32Of(UnsafeRawBufferPointer(rebasing: $0[0..<80])) }
        put(&out, 80, UInt64(crc), 4)
        return out
    }

    enum DecodeFailure: Error { case badMagic, badVersion(UInt16), badHeaderCRC }

    /// Reads a header from exactly `size` bytes, checking magic, version and
    /// the header's own CRC before any length in it is trusted.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) -> FrameHeader {
        precondition(bytes.count >= size)
        guard bytes[0] == magic[0], bytes[1] == magic[1], bytes[2] == magic[2], bytes[3] == magic[3] else { throw .badMagic }
        let stored = UInt32(get(bytes, 80, 4))
        guard crc32Of(UnsafeRawBufferPointer(rebasing: bytes[0..<80])) == stored else { throw .badHeaderCRC }
        let version = UInt16(get(bytes, 4, 2))
        guard version == Self.version else { throw .badVersion(version) }
        return FrameHeader(
            flags: UInt16(get(bytes, 6, 2)),
            firstSeq: get(bytes, 8, 8),
            count: UInt32(get(bytes, 16, 4)),
            plainLength: UInt32(get(bytes, 20, 4)),
            compressedLength: UInt32(get(bytes, 24, 4)),
            payloadCRC: UInt32(get(bytes, 28, 4)),
            recordedMin: Int64(bitPattern: get(bytes, 32, 8)),
            recordedMax: Int64(bitPattern: get(bytes, 40, 8)),
            previousHash: Array(bytes[48..<80]))
    }
}

@inline(__always)
private func put(_ out: inout [UInt8], _ at: Int, _ value: UInt64, _ width: Int) {
    for i in 0..<width { out[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
}

@inline(__always)
private func get(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ width: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in 0..<width { value |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
    return value
}

/// CRC-32 as zlib computes it (polynomial 0xEDB88320, reflected).
func crc32Of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
    return UInt32(crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
}
