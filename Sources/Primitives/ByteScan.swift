/// Bytes looked at eight at a time (a `UInt64` holds eight of them), for
/// the import's hot loops: line ends in a chunk of JSON Lines, and the
/// contents of strings in the fast JSON decoder. Each answer is exact; the
/// tail of a buffer shorter than a word is looked at byte by byte. Inlinable:
/// a call per word would cost more than the word saves.
public enum ByteScan {
    @usableFromInline static var ones: UInt64 { 0x0101_0101_0101_0101 }
    @usableFromInline static var highs: UInt64 { 0x8080_8080_8080_8080 }

    /// The eight bytes at `offset` (in memory order: the first is the low byte).
    @inlinable @inline(__always)
    public static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.baseAddress!.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The high bit of each byte of `word` that equals `byte`, the others 0.
    @inlinable @inline(__always)
    public static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let t = word ^ (ones &* UInt64(byte))
        return ~(((t & ~highs) &+ ~highs) | t | ~highs)
    }

    /// The high bit of the bytes of `word` below `limit` (at most 128): the
    /// lowest one set marks the first such byte exactly; above it, a byte may
    /// be marked that is not (a borrow), so use it to find, not to count.
    @inlinable @inline(__always)
    public static func below(_ word: UInt64, _ limit: UInt8) -> UInt64 {
        (word &- ones &* UInt64(limit)) & ~word & highs
    }

    /// The high bit of the bytes of `word` that are 0x80 or above (not ASCII).
    @inlinable @inline(__always)
    public static func high(_ word: UInt64) -> UInt64 { word & highs }

    /// The index in `word` (0–7) of the byte a mask above marks first.
    @inlinable @inline(__always)
    public static func first(_ mask: UInt64) -> Int { mask.trailingZeroBitCount / 8 }

    /// The index of the first `byte` at or after `from`, or `bytes.count`.
    @inlinable
    public static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        var i = from
        while i + 8 <= bytes.count {
            let m = matches(word(bytes, at: i), byte)
            if m != 0 { return i + first(m) }
            i += 8
        }
        while i < bytes.count && bytes[i] != byte { i += 1 }
        return i
    }

    /// Whether every byte is below 0x80.
    @inlinable
    public static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0, seen: UInt64 = 0
        while i + 8 <= bytes.count { seen |= word(bytes, at: i); i += 8 }
        while i < bytes.count { seen |= UInt64(bytes[i]); i += 1 }
        return seen & highs == 0
    }

    /// Whether `a` and `b` hold the same bytes.
    @inlinable
    public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var i = 0
        while i + 8 <= a.count {
            if word(a, at: i) != word(b, at: i) { return false }
            i += 8
        }
        while i < a.count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// How many bytes equal `byte`.
    @inlinable
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
