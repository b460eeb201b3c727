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
}

/// Re-checks every signature and every role of a log from its records
/// (docs/SIGNATURES.md): each `batch.signed` against the records just
/// before it in the same append, with the key its actor had when the batch
/// was recorded, and each covered event against the actor's roles and scope
/// as the log stood just before it.
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
        func fault(_ seq: Seq, _ message: String) -> TransparencyError {
            TransparencyError("\(directory): event \(seq.label): \(message)",
                              hint: "the log's records are not what was signed; restore the log from a backup or a copy a witness checked")
        }
        func unsigned(_ items: ArraySlice<(recorded: RecordedEvent, payload: [UInt8])>) throws {
            for item in items {
                if required { throw fault(item.recorded.seq, "rule \"signed\": the event is not covered by a signature, and this log requires signatures") }
                report.unsignedEvents += 1
                state.apply(item.recorded)
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
                valid = try BatchSignature.verify(recorded.event, records: covered.map(\.payload), origin: origin, key: registration.key,
                                                  place: "the key of actor \(b.actor)")
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
                state.apply(item.recorded)
                if wanted?.contains(item.recorded.seq) ?? true {
                    report.signers[item.recorded.seq] = VerifiedSigner(actor: b.actor, name: registration.name,
                                                                       role: ActorRole.required(for: event.type), batch: seq)
                }
            }
            report.batches += 1
            report.signedEvents += covered.count
            state.apply(recorded)
        }
        try unsigned(window[...])
        report.actors = state.actors.count
        return report
    }
}
