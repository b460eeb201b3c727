/// Bytes looked at eight at a time (a `UInt64` holds eight of them), for
/// the import's hot loops: line ends in a chunk of JSON Lines, and the
/// contents of strings in the fast JSON decoder. Each answer is exact; the
/// tail of a buffer shorter than a word is looked at byte by byte.
public enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `offset` (in memory order: the first is the low byte).
    @inline(__always)
    public static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.baseAddress!.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The high bit of each byte of `word` that equals `byte`, the others 0.
    @inline(__always)
    public static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let t = word ^ (ones &* UInt64(byte))
        return ~(((t & ~highs) &+ ~highs) | t | ~highs)
    }

    /// Whether a byte of `word` is below `limit` (at most 128).
    @inline(__always)
    public static func hasByte(_ word: UInt64, below limit: UInt8) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highs != 0
    }

    /// Whether a byte of `word` is 0x80 or above (not ASCII).
    @inline(__always)
    public static func hasHighByte(_ word: UInt64) -> Bool { word & highs != 0 }

    /// The index of the first `byte` at or after `from`, or `bytes.count`.
    public static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        var i = from
        while i + 8 <= bytes.count {
            let m = matches(word(bytes, at: i), byte)
            if m != 0 { return i + m.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < bytes.count && bytes[i] != byte { i += 1 }
        return i
    }

    /// How many bytes equal `byte`.
    public static func count(of byte: UInt8, in bytes: UnsafeRawBufferPointer) -> Int {
        var i = 0, n = 0
        while i + 8 <= bytes.count {
            n += matches(word(bytes, at: i), byte).nonzeroBitCount
            i += 8
        }
        while i < bytes.count {
            if bytes[i] == byte { n += 1 }
            i += 1
        }
        return n
    }
}
