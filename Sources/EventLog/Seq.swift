import Primitives

/// A position in the log: the N-th event ever appended, counting from 1.
///
/// Seqs are dense (no gaps) and never reused. A seq is never a byte offset:
/// offsets are ``FrameOffset``.
public struct Seq: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Seq, rhs: Seq) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A byte offset inside a segment file.
public struct FrameOffset: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: FrameOffset, rhs: FrameOffset) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The end of the log: the last seq and the hash of the frame that holds it.
///
/// The hash chains every frame before it, so two logs with the same head
/// hold the same bytes up to that seq.
public struct LogHead: Hashable, Sendable, CustomStringConvertible {
    /// The last seq (0 for an empty log).
    public var seq: Seq
    /// SHA-256 of the last frame (32 zero bytes for an empty log).
    public var hash: [UInt8]

    public init(seq: Seq, hash: [UInt8]) { self.seq = seq; self.hash = hash }

    public static let empty = LogHead(seq: Seq(0), hash: [UInt8](repeating: 0, count: 32))

    public var hashHex: String { Hex.encode(hash) }
    public var description: String { "seq \(seq) hash \(hashHex)" }
}
