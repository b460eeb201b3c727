import Primitives

/// The outcome of validating a batch.
public struct ValidationResult: Sendable {
    /// The events to append, in order (idempotent repeats removed).
    public var accepted: [Event] = []
    /// The batch line of each accepted event.
    public var acceptedLines: [Int] = []
    /// Lines skipped because the same event (same `id`, same content) is
    /// already in the log or earlier in the batch: (line, the seq that holds it).
    public var skipped: [(line: Int, seq: Seq)] = []
    /// What is wrong, at most `limit` of them, in line order.
    public var issues: [ImportIssue] = []
    /// Issues found beyond the limit.
    public var moreIssues = 0

    public var isValid: Bool { issues.isEmpty }

    public init() {}
}

extension LedgerState {
    /// Checks a batch against the log so far and the lines before it in the
    /// batch, applying each good event so later lines may build on it (a
    /// batch that registers a unit and then scores it is fine).
    ///
    /// The state ends as if the batch were appended; when the result has
    /// issues, throw the state away (the batch must not be appended).
    ///
    /// `signers` names, by batch line (its index), the actor whose signature covers the
    /// line: such an event must also be within that actor's roles and scope
    /// (``roleProblem(_:signer:)``), as the log stands just before it.
    public mutating func validate(_ batch: [(line: Int, event: Event)], file: String, limit: Int = 50,
                                  signers: [Actor?] = []) -> ValidationResult {
        var result = ValidationResult()
        // A national history arrives as one batch: grow the tables once.
        result.accepted.reserveCapacity(batch.count)
        for (line, event) in batch {
            switch validate(event, signer: line < signers.count ? signers[line] : nil) {
            case .accepted:
                result.accepted.append(event)
                result.acceptedLines.append(line)
            case .skipped(let seq):
                result.skipped.append((line, seq))
            case .refused(let field, let message):
                if result.issues.count < limit {
                    result.issues.append(ImportIssue(file: file, line: line, field: field, message: message))
                } else {
                    result.moreIssues += 1
                }
            }
        }
        return result
    }

    /// What validation decided about one event.
    public enum Outcome: Sendable {
        /// Checked and applied: it gets seq `nextSeq - 1` when appended.
        case accepted
        /// The same event (same id, same content) is already at this seq.
        case skipped(Seq)
        case refused(field: String?, message: String)
    }

    /// Checks one event against the log so far (and the events accepted
    /// before it) and applies it when it passes. `signer`: the actor whose
    /// signature covers it, whose roles and scope it must be within.
    public mutating func validate(_ event: Event, signer: Actor?) -> Outcome {
        do {
            if let id = event.id, let existing = ids[id] {
                guard existing.fingerprint == Self.fingerprint(event) else {
                    throw FieldError("id", "\"\(id)\" already names event \(existing.seq.label) with different content; an id names one event forever")
                }
                return .skipped(existing.seq)
            }
            try check(event)
            if let signer {
                // A signer's events come in runs (one signed batch after
                // another): its actor entry is looked up once a run.
                if signerCache.actor != signer { signerCache = (signer, actors[signer]) }
                try checkSigner(event, signer, signerCache.state)
            }
            record(event, seq: nextSeq)
            return .accepted
        } catch let error as FieldError {
            return .refused(field: error.field, message: error.message)
        } catch {
            return .refused(field: nil, message: "\(error)")
        }
    }

    /// The checks of ``validate(_:signer:)`` without applying the event.
    public func problem(_ event: Event) -> (field: String?, message: String)? {
        var scratch = self   // the checks fill a lookup cache; this state is not changed
        scratch.itemsOf = [:]   // (and the copy's is not copied whole)
        do {
            try scratch.check(event)
            return nil
        } catch let error as FieldError {
            return (error.field, error.message)
        } catch {
            return (nil, "\(error)")
        }
    }

    mutating func check(_ event: Event) throws {
        switch event.body {
        case .unitRegistered(let u):
            if let existing = units[u.unit] {
                throw FieldError("unit", "unit \"\(u.unit)\" is already registered (as \"\(existing.name)\", block \(existing.block))")
            }
            if let parent = u.parent, units[parent] == nil { throw FieldError("parent", "unknown unit \"\(parent)\": register the parent first") }
        case .unitRenamed(let r):
            guard units[r.unit] != nil else { throw FieldError("unit", "unknown unit \"\(r.unit)\"") }
        case .frameworkPublished(let f):
            let p = Partition(index: f.index, year: f.year, block: f.block)
            if let existing = frameworks[p] {
                throw FieldError("framework", "a framework for \(p) is already published (\"\(existing)\"); frameworks are not replaced")
            }
            if frameworkIDs.contains(f.id) { throw FieldError("framework", "framework id \"\(f.id)\" is already used") }
        case .assessmentSubmitted(let e):
            let item = try scoredItem(e.key, source: .assessment, what: "self-assessed")
            try checkValue(e.value, item: item, field: "score")
        case .appraisalRecorded(let e):
            let item = try scoredItem(e.key, source: .assessment, what: "appraised")
            try checkValue(e.value, item: item, field: "score")
        case .explanationSubmitted(let e):
            _ = try scoredItem(e.key, source: .assessment, what: "explained")
        case .surveyRecorded(let e):
            let item = try scoredItem(e.key, source: .survey, what: "given a survey score")
            try checkValue(.score(e.score), item: item, field: "score")
        case .correctionIssued(let c):
            let seq: Seq
            switch c.target {
            case .seq(let s):
                guard s < nextSeq else { throw FieldError("target", "\(c.target) is not in the log (the last seq is \(nextSeq.rawValue - 1))") }
                seq = s
            case .id(let id):
                guard let found = ids[id] else { throw FieldError("target", "no event has the id \"\(id)\"") }
                seq = found.seq
            }
            guard let target = scoring[seq] else {
                throw FieldError("target", "\(c.target) (\(seq.label)) is not a scoring event: only assessment.submitted, appraisal.recorded and survey.recorded can be corrected")
            }
            guard let item = item(target.key) else { throw FieldError("target", "the item of \(c.target) is not in its framework") }
            if case .notApplicable = c.value, item.source == .survey {
                throw FieldError("notApplicable", "survey item \(item.code) cannot be made not applicable")
            }
            try checkValue(c.value, item: item, field: "score")
        case .appealFiled(let a):
            if appeals[a.appeal] != nil { throw FieldError("appeal", "appeal id \"\(a.appeal)\" is already used") }
            let item = try knownItem(a.key).rule
            try checkValue(.score(a.requested), item: item, field: "requested")
        case .appealResolved(let r):
            guard let appeal = appeals[r.appeal] else { throw FieldError("appeal", "no appeal \"\(r.appeal)\" was filed") }
            guard !appeal.resolved else { throw FieldError("appeal", "appeal \"\(r.appeal)\" is already resolved") }
            if let score = r.score, let item = item(appeal.key) { try checkValue(.score(score), item: item, field: "score") }
        case .resultsPublished(let p):
            let partition = Partition(index: p.index, year: p.year, block: p.block)
            guard frameworks[partition] != nil else { throw FieldError("block", "no framework is published for \(partition)") }
            guard !published.contains(partition) else { throw FieldError("block", "results for \(partition) are already published") }
        case .actorRegistered, .actorRevoked, .batchSigned:
            try checkActorEvent(event)
        }
    }

    func item(_ key: ItemKey) -> ItemRule? {
        guard let u = units[key.unit] else { return nil }
        return items[Partition(index: key.index, year: key.year, block: u.block)]?[key.item]
    }

    /// The item a key names, or why there is none; with its partition and
    /// whether that partition's results are published. What a unit's year
    /// of an index resolves to is kept (``itemsOf``): one lookup instead of
    /// three (the unit's block, the partition's items, its publication)
    /// for every later event of that unit's year.
    mutating func knownItem(_ key: ItemKey) throws -> (rule: ItemRule, partition: Partition, published: Bool) {
        let unitYear = UnitYear(unit: key.unit, index: key.index, year: key.year)
        let found: (partition: Partition, items: [ItemCode: ItemRule], published: Bool)
        if let known = itemsOf[unitYear] {
            found = known
        } else {
            guard let u = units[key.unit] else { throw FieldError("unit", "unknown unit \"\(key.unit)\": register it first") }
            let p = Partition(index: key.index, year: key.year, block: u.block)
            guard let lookup = items[p] else { throw FieldError("year", "no framework is published for \(p)") }
            found = (p, lookup, published.contains(p))
            itemsOf[unitYear] = found
        }
        guard let item = found.items[key.item] else {
            throw FieldError("item", "item \"\(key.item)\" is not in framework \(frameworks[found.partition]!)")
        }
        return (item, found.partition, found.published)
    }

    /// An item that this kind of event may score now.
    mutating func scoredItem(_ key: ItemKey, source: ItemSource, what: String) throws -> ItemRule {
        let (item, p, isPublished) = try knownItem(key)
        guard item.source == source else {
            throw FieldError("item", source == .assessment
                ? "item \(item.code) is a survey item: it is scored by survey.recorded, not \(what) by the unit or council"
                : "item \(item.code) is an assessment item: it cannot be given a survey score")
        }
        if isPublished {
            throw FieldError("year", "results for \(p) are published: after publication only corrections and appeals change points")
        }
        return item
    }

    func checkValue(_ value: ScoreValue, item: ItemRule, field: String) throws {
        guard case .score(let s) = value else { return }
        guard s >= item.min && s <= item.max else {
            throw FieldError(field, "\(s) is outside item \(item.code)'s range [\(item.min), \(item.max)]")
        }
    }
}
