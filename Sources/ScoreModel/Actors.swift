/// What an actor may sign: each role permits some event types, within the
/// actor's ``ActorScope``. See docs/SIGNATURES.md.
public enum ActorRole: String, Hashable, Sendable, CaseIterable {
    /// A unit: its own assessment.submitted, explanation.submitted and appeal.filed.
    case unit
    /// An appraisal council: appraisal.recorded and correction.issued within its block (and index).
    case council
    /// A survey institute: survey.recorded (within its index).
    case survey
    /// The registrar: unit.registered, unit.renamed, framework.published,
    /// results.published and the actor events.
    case registrar
    /// The appeals board: appeal.resolved (within its index).
    case appealsBoard = "appeals-board"
}

/// Where an actor's roles apply: a unit (role unit), a block (role council),
/// an index (council, survey, appeals board; absent: every index).
public struct ActorScope: Hashable, Sendable {
    public var unit: UnitCode?
    public var block: BlockCode?
    public var index: IndexCode?
    public init(unit: UnitCode? = nil, block: BlockCode? = nil, index: IndexCode? = nil) {
        self.unit = unit; self.block = block; self.index = index
    }

    /// `unit SNV, block department, index PAR` (only what is set; "everywhere" for none).
    public var description: String {
        let parts = [unit.map { "unit \($0)" }, block.map { "block \($0)" }, index.map { "index \($0)" }].compactMap { $0 }
        return parts.isEmpty ? "everywhere" : parts.joined(separator: ", ")
    }
}

/// `actor.registered`: who may sign, with which roles and where, and the
/// Ed25519 public key that checks its signatures (a C2SP verifier key,
/// as `parledger key generate` writes it into `NAME.pub`).
public struct ActorRegistered: Hashable, Sendable {
    public var actor: Actor
    public var name: String
    public var roles: [ActorRole]
    public var scope: ActorScope
    /// The verifier key text: `name+keyid+base64(0x01 ‖ 32-byte key)`.
    public var key: String
    public init(actor: Actor, name: String, roles: [ActorRole], scope: ActorScope, key: String) {
        self.actor = actor; self.name = name; self.roles = roles; self.scope = scope; self.key = key
    }
}

/// `actor.revoked`: from business time `from` on, the actor's key is no
/// longer trusted; once recorded, no batch signed by it is accepted.
public struct ActorRevoked: Hashable, Sendable {
    public var actor: Actor
    public var from: BusinessTime
    public var reason: String
    public init(actor: Actor, from: BusinessTime, reason: String) { self.actor = actor; self.from = from; self.reason = reason }
}

/// `batch.signed`: one Ed25519 signature by `actor` over the `count` events
/// just before it (in the import file and in the log). The signed message
/// is described byte for byte in docs/SIGNATURES.md.
public struct BatchSigned: Hashable, Sendable {
    public var actor: Actor
    public var count: Int
    /// The 64-byte Ed25519 signature.
    public var signature: [UInt8]
    public init(actor: Actor, count: Int, signature: [UInt8]) { self.actor = actor; self.count = count; self.signature = signature }
}

/// An actor as the log knows it so far.
public struct ActorState: Hashable, Sendable {
    public var registered: ActorRegistered
    /// The revocation, once recorded.
    public var revoked: ActorRevoked?
    /// `council-dt (council; block district, index PAR)`.
    public var description: String {
        "\(registered.actor) (\(registered.roles.map(\.rawValue).joined(separator: ", ")); \(registered.scope.description))"
    }
}

extension ActorRole {
    /// The role that may write events of `type` (nil for `batch.signed`, which signs, and is not signed).
    public static func required(for type: EventType) -> ActorRole? {
        switch type {
        case .assessmentSubmitted, .explanationSubmitted, .appealFiled: .unit
        case .appraisalRecorded, .correctionIssued: .council
        case .surveyRecorded: .survey
        case .appealResolved: .appealsBoard
        case .unitRegistered, .unitRenamed, .frameworkPublished, .resultsPublished, .actorRegistered, .actorRevoked: .registrar
        case .batchSigned: nil
        }
    }
}
