import Primitives

/// Events in: one JSON object per line (docs/CONTRACT.md, "Events in").
///
/// ```swift
/// let event = try EventJSON.decode(line: #"{"type":"unit.renamed","at":"2024-01-02T08:00:00+07:00","by":"so-noi-vu","unit":"SYT","name":"Sở Y tế"}"#)
/// ```
public enum EventJSON {
    /// The most years an index can sensibly name.
    static let years = 1900...2200

    /// Decodes one line; a failure names the field and the reason (the
    /// caller adds file and line).
    public static func decode(line: UnsafeRawBufferPointer) throws(LineError) -> Event {
        guard line.count <= EventLimits.lineBytes else {
            throw LineError.tooLong(line.count)
        }
        // The common lines are read straight from their bytes; whatever the
        // fast decoder is not sure of, the tree decoder decides (EventJSON+Fast.swift).
        if let event = fastDecode(line: line) { return event }
        return try treeDecode(line: line)
    }

    /// The tree decoder alone: the line parsed into a ``JSONValue``, then
    /// read field by field. Every result of ``decode(line:)`` is its result.
    static func treeDecode(line: UnsafeRawBufferPointer) throws(LineError) -> Event {
        guard line.count <= EventLimits.lineBytes else {
            throw LineError.tooLong(line.count)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch let failure as JSONParser.Failure {
            throw LineError(field: nil, message: "not valid JSON at column \(failure.offset + 1): \(failure.message)")
        } catch {
            throw LineError(field: nil, message: "\(error)")
        }
        do {
            return try decode(value)
        } catch let error as FieldError {
            throw LineError(field: error.field, message: error.message)
        } catch {
            throw LineError(field: nil, message: "\(error)")
        }
    }

    public static func decode(line: String) throws(LineError) -> Event {
        var bytes = Array(line.utf8)
        do {
            return try bytes.withUnsafeMutableBytes { try decode(line: UnsafeRawBufferPointer($0)) }
        } catch let error as LineError {
            throw error
        } catch {
            throw LineError(field: nil, message: "\(error)")
        }
    }

    /// A failure inside one line.
    public struct LineError: Error, Hashable, Sendable, CustomStringConvertible {
        public var field: String?
        public var message: String
        public var description: String { (field.map { "field \"\($0)\": " } ?? "") + message }
        public func at(file: String, line: Int) -> ImportIssue { ImportIssue(file: file, line: line, field: field, message: message) }
        /// A line of `bytes` bytes (without its line end), over ``EventLimits/lineBytes``.
        public static func tooLong(_ bytes: Int) -> LineError {
            LineError(field: nil, message: "the line is \(bytes) bytes: one event is at most \(EventLimits.lineBytes) bytes (1 MiB)")
        }
    }

    static func decode(_ value: JSONValue) throws -> Event {
        guard case .object(let members) = value else { throw FieldError(nil, "expected a JSON object, found \(value.kind)") }
        guard let typeValue = members.first(where: { $0.key == "type" })?.value else { throw FieldError("type", "missing required field") }
        guard case .string(let typeText) = typeValue else { throw FieldError("type", "expected a string, found \(typeValue.kind)") }
        guard let type = EventType(rawValue: typeText) else {
            throw FieldError("type", "unknown event type \"\(typeText)\" (known: \(EventType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let f = try Fields(value, path: "", allowed: EventType.allowed[type]!)
        let atText = try f.string("at", maxLength: 64)
        let at: BusinessTime
        switch RFC3339.parse(atText) {
        case .success(let t): at = t
        case .failure(let e): throw FieldError("at", e.message)
        }
        let by = try f.code("by")
        var id: EventID?
        if f.has("id") {
            let text = try f.string("id", maxLength: 200)
            guard EventID.isValid(text) else { throw FieldError("id", "\"\(text)\" is not an id: 1–128 characters of A-Z a-z 0-9 . _ : -") }
            id = EventID(text)
        }
        if f.has("seq") { _ = try f.integer("seq", in: 1...Int.max) }
        if f.has("recordedAt") {
            if case .failure(let e) = RFC3339.parse(try f.string("recordedAt", maxLength: 64)) { throw FieldError("recordedAt", e.message) }
        }
        return Event(at: at, by: Actor(by), id: id, body: try body(type, f))
    }

    static func itemKey(_ f: Fields) throws -> ItemKey {
        ItemKey(unit: UnitCode(try f.code("unit")), index: IndexCode(f.has("index") ? try f.code("index") : "PAR"),
                year: try f.integer("year", in: years), item: ItemCode(try f.code("item")))
    }

    static func body(_ type: EventType, _ f: Fields) throws -> EventBody {
        switch type {
        case .unitRegistered:
            return .unitRegistered(UnitRegistered(unit: UnitCode(try f.code("unit")), name: try oneLine(f, "name"),
                                                  block: BlockCode(try f.code("block")), parent: f.has("parent") ? UnitCode(try f.code("parent")) : nil))
        case .unitRenamed:
            return .unitRenamed(UnitRenamed(unit: UnitCode(try f.code("unit")), name: try oneLine(f, "name")))
        case .frameworkPublished:
            return .frameworkPublished(try framework(f))
        case .assessmentSubmitted:
            return .assessmentSubmitted(AssessmentSubmitted(key: try itemKey(f), value: try f.scoreValue(), evidence: try f.evidence(),
                                                            note: try f.optionalString("note")))
        case .appraisalRecorded:
            let round = try f.integer("round", in: Int.min...Int.max)
            guard round == 1 || round == 2 else { throw FieldError("round", "\(round) is not a round: 1 (appraisal) or 2 (after explanation)") }
            return .appraisalRecorded(AppraisalRecorded(key: try itemKey(f), value: try f.scoreValue(), round: round, note: try f.optionalString("note")))
        case .explanationSubmitted:
            return .explanationSubmitted(ExplanationSubmitted(key: try itemKey(f), text: try nonEmpty(f, "text"), evidence: try f.evidence()))
        case .surveyRecorded:
            return .surveyRecorded(SurveyRecorded(key: try itemKey(f), score: try f.score("score"),
                                                  respondents: f.has("respondents") ? try f.integer("respondents", in: 0...1_000_000_000) : nil))
        case .correctionIssued:
            let text = try f.string("target", maxLength: 200)   // #seq or an event id, both checked below
            let target: EventRef
            if text.hasPrefix("#") {
                guard let seq = Seq(label: text) else { throw FieldError("target", "\"\(text)\": a seq target is # followed by a number ≥ 1") }
                target = .seq(seq)
            } else {
                guard EventID.isValid(text) else { throw FieldError("target", "\"\(text)\" is neither an event id nor #seq") }
                target = .id(EventID(text))
            }
            return .correctionIssued(CorrectionIssued(target: target, value: try f.scoreValue(), reason: try nonEmpty(f, "reason")))
        case .appealFiled:
            return .appealFiled(AppealFiled(appeal: AppealID(try f.code("appeal")), key: try itemKey(f), requested: try f.score("requested"),
                                            grounds: try nonEmpty(f, "grounds")))
        case .appealResolved:
            let text = try f.string("outcome", maxLength: 20)
            guard let outcome = AppealOutcome(rawValue: text) else { throw FieldError("outcome", "\"\(text)\": expected upheld, partial or rejected") }
            var score: Score?
            if outcome == .rejected {
                if f.has("score") { throw FieldError("score", "a rejected appeal grants no score: remove it") }
            } else {
                guard f.has("score") else { throw FieldError("score", "missing: an \(outcome.rawValue) appeal must give the score granted") }
                score = try f.score("score")
            }
            return .appealResolved(AppealResolved(appeal: AppealID(try f.code("appeal")), outcome: outcome, score: score, reason: try nonEmpty(f, "reason")))
        case .resultsPublished:
            return .resultsPublished(ResultsPublished(index: IndexCode(f.has("index") ? try f.code("index") : "PAR"),
                                                      year: try f.integer("year", in: years), block: BlockCode(try f.code("block"))))
        case .actorRegistered, .actorRevoked, .batchSigned:
            return try actorBody(type, f)
        }
    }

    /// A name or label: one line of text that shows as what it is, so no
    /// control characters (line breaks included) and no bidi controls.
    static func oneLine(_ f: Fields, _ key: String) throws -> String {
        let s = try nonEmpty(f, key)
        if let (i, scalar) = s.unicodeScalars.enumerated().first(where: { CodeAlphabet.isInvisibleControl($0.element) }) {
            throw FieldError(f.name(key), "character \(i + 1) is \(CodeAlphabet.describe(scalar)), which a name may not hold (a name is one line of visible text)")
        }
        return s
    }

    static func nonEmpty(_ f: Fields, _ key: String) throws -> String {
        let s = try f.string(key)
        guard !s.isEmpty else { throw FieldError(f.name(key), "must not be empty") }
        return s
    }

    static func framework(_ f: Fields) throws -> Framework {
        var bands: [Band] = []
        for (i, value) in try f.list("bands").enumerated() {
            let b = try Fields(value, path: "bands[\(i)]", allowed: [("code", true), ("label", true), ("min", true)])
            let band = Band(code: try b.code("code"), label: try oneLine(b, "label"), min: try b.score("min"))
            if bands.contains(where: { $0.code == band.code }) { throw FieldError(b.name("code"), "band \"\(band.code)\" appears twice") }
            if let previous = bands.last, band.min >= previous.min {
                throw FieldError(b.name("min"), "bands go from the highest: \(band.min) is not below \(previous.min)")
            }
            bands.append(band)
        }
        var areas: [Area] = []
        var itemCodes: Set<String> = []
        for (a, areaValue) in try f.list("areas").enumerated() {
            let af = try Fields(areaValue, path: "areas[\(a)]", allowed: [("code", true), ("name", true), ("criteria", true)])
            var criteria: [Criterion] = []
            for (c, criterionValue) in try af.list("criteria").enumerated() {
                let cf = try Fields(criterionValue, path: "\(af.path).criteria[\(c)]", allowed: [("code", true), ("name", true), ("items", true)])
                var items: [Item] = []
                for (k, itemValue) in try cf.list("items").enumerated() {
                    let itf = try Fields(itemValue, path: "\(cf.path).items[\(k)]",
                                         allowed: [("code", true), ("name", true), ("max", true), ("min", false), ("source", false)])
                    let code = try itf.code("code")
                    guard itemCodes.insert(code).inserted else { throw FieldError(itf.name("code"), "item \"\(code)\" appears twice in the framework") }
                    let max = try itf.score("max")
                    let min = itf.has("min") ? try itf.score("min") : .zero
                    guard min <= max else { throw FieldError(itf.name("min"), "min \(min) is above max \(max)") }
                    if min < .zero && max > .zero { throw FieldError(itf.name("max"), "a penalty item (min below 0) has max 0") }
                    var source = ItemSource.assessment
                    if itf.has("source") {
                        let text = try itf.string("source", maxLength: 20)
                        guard let s = ItemSource(rawValue: text) else { throw FieldError(itf.name("source"), "\"\(text)\": expected assessment or survey") }
                        source = s
                    }
                    items.append(Item(code: ItemCode(code), name: try oneLine(itf, "name"), max: max, min: min, source: source))
                }
                criteria.append(Criterion(code: CriterionCode(try cf.code("code")), name: try oneLine(cf, "name"), items: items))
            }
            areas.append(Area(code: AreaCode(try af.code("code")), name: try oneLine(af, "name"), criteria: criteria))
        }
        guard !itemCodes.isEmpty else { throw FieldError("areas", "a framework needs at least one item") }
        return Framework(id: FrameworkID(try f.code("framework")), index: IndexCode(try f.code("index")), year: try f.integer("year", in: years),
                         block: BlockCode(try f.code("block")), decision: try f.optionalString("decision"), bands: bands, areas: areas,
                         ranking: try rankingRule(f))
    }

    /// `"ranking": {"order": "percent2" | "ratio" | "points3"}`; absent: the default rule.
    static func rankingRule(_ f: Fields) throws -> RankingRule {
        guard let value = f.value("ranking") else { return .default }
        let r = try Fields(value, path: f.name("ranking"), allowed: [("order", true)])
        let text = try r.string("order", maxLength: 20)
        guard let order = RankingRule.Order(rawValue: text) else {
            throw FieldError(r.name("order"), "\"\(text)\": expected \(RankingRule.Order.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return RankingRule(order: order)
    }
}
