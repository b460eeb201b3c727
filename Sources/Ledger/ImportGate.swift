import ScoreModel

/// A check an import passes after validation and before anything is
/// written: the signature check of docs/SIGNATURES.md lives in the
/// Transparency module, which holds the keys, and plugs in here.
public protocol ImportGate {
    /// What is wrong with the batch (empty: it may be appended).
    func issues(in batch: ImportBatch) throws -> [ImportIssue]
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

/// What an ``ImportGate`` sees of a batch that passed validation.
public struct ImportBatch: Sendable {
    public var groups: [SignedGroup]
    /// Accepted events that no signature covers: (file, line).
    public var unsigned: [(file: String, line: Int)]
    /// The actors as the log knew them before the batch, and after it.
    public var actorsBefore: [Actor: ActorState]
    public var actorsAfter: [Actor: ActorState]
}

extension Ledger {
    /// Where each `batch.signed` line of an import stands: the positions
    /// (1-based, in the whole batch) it covers, which must be the `count`
    /// events just before it in the same file, after any earlier signature.
    struct Coverage {
        var groups: [(signed: Int, covered: Range<Int>)] = []
        var signers: [Int: Actor] = [:]
        var issues: [ImportIssue] = []

        init(_ batch: [(line: Int, event: Event)], origins: [(file: String, line: Int)]) {
            var start = 1   // the first position a signature may cover
            var file = origins.first?.file
            for (position, event) in batch {
                let origin = origins[position - 1]
                if origin.file != file { file = origin.file; start = position }
                guard case .batchSigned(let b) = event.body else { continue }
                let available = position - start
                if b.count != available {
                    issues.append(ImportIssue(file: origin.file, line: origin.line, field: "count",
                        message: "the signature covers \(b.count) event\(b.count == 1 ? "" : "s") but \(available) precede it in this file since \(start == 1 || origins[start - 2].file != origin.file ? "its start" : "the previous batch.signed"); sign the file again with `parledger sign`"))
                } else {
                    groups.append((position, start..<position))
                    for k in start..<position { signers[k] = b.actor }
                }
                start = position + 1
            }
        }
    }
}
