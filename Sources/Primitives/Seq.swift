/// A position in the log: the N-th event ever appended, counting from 1.
///
/// One type in every layer: the log's frames, the domain's events, the
/// projections, the snapshots and the proofs. Seqs are dense (no gaps) and
/// never reused; a seq is never a byte offset.
///
/// Its two text forms: ``description`` is the number alone (`42`, as in
/// "seq 42" or a JSON `seq` field), ``label`` is `#42`, the way people and
/// a correction's `target` name an event that has no `id`.
public struct Seq: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Seq, rhs: Seq) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `42`.
    public var description: String { String(rawValue) }
    /// `#42`.
    public var label: String { "#" + String(rawValue) }

    /// Reads `#42` (ASCII digits after the `#`, at least 1); nil for
    /// anything else.
    public init?(label: some StringProtocol) {
        guard label.first == "#" else { return nil }
        let digits = label.dropFirst()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let n = UInt64(digits), n >= 1 else { return nil }
        self.rawValue = n
    }

    /// The seq after this one.
    public var next: Seq { Seq(rawValue + 1) }
}

extension Seq: ExpressibleByIntegerLiteral {
    /// `let first: Seq = 1`.
    public init(integerLiteral value: UInt64) { self.rawValue = value }
}
