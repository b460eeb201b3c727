/// Unsigned LEB128 varints (7 bits a byte, least significant group first,
/// the high bit set on every byte but the last): the one implementation for
/// the log's frames, the event records and the checkpoints.
///
/// ```swift
/// var bytes: [UInt8] = []
/// Varint.append(300, to: &bytes)          // [0xAC, 0x02]
/// var at = 0
/// bytes.withUnsafeBytes { Varint.read($0, &at) }   // 300, at == 2
/// ```
public enum Varint {
    @inlinable @inline(__always)
    public static func append(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    /// Reads a varint at `offset`, advancing it; nil when it runs past the
    /// end or past 64 bits.
    @inlinable @inline(__always)
    public static func read(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }
}
