import Primitives
import ScoreModel

extension NationalDataSet {
    /// Produces every event, in import order: business time order, as a
    /// real log receives them. Every unit of a province self-assesses, is
    /// appraised and appeals in the same weeks, item by item across the
    /// units, so consecutive events belong to many units (the realistic
    /// order: a unit's events are spread over the whole log, not grouped).
    ///
    /// Memory is one year's plans and one small slot per event of the year
    /// (about 20 MB per million events), whatever the number of years.
    public func generate(_ emit: (Event) throws -> Void) throws {
        var rng = SplitMix64(seed: seed)
        var seq: UInt64 = 0
        func send(_ event: Event) throws { seq += 1; try emit(event) }
        let allUnits = (0..<provinces).map { units(of: $0, rng: &rng) }
        // Registration, once, in time order (provinces register on 20 days, in parallel).
        var registrations: [Event] = []
        for (p, list) in allUnits.enumerated() {
            for (i, u) in list.enumerated() {
                registrations.append(Event(at: CivilTime.adding(minutes: i, to: CivilTime.vietnam(years.lowerBound, 1, 2 + p % 20, 8)), by: Actor("so-noi-vu-\(format2(p + 1))"),
                                           body: .unitRegistered(UnitRegistered(unit: u.code, name: u.name, block: BlockCode("P\(format2(p + 1))-\(u.kind)")))))
            }
        }
        for event in stableSorted(registrations) { try send(event) }
        for year in years {
            var plan = YearPlan(set: self, year: year, units: allUnits, rng: &rng)
            plan.slots.sort { ($0.time, $0.order) < ($1.time, $1.order) }
            for slot in plan.slots {
                try send(plan.event(slot, seq: seq + 1))
            }
        }
    }

    func stableSorted(_ events: [Event]) -> [Event] {
        events.enumerated().sorted { ($0.element.at.microsecondsSinceEpoch, $0.offset) < ($1.element.at.microsecondsSinceEpoch, $1.offset) }.map(\.element)
    }

    static let kinds = ["department", "district", "commune"]
}

/// One year of the national data set: every unit's scores decided first
/// (all random draws happen here), then one slot per event with its
/// business time, sorted and turned into events one by one.
struct YearPlan {
    enum Kind: UInt8 { case framework, selfAssessment, survey, round1, explanation, round2, publication, appealFiled, appealResolved, correction }

    /// One event to come: what, whose, and when (microseconds since the epoch).
    struct Slot {
        var time: Int64
        var order: Int32
        var kind: Kind
        var province: UInt8
        var unit: UInt16
        var item: UInt16
        /// The appeal's number in its province, the correction's number in the year, the framework's year.
        var extra: Int32
    }

    struct ItemPlan {
        var selfScore: ScoreValue
        var round1: ScoreValue
        var round2: ScoreValue?
        var evidence: Bool
    }

    struct Appeal { var requested: Score; var outcome: AppealOutcome?; var granted: Score? }
    struct Correction { var province: Int; var unit: Int; var item: Int; var value: Score; var byID: Bool; var survey: Bool }

    let set: NationalDataSet
    let year: Int
    let units: [[NationalDataSet.UnitSpec]]
    /// frameworks[province][kind]
    let frameworks: [[Framework]]
    let nextFrameworks: [[Framework]]
    var plans: [[[ItemPlan]]] = []          // [province][unit][item]
    var appeals: [[Int32: Appeal]] = []      // [province][appeal number]
    var corrections: [Correction] = []
    /// The seq each correction's target got when it was emitted.
    var targetSeqs: [Int32: UInt64] = [:]
    var slots: [Slot] = []

    init(set: NationalDataSet, year: Int, units: [[NationalDataSet.UnitSpec]], rng: inout SplitMix64) {
        self.set = set; self.year = year; self.units = units
        let kinds = NationalDataSet.kinds
        frameworks = (0..<set.provinces).map { p in kinds.map { set.framework(province: p, kind: $0, year: year) } }
        nextFrameworks = year < set.years.upperBound ? (0..<set.provinces).map { p in kinds.map { set.framework(province: p, kind: $0, year: year + 1) } } : []
        let y = year + 1
        var order: Int32 = 0
        func slot(_ time: BusinessTime, _ kind: Kind, _ p: Int, _ u: Int = 0, _ i: Int = 0, extra: Int32 = 0) {
            slots.append(Slot(time: time.microsecondsSinceEpoch, order: order, kind: kind, province: UInt8(p), unit: UInt16(u), item: UInt16(i), extra: extra))
            order += 1
        }
        /// Item by item across the units: a 30-second step per (item, unit).
        func step(_ base: BusinessTime, _ ui: Int, _ ii: Int, units count: Int) -> BusinessTime {
            BusinessTime(microsecondsSinceEpoch: base.microsecondsSinceEpoch + Int64(ii * count + ui) * 30_000_000, offsetMinutes: base.offsetMinutes)
        }
        // Frameworks: this year's when it is the first, and next year's (published in March of the year after, before this year's appeals close).
        for (fwYear, list) in [(year, year == set.years.lowerBound ? frameworks : []), (y, nextFrameworks)] where !list.isEmpty {
            for k in kinds.indices { for p in 0..<set.provinces { slot(CivilTime.vietnam(fwYear, 3, 1 + k, 8, p), .framework, p, k, extra: Int32(fwYear)) } }
        }
        let revisions = set.revisions
        for p in 0..<set.provinces {
            let list = units[p]
            var provincePlans: [[ItemPlan]] = []
            for u in list {
                let fw = frameworks[p][NationalDataSet.kinds.firstIndex(of: u.kind)!]
                let level = min(9900, max(4000, u.quality + Int64((year - set.years.lowerBound) * 60) + Int64(rng.int(in: -300...300))))
                provincePlans.append(fw.items.enumerated().map { ii, item in
                    let evidence = rng.chance(85)
                    if item.source == .survey {
                        let s = item.max.thousandths * (level + Int64(rng.int(in: -500...500))) / 10_000 / 10 * 10
                        return ItemPlan(selfScore: .score(Score(thousandths: min(item.max.thousandths, max(0, s)))), round1: .notApplicable, round2: nil, evidence: evidence)
                    }
                    if rng.chance(1) && item.max > .zero { return ItemPlan(selfScore: .notApplicable, round1: .notApplicable, round2: nil, evidence: evidence) }
                    if item.max == .zero {
                        let penalty: ScoreValue = rng.chance(5) ? .score(Score(thousandths: -500)) : .score(.zero)
                        return ItemPlan(selfScore: penalty, round1: penalty, round2: nil, evidence: evidence)
                    }
                    let claimed = min(item.max.thousandths, item.max.thousandths * (level + 800) / 10_000 / 250 * 250)
                    var appraised = claimed
                    if rng.int(in: 0...99) >= 75 { appraised = max(0, claimed - Int64(250 * rng.int(in: 1...3))) }
                    let second: ScoreValue? = rng.chance(5) && appraised < claimed ? .score(Score(thousandths: (appraised + claimed) / 2 / 250 * 250)) : nil
                    return ItemPlan(selfScore: .score(Score(thousandths: claimed)), round1: .score(Score(thousandths: appraised)), round2: second, evidence: evidence)
                })
            }
            var provinceAppeals: [Int32: Appeal] = [:]
            var appealNo: Int32 = 0
            let n = list.count
            for (ui, u) in list.enumerated() {
                let fw = frameworks[p][NationalDataSet.kinds.firstIndex(of: u.kind)!]
                for (ii, item) in fw.items.enumerated() {
                    let plan = provincePlans[ui][ii]
                    switch item.source {
                    case .assessment:
                        slot(step(CivilTime.vietnam(year, 12, 1 + p % 20, 8), ui, ii, units: n), .selfAssessment, p, ui, ii)
                        slot(step(CivilTime.vietnam(y, 1, 5 + p % 20, 8), ui, ii, units: n), .round1, p, ui, ii)
                        // Corrections (about 2 in 1,000 round-1 appraisals × revisions) go by id half of the time, else by #seq.
                        if rng.int(in: 0...999) < 2 * revisions && plan.round2 == nil && plan.round1 != .notApplicable {
                            let byID = rng.chance(50)
                            corrections.append(Correction(province: p, unit: ui, item: ii, value: Score(thousandths: min(item.max.thousandths, max(0, Int64(250 * rng.int(in: 0...6))))),
                                                          byID: byID, survey: false))
                        }
                    case .survey:
                        guard case .score = plan.selfScore else { break }
                        slot(step(CivilTime.vietnam(year, 12, 22, 8), ui, ii, units: n), .survey, p, ui, ii)
                        if rng.int(in: 0...999) < 2 * revisions {
                            corrections.append(Correction(province: p, unit: ui, item: ii, value: Score(thousandths: min(item.max.thousandths, max(0, Int64(250 * rng.int(in: 0...6))))),
                                                          byID: true, survey: true))
                        }
                    }
                    if plan.round2 != nil {
                        slot(step(CivilTime.vietnam(y, 1, 28, 8), ui, ii, units: n), .explanation, p, ui, ii)
                        slot(step(CivilTime.vietnam(y, 2, 5, 8), ui, ii, units: n), .round2, p, ui, ii)
                    }
                    // Appeals after publication: about 1 in 1,000 unit-items × revisions; about 15% stay open.
                    if item.max > .zero && rng.int(in: 0...999) < revisions {
                        appealNo += 1
                        let current: Score = if case .score(let s) = plan.round2 ?? (item.source == .survey ? plan.selfScore : plan.round1) { s } else { .zero }
                        let requested = min(item.max, current + Score(thousandths: 500))
                        let roll = rng.int(in: 0...99)
                        let outcome: AppealOutcome? = roll >= 85 ? nil : roll < 25 ? .upheld : roll < 42 ? .partial : .rejected
                        let granted: Score? = switch outcome {
                        case .upheld: requested
                        case .partial: Score(thousandths: (current.thousandths + requested.thousandths) / 2)
                        case .rejected, nil: nil
                        }
                        provinceAppeals[appealNo] = Appeal(requested: requested, outcome: outcome, granted: granted)
                        slot(step(CivilTime.vietnam(y, 2, 25, 8), ui, ii, units: n), .appealFiled, p, ui, ii, extra: appealNo)
                        if outcome != nil { slot(step(CivilTime.vietnam(y, 3, 10, 8), ui, ii, units: n), .appealResolved, p, ui, ii, extra: appealNo) }
                    }
                }
            }
            for k in NationalDataSet.kinds.indices { slot(CivilTime.vietnam(y, 2, 20, 14, k), .publication, p, k) }
            plans.append(provincePlans)
            appeals.append(provinceAppeals)
        }
        // Corrections of the year, after every publication: by id when the target has one, else by #seq.
        for n in corrections.indices {
            slot(CivilTime.adding(minutes: n, to: CivilTime.vietnam(y, 3, 20, 8)), .correction, corrections[n].province, extra: Int32(n))
        }
        // Which correction names which target, to record the target's seq when it is emitted.
        for (n, c) in corrections.enumerated() { targetKeys[TargetKey(c)] = Int32(n) }
    }

    struct TargetKey: Hashable {
        var province: Int, unit: Int, item: Int
        init(_ c: Correction) { province = c.province; unit = c.unit; item = c.item }
        init(_ s: Slot) { province = Int(s.province); unit = Int(s.unit); item = Int(s.item) }
    }
    var targetKeys: [TargetKey: Int32] = [:]

    func code(_ p: Int) -> String { set.format2(p + 1) }

    func targetID(_ c: Correction) -> EventID {
        let u = units[c.province][c.unit], item = framework(c.province, c.unit).items[c.item]
        return EventID("\(c.survey ? "sv" : "r1")-\(year)-\(u.code.rawValue)-\(item.code.rawValue)")
    }

    func framework(_ p: Int, _ ui: Int) -> Framework { frameworks[p][NationalDataSet.kinds.firstIndex(of: units[p][ui].kind)!] }

    /// The event of a slot; `seq` is the one it gets.
    mutating func event(_ s: Slot, seq: UInt64) -> Event {
        let p = Int(s.province), ui = Int(s.unit), ii = Int(s.item)
        let at = BusinessTime(microsecondsSinceEpoch: s.time, offsetMinutes: CivilTime.vietnamOffset)
        switch s.kind {
        case .framework:
            let fw = Int(s.extra) == year ? frameworks[p][ui] : nextFrameworks[p][ui]
            return Event(at: at, by: Actor("ubnd-tinh-\(code(p))"), body: .frameworkPublished(fw))
        case .publication:
            return Event(at: at, by: Actor("ban-chi-dao-cchc-\(code(p))"), body: .resultsPublished(ResultsPublished(year: year, block: BlockCode("P\(code(p))-\(NationalDataSet.kinds[ui])"))))
        case .correction:
            let c = corrections[Int(s.extra)]
            let target: EventRef = c.byID ? .id(targetID(c)) : .seq(Seq(targetSeqs[s.extra]!))
            return Event(at: at, by: "ban-chi-dao-cchc", body: .correctionIssued(CorrectionIssued(target: target, value: .score(c.value), reason: "Sai sót khi tổng hợp điểm")))
        default: break
        }
        let u = units[p][ui], item = framework(p, ui).items[ii], plan = plans[p][ui][ii]
        let key = ItemKey(unit: u.code, year: year, item: item.code)
        let account = Actor(u.code.rawValue.lowercased()), council = Actor("hoi-dong-tham-dinh-\(code(p))-\(year)")
        switch s.kind {
        case .selfAssessment:
            let evidence = plan.evidence ? ["Quyết định số \(100 + ii)/QĐ-\(u.code.rawValue) ngày \(1 + ii % 28)/\(1 + ii % 12)/\(year)"] : []
            return Event(at: at, by: account, body: .assessmentSubmitted(AssessmentSubmitted(key: key, value: plan.selfScore, evidence: evidence,
                                                                                             note: evidence.isEmpty ? "Đơn vị giải trình cách tính điểm" : nil)))
        case .survey:
            guard case .score(let score) = plan.selfScore else { preconditionFailure("survey slots are planned for scored items only") }
            let target = targetKeys[TargetKey(s)]
            if let target { targetSeqs[target] = seq }
            return Event(at: at, by: "vien-xa-hoi-hoc", id: target.map { targetID(corrections[Int($0)]) },
                         body: .surveyRecorded(SurveyRecorded(key: key, score: score, respondents: 100 + (ui * 37 + ii * 11 + year) % 901)))
        case .round1:
            let target = targetKeys[TargetKey(s)]
            if let target { targetSeqs[target] = seq }
            let id = target.flatMap { corrections[Int($0)].byID ? targetID(corrections[Int($0)]) : nil }
            return Event(at: at, by: council, id: id, body: .appraisalRecorded(AppraisalRecorded(key: key, value: plan.round1, round: 1)))
        case .explanation:
            return Event(at: at, by: account, body: .explanationSubmitted(ExplanationSubmitted(key: key, text: "Đơn vị bổ sung tài liệu kiểm chứng cho tiêu chí \(item.code)")))
        case .round2:
            return Event(at: at, by: council, body: .appraisalRecorded(AppraisalRecorded(key: key, value: plan.round2!, round: 2, note: "Chấp nhận một phần giải trình")))
        case .appealFiled:
            let appeal = appeals[p][s.extra]!
            return Event(at: at, by: account, body: .appealFiled(AppealFiled(appeal: AppealID("KN-\(year)-P\(code(p))-\(s.extra)"), key: key, requested: appeal.requested,
                                                                             grounds: "Đề nghị xem xét lại điểm")))
        case .appealResolved:
            let appeal = appeals[p][s.extra]!
            return Event(at: at, by: council, body: .appealResolved(AppealResolved(appeal: AppealID("KN-\(year)-P\(code(p))-\(s.extra)"), outcome: appeal.outcome!,
                                                                                   score: appeal.granted, reason: "Kết luận của Hội đồng")))
        case .framework, .publication, .correction:
            preconditionFailure("handled above")
        }
    }
}
