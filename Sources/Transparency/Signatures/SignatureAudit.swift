import Primitives
import EventLog
import Ledger
import ScoreModel

/// Who signed an event, as checked from the log alone.
public struct VerifiedSigner: Hashable, Sendable {
    public var actor: Actor
    /// The actor's display name.
    public var name: String
    /// The role under which it wrote the event.
    public var role: ActorRole?
    /// The seq of the `batch.signed` record that covers the event.
    public var batch: Seq
    /// Set when the actor was revoked later, from a time at or before the
    /// batch: the signature may not be the actor's.
    public var revoked: RevokedBatch?
}

/// A batch recorded before its signer's revocation but at or after the
/// revocation's `from` (docs/SIGNATURES.md): the key was already not to be
/// trusted when the batch was signed or recorded (a key stolen last month,
/// revoked today). The log is intact; whether the events are the actor's
/// is for people to find out.
public struct RevokedBatch: Hashable, Sendable, CustomStringConvertible {
    /// The `batch.signed` record and the events it covers.
    public var batch: Seq
    public var covered: ClosedRange<Seq>
    public var actor: Actor
    /// The batch's signing time (its `at`, chosen by the signer) and when the log recorded it.
    public var signedAt: BusinessTime
    public var recordedAt: RecordTime
    /// The `actor.revoked` event.
    public var revocation: Seq
    public var from: BusinessTime
    public var reason: String

    public var description: String {
        "batch.signed \(batch.label) by \(actor) over \(covered.lowerBound.label)–\(covered.upperBound.label) (\(covered.upperBound.rawValue - covered.lowerBound.rawValue + 1) events), "
            + "signed at \(RFC3339.format(signedAt)), recorded at \(RFC3339.format(recordedAt)): event \(revocation.label) revokes \(actor) "
            + "from \(RFC3339.format(from)) (\(reason)), a time at or before this batch, so its events may not be \(actor)'s"
    }
}

/// What `parledger verify --signatures` found.
public struct SignatureReport: Sendable {
    public var batches = 0
    public var signedEvents = 0
    public var unsignedEvents = 0
    public var actors = 0
    public var required = false
    /// The signers of the seqs asked for.
    public var signers: [Seq: VerifiedSigner] = [:]
    /// The batches recorded before their signer's revocation but at or
    /// after its `from`, in log order: warnings, not faults.
    public var revokedBatches: [RevokedBatch] = []
}

/// Re-checks every signature and every role of a log from its records
/// (docs/SIGNATURES.md): each `batch.signed` against the records just
/// before it in the same append, with the key its actor had when the batch
/// was recorded, and each covered event against the actor's roles and scope
/// as the log stood just before it. A batch recorded before its signer's
/// revocation, at or after the revocation's `from`, is reported (not a
/// fault: the log is intact) in ``SignatureReport/revokedBatches``.
public enum SignatureAudit {
    /// Throws at the first fault, naming the seq, the actor and the rule.
    public static func run(directory: String, collecting wanted: Set<Seq>? = nil) throws -> SignatureReport {
        let reader = try LogReader(directory: directory)
        let origin = try? LogOrigin.read(directory: directory)
        var report = SignatureReport()
        report.required = SignaturePolicy.required(directory: directory)
        var state = LedgerState()
        var decoder = RecordDecoder()
        var window: [(recorded: RecordedEvent, payload: [UInt8])] = []
        let required = report.required
        /// Each signer's batches (for the revocations later in the log) and each revocation's seq.
        var batchesBy: [Actor: [(batch: Seq, covered: ClosedRange<Seq>, signedAt: BusinessTime, recordedAt: RecordTime)]] = [:]
        var revocations: [Actor: Seq] = [:]
        let keys = BatchSignature.KeyCache()
        func apply(_ recorded: RecordedEvent) {
            if case .actorRevoked(let r) = recorded.event.body { revocations[r.actor] = recorded.seq }
            state.apply(recorded)
        }
        func fault(_ seq: Seq, _ message: String) -> TransparencyError {
            TransparencyError("\(directory): event \(seq.label): \(message)",
                              hint: "the log's records are not what was signed; restore the log from a backup or a copy a witness checked")
        }
        func unsigned(_ items: ArraySlice<(recorded: RecordedEvent, payload: [UInt8])>) throws {
            for item in items {
                if required { throw fault(item.recorded.seq, "rule \"signed\": the event is not covered by a signature, and this log requires signatures") }
                report.unsignedEvents += 1
                apply(item.recorded)
            }
        }
        try reader.forEachRecord { record in
            let recorded = try Ledger.decode(record, &decoder)
            if let last = window.last, last.recorded.recordedAt != recorded.recordedAt {
                try unsigned(window[...])
                window.removeAll(keepingCapacity: true)
            }
            guard case .batchSigned(let b) = recorded.event.body else {
                window.append((recorded, Array(record.payload)))
                return
            }
            let seq = recorded.seq
            guard b.count <= window.count else {
                throw fault(seq, "batch.signed by \(b.actor) covers \(b.count) events, but only \(window.count) records of the same append precede it")
            }
            let covered = window.suffix(b.count)
            try unsigned(window.prefix(window.count - b.count))
            window.removeAll(keepingCapacity: true)
            let range = "#\(covered.first!.recorded.seq.rawValue)–#\(covered.last!.recorded.seq.rawValue)"
            let what = "batch.signed by \(b.actor) over \(range)"
            guard let origin else { throw fault(seq, "\(what): the log has no origin, so no signature can be checked") }
            let bootstrap = !state.hasRegistrar
            var registration = state.actors[b.actor]?.registered
            if registration == nil, bootstrap {
                for item in covered {
                    if case .actorRegistered(let a) = item.recorded.event.body, a.actor == b.actor, a.roles.contains(.registrar) { registration = a }
                }
            }
            guard let registration else { throw fault(seq, "\(what): rule \"unknown actor\": \(b.actor) was not registered when the batch was recorded") }
            if let revoked = state.actors[b.actor]?.revoked {
                throw fault(seq, "\(what): rule \"revoked\": \(b.actor) was revoked from \(RFC3339.format(revoked.from)) before the batch was recorded")
            }
            let valid: Bool
            do {
                valid = BatchSignature.verify(recorded.event, records: covered.lazy.map(\.payload), origin: origin,
                                              key: try keys.key(registration.key, place: "the key of actor \(b.actor)"))
            } catch {
                throw fault(seq, "\(what): \(error)")
            }
            guard valid else { throw fault(seq, "\(what): rule \"signature\": the signature does not verify for log \(origin) with \(b.actor)'s registered key") }
            for item in covered {
                let event = item.recorded.event
                var selfRegistration = false
                if case .actorRegistered(let a) = event.body, a.actor == b.actor, bootstrap { selfRegistration = true }
                if !selfRegistration, let problem = state.roleProblem(event, signer: b.actor) {
                    throw fault(item.recorded.seq, "\(event.type.rawValue) signed by \(b.actor) in \(what): \(problem)")
                }
                apply(item.recorded)
                if wanted?.contains(item.recorded.seq) ?? true {
                    report.signers[item.recorded.seq] = VerifiedSigner(actor: b.actor, name: registration.name,
                                                                       role: ActorRole.required(for: event.type), batch: seq)
                }
            }
            report.batches += 1
            report.signedEvents += covered.count
            batchesBy[b.actor, default: []].append((seq, covered.first!.recorded.seq...covered.last!.recorded.seq, recorded.event.at, recorded.recordedAt))
            state.apply(recorded)
        }
        try unsigned(window[...])
        report.actors = state.actors.count
        // A revocation names a time from which the key is not trusted; the
        // batches recorded before it at or after that time are flagged. The
        // signing time is the signer's word (a thief backdates it); the
        // log's recording time bounds when the signature was made.
        for (actor, seq) in revocations {
            guard let revoked = state.actors[actor]?.revoked else { continue }
            for b in batchesBy[actor] ?? [] where b.batch < seq
                && (b.signedAt >= revoked.from || b.recordedAt.microsecondsSinceEpoch >= revoked.from.microsecondsSinceEpoch) {
                report.revokedBatches.append(RevokedBatch(batch: b.batch, covered: b.covered, actor: actor, signedAt: b.signedAt, recordedAt: b.recordedAt,
                                                          revocation: seq, from: revoked.from, reason: revoked.reason))
            }
        }
        report.revokedBatches.sort { $0.batch < $1.batch }
        if !report.revokedBatches.isEmpty {
            let flagged = Dictionary(uniqueKeysWithValues: report.revokedBatches.map { ($0.batch, $0) })
            for (seq, signer) in report.signers { report.signers[seq]?.revoked = flagged[signer.batch] }
        }
        return report
    }
}
