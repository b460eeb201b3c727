import Dispatch
import EventLog
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    ///
    /// On a machine with more than one core, frames are inflated and
    /// decoded on the other cores while `body` takes the events of the
    /// frames before them, in seq order, on one thread at a time.
    public static func replay(_ reader: LogReader, from: EventSeq = EventSeq(1), limit: ReplayLimit = .head, prose: Bool = true,
                              _ body: (RecordedEvent) throws -> Void) throws {
        var through: Seq?
        if case .seq(let last) = limit { through = Seq(last.rawValue) }
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        guard cores > 1 else {
            var decoder = RecordDecoder(prose: prose)
            try reader.forEachRecord(from: Seq(from.rawValue), through: through) { record in
                let recorded = try decode(record, &decoder)
                if limit.admits(recorded) { try body(recorded) }
            }
            return
        }
        try withoutActuallyEscaping(body) { body in
            // Enough frames per round that the thread handing events over
            // and the threads decoding finish at about the same time.
            let pipeline = DecodePipeline(lanes: 2 * cores - 1, prose: prose, from: Seq(from.rawValue), through: through ?? Seq(.max), limit: limit, body: body)
            try reader.forEachFrame(from: Seq(from.rawValue), through: through) { info, compressed in
                try pipeline.add(info, compressed)
            }
            try pipeline.finish()
        }
    }

    /// One record as a recorded event; a record that does not decode is
    /// named by its seq, with what to do.
    public static func decode(_ record: LogRecordView, _ decoder: inout RecordDecoder) throws -> RecordedEvent {
        let event: Event
        do {
            event = try decoder.decode(record.payload)
        } catch {
            throw LedgerError(message: "event #\(record.seq) cannot be decoded: \(error)",
                              hint: "the log was written by a newer parledger, or damaged; run `parledger verify`")
        }
        return RecordedEvent(seq: EventSeq(record.seq.rawValue), recordedAt: RecordTime(microsecondsSinceEpoch: record.recordedAt), event: event)
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

/// Frames in rounds: each round decodes up to `lanes` frames on the pool's
/// threads while one more task hands the previous round's events to
/// the body, in order. Only one round runs at a time, so the body is never
/// called concurrently with itself.
private final class DecodePipeline: @unchecked Sendable {
    let lanes: Int
    let from: Seq, through: Seq
    let limit: ReplayLimit
    let body: (RecordedEvent) throws -> Void
    var frames: [(FrameInfo, [UInt8])] = []
    var decoders: [(records: FrameRecords, decoder: RecordDecoder)]
    /// Per lane: the events decoded this round, and a failure.
    var decoded: [[RecordedEvent]]
    var ready: [[RecordedEvent]] = []
    var failures: [(any Error)?]

    init(lanes: Int, prose: Bool, from: Seq, through: Seq, limit: ReplayLimit, body: @escaping (RecordedEvent) throws -> Void) {
        self.lanes = max(1, lanes)
        self.from = from; self.through = through; self.limit = limit; self.body = body
        decoders = (0..<self.lanes).map { _ in (FrameRecords(), RecordDecoder(prose: prose)) }
        decoded = Array(repeating: [], count: self.lanes)
        failures = Array(repeating: nil, count: self.lanes + 1)
    }

    func add(_ info: FrameInfo, _ compressed: UnsafeRawBufferPointer) throws {
        frames.append((info, Array(compressed)))
        if frames.count == lanes { try round() }
    }

    func finish() throws {
        if !frames.isEmpty { try round() }
        try round()   // hands over the last frames' events
    }

    private func round() throws {
        let count = frames.count
        decoders.withUnsafeMutableBufferPointer { decoders in
            decoded.withUnsafeMutableBufferPointer { decoded in
                failures.withUnsafeMutableBufferPointer { failures in
                    let lanes = Lanes(decoders: decoders, decoded: decoded, failures: failures)
                    DispatchQueue.concurrentPerform(iterations: count + 1) { lane in
                        if lane == count { self.handOver(lanes) } else { self.decode(lane, lanes) }
                    }
                }
            }
        }
        frames.removeAll(keepingCapacity: true)
        if let failure = failures[lanes] { failures[lanes] = nil; throw failure }
        for i in 0..<count { if let failure = failures[i] { failures[i] = nil; throw failure } }
        ready = Array(decoded[0..<count])
        for i in 0..<count { decoded[i] = [] }
    }

    /// The buffers of one round, each lane touching only its own entries.
    struct Lanes: @unchecked Sendable {
        let decoders: UnsafeMutableBufferPointer<(records: FrameRecords, decoder: RecordDecoder)>
        let decoded: UnsafeMutableBufferPointer<[RecordedEvent]>
        let failures: UnsafeMutableBufferPointer<(any Error)?>
    }

    private func decode(_ lane: Int, _ lanes: Lanes) {
        let (info, bytes) = frames[lane]
        var out: [RecordedEvent] = []
        out.reserveCapacity(info.count)
        do {
            try bytes.withUnsafeBytes { compressed in
                try lanes.decoders[lane].records.forEachRecord(of: info, compressed: compressed, from: from, through: through) { record in
                    out.append(try Ledger.decode(record, &lanes.decoders[lane].decoder))
                }
            }
        } catch {
            lanes.failures[lane] = error
        }
        lanes.decoded[lane] = out
    }

    private func handOver(_ lanes: Lanes) {
        do {
            for events in ready {
                for recorded in events where limit.admits(recorded) { try body(recorded) }
            }
        } catch {
            lanes.failures[lanes.failures.count - 1] = error
        }
        ready = []
    }
}
