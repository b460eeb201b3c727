import ScoreModel

/// The checks of docs/SIGNATURES.md that an import passes before anything
/// is written; they live in the Transparency module, which holds the keys
/// and the log's origin, and plug in here.
public protocol ImportGate: Sendable {
    /// What is wrong with the signatures. Called on another thread while
    /// the batch is validated, with the actors as the log knew them before
    /// the batch and those the batch itself registers.
    func signatureIssues(_ groups: [SignedGroup], actorsBefore: [Actor: ActorState],
                         registeredInBatch: [Actor: ActorRegistered]) -> [ImportIssue]
    /// What the log's policy refuses in a validated batch: `unsigned` lists
    /// the accepted events no signature covers (file, line).
    func policyIssues(unsigned: [(file: String, line: Int)]) -> [ImportIssue]
}

/// One signed part of an import: a `batch.signed` line and the events it covers.
public struct SignedGroup: Sendable {
    public var signed: BatchSigned
    /// The `batch.signed` event itself (its `at` is signed too).
    public var event: Event
    /// The `batch.signed` line.
    public var file: String
    public var line: Int
    /// The first covered line of the file.
    public var firstLine: Int
    /// The binary records of the covered events, in order, exactly as they
    /// are appended (docs/RECORDS.md).
    public var records: [[UInt8]]
}


extension Ledger {
    /// Where each `batch.signed` line of an import stands: the positions
    /// (1-based, in the whole batch) it covers, the `count` events just
    /// before it in the same file, after any earlier signature.
    struct Coverage {
        var groups: [(signed: Int, covered: Range<Int>)] = []
        /// The actors the batch registers.
        var registered: [Actor: ActorRegistered] = [:]
        /// The signer of each batch position (index 0 unused); empty when nothing is signed.
        var signers: [Actor?] = []
        var issues: [ImportIssue] = []

        func signer(_ position: Int) -> Actor? { position < signers.count ? signers[position] : nil }

        init(_ batch: [(line: Int, event: Event)], origins: [(file: String, line: Int)]) {
            var start = 1   // the first position a signature may cover
            var file = origins.first?.file
            for (position, event) in batch {
                let origin = origins[position - 1]
                if origin.file != file { file = origin.file; start = position }
                if case .actorRegistered(let a) = event.body { registered[a.actor] = a }
                guard case .batchSigned(let b) = event.body else { continue }
                // A signature covers the `count` events just before it; any
                // before those since the previous signature are unsigned.
                let available = position - start
                if b.count > available {
                    issues.append(ImportIssue(file: origin.file, line: origin.line, field: "count",
                        message: "the signature covers \(b.count) event\(b.count == 1 ? "" : "s") but only \(available) precede it in this file since \(start == 1 || origins[start - 2].file != origin.file ? "its start" : "the previous batch.signed"); sign the file again with `parledger sign`"))
                } else {
                    groups.append((position, (position - b.count)..<position))
                    if signers.isEmpty { signers = Array(repeating: nil, count: batch.count + 1) }
                    for k in (position - b.count)..<position { signers[k] = b.actor }
                }
                start = position + 1
            }
        }
    }
}
