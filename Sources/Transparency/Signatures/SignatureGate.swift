import Ledger
import ScoreModel

/// The import check of signed batches (docs/SIGNATURES.md): each
/// `batch.signed` must verify with its actor's registered key for this log's
/// origin (checked while the batch is validated); with the policy
/// `signatures: required`, every event must be covered by one. Roles and
/// scopes are checked by validation, event by event.
///
/// ```swift
/// let gate = try SignatureGate(log: "events")
/// try Ledger.importEvents(sources, into: "events", gate: gate)
/// ```
public struct SignatureGate: ImportGate {
    public let origin: String?
    public let required: Bool
    /// Each actor's key, parsed once per import, not once per batch.
    private let keys = BatchSignature.KeyCache()

    public init(origin: String?, required: Bool) { self.origin = origin; self.required = required }

    /// The gate of the log in `directory`: its origin (if any) and policy.
    public init(log directory: String) {
        self.init(origin: try? LogOrigin.read(directory: directory), required: SignaturePolicy.required(directory: directory))
    }

    /// Only a log that requires signatures refuses unsigned events.
    public var refusesUnsigned: Bool { required }

    public func policyIssues(unsigned: [(file: String, line: Int)]) -> [ImportIssue] {
        guard required, let first = unsigned.first else { return [] }
        let lines = unsigned.filter { $0.file == first.file }.count
        return [ImportIssue(file: first.file, line: first.line, field: nil,
            message: "rule \"signed\": this log requires signatures, and \(unsigned.count) event\(unsigned.count == 1 ? " is" : "s are") not signed (\(lines) in this file, from this line); sign the file with `parledger sign FILE --key KEY --actor ID`")]
    }

    public func signatureIssues(_ groups: [SignedGroup], actorsBefore: [Actor: ActorState],
                                registeredInBatch: [Actor: ActorRegistered]) -> [ImportIssue] {
        var issues: [ImportIssue] = []
        for group in groups {
            let actor = group.signed.actor
            let what = "the batch of lines \(group.firstLine)–\(group.line - 1) (\(group.signed.count) event\(group.signed.count == 1 ? "" : "s")) signed by \(actor)"
            guard let origin else {
                issues.append(ImportIssue(file: group.file, line: group.line, field: nil,
                    message: "\(what): this log has no origin, and a signature is bound to the log's origin; name it with `parledger init --origin NAME`"))
                continue
            }
            let key: String
            if let before = actorsBefore[actor] {
                key = before.registered.key
            } else if let registration = registeredInBatch[actor] {
                // Registered earlier in this import (validation checks that the
                // registration came first and was a registrar's, or a new log's
                // first registrar registering itself).
                key = registration.key
            } else {
                continue   // validation names the unknown actor
            }
            do {
                guard BatchSignature.verify(group.event, records: group.records, origin: origin,
                                            key: try keys.key(key, place: "the key of actor \(actor)")) else {
                    issues.append(ImportIssue(file: group.file, line: group.line, field: "signature",
                        message: "\(what): rule \"signature\": the signature does not verify for log \(origin) with \(actor)'s key: the events were changed after signing, or the batch was signed for another log"))
                    continue
                }
            } catch {
                issues.append(ImportIssue(file: group.file, line: group.line, field: "signature", message: "\(what): \(error)"))
            }
        }
        return issues
    }
}
