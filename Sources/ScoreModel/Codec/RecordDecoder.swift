#if canImport(Glibc)
import Primitives
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes binary records, reusing the String of every code it has seen:
/// a national replay reads the same unit and item codes millions of times.
///
/// Keep one decoder per replay loop; it is not thread-safe.
public struct RecordDecoder {
    public typealias Malformed = BinaryFormatError

    /// A direct-mapped cache of short strings by their bytes.
    private var cache: [String?] = Array(repeating: nil, count: 8192)

    /// The codes that fold records name by number (see
    /// ``decodeFold(_:seq:recordedAt:into:)``).
    var foldCodes = CodeTable()
    /// The code numbers of the last fold record, tried first for the next.
    var hints = (by: Int32(-1), unit: Int32(-1), index: Int32(-1), item: Int32(-1))

    /// When false, evidence, notes and explanation texts are skipped (read
    /// past, left empty): what a score fold needs, without the allocations.
    public var prose: Bool

    public init(prose: Bool = true) { self.prose = prose }

    private mutating func strings(_ r: inout BinaryReader) throws -> [String] {
        if prose { return try r.strings() }
        for _ in 0..<(try r.count()) { _ = try r.rawBlob() }
        return []
    }

    private mutating func note(_ r: inout BinaryReader, _ present: Bool) throws -> String? {
        guard present else { return nil }
        if prose { return try r.string() }
        _ = try r.rawBlob()
        return nil
    }

    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws -> Event {
        var r = BinaryReader(bytes)
        let version = try r.byte()
        guard version >= 1 && version <= EventCodec.version else {
            throw Malformed("record version \(version); this build reads up to \(EventCodec.version): upgrade parledger")
        }
        let tag = Int(try r.byte())
        guard tag < EventCodec.typeOf.count, let type = EventCodec.typeOf[tag] else { throw Malformed("unknown type tag \(tag)") }
        guard tag < EventCodec.firstVersion3Tag || version >= 3 else { throw Malformed("type tag \(tag) in a version \(version) record (it needs version 3)") }
        let flags = try r.varint()
        let at = BusinessTime(microsecondsSinceEpoch: try r.zigzag(), offsetMinutes: Int16(truncatingIfNeeded: try r.zigzag()))
        let by = Actor(try code(&r))
        let id = flags & EventCodec.hasID != 0 ? EventID(try code(&r)) : nil
        let notApplicable = flags & EventCodec.isNotApplicable != 0
        func value(_ r: inout BinaryReader) throws -> ScoreValue { notApplicable ? .notApplicable : .score(Score(thousandths: try r.zigzag())) }
        let body: EventBody
        switch type {
        case .unitRegistered:
            let unit = UnitCode(try code(&r)), name = try r.string(), block = BlockCode(try code(&r))
            body = .unitRegistered(UnitRegistered(unit: unit, name: name, block: block,
                                                  parent: flags & EventCodec.hasNote != 0 ? UnitCode(try code(&r)) : nil))
        case .unitRenamed:
            body = .unitRenamed(UnitRenamed(unit: UnitCode(try code(&r)), name: try r.string()))
        case .frameworkPublished:
            let fid = FrameworkID(try r.string()), index = IndexCode(try code(&r)), year = Int(try r.zigzag()), block = BlockCode(try code(&r))
            let decision = flags & EventCodec.hasNote != 0 ? try r.string() : nil
            var bands: [Band] = []
            for _ in 0..<(try r.count()) { bands.append(Band(code: try r.string(), label: try r.string(), min: Score(thousandths: try r.zigzag()))) }
            var areas: [Area] = []
            for _ in 0..<(try r.count()) {
                let acode = AreaCode(try r.string()), aname = try r.string()
                var criteria: [Criterion] = []
                for _ in 0..<(try r.count()) {
                    let ccode = CriterionCode(try r.string()), cname = try r.string()
                    var items: [Item] = []
                    for _ in 0..<(try r.count()) {
                        let icode = ItemCode(try code(&r)), iname = try r.string()
                        let max = Score(thousandths: try r.zigzag()), min = Score(thousandths: try r.zigzag())
                        let source: ItemSource = try r.byte() == 1 ? .survey : .assessment
                        items.append(Item(code: icode, name: iname, max: max, min: min, source: source))
                    }
                    criteria.append(Criterion(code: ccode, name: cname, items: items))
                }
                areas.append(Area(code: acode, name: aname, criteria: criteria))
            }
            var ranking = RankingRule.default
            if flags & EventCodec.hasRanking != 0 {
                guard version >= 2 else { throw Malformed("a version 1 record names a ranking rule (flag bit 4)") }
                let o = Int(try r.byte())
                guard o < EventCodec.rankingOrders.count else { throw Malformed("unknown ranking order \(o)") }
                ranking = RankingRule(order: EventCodec.rankingOrders[o])
            }
            body = .frameworkPublished(Framework(id: fid, index: index, year: year, block: block, decision: decision,
                                                 bands: bands, areas: areas, ranking: ranking))
        case .assessmentSubmitted:
            let key = try self.key(&r), v = try value(&r), evidence = try strings(&r)
            body = .assessmentSubmitted(AssessmentSubmitted(key: key, value: v, evidence: evidence,
                                                            note: try note(&r, flags & EventCodec.hasNote != 0)))
        case .appraisalRecorded:
            let key = try self.key(&r), v = try value(&r), round = Int(try r.varint())
            body = .appraisalRecorded(AppraisalRecorded(key: key, value: v, round: round, note: try note(&r, flags & EventCodec.hasNote != 0)))
        case .explanationSubmitted:
            let key = try self.key(&r), text = try note(&r, true) ?? ""
            body = .explanationSubmitted(ExplanationSubmitted(key: key, text: text, evidence: try strings(&r)))
        case .surveyRecorded:
            let key = try self.key(&r), score = Score(thousandths: try r.zigzag())
            body = .surveyRecorded(SurveyRecorded(key: key, score: score, respondents: flags & EventCodec.hasNumber != 0 ? Int(try r.zigzag()) : nil))
        case .correctionIssued:
            let target: EventRef = try r.byte() == 0 ? .id(EventID(try code(&r))) : .seq(Seq(try r.varint()))
            body = .correctionIssued(CorrectionIssued(target: target, value: try value(&r), reason: try r.string()))
        case .appealFiled:
            let appeal = AppealID(try code(&r)), key = try self.key(&r), requested = Score(thousandths: try r.zigzag())
            body = .appealFiled(AppealFiled(appeal: appeal, key: key, requested: requested, grounds: try r.string()))
        case .appealResolved:
            let appeal = AppealID(try code(&r))
            let o = Int(try r.byte())
            guard o < AppealOutcome.allCases.count else { throw Malformed("unknown appeal outcome \(o)") }
            let score = flags & EventCodec.hasNumber != 0 ? Score(thousandths: try r.zigzag()) : nil
            body = .appealResolved(AppealResolved(appeal: appeal, outcome: AppealOutcome.allCases[o], score: score, reason: try r.string()))
        case .resultsPublished:
            body = .resultsPublished(ResultsPublished(index: IndexCode(try code(&r)), year: Int(try r.zigzag()), block: BlockCode(try code(&r))))
        case .actorRegistered:
            let actor = Actor(try code(&r)), name = try r.string()
            var roles: [ActorRole] = []
            for _ in 0..<(try r.count()) {
                let b = Int(try r.byte())
                guard b < ActorRole.allCases.count else { throw Malformed("unknown role \(b)") }
                roles.append(ActorRole.allCases[b])
            }
            func optional(_ r: inout BinaryReader) throws -> String? { let s = try code(&r); return s.isEmpty ? nil : s }
            let unit = try optional(&r).map(UnitCode.init), block = try optional(&r).map(BlockCode.init), index = try optional(&r).map(IndexCode.init)
            body = .actorRegistered(ActorRegistered(actor: actor, name: name, roles: roles, scope: ActorScope(unit: unit, block: block, index: index),
                                                    key: try r.string()))
        case .actorRevoked:
            let actor = Actor(try code(&r))
            let from = BusinessTime(microsecondsSinceEpoch: try r.zigzag(), offsetMinutes: Int16(truncatingIfNeeded: try r.zigzag()))
            body = .actorRevoked(ActorRevoked(actor: actor, from: from, reason: try r.string()))
        case .batchSigned:
            let actor = Actor(try code(&r)), count = Int(try r.varint())
            body = .batchSigned(BatchSigned(actor: actor, count: count, signature: try r.blob()))
        }
        guard r.isAtEnd else { throw Malformed("\(bytes.count - r.offset) stray bytes after the record") }
        return Event(at: at, by: by, id: id, body: body)
    }

    private mutating func key(_ r: inout BinaryReader) throws -> ItemKey {
        ItemKey(unit: UnitCode(try code(&r)), index: IndexCode(try code(&r)), year: Int(try r.zigzag()), item: ItemCode(try code(&r)))
    }

    /// A string that repeats across records: served from the cache when
    /// the same bytes were seen before.
    private mutating func code(_ r: inout BinaryReader) throws -> String {
        let raw = try r.rawBlob()
        guard raw.count <= 64 else { return try BinaryReader.makeString(raw) }
        var h: UInt32 = 2_166_136_261
        for b in raw { h = (h ^ UInt32(b)) &* 16_777_619 }
        let slot = Int(h & 8191)
        if let cached = cache[slot], Self.same(cached, raw) { return cached }
        let s = try BinaryReader.makeString(raw)
        cache[slot] = s
        return s
    }

    /// Whether a string's UTF-8 is these bytes: one memcmp on contiguous
    /// (native or small) strings, which is all this cache holds.
    private static func same(_ s: String, _ raw: UnsafeRawBufferPointer) -> Bool {
        let fast = s.utf8.withContiguousStorageIfAvailable { b in
            b.count == raw.count && (b.count == 0 || memcmp(b.baseAddress!, raw.baseAddress!, b.count) == 0)
        }
        return fast ?? s.utf8.elementsEqual(raw)
    }
}
