import Primitives
import ScoreModel

/// How far a replay reads: the whole log, a log prefix, or what was known
/// at a business time.
///
/// `--at-seq N` is a prefix of the log (what the log held after its N-th
/// event); `--as-of T` keeps the events whose business time `at` is at or
/// before T, whatever order they were recorded in.
public enum ReplayLimit: Hashable, Sendable {
    case head
    case seq(Seq)
    case asOf(BusinessTime)

    /// Whether an event is inside the limit.
    @inlinable
    public func admits(_ event: RecordedEvent) -> Bool {
        switch self {
        case .head: true
        case .seq(let last): event.seq <= last
        case .asOf(let time): event.event.at.microsecondsSinceEpoch <= time.microsecondsSinceEpoch
        }
    }
}
