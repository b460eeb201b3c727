import ScoreModel

extension Ledger {
    /// The signed groups of a validated batch, handed to the gate. A group
    /// whose events are all already in the log (an idempotent re-import) is
    /// skipped with its `batch.signed` line; one partly in the log is refused.
    static func gated(_ result: inout ValidationResult, _ payloads: inout [[UInt8]], _ coverage: Coverage,
                      batch: [(line: Int, event: Event)], origins: [(file: String, line: Int)],
                      actorsBefore: [Actor: ActorState], actorsAfter: [Actor: ActorState], gate: (any ImportGate)?) throws -> [ImportIssue] {
        var issues: [ImportIssue] = []
        var index: [Int: Int] = [:]   // batch position → index in accepted
        for (k, line) in result.acceptedLines.enumerated() { index[line] = k }
        var groups: [SignedGroup] = []
        var dropped: Set<Int> = []
        for group in coverage.groups {
            let origin = origins[group.signed - 1]
            guard case .batchSigned(let signed) = batch[group.signed - 1].event.body else { continue }
            let kept = group.covered.compactMap { index[$0] }
            if kept.isEmpty, let k = index[group.signed] {
                dropped.insert(k)
                result.skipped.append((origin.line, EventSeq(0)))
                continue
            }
            guard kept.count == group.covered.count else {
                issues.append(ImportIssue(file: origin.file, line: origin.line,
                    message: "\(group.covered.count - kept.count) of the \(group.covered.count) events this batch.signed covers are already in the log; sign only new events"))
                continue
            }
            groups.append(SignedGroup(signed: signed, event: batch[group.signed - 1].event, file: origin.file, line: origin.line,
                                      firstLine: origins[group.covered.lowerBound - 1].line, records: kept.map { payloads[$0] }))
        }
        if !dropped.isEmpty {
            let keep = (0..<result.accepted.count).filter { !dropped.contains($0) }
            result.accepted = keep.map { result.accepted[$0] }
            result.acceptedLines = keep.map { result.acceptedLines[$0] }
            payloads = keep.map { payloads[$0] }
        }
        guard issues.isEmpty else { return issues }
        guard let gate else {
            let first = origins[coverage.groups[0].signed - 1]
            return [ImportIssue(file: first.file, line: first.line,
                                message: "a signed batch, but this import cannot check signatures; import it with `parledger import`")]
        }
        let unsigned = result.acceptedLines.filter { coverage.signers[$0] == nil && !isSignature(batch[$0 - 1].event) }.map { origins[$0 - 1] }
        return try gate.issues(in: ImportBatch(groups: groups, unsigned: unsigned, actorsBefore: actorsBefore, actorsAfter: actorsAfter))
    }

    static func isSignature(_ event: Event) -> Bool {
        if case .batchSigned = event.body { return true }
        return false
    }
}
