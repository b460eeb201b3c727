import Primitives

/// The JSON lines of the actor events and of `batch.signed` (docs/SIGNATURES.md).
extension EventJSON {
    static func actorBody(_ type: EventType, _ f: Fields) throws -> EventBody {
        switch type {
        case .actorRegistered:
            var roles: [ActorRole] = []
            for (i, text) in try f.strings("roles").enumerated() {
                guard let role = ActorRole(rawValue: text) else {
                    throw FieldError("roles[\(i)]", "\"\(text)\" is not a role (known: \(ActorRole.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard !roles.contains(role) else { throw FieldError("roles[\(i)]", "role \(text) appears twice") }
                roles.append(role)
            }
            guard !roles.isEmpty else { throw FieldError("roles", "an actor needs at least one role") }
            let scope = ActorScope(unit: f.has("unit") ? UnitCode(try f.code("unit")) : nil,
                                   block: f.has("block") ? BlockCode(try f.code("block")) : nil,
                                   index: f.has("index") ? IndexCode(try f.code("index")) : nil)
            if roles.contains(.unit) && scope.unit == nil { throw FieldError("unit", "missing: an actor with the role unit names its unit") }
            if roles.contains(.council) && scope.block == nil { throw FieldError("block", "missing: an actor with the role council names its block") }
            let key = try f.string("key", maxLength: 400)
            guard !key.isEmpty, !key.hasPrefix("PRIVATE"), key.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).count == 3 else {
                throw FieldError("key", "not a public key: give the text of the .pub file written by `parledger key generate` (never the .key file)")
            }
            return .actorRegistered(ActorRegistered(actor: Actor(try f.code("actor")), name: try oneLine(f, "name"), roles: roles, scope: scope, key: key))
        case .actorRevoked:
            let text = try f.string("from", maxLength: 64)
            let from: BusinessTime
            switch RFC3339.parse(text) {
            case .success(let t): from = t
            case .failure(let e): throw FieldError("from", e.message)
            }
            return .actorRevoked(ActorRevoked(actor: Actor(try f.code("actor")), from: from, reason: try nonEmpty(f, "reason")))
        default:
            let text = try f.string("signature", maxLength: 200)
            guard let signature = Hex.decode(text), signature.count == 64 else {
                throw FieldError("signature", "expected 128 hex digits (a 64-byte Ed25519 signature)")
            }
            return .batchSigned(BatchSigned(actor: Actor(try f.code("actor")), count: try f.integer("count", in: 1...Int(Int32.max)), signature: signature))
        }
    }
}
