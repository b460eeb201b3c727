import Primitives

/// One fact of the scoring cycle, as imported: what happened (`body`), when
/// (`at`, business time), who did it (`by`), and an optional idempotency key.
///
/// The log adds `seq` and `recordedAt` on append: see ``RecordedEvent``.
public struct Event: Hashable, Sendable {
    public var at: BusinessTime
    public var by: Actor
    public var id: EventID?
    public var body: EventBody

    public init(at: BusinessTime, by: Actor, id: EventID? = nil, body: EventBody) {
        self.at = at; self.by = by; self.id = id; self.body = body
    }

    /// The `type` field of the JSON line (`"assessment.submitted"`).
    public var type: EventType { body.type }
}

/// An event as stored: its place in the log and the writer's clock.
public struct RecordedEvent: Hashable, Sendable {
    public var seq: Seq
    public var recordedAt: RecordTime
    public var event: Event
    public init(seq: Seq, recordedAt: RecordTime, event: Event) {
        self.seq = seq; self.recordedAt = recordedAt; self.event = event
    }
}

/// The `type` of an event line.
public enum EventType: String, Hashable, Sendable, CaseIterable {
    case unitRegistered = "unit.registered"
    case unitRenamed = "unit.renamed"
    case frameworkPublished = "framework.published"
    case assessmentSubmitted = "assessment.submitted"
    case appraisalRecorded = "appraisal.recorded"
    case explanationSubmitted = "explanation.submitted"
    case surveyRecorded = "survey.recorded"
    case correctionIssued = "correction.issued"
    case appealFiled = "appeal.filed"
    case appealResolved = "appeal.resolved"
    case resultsPublished = "results.published"
    case actorRegistered = "actor.registered"
    case actorRevoked = "actor.revoked"
    case batchSigned = "batch.signed"
}

/// What an event says, one case per type.
public enum EventBody: Hashable, Sendable {
    case unitRegistered(UnitRegistered)
    case unitRenamed(UnitRenamed)
    case frameworkPublished(Framework)
    case assessmentSubmitted(AssessmentSubmitted)
    case appraisalRecorded(AppraisalRecorded)
    case explanationSubmitted(ExplanationSubmitted)
    case surveyRecorded(SurveyRecorded)
    case correctionIssued(CorrectionIssued)
    case appealFiled(AppealFiled)
    case appealResolved(AppealResolved)
    case resultsPublished(ResultsPublished)
    case actorRegistered(ActorRegistered)
    case actorRevoked(ActorRevoked)
    case batchSigned(BatchSigned)

    public var type: EventType {
        switch self {
        case .unitRegistered: .unitRegistered
        case .unitRenamed: .unitRenamed
        case .frameworkPublished: .frameworkPublished
        case .assessmentSubmitted: .assessmentSubmitted
        case .appraisalRecorded: .appraisalRecorded
        case .explanationSubmitted: .explanationSubmitted
        case .surveyRecorded: .surveyRecorded
        case .correctionIssued: .correctionIssued
        case .appealFiled: .appealFiled
        case .appealResolved: .appealResolved
        case .resultsPublished: .resultsPublished
        case .actorRegistered: .actorRegistered
        case .actorRevoked: .actorRevoked
        case .batchSigned: .batchSigned
        }
    }

    /// The item this event scores or concerns, for the item-level types.
    public var itemKey: ItemKey? {
        switch self {
        case .assessmentSubmitted(let e): e.key
        case .appraisalRecorded(let e): e.key
        case .explanationSubmitted(let e): e.key
        case .surveyRecorded(let e): e.key
        case .appealFiled(let e): e.key
        default: nil
        }
    }
}

/// One item of one unit in one index and year: where a score lives.
public struct ItemKey: Hashable, Sendable {
    public var unit: UnitCode
    public var index: IndexCode
    public var year: Int
    public var item: ItemCode
    public init(unit: UnitCode, index: IndexCode = .par, year: Int, item: ItemCode) {
        self.unit = unit; self.index = index; self.year = year; self.item = item
    }
}

/// A score, or "this item does not apply to this unit" (it leaves both the
/// points and the maximum).
public enum ScoreValue: Hashable, Sendable {
    case score(Score)
    case notApplicable
}

/// How a correction names the event it corrects: by `id`, or `#seq`.
public enum EventRef: Hashable, Sendable, CustomStringConvertible {
    case id(EventID)
    case seq(Seq)
    public var description: String {
        switch self {
        case .id(let id): id.rawValue
        case .seq(let seq): seq.label
        }
    }
}

public struct UnitRegistered: Hashable, Sendable {
    public var unit: UnitCode
    public var name: String
    public var block: BlockCode
    public var parent: UnitCode?
    public init(unit: UnitCode, name: String, block: BlockCode, parent: UnitCode? = nil) {
        self.unit = unit; self.name = name; self.block = block; self.parent = parent
    }
}

public struct UnitRenamed: Hashable, Sendable {
    public var unit: UnitCode
    public var name: String
    public init(unit: UnitCode, name: String) { self.unit = unit; self.name = name }
}

public struct AssessmentSubmitted: Hashable, Sendable {
    public var key: ItemKey
    public var value: ScoreValue
    public var evidence: [String]
    public var note: String?
    public init(key: ItemKey, value: ScoreValue, evidence: [String] = [], note: String? = nil) {
        self.key = key; self.value = value; self.evidence = evidence; self.note = note
    }
}

public struct AppraisalRecorded: Hashable, Sendable {
    public var key: ItemKey
    public var value: ScoreValue
    /// 1 (first appraisal) or 2 (after the unit's explanation).
    public var round: Int
    public var note: String?
    public init(key: ItemKey, value: ScoreValue, round: Int, note: String? = nil) {
        self.key = key; self.value = value; self.round = round; self.note = note
    }
}

public struct ExplanationSubmitted: Hashable, Sendable {
    public var key: ItemKey
    public var text: String
    public var evidence: [String]
    public init(key: ItemKey, text: String, evidence: [String] = []) {
        self.key = key; self.text = text; self.evidence = evidence
    }
}

public struct SurveyRecorded: Hashable, Sendable {
    public var key: ItemKey
    public var score: Score
    public var respondents: Int?
    public init(key: ItemKey, score: Score, respondents: Int? = nil) {
        self.key = key; self.score = score; self.respondents = respondents
    }
}

public struct CorrectionIssued: Hashable, Sendable {
    public var target: EventRef
    public var value: ScoreValue
    public var reason: String
    public init(target: EventRef, value: ScoreValue, reason: String) {
        self.target = target; self.value = value; self.reason = reason
    }
}

public struct AppealFiled: Hashable, Sendable {
    public var appeal: AppealID
    public var key: ItemKey
    public var requested: Score
    public var grounds: String
    public init(appeal: AppealID, key: ItemKey, requested: Score, grounds: String) {
        self.appeal = appeal; self.key = key; self.requested = requested; self.grounds = grounds
    }
}

public enum AppealOutcome: String, Hashable, Sendable, CaseIterable {
    case upheld, partial, rejected
}

public struct AppealResolved: Hashable, Sendable {
    public var appeal: AppealID
    public var outcome: AppealOutcome
    /// The score granted: required for upheld and partial, absent for rejected.
    public var score: Score?
    public var reason: String
    public init(appeal: AppealID, outcome: AppealOutcome, score: Score?, reason: String) {
        self.appeal = appeal; self.outcome = outcome; self.score = score; self.reason = reason
    }
}

public struct ResultsPublished: Hashable, Sendable {
    public var index: IndexCode
    public var year: Int
    public var block: BlockCode
    public init(index: IndexCode = .par, year: Int, block: BlockCode) {
        self.index = index; self.year = year; self.block = block
    }
}
