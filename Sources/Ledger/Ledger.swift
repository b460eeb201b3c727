import EventLog
import ScoreModel

/// The typed log: the event log's bytes read and written as score events.
///
/// ```swift
/// try Ledger.replay(directory: "events") { recorded in print(recorded.seq, recorded.event.type) }
/// let report = try Ledger.importEvents([ImportSource(name: "new.jsonl", bytes: data)], into: "events")
/// ```
public enum Ledger {
    /// Replays the log in seq order, decoding each record, within `limit`.
    /// With `.seq(N)` reading stops at N; with `.asOf(T)` every event is read
    /// and those with `at` after T are left out.
    public static func replay(directory: String, from: EventSeq = EventSeq(1), limit: ReplayLimit = .head,
                              _ body: (RecordedEvent) throws -> Void) throws {
        let reader = try LogReader(directory: directory)
        try replay(reader, from: from, limit: limit, body)
    }

    /// With `prose: false` the events come without evidence, notes and
    /// explanation texts (see ``RecordDecoder/prose``): for score folds.
    public static func replay(_ reader: LogReader, from: EventSeq = EventSeq(1), limit: ReplayLimit = .head, prose: Bool = true,
                              _ body: (RecordedEvent) throws -> Void) throws {
        var decoder = RecordDecoder(prose: prose)
        var through: Seq?
        if case .seq(let last) = limit { through = Seq(last.rawValue) }
        try reader.forEachRecord(from: Seq(from.rawValue), through: through) { record in
            let event: Event
            do {
                event = try decoder.decode(record.payload)
            } catch {
                throw LedgerError(message: "event #\(record.seq) cannot be decoded: \(error)",
                                  hint: "the log was written by a newer parledger, or damaged; run `parledger verify`")
            }
            let recorded = RecordedEvent(seq: EventSeq(record.seq.rawValue), recordedAt: RecordTime(microsecondsSinceEpoch: record.recordedAt),
                                         event: event)
            if limit.admits(recorded) { try body(recorded) }
        }
    }

    /// The validation state of the whole log.
    public static func state(of reader: LogReader) throws -> LedgerState {
        var state = LedgerState()
        try replay(reader) { state.apply($0) }
        return state
    }
}

/// A failure of the typed log, with what to do.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String?
    /// For a refused import: every issue found (up to the limit).
    public var issues: [ImportIssue] = []
    public var moreIssues = 0

    public init(message: String, hint: String? = nil, issues: [ImportIssue] = [], moreIssues: Int = 0) {
        self.message = message; self.hint = hint; self.issues = issues; self.moreIssues = moreIssues
    }

    public var description: String {
        var lines = [message]
        lines += issues.map { "  \($0)" }
        if moreIssues > 0 { lines.append("  … and \(moreIssues) more") }
        if let hint { lines.append(hint) }
        return lines.joined(separator: "\n")
    }
}
