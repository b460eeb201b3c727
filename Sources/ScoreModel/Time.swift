/// Business time: when an act happened, as given in an event's `at`
/// (RFC 3339 with an offset, e.g. `2024-02-19T17:04:48+07:00`).
///
/// Kept as the instant plus the offset it was written with, so an export
/// writes the same wall-clock time back. Ordered by instant only.
public struct BusinessTime: Hashable, Comparable, Sendable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64
    /// The offset from UTC the time was written with, in minutes (+07:00 is 420).
    public var offsetMinutes: Int16

    public init(microsecondsSinceEpoch: Int64, offsetMinutes: Int16) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
        self.offsetMinutes = offsetMinutes
    }

    public static func < (lhs: BusinessTime, rhs: BusinessTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }
}

/// The writer's clock when an event was appended (UTC), never decreasing
/// along the log.
public struct RecordTime: Hashable, Comparable, Sendable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64
    public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }
    public static func < (lhs: RecordTime, rhs: RecordTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }
}
