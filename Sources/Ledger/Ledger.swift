import Primitives
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
    public static func replay(directory: String, from: Seq = Seq(1), limit: ReplayLimit = .head,
                              _ body: (RecordedEvent) throws -> Void) throws {
        let reader = try LogReader(directory: directory)
        try replay(reader, from: from, limit: limit, body)
    }

    /// With `prose: false` the events come without evidence, notes and
    /// explanation texts (see ``RecordDecoder/prose``): for score folds.
    ///
    /// On a machine with more than one core, frames are inflated and
    /// decoded on the other cores while `body` takes the events of the
    /// frames before them, in seq order, on one thread at a time.
    public static func replay(_ reader: LogReader, from: Seq = Seq(1), limit: ReplayLimit = .head, prose: Bool = true,
                              _ body: (RecordedEvent) throws -> Void) throws {
        var through: Seq?
        if case .seq(let last) = limit { through = last }
        guard Parallel.cores > 1 else {
            var decoder = RecordDecoder(prose: prose)
            try reader.forEachRecord(from: from, through: through) { record in
                let recorded = try decode(record, &decoder)
                if limit.admits(recorded) { try body(recorded) }
            }
            return
        }
        // Enough frames per round that the task handing events over and the
        // tasks decoding finish at about the same time.
        var pipeline = DecodePipeline(lanes: 2 * Parallel.cores - 1, prose: prose, from: from, through: through ?? Seq(.max))
        func hand(_ events: [[RecordedEvent]]) throws {
            for frame in events { for recorded in frame where limit.admits(recorded) { try body(recorded) } }
        }
        try reader.forEachFrame(from: from, through: through) { info, compressed in
            try pipeline.add(info, compressed, handingOver: hand)
        }
        try pipeline.finish(handingOver: hand)
    }

    /// One record as a recorded event; a record that does not decode is
    /// named by its seq, with what to do.
    public static func decode(_ record: LogRecordView, _ decoder: inout RecordDecoder) throws -> RecordedEvent {
        let event: Event
        do {
            event = try decoder.decode(record.payload)
        } catch {
            throw LedgerError(message: "event \(record.seq.label) cannot be decoded: \(error)",
                              hint: "the log was written by a newer parledger, or damaged; run `parledger verify`")
        }
        return RecordedEvent(seq: record.seq, recordedAt: RecordTime(microsecondsSinceEpoch: record.recordedAt), event: event)
    }

    /// The validation state of the whole log.
    public static func state(of reader: LogReader) throws -> LedgerState {
        var state = LedgerState()
        try replay(reader) { state.apply($0) }
        return state
    }
}

/// A failure of the typed log, with what to do.
public struct LedgerError: Diagnostic {
    public var message: String
    public var hint: String?
    /// For a refused import: every issue found (up to the limit).
    public var issues: [ImportIssue] = []
    public var moreIssues = 0

    public init(message: String, hint: String? = nil, issues: [ImportIssue] = [], moreIssues: Int = 0) {
        self.message = message; self.hint = hint; self.issues = issues; self.moreIssues = moreIssues
    }

    public var parts: DiagnosticParts {
        var details = issues.map(\.description)
        if moreIssues > 0 { details.append("… and \(moreIssues) more") }
        return DiagnosticParts(code: issues.isEmpty ? .ledger : .refused, message: message, details: details, hint: hint)
    }
}

extension DiagnosticCode {
    /// An import was refused: its events break the contract (the details say where).
    public static let refused = DiagnosticCode("refused")
    /// The typed log cannot be read or written as asked.
    public static let ledger = DiagnosticCode("ledger")
}

/// Frames in rounds: each round decodes up to `lanes` frames on the pool's
/// threads while the calling thread hands the previous round's events to
/// the fold, in order. The fold never leaves the calling thread, and each
/// decoding task owns its lane (inflater and decoder caches) behind a lock
/// of its own, so the compiler checks that nothing else is shared.
private struct DecodePipeline {
    /// What one decoding task owns: its inflater and its decoder's caches.
    final class Lane: Sendable {
        struct State { let records = FrameRecords(); var decoder: RecordDecoder }
        let state: Locked<State>
        init(prose: Bool) { state = Locked(State(decoder: RecordDecoder(prose: prose))) }
    }
    let lanes: [Lane]
    let from: Seq, through: Seq
    var frames: [(FrameInfo, [UInt8])] = []
    /// The previous round's events, not yet handed over.
    var ready: [[RecordedEvent]] = []

    init(lanes: Int, prose: Bool, from: Seq, through: Seq) {
        self.lanes = (0..<max(1, lanes)).map { _ in Lane(prose: prose) }
        self.from = from; self.through = through
    }

    mutating func add(_ info: FrameInfo, _ compressed: UnsafeRawBufferPointer, handingOver hand: ([[RecordedEvent]]) throws -> Void) throws {
        frames.append((info, Array(compressed)))
        if frames.count == lanes.count { try round(hand) }
    }

    mutating func finish(handingOver hand: ([[RecordedEvent]]) throws -> Void) throws {
        if !frames.isEmpty { try round(hand) }
        try round(hand)   // hands over the last frames' events
    }

    /// The calling thread hands the previous round over (its error wins:
    /// those events come first) while the pool decodes this round's frames.
    private mutating func round(_ hand: ([[RecordedEvent]]) throws -> Void) throws {
        let (frames, ready, lanes, from, through) = (self.frames, self.ready, self.lanes, self.from, self.through)
        let decoded = try Parallel.map(frames.count, { task -> [RecordedEvent] in
            let (info, bytes) = frames[task]
            return try lanes[task].state.withLock { lane in
                var out: [RecordedEvent] = []
                out.reserveCapacity(info.count)
                try bytes.withUnsafeBytes { compressed in
                    try lane.records.forEachRecord(of: info, compressed: compressed, from: from, through: through) { record in
                        out.append(try Ledger.decode(record, &lane.decoder))
                    }
                }
                return out
            }
        }, alongside: { try hand(ready) })
        self.ready = decoded
        self.frames.removeAll(keepingCapacity: true)
    }
}
