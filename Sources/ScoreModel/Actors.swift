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

/// Lowercase hex, the text form of signatures in JSON lines.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase or uppercase hex digits, an even number of them; nil otherwise.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func digit(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = digit(chars[i]), let lo = digit(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
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
