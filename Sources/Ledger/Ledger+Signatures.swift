import Primitives
import EventLog
import ScoreModel

extension Ledger {
    /// Runs `validate` on this thread while another encodes every event of
    /// the batch (the records the log will store) and has the gate check the
    /// signatures over them. Without signed groups it only validates.
    static func checkSignatures(_ batch: [(line: Int, event: Event)], origins: [(file: String, line: Int)], coverage: Coverage,
                                actorsBefore: [Actor: ActorState], gate: (any ImportGate)?,
                                validate: () throws -> Void) throws -> (records: [[UInt8]], issues: [ImportIssue]) {
        guard !coverage.groups.isEmpty, let gate else {
            try validate()
            if let first = coverage.groups.first {
                let origin = origins[first.signed - 1]
                return ([], [ImportIssue(file: origin.file, line: origin.line,
                                         message: "a signed batch, but this import cannot check signatures; import it with `parledger import`")])
            }
            return ([], [])
        }
        let groups = coverage.groups, registered = coverage.registered
        let checked = try Parallel.map(1, { _ -> (records: [[UInt8]], issues: [ImportIssue]) in
            var records: [[UInt8]] = []
            records.reserveCapacity(batch.count)
            for (_, event) in batch { records.append(EventCodec.encode(event)) }
            let signed = groups.compactMap { group -> SignedGroup? in
                guard case .batchSigned(let b) = batch[group.signed - 1].event.body else { return nil }
                let origin = origins[group.signed - 1]
                return SignedGroup(signed: b, event: batch[group.signed - 1].event, file: origin.file, line: origin.line,
                                   firstLine: origins[group.covered.lowerBound - 1].line, records: group.covered.map { records[$0 - 1] })
            }
            return (records, gate.signatureIssues(signed, actorsBefore: actorsBefore, registeredInBatch: registered))
        }, alongside: validate)
        return checked[0]
    }

    /// The signed groups of a validated batch. A group
    /// whose events are all already in the log (an idempotent re-import) is
    /// skipped with its `batch.signed` line; one partly in the log is refused.
    static func gated(_ result: inout ValidationResult, _ payloads: inout [[UInt8]], _ coverage: Coverage,
                      batch: [(line: Int, event: Event)], origins: [(file: String, line: Int)], gate: (any ImportGate)?) -> [ImportIssue] {
        var issues: [ImportIssue] = []
        var index = [Int?](repeating: nil, count: batch.count + 1)   // batch position → index in accepted
        for (k, line) in result.acceptedLines.enumerated() { index[line] = k }
        var dropped: Set<Int> = []
        for group in coverage.groups {
            let origin = origins[group.signed - 1]
            let kept = group.covered.compactMap { index[$0] }
            if kept.isEmpty, let k = index[group.signed] {
                dropped.insert(k)
                result.skipped.append((origin.line, Seq(0)))
                continue
            }
            guard kept.count == group.covered.count else {
                issues.append(ImportIssue(file: origin.file, line: origin.line,
                    message: "\(group.covered.count - kept.count) of the \(group.covered.count) events this batch.signed covers are already in the log; sign only new events"))
                continue
            }
        }
        if !dropped.isEmpty {
            let keep = (0..<result.accepted.count).filter { !dropped.contains($0) }
            result.accepted = keep.map { result.accepted[$0] }
            result.acceptedLines = keep.map { result.acceptedLines[$0] }
            payloads = keep.map { payloads[$0] }
        }
        guard issues.isEmpty, let gate else { return issues }
        let unsigned = result.acceptedLines.filter { coverage.signer($0) == nil && !isSignature(batch[$0 - 1].event) }.map { origins[$0 - 1] }
        return gate.policyIssues(unsigned: unsigned)
    }

    static func isSignature(_ event: Event) -> Bool {
        if case .batchSigned = event.body { return true }
        return false
    }
}
