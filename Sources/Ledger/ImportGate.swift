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
    /// Whether ``policyIssues(unsigned:)`` can refuse anything. When false
    /// the importer does not list the unsigned events at all (for a
    /// national history, millions of them). The default is true.
    var refusesUnsigned: Bool { get }
}

extension ImportGate {
    public var refusesUnsigned: Bool { true }
}

extension Ledger {
    /// The most events one `batch.signed` line may cover (262,144): an
    /// import streams its input and holds back at most this many events for
    /// a signature that may follow them. `parledger sign` refuses a larger
    /// file, so a signed file always imports.
    public static let maxEventsPerSignature = 1 << 18
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

