/// The binary record of an event in the log: compact, versioned, fast.
/// JSON Lines is for interchange; this is what replay reads. See
/// docs/RECORDS.md.
///
/// A record: `version` (1 byte), `type tag` (1 byte), `flags` (varint: which
/// optional fields follow), `at` (zigzag varint µs), `at offset` (zigzag
/// varint minutes), `by`, then `id` if flagged, then the type's fields.
/// Strings are a varint byte length and UTF-8; integers are varints (zigzag
/// when signed); scores are zigzag varints of thousandths.
///
/// ```swift
/// var bytes: [UInt8] = []
/// EventCodec.encode(event, into: &bytes)
/// var decoder = RecordDecoder()
/// let back = try bytes.withUnsafeBytes { try decoder.decode($0) }   // back == event
/// ```
public enum EventCodec {
    /// The highest version this build writes; readers accept every version
    /// up to it. A record is written with the lowest version that holds it:
    /// 2 only for a framework that names a ranking rule, 1 for the rest, so
    /// logs without rules keep the bytes they always had.
    public static let version: UInt8 = 3

    /// The first tag of version 3: actor.registered, actor.revoked and
    /// batch.signed are written as version 3 records.
    static let firstVersion3Tag = 11

    /// The type tag of each event type, written out: a tag is part of the
    /// format (docs/RECORDS.md), so it never follows the order of a
    /// declaration. A new type takes the next free number; none is reused.
    /// A switch, not a dictionary: it is looked up for every record written.
    @inline(__always) static func tag(of type: EventType) -> UInt8 {
        switch type {
        case .unitRegistered: 0
        case .unitRenamed: 1
        case .frameworkPublished: 2
        case .assessmentSubmitted: 3
        case .appraisalRecorded: 4
        case .explanationSubmitted: 5
        case .surveyRecorded: 6
        case .correctionIssued: 7
        case .appealFiled: 8
        case .appealResolved: 9
        case .resultsPublished: 10
        case .actorRegistered: 11
        case .actorRevoked: 12
        case .batchSigned: 13
        }
    }
    static let tagTable: [(tag: UInt8, type: EventType)] = EventType.allCases.map { (tag(of: $0), $0) }
    /// Tag → type, for the decoder (nil: a tag this build does not know).
    static let typeOf: [EventType?] = {
        var out = [EventType?](repeating: nil, count: Int(tagTable.map(\.tag).max()!) + 1)
        for (tag, type) in tagTable {
            precondition(out[Int(tag)] == nil, "two event types share the tag \(tag)")
            out[Int(tag)] = type
        }
        return out
    }()

    // Flags (bit i set = optional field present).
    static let hasID: UInt64 = 1 << 0
    static let hasNote: UInt64 = 1 << 1          // note / decision / parent
    static let hasNumber: UInt64 = 1 << 2        // respondents / resolution score
    static let isNotApplicable: UInt64 = 1 << 3
    static let hasRanking: UInt64 = 1 << 4       // framework.published: a ranking rule (version 2)

    /// The byte of each ranking order (version 2 records).
    static let rankingOrders: [RankingRule.Order] = [.percent2, .ratio, .points3]

    public static func encode(_ event: Event) -> [UInt8] {
        var out: [UInt8] = []
        encode(event, into: &out)
        return out
    }

    public static func encode(_ event: Event, into out: inout [UInt8]) {
        var flags: UInt64 = event.id == nil ? 0 : hasID
        switch event.body {
        case .unitRegistered(let e): if e.parent != nil { flags |= hasNote }
        case .frameworkPublished(let f):
            if f.decision != nil { flags |= hasNote }
            if !f.ranking.isDefault { flags |= hasRanking }
        case .assessmentSubmitted(let e):
            if e.note != nil { flags |= hasNote }
            if e.value == .notApplicable { flags |= isNotApplicable }
        case .appraisalRecorded(let e):
            if e.note != nil { flags |= hasNote }
            if e.value == .notApplicable { flags |= isNotApplicable }
        case .surveyRecorded(let e): if e.respondents != nil { flags |= hasNumber }
        case .correctionIssued(let e): if e.value == .notApplicable { flags |= isNotApplicable }
        case .appealResolved(let e): if e.score != nil { flags |= hasNumber }
        default: break
        }
        let tag = tag(of: event.type)
        out.append(Int(tag) >= firstVersion3Tag ? 3 : flags & hasRanking != 0 ? 2 : 1)
        out.append(tag)
        putVarint(flags, &out)
        putSigned(event.at.microsecondsSinceEpoch, &out)
        putSigned(Int64(event.at.offsetMinutes), &out)
        putString(event.by.rawValue, &out)
        if let id = event.id { putString(id.rawValue, &out) }
        switch event.body {
        case .unitRegistered(let e):
            putString(e.unit.rawValue, &out); putString(e.name, &out); putString(e.block.rawValue, &out)
            if let p = e.parent { putString(p.rawValue, &out) }
        case .unitRenamed(let e):
            putString(e.unit.rawValue, &out); putString(e.name, &out)
        case .frameworkPublished(let f):
            putString(f.id.rawValue, &out); putString(f.index.rawValue, &out); putSigned(Int64(f.year), &out); putString(f.block.rawValue, &out)
            if let d = f.decision { putString(d, &out) }
            putVarint(UInt64(f.bands.count), &out)
            for b in f.bands { putString(b.code, &out); putString(b.label, &out); putSigned(b.min.thousandths, &out) }
            putVarint(UInt64(f.areas.count), &out)
            for a in f.areas {
                putString(a.code.rawValue, &out); putString(a.name, &out); putVarint(UInt64(a.criteria.count), &out)
                for c in a.criteria {
                    putString(c.code.rawValue, &out); putString(c.name, &out); putVarint(UInt64(c.items.count), &out)
                    for i in c.items {
                        putString(i.code.rawValue, &out); putString(i.name, &out)
                        putSigned(i.max.thousandths, &out); putSigned(i.min.thousandths, &out)
                        out.append(i.source == .survey ? 1 : 0)
                    }
                }
            }
            if flags & hasRanking != 0 { out.append(UInt8(rankingOrders.firstIndex(of: f.ranking.order)!)) }
        case .assessmentSubmitted(let e):
            putKey(e.key, &out); putValue(e.value, &out); putStrings(e.evidence, &out)
            if let n = e.note { putString(n, &out) }
        case .appraisalRecorded(let e):
            putKey(e.key, &out); putValue(e.value, &out); putVarint(UInt64(e.round), &out)
            if let n = e.note { putString(n, &out) }
        case .explanationSubmitted(let e):
            putKey(e.key, &out); putString(e.text, &out); putStrings(e.evidence, &out)
        case .surveyRecorded(let e):
            putKey(e.key, &out); putSigned(e.score.thousandths, &out)
            if let r = e.respondents { putSigned(Int64(r), &out) }
        case .correctionIssued(let e):
            switch e.target {
            case .id(let id): out.append(0); putString(id.rawValue, &out)
            case .seq(let s): out.append(1); putVarint(s.rawValue, &out)
            }
            putValue(e.value, &out); putString(e.reason, &out)
        case .appealFiled(let e):
            putString(e.appeal.rawValue, &out); putKey(e.key, &out); putSigned(e.requested.thousandths, &out); putString(e.grounds, &out)
        case .appealResolved(let e):
            putString(e.appeal.rawValue, &out); out.append(UInt8(AppealOutcome.allCases.firstIndex(of: e.outcome)!))
            if let s = e.score { putSigned(s.thousandths, &out) }
            putString(e.reason, &out)
        case .resultsPublished(let e):
            putString(e.index.rawValue, &out); putSigned(Int64(e.year), &out); putString(e.block.rawValue, &out)
        case .actorRegistered(let e):
            putString(e.actor.rawValue, &out); putString(e.name, &out)
            putVarint(UInt64(e.roles.count), &out)
            for role in e.roles { out.append(UInt8(ActorRole.allCases.firstIndex(of: role)!)) }
            // An absent scope field is the empty string (a code is never empty).
            putString(e.scope.unit?.rawValue ?? "", &out); putString(e.scope.block?.rawValue ?? "", &out)
            putString(e.scope.index?.rawValue ?? "", &out); putString(e.key, &out)
        case .actorRevoked(let e):
            putString(e.actor.rawValue, &out)
            putSigned(e.from.microsecondsSinceEpoch, &out); putSigned(Int64(e.from.offsetMinutes), &out)
            putString(e.reason, &out)
        case .batchSigned(let e):
            putString(e.actor.rawValue, &out); putVarint(UInt64(e.count), &out); out.appendBlob(e.signature)
        }
    }

    @inline(__always) static func putVarint(_ value: UInt64, _ out: inout [UInt8]) { out.appendVarint(value) }
    @inline(__always) static func putSigned(_ value: Int64, _ out: inout [UInt8]) { out.appendZigzag(value) }
    @inline(__always) static func putString(_ s: String, _ out: inout [UInt8]) { out.appendString(s) }
    static func putStrings(_ list: [String], _ out: inout [UInt8]) {
        putVarint(UInt64(list.count), &out)
        for s in list { putString(s, &out) }
    }
    static func putKey(_ k: ItemKey, _ out: inout [UInt8]) {
        putString(k.unit.rawValue, &out); putString(k.index.rawValue, &out); putSigned(Int64(k.year), &out); putString(k.item.rawValue, &out)
    }
    /// The score (NA is carried in the flags).
    static func putValue(_ v: ScoreValue, _ out: inout [UInt8]) {
        if case .score(let s) = v { putSigned(s.thousandths, &out) }
    }
}
