import Dispatch
import EventLog
import ScoreModel

/// The state of one streamed import: validation, the issues found, the
/// signed groups (handed to the gate as they are found) and the events
/// a signature further down may still cover.
///
/// A `batch.signed` line covers the `count` events just before it in the
/// same file (after any earlier signature), and an event under a signature
/// must also be within its signer's roles. So the events since the last
/// signature are held, not yet validated, until the next `batch.signed`
/// (or the end of the file) says who signed them; when more than
/// ``Ledger/maxEventsPerSignature`` are waiting (an unsigned file), the oldest are validated
/// as unsigned, and a signature that then reaches back over them is refused.
struct ImportRun {
    var state: LedgerState
    let gate: (any ImportGate)?
    let actorsBefore: [Actor: ActorState]
    var issues: [ImportIssue] = []
    var more = 0
    var skipped = 0
    /// Records accepted in this chunk, not yet staged, one after another
    /// (record `k` ends at `recordEnds[k]`): no array per record.
    var records: [UInt8] = []
    var recordEnds: [Int] = []

    var file = ""
    var fileIndex = 0
    /// The decoded parts whose events are held, oldest first (`parts[0]`
    /// is part number `partsBase`); a part is let go once none of its
    /// events is held and the calling thread has passed it.
    var parts: [HeldPart] = []
    var partsBase = 0
    /// Events of the current run (since the file's start or its last
    /// signature) held back, by their place in `parts`; `held[heldStart...]`
    /// are still held. An event is not copied to be held, nor destroyed on
    /// this thread once validated: its part goes to ``Ledger/release`` whole.
    var held: [Place] = []
    var heldStart = 0
    var heldCount: Int { held.count - heldStart }
    /// Events of the run already validated as unsigned (because of the hold limit).
    var released = 0
    var runAfterSignature = false
    /// The actors the batch registers (for the gate: keys of signers registered in this import).
    var registered: [Actor: ActorRegistered] = [:]
    /// Accepted events that no signature covers, for the policy: (file index, line).
    var unsigned: [(file: Int32, line: Int32)] = []
    var files: [String] = []
    var sawGroup = false
    /// Signature checks run on another thread while validation goes on.
    let checks = SignatureChecks()

    /// Whether the gate's policy needs the list of unsigned events.
    let listsUnsigned: Bool

    init(state: LedgerState, gate: (any ImportGate)?) {
        self.state = state
        self.gate = gate
        self.listsUnsigned = gate?.refusesUnsigned ?? false
        self.actorsBefore = state.actors
    }

    mutating func startFile(_ name: String, index: Int) {
        releaseAll()
        trim()
        file = name
        fileIndex = index
        files.append(name)
        runAfterSignature = false
    }

    /// Lists an issue (the first ``Ledger/issueLimit``; the rest are counted).
    mutating func add(_ issue: ImportIssue) {
        if issues.count < Ledger.issueLimit { issues.append(issue) } else { more += 1 }
    }

    /// Validates (or holds) the events of one decoded chunk and stages
    /// what was accepted; once any issue is found nothing more is written.
    ///
    /// The parts are taken over, not copied: their events are held where
    /// they were decoded, and destroyed off this thread. Returns the lines
    /// of the file up to the chunk's end.
    mutating func take(_ decoded: consuming [DecodedPart], firstLine: Int, staged: StagedAppend) throws -> Int {
        var decoded = decoded
        var before = firstLine
        for k in decoded.indices {
            for (number, error) in decoded[k].errors { add(error.at(file: file, line: before + number)) }
            let number = Int32(truncatingIfNeeded: partsBase + parts.count)
            parts.append(HeldPart(events: decoded[k].events, lineBase: before))
            decoded[k].events = []   // `parts` is now their only owner
            takeEvents(ofPart: number)
            before += decoded[k].lines
            trim()
        }
        try stage(staged)
        return before
    }

    /// Takes the events of part `number`, in order.
    private mutating func takeEvents(ofPart number: Int32) {
        let events = parts[Int(number) - partsBase].events
        for i in events.indices { take(events, i, part: number) }
    }

    /// The held event at `place`, and its line in the file.
    func event(at place: Place) -> (event: Event, line: Int) {
        let part = parts[Int(place.part) - partsBase]
        let (number, event) = part.events[Int(place.index)]
        return (event, part.lineBase + number)
    }

    /// Validates held events `held[heldStart..<heldStart + n]` as unsigned, in order.
    mutating func validateHeld(_ n: Int) {
        guard n > 0 else { return }
        var k = heldStart
        let end = heldStart + n
        while k < end {
            // One part at a time: its events are read where they lie, not copied out one by one.
            let p = held[k].part
            let part = parts[Int(p) - partsBase]
            part.events.withUnsafeBufferPointer { events in
                // Borrowed where it lies: a copy of each event would retain (and later release) every string in it.
                while k < end && held[k].part == p {
                    let i = Int(held[k].index)
                    validate(events[i].1, line: part.lineBase + events[i].0, signer: nil)
                    k += 1
                }
            }
        }
        heldStart = end
        if heldStart == held.count {
            held.removeAll(keepingCapacity: true); heldStart = 0
        } else if heldStart * 2 >= held.count {
            // An unsigned file never empties the list: what was validated is dropped, so it stays bounded by the hold limit.
            held.removeFirst(heldStart); heldStart = 0
        }
    }

    /// Lets go of the parts before the oldest held event (all of them when
    /// none is held), on ``Ledger/release``.
    mutating func trim() {
        let keep = heldStart < held.count ? Int(held[heldStart].part) : partsBase + parts.count
        let drop = keep - partsBase
        guard drop > 0 else { return }
        let dropped = Array(parts[..<drop])
        parts.removeFirst(drop)
        partsBase = keep
        Ledger.release(dropped)
    }

    mutating func stage(_ staged: StagedAppend) throws {
        if issues.isEmpty && !recordEnds.isEmpty { try staged.add(packed: records, ends: recordEnds) }
        records.removeAll(keepingCapacity: true)
        recordEnds.removeAll(keepingCapacity: true)
    }

    /// Takes event `i` of `events` (part number `part`).
    mutating func take(_ events: [(Int, Event)], _ i: Int, part: Int32) {
        // Matched in place: only a registration or a signature is taken out of the event.
        let b: BatchSigned
        switch events[i].1.body {
        case .batchSigned(let signed):
            b = signed
        case .actorRegistered(let a):
            registered[a.actor] = a
            hold(part: part, index: i)
            return
        default:
            hold(part: part, index: i)
            return
        }
        let (event, line) = event(at: Place(part: part, index: Int32(truncatingIfNeeded: i)))
        let available = released + heldCount
        if b.count > available {
            add(ImportIssue(file: file, line: line, field: "count",
                message: "the signature covers \(b.count) event\(b.count == 1 ? "" : "s") but only \(available) precede it in this file since \(runAfterSignature ? "the previous batch.signed" : "its start"); sign the file again with `parledger sign`"))
            releaseAll()
            validate(event, line: line, signer: nil)
        } else if b.count > heldCount {
            add(ImportIssue(file: file, line: line, field: "count",
                message: "the signature covers \(b.count) events; an import holds at most \(Ledger.maxEventsPerSignature) events for a signature that follows them: sign the file in smaller batches"))
            releaseAll()
            validate(event, line: line, signer: nil)
        } else {
            validateHeld(heldCount - b.count)
            let covered = held[heldStart...].map { self.event(at: $0) }
            var records: [[UInt8]] = []
            records.reserveCapacity(covered.count)
            var kept = 0
            for (event, line) in covered {
                let record = EventCodec.encode(event)   // signed and appended: encoded once
                records.append(record)
                if validate(event, line: line, signer: b.actor, signed: true, record: record) { kept += 1 }
            }
            let firstLine = covered.first!.line
            held.removeAll(keepingCapacity: true)
            heldStart = 0
            released = 0
            if kept == 0 {
                // Every event it covers is already in the log: an idempotent re-import skips the signature too.
                if let problem = state.problem(event) {
                    add(ImportIssue(file: file, line: line, field: problem.field, message: problem.message))
                } else {
                    skipped += 1
                }
            } else {
                if kept != covered.count {
                    issues.append(ImportIssue(file: file, line: line,
                        message: "\(covered.count - kept) of the \(covered.count) events this batch.signed covers are already in the log; sign only new events"))
                }
                validate(event, line: line, signer: nil, signed: true)
            }
            if let gate {
                checks.check(SignedGroup(signed: b, event: event, file: file, line: line, firstLine: firstLine, records: records),
                             gate: gate, actorsBefore: actorsBefore, registered: registered)
            } else if !sawGroup {
                issues.append(ImportIssue(file: file, line: line,
                                          message: "a signed batch, but this import cannot check signatures; import it with `parledger import`"))
            }
            sawGroup = true
        }
        runAfterSignature = true
    }

    /// Holds event `index` of part `part`; past the limit, the oldest half
    /// of the held events are validated as unsigned.
    private mutating func hold(part: Int32, index: Int) {
        held.append(Place(part: part, index: Int32(truncatingIfNeeded: index)))
        if heldCount > Ledger.maxEventsPerSignature {
            let n = Ledger.maxEventsPerSignature / 2
            validateHeld(n)
            released += n
        }
    }

    /// Validates every held event as unsigned.
    mutating func releaseAll() {
        validateHeld(heldCount)
        released = 0
    }

    /// Validates one event; true when it was accepted (and its record queued:
    /// `record`, when the caller encoded it already for a signature, else encoded here).
    @discardableResult
    mutating func validate(_ event: Event, line: Int, signer: Actor?, signed: Bool = false, record: [UInt8]? = nil) -> Bool {
        switch state.validate(event, signer: signer) {
        case .accepted:
            if issues.isEmpty {
                if let record { records.append(contentsOf: record) } else { EventCodec.encode(event, into: &records) }
                recordEnds.append(records.count)
            }
            if !signed && listsUnsigned && !Ledger.isSignature(event) { unsigned.append((Int32(truncatingIfNeeded: fileIndex), Int32(truncatingIfNeeded: line))) }
            return true
        case .skipped:
            skipped += 1
            return false
        case .refused(let field, let message):
            add(ImportIssue(file: file, line: line, field: field, message: message))
            return false
        }
    }

    /// The end of the input: the last held events, the signature checks,
    /// then the log's policy over the unsigned events.
    mutating func finish(staged: StagedAppend) throws {
        releaseAll()
        trim()
        try stage(staged)
        issues += checks.wait()
        if issues.isEmpty, let gate, listsUnsigned {
            let list = unsigned.map { (file: files[Int($0.file)], line: Int($0.line)) }
            unsigned = []
            issues += gate.policyIssues(unsigned: list)
        }
    }
}

/// Where a held event lies: part number and index in the part.
struct Place {
    var part: Int32
    var index: Int32
}

/// A decoded part's events, held while a signature further down may cover them.
struct HeldPart: Sendable {
    var events: [(Int, Event)]
    /// Lines of the file before the part.
    var lineBase: Int
}

extension Ledger {
    /// Decoded events the import is done with, destroyed on a thread of
    /// their own: letting go of a national import's events (every string
    /// in them) is otherwise a tenth of the validating thread's time.
    /// At most ``releaseBacklog`` hand-overs wait there: a release that
    /// falls behind makes the import wait, so memory stays bounded.
    static func release(_ parts: [HeldPart]) {
        releaseRoom.wait()
        releaseQueue.async {
            withExtendedLifetime(parts) {}
            releaseRoom.signal()
        }
    }
    static let releaseQueue = DispatchQueue(label: "parledger.import.release")
    static let releaseBacklog = 4
    static let releaseRoom = DispatchSemaphore(value: releaseBacklog)
}

/// The gate's signature checks, one signed group at a time, on a thread of
/// their own beside validation; their issues are collected in order.
final class SignatureChecks: Sendable {
    private let queue = DispatchQueue(label: "parledger.import.signatures")
    private let group = DispatchGroup()
    private let found = Locked<[ImportIssue]>([])

    func check(_ signed: SignedGroup, gate: any ImportGate, actorsBefore: [Actor: ActorState], registered: [Actor: ActorRegistered]) {
        queue.async(group: group) { [found] in
            let issues = gate.signatureIssues([signed], actorsBefore: actorsBefore, registeredInBatch: registered)
            if !issues.isEmpty { found.withLock { $0 += issues } }
        }
    }

    /// Every check's issues, once all are done.
    func wait() -> [ImportIssue] {
        group.wait()
        return found.withLock { $0 }
    }
}

extension Ledger {
    static func isSignature(_ event: Event) -> Bool {
        if case .batchSigned = event.body { return true }
        return false
    }
}
