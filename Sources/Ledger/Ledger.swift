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
        var pipeline = DecodePipeline<[RecordedEvent]>(lanes: 2 * Parallel.cores - 1, prose: prose, from: from, through: through ?? Seq(.max)) {
            lane, info, compressed, from, through in
            var out: [RecordedEvent] = []
            out.reserveCapacity(info.count)
            try lane.records.forEachRecord(of: info, compressed: compressed, from: from, through: through) { record in
                out.append(try Ledger.decode(record, &lane.decoder))
            }
            return out
        }
        func hand(_ events: [[RecordedEvent]]) throws {
            for frame in events { for recorded in frame where limit.admits(recorded) { try body(recorded) } }
        }
        try reader.forEachFrame(from: from, through: through) { info, compressed in
            try pipeline.add(info, compressed, handingOver: hand)
        }
        try pipeline.finish(handingOver: hand)
    }

    /// Replays the log from `from` through `through` (the head when nil)
    /// as fold records (``FoldRecord``), a batch per frame in seq order:
    /// what a score fold reads, without building an event for every item
    /// event. Frames are inflated and decoded on the other cores as with
    /// ``replay(_:from:limit:prose:_:)``; a record that does not decode
    /// fails the replay as it does there.
    public static func replayFold(_ reader: LogReader, from: Seq = Seq(1), through: Seq? = nil,
                                  _ body: (FoldBatch) throws -> Void) throws {
        let decodeFrame: DecodePipeline<FoldBatch>.Decode = { lane, info, compressed, from, through in
            var batch = lane.decoder.beginFold(decoder: lane.number)
            batch.records.reserveCapacity(info.count)
            try lane.records.forEachRecord(of: info, compressed: compressed, from: from, through: through) { record in
                do {
                    try lane.decoder.decodeFold(record.payload, seq: record.seq, recordedAt: RecordTime(microsecondsSinceEpoch: record.recordedAt),
                                                into: &batch)
                } catch {
                    throw undecodable(record.seq, error)
                }
            }
            lane.decoder.endFold(&batch)
            return batch
        }
        guard Parallel.cores > 1 else {
            var lane = DecodePipeline<FoldBatch>.Lane.State(decoder: RecordDecoder(prose: false), number: 0)
            try reader.forEachFrame(from: from, through: through) { info, compressed in
                try body(try decodeFrame(&lane, info, compressed, from, through ?? Seq(.max)))
            }
            return
        }
        var pipeline = DecodePipeline<FoldBatch>(lanes: 2 * Parallel.cores - 1, prose: false, from: from, through: through ?? Seq(.max),
                                                 decode: decodeFrame)
        func hand(_ batches: [FoldBatch]) throws { for batch in batches { try body(batch) } }
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
            throw undecodable(record.seq, error)
        }
        return RecordedEvent(seq: record.seq, recordedAt: RecordTime(microsecondsSinceEpoch: record.recordedAt), event: event)
    }

    static func undecodable(_ seq: Seq, _ error: any Error) -> LedgerError {
        LedgerError(message: "event \(seq.label) cannot be decoded: \(error)",
                    hint: "the log was written by a newer parledger, or damaged; run `parledger verify`")
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
/// threads while the calling thread hands the previous round's output to
/// the fold, in order. The fold never leaves the calling thread, and each
/// decoding task owns its lane (inflater and decoder caches) behind a lock
/// of its own, so the compiler checks that nothing else is shared. Frame
/// `i` of every round goes to lane `i`, so each lane decodes its frames in
/// seq order and its output is handed over in that order.
private struct DecodePipeline<Output: Sendable> {
    /// What one decoding task owns: its inflater and its decoder's caches.
    final class Lane: Sendable {
        struct State { let records = FrameRecords(); var decoder: RecordDecoder; let number: Int }
        let state: Locked<State>
        init(prose: Bool, number: Int) { state = Locked(State(decoder: RecordDecoder(prose: prose), number: number)) }
    }
    /// Decodes one frame's records from `from` through `through`.
    typealias Decode = @Sendable (inout Lane.State, FrameInfo, UnsafeRawBufferPointer, Seq, Seq) throws -> Output
    let lanes: [Lane]
    let from: Seq, through: Seq
    let decode: Decode
    var frames: [(FrameInfo, [UInt8])] = []
    /// The previous round's output, not yet handed over.
    var ready: [Output] = []

    init(lanes: Int, prose: Bool, from: Seq, through: Seq, decode: @escaping Decode) {
        self.lanes = (0..<max(1, lanes)).map { Lane(prose: prose, number: $0) }
        self.from = from; self.through = through; self.decode = decode
    }

    mutating func add(_ info: FrameInfo, _ compressed: UnsafeRawBufferPointer, handingOver hand: ([Output]) throws -> Void) throws {
        frames.append((info, Array(compressed)))
        if frames.count == lanes.count { try round(hand) }
    }

    mutating func finish(handingOver hand: ([Output]) throws -> Void) throws {
        if !frames.isEmpty { try round(hand) }
        try round(hand)   // hands over the last frames' output
    }

    /// The calling thread hands the previous round over (its error wins:
    /// those events come first) while the pool decodes this round's frames.
    private mutating func round(_ hand: ([Output]) throws -> Void) throws {
        let (frames, ready, lanes, from, through, decode) = (self.frames, self.ready, self.lanes, self.from, self.through, self.decode)
        let decoded = try Parallel.map(frames.count, { task -> Output in
            let (info, bytes) = frames[task]
            return try lanes[task].state.withLock { lane in
                try bytes.withUnsafeBytes { compressed in try decode(&lane, info, compressed, from, through) }
            }
        }, alongside: { try hand(ready) })
        self.ready = decoded
        self.frames.removeAll(keepingCapacity: true)
    }
}
