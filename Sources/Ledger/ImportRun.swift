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
    /// Events of the current run (since the file's start or its last signature) held back.
    var held: [(line: Int, event: Event)] = []
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
    mutating func take(_ parts: [DecodedPart], firstLine: Int, staged: StagedAppend) throws {
        var before = firstLine
        for part in parts {
            for (number, error) in part.errors { add(error.at(file: file, line: before + number)) }
            for (number, event) in part.events { take(event, line: before + number) }
            before += part.lines
        }
        try stage(staged)
    }

    mutating func stage(_ staged: StagedAppend) throws {
        if issues.isEmpty && !recordEnds.isEmpty { try staged.add(packed: records, ends: recordEnds) }
        records.removeAll(keepingCapacity: true)
        recordEnds.removeAll(keepingCapacity: true)
    }

    mutating func take(_ event: Event, line: Int) {
        if case .actorRegistered(let a) = event.body { registered[a.actor] = a }
        guard case .batchSigned(let b) = event.body else {
            held.append((line, event))
            if held.count > Ledger.maxEventsPerSignature {
                let n = Ledger.maxEventsPerSignature / 2
                for (line, event) in held[..<n] { validate(event, line: line, signer: nil) }
                held.removeFirst(n)
                released += n
            }
            return
        }
        let available = released + held.count
        if b.count > available {
            add(ImportIssue(file: file, line: line, field: "count",
                message: "the signature covers \(b.count) event\(b.count == 1 ? "" : "s") but only \(available) precede it in this file since \(runAfterSignature ? "the previous batch.signed" : "its start"); sign the file again with `parledger sign`"))
            releaseAll()
            validate(event, line: line, signer: nil)
        } else if b.count > held.count {
            add(ImportIssue(file: file, line: line, field: "count",
                message: "the signature covers \(b.count) events; an import holds at most \(Ledger.maxEventsPerSignature) events for a signature that follows them: sign the file in smaller batches"))
            releaseAll()
            validate(event, line: line, signer: nil)
        } else {
            let split = held.count - b.count
            for (line, event) in held[..<split] { validate(event, line: line, signer: nil) }
            let covered = held[split...]
            var records: [[UInt8]] = []
            records.reserveCapacity(covered.count)
            var kept = 0
            for (line, event) in covered {
                let record = EventCodec.encode(event)   // signed and appended: encoded once
                records.append(record)
                if validate(event, line: line, signer: b.actor, signed: true, record: record) { kept += 1 }
            }
            let firstLine = covered.first!.line
            held.removeAll(keepingCapacity: true)
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

    /// Validates every held event as unsigned.
    mutating func releaseAll() {
        for (line, event) in held { validate(event, line: line, signer: nil) }
        held.removeAll(keepingCapacity: true)
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
        try stage(staged)
        issues += checks.wait()
        if issues.isEmpty, let gate, listsUnsigned {
            let list = unsigned.map { (file: files[Int($0.file)], line: Int($0.line)) }
            unsigned = []
            issues += gate.policyIssues(unsigned: list)
        }
    }
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
