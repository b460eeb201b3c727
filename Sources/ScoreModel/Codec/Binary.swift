import Primitives

/// The binary primitives of parledger's formats (event records, score-book
/// checkpoints): LEB128 varints, zigzag for signed values, length-prefixed
/// UTF-8. One implementation, so every format reads and writes them alike.
extension Array where Element == UInt8 {
    /// Appends an unsigned LEB128 varint.
    @inlinable public mutating func appendVarint(_ value: UInt64) { Varint.append(value, to: &self) }
    /// Appends a signed value as a zigzag varint.
    @inlinable public mutating func appendZigzag(_ value: Int64) { appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
    /// Appends a varint byte length, then the UTF-8 bytes.
    @inlinable public mutating func appendString(_ s: String) { appendVarint(UInt64(s.utf8.count)); append(contentsOf: s.utf8) }
    /// Appends a varint byte length, then the bytes.
    @inlinable public mutating func appendBlob(_ b: [UInt8]) { appendVarint(UInt64(b.count)); append(contentsOf: b) }
}

/// A binary input that is not what its format says.
public struct BinaryFormatError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "malformed record: \(message)" }
}

/// Reads the primitives from borrowed bytes, refusing anything that runs
/// past the end.
public struct BinaryReader {
    public let bytes: UnsafeRawBufferPointer
    public var offset = 0
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw BinaryFormatError("cut short") }
        defer { offset += 1 }
        return bytes[offset]
    }
    public mutating func varint() throws -> UInt64 {
        guard let value = Varint.read(bytes, &offset) else {
            throw BinaryFormatError(offset >= bytes.count ? "cut short" : "varint too long")
        }
        return value
    }
    public mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }
    /// A count of things that follow: no larger than the bytes left.
    public mutating func count() throws -> Int {
        let n = try varint()
        guard n <= UInt64(bytes.count - offset) else { throw BinaryFormatError("a count of \(n) exceeds the record") }
        return Int(n)
    }
    /// A length-prefixed run of bytes, borrowed.
    public mutating func rawBlob() throws -> UnsafeRawBufferPointer {
        let n = try varint()
        guard n <= UInt64(bytes.count - offset) else { throw BinaryFormatError("a string runs past the record") }
        defer { offset += Int(n) }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(n))])
    }
    public mutating func blob() throws -> [UInt8] { Array(try rawBlob()) }
    public mutating func string() throws -> String { try Self.makeString(try rawBlob()) }
    public mutating func strings() throws -> [String] {
        var list: [String] = []
        for _ in 0..<(try count()) { list.append(try string()) }
        return list
    }
    public mutating func flag() throws -> Bool { try byte() != 0 }
    /// The text of `raw`, which must be UTF-8.
    ///
    /// `String(validating:as:)` is generic over its input and looked the
    /// input type's metadata up at run time for every call: a tenth of an
    /// incremental nightly run, which reads a quarter of a million strings
    /// from its checkpoint. ASCII (codes, ids, most of a log's strings) is
    /// UTF-8 as it stands and goes through `String(decoding:as:)`, the
    /// standard library's fast path for a contiguous buffer. Other text is
    /// decoded the same way, which repairs bytes that are not UTF-8 (each bad
    /// run becomes U+FFFD), and is accepted only when the string's bytes are
    /// the input's, compared byte for byte: a four-byte sequence cut after
    /// three bytes is repaired into three bytes, so its length does not tell.
    public static func makeString(_ raw: UnsafeRawBufferPointer) throws -> String {
        let s = String(decoding: raw, as: UTF8.self)
        if ByteScan.isASCII(raw) { return s }
        guard holds(s, raw) else { throw BinaryFormatError("invalid UTF-8") }
        return s
    }

    /// Whether the UTF-8 of `s` is exactly `raw`, compared eight bytes at a
    /// time (`elementsEqual` goes a byte at a time: a sixth of a checkpoint's read).
    public static func holds(_ s: String, _ raw: UnsafeRawBufferPointer) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { ByteScan.equal(UnsafeRawBufferPointer($0), raw) } ?? s.utf8.elementsEqual(raw)
    }
}
