import Primitives

/// A byte offset inside a segment file.
public struct FrameOffset: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: FrameOffset, rhs: FrameOffset) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The SHA-256 of a log frame: it commits to the frame's bytes and, through
/// the previous frame's hash inside it, to every frame before it. Its text
/// form is 64 lowercase hex digits (docs/FORMAT.md).
public struct FrameHash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes.
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "a frame hash has 32 bytes, not \(bytes.count)")
        self.bytes = bytes
    }
    /// Reads 64 hex digits; nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        self.bytes = bytes
    }
    /// The hash an empty log "ends" with: 32 zero bytes.
    public static let zero = FrameHash([UInt8](repeating: 0, count: 32))
    /// 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}

/// The end of the log: the last seq and the hash of the frame that holds it.
///
/// The hash chains every frame before it, so two logs with the same head
/// hold the same bytes up to that seq.
public struct LogHead: Hashable, Sendable, CustomStringConvertible {
    /// The last seq (0 for an empty log).
    public var seq: Seq
    /// The hash of the last frame (``FrameHash/zero`` for an empty log).
    public var hash: FrameHash

    public init(seq: Seq, hash: FrameHash) { self.seq = seq; self.hash = hash }

    public static let empty = LogHead(seq: Seq(0), hash: .zero)

    public var description: String { "seq \(seq) hash \(hash.hex)" }
}
