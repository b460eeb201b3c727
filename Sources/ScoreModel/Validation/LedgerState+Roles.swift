import Primitives

/// Who may write what: the roles of docs/SIGNATURES.md, checked against the
/// log as it stands just before each event.
extension LedgerState {
    /// A refusal by the role rules: the rule broken and why.
    public struct RoleProblem: Error, Hashable, Sendable, CustomStringConvertible {
        /// `unknown actor`, `revoked`, `role`, `scope`, `own unit`.
        public var rule: String
        public var message: String
        public var description: String { "rule \"\(rule)\": \(message)" }
    }

    /// The actor events' own checks (the registrar's bookkeeping).
    func checkActorEvent(_ event: Event) throws {
        switch event.body {
        case .actorRegistered(let a):
            if let existing = actors[a.actor] {
                throw FieldError("actor", "actor \"\(a.actor)\" is already registered (as \(existing.description)); an actor is registered once, revoke it and register a new id")
            }
            if let unit = a.scope.unit, units[unit] == nil { throw FieldError("unit", "unknown unit \"\(unit)\": register the unit first") }
            if let other = actors.values.first(where: { $0.registered.key == a.key }) {
                throw FieldError("key", "this key already belongs to actor \"\(other.registered.actor)\"; each actor has its own key")
            }
        case .actorRevoked(let r):
            guard let actor = actors[r.actor] else { throw FieldError("actor", "unknown actor \"\(r.actor)\"") }
            if let revoked = actor.revoked { throw FieldError("actor", "actor \"\(r.actor)\" is already revoked (from \(RFC3339.format(revoked.from)))") }
        case .batchSigned(let b):
            guard let actor = actors[b.actor] else {
                throw FieldError("actor", "rule \"unknown actor\": actor \"\(b.actor)\" is not registered in this log; a registrar registers it first (actor.registered)")
            }
            if let revoked = actor.revoked {
                throw FieldError("actor", "rule \"revoked\": actor \"\(b.actor)\" was revoked from \(RFC3339.format(revoked.from)) (\(revoked.reason)); it signs nothing more")
            }
        default: break
        }
    }

    /// `state`: the signer's entry in ``actors``, looked up by the caller.
    func checkSigner(_ event: Event, _ signer: Actor, _ state: ActorState?) throws {
        // A new log's first registrar signs its own registration.
        if case .actorRegistered(let a) = event.body, a.actor == signer, a.roles.contains(.registrar), !hasRegistrar { return }
        if let problem = roleProblem(event, signer: signer, state) {
            throw FieldError(nil, "signed by \(actors[signer]?.description ?? "\"\(signer.rawValue)\""): \(problem)")
        }
    }

    /// Whether an unrevoked registrar is registered.
    public var hasRegistrar: Bool { actors.values.contains { $0.registered.roles.contains(.registrar) && $0.revoked == nil } }

    /// Why `signer` may not have written `event` now, or nil when it may.
    public func roleProblem(_ event: Event, signer: Actor) -> RoleProblem? {
        roleProblem(event, signer: signer, actors[signer])
    }

    /// The same with the signer's entry in ``actors`` (nil: unknown) given.
    func roleProblem(_ event: Event, signer: Actor, _ state: ActorState?) -> RoleProblem? {
        guard let actor = state else {
            return RoleProblem(rule: "unknown actor", message: "actor \"\(signer)\" is not registered in this log")
        }
        if let revoked = actor.revoked {
            return RoleProblem(rule: "revoked", message: "actor \"\(signer)\" was revoked from \(RFC3339.format(revoked.from)) (\(revoked.reason))")
        }
        let scope = actor.registered.scope
        func needs(_ role: ActorRole) -> RoleProblem? {
            actor.registered.roles.contains(role) ? nil
                : RoleProblem(rule: "role", message: "\(event.type.rawValue) needs the role \(role.rawValue); \(signer) has \(actor.registered.roles.map(\.rawValue).joined(separator: ", "))")
        }
        func inIndex(_ index: IndexCode) -> RoleProblem? {
            guard let mine = scope.index, mine != index else { return nil }
            return RoleProblem(rule: "scope", message: "index \(index) is outside \(signer)'s scope (index \(mine))")
        }
        /// A council's item: its block and index, never its own unit.
        func council(_ key: ItemKey, _ what: String) -> RoleProblem? {
            if let p = needs(.council) { return p }
            if scope.unit == key.unit { return RoleProblem(rule: "own unit", message: "\(signer) is unit \(key.unit): a unit can never \(what) itself") }
            let block = units[key.unit]?.block
            if block != scope.block {
                return RoleProblem(rule: "scope", message: "unit \(key.unit) is in block \(block?.rawValue ?? "?"), outside \(signer)'s block \(scope.block?.rawValue ?? "?")")
            }
            return inIndex(key.index)
        }
        func ownUnit(_ key: ItemKey) -> RoleProblem? {
            if let p = needs(.unit) { return p }
            guard scope.unit == key.unit else {
                return RoleProblem(rule: "scope", message: "unit \(key.unit) is not \(signer)'s own unit (\(scope.unit?.rawValue ?? "?"))")
            }
            return nil
        }
        switch event.body {
        case .assessmentSubmitted(let e): return ownUnit(e.key)
        case .explanationSubmitted(let e): return ownUnit(e.key)
        case .appealFiled(let e): return ownUnit(e.key)
        case .appraisalRecorded(let e): return council(e.key, "appraise")
        case .correctionIssued(let c):
            let seq: Seq?
            switch c.target {
            case .seq(let s): seq = s
            case .id(let id): seq = ids[id]?.seq
            }
            guard let seq, let target = scoring[seq] else { return needs(.council) }
            return council(target.key, "correct")
        case .surveyRecorded(let e): return needs(.survey) ?? inIndex(e.key.index)
        case .appealResolved(let r):
            if let p = needs(.appealsBoard) { return p }
            guard let appeal = appeals[r.appeal] else { return nil }
            if scope.unit == appeal.key.unit {
                return RoleProblem(rule: "own unit", message: "\(signer) is unit \(appeal.key.unit): a unit can never resolve its own appeal")
            }
            return inIndex(appeal.key.index)
        case .unitRegistered, .unitRenamed, .frameworkPublished, .resultsPublished, .actorRegistered, .actorRevoked:
            return needs(.registrar)
        case .batchSigned:
            return RoleProblem(rule: "batch", message: "a signature cannot cover another batch.signed")
        }
    }
}
