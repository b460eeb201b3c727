import ScoreModel

extension NationalDataSet {
    /// Produces every event, in import order.
    public func generate(_ emit: (Event) throws -> Void) throws {
        var rng = SplitMix64(seed: seed)
        var seq: UInt64 = 0
        func send(_ event: Event) throws { seq += 1; try emit(event) }
        let allUnits = (0..<provinces).map { units(of: $0, rng: &rng) }
        let kinds = ["department", "district", "commune"]
        // Registration, once.
        for (p, list) in allUnits.enumerated() {
            for (i, u) in list.enumerated() {
                try send(Event(at: CivilTime.adding(minutes: i, to: CivilTime.vietnam(years.lowerBound, 1, 2 + p % 20, 8)), by: Actor("so-noi-vu-\(format2(p + 1))"),
                               body: .unitRegistered(UnitRegistered(unit: u.code, name: u.name, block: BlockCode("P\(format2(p + 1))-\(u.kind)")))))
            }
        }
        for year in years {
            let y = year + 1
            var correctionTargets: [(seq: UInt64, id: EventID?, key: ItemKey, item: Item)] = []
            for p in 0..<provinces {
                for (k, kind) in kinds.enumerated() {
                    try send(Event(at: CivilTime.vietnam(year, 3, 1 + k, 8, p), by: Actor("ubnd-tinh-\(format2(p + 1))"),
                                   body: .frameworkPublished(framework(province: p, kind: kind, year: year))))
                }
            }
            for p in 0..<provinces {
                let frameworks = Dictionary(uniqueKeysWithValues: kinds.map { ($0, framework(province: p, kind: $0, year: year)) })
                let units = allUnits[p]
                // Each unit's scores for the year, decided first, then emitted phase by phase.
                struct Plan { var selfScore: ScoreValue; var round1: ScoreValue; var round2: ScoreValue? }
                var plans: [[Plan]] = []
                for u in units {
                    let fw = frameworks[u.kind]!
                    let level = min(9900, max(4000, u.quality + Int64((year - years.lowerBound) * 60) + Int64(rng.int(in: -300...300))))
                    plans.append(fw.items.map { item in
                        if item.source == .survey {
                            let s = item.max.thousandths * (level + Int64(rng.int(in: -500...500))) / 10_000 / 10 * 10
                            return Plan(selfScore: .score(Score(thousandths: min(item.max.thousandths, max(0, s)))), round1: .notApplicable, round2: nil)
                        }
                        if rng.chance(1) && item.max > .zero { return Plan(selfScore: .notApplicable, round1: .notApplicable, round2: nil) }
                        if item.max == .zero {
                            let penalty: ScoreValue = rng.chance(5) ? .score(Score(thousandths: -500)) : .score(.zero)
                            return Plan(selfScore: penalty, round1: penalty, round2: nil)
                        }
                        let claimed = min(item.max.thousandths, item.max.thousandths * (level + 800) / 10_000 / 250 * 250)
                        var appraised = claimed
                        if rng.int(in: 0...99) >= 75 { appraised = max(0, claimed - Int64(250 * rng.int(in: 1...3))) }
                        let second: ScoreValue? = rng.chance(5) && appraised < claimed ? .score(Score(thousandths: (appraised + claimed) / 2 / 250 * 250)) : nil
                        return Plan(selfScore: .score(Score(thousandths: claimed)), round1: .score(Score(thousandths: appraised)), round2: second)
                    })
                }
                let account = { (u: UnitSpec) in Actor(u.code.rawValue.lowercased()) }
                let council = Actor("hoi-dong-tham-dinh-\(format2(p + 1))-\(year)")
                // Self-assessments.
                for (ui, u) in units.enumerated() {
                    let fw = frameworks[u.kind]!
                    for (ii, item) in fw.items.enumerated() where item.source == .assessment {
                        let key = ItemKey(unit: u.code, year: year, item: item.code)
                        let evidence = rng.chance(85) ? ["Quyết định số \(100 + ii)/QĐ-\(u.code.rawValue) ngày \(1 + ii % 28)/\(1 + ii % 12)/\(year)"] : []
                        try send(Event(at: CivilTime.adding(minutes: ui * 3 + ii, to: CivilTime.vietnam(year, 12, 1 + p % 20, 8)), by: account(u),
                                       body: .assessmentSubmitted(AssessmentSubmitted(key: key, value: plans[ui][ii].selfScore, evidence: evidence,
                                                                                      note: evidence.isEmpty ? "Đơn vị giải trình cách tính điểm" : nil))))
                    }
                }
                // Survey results.
                for (ui, u) in units.enumerated() {
                    for (ii, item) in frameworks[u.kind]!.items.enumerated() where item.source == .survey {
                        guard case .score(let s) = plans[ui][ii].selfScore else { continue }
                        let corrected = rng.int(in: 0...999) < 2
                        try send(Event(at: CivilTime.adding(minutes: ui, to: CivilTime.vietnam(year, 12, 22, 8)), by: "vien-xa-hoi-hoc",
                                       id: corrected ? EventID("sv-\(year)-\(u.code.rawValue)-\(item.code.rawValue)") : nil,
                                       body: .surveyRecorded(SurveyRecorded(key: ItemKey(unit: u.code, year: year, item: item.code), score: s,
                                                                            respondents: 100 + rng.int(in: 0...900)))))
                        if corrected { correctionTargets.append((seq, EventID("sv-\(year)-\(u.code.rawValue)-\(item.code.rawValue)"), ItemKey(unit: u.code, year: year, item: item.code), item)) }
                    }
                }
                // Round 1 appraisals.
                for (ui, u) in units.enumerated() {
                    for (ii, item) in frameworks[u.kind]!.items.enumerated() where item.source == .assessment {
                        let corrected = rng.int(in: 0...999) < 2
                        let id: EventID? = corrected && rng.chance(50) ? EventID("r1-\(year)-\(u.code.rawValue)-\(item.code.rawValue)") : nil
                        try send(Event(at: CivilTime.adding(minutes: ui * 3 + ii, to: CivilTime.vietnam(y, 1, 5 + p % 20, 8)), by: council, id: id,
                                       body: .appraisalRecorded(AppraisalRecorded(key: ItemKey(unit: u.code, year: year, item: item.code),
                                                                                  value: plans[ui][ii].round1, round: 1))))
                        if corrected && plans[ui][ii].round2 == nil && plans[ui][ii].round1 != .notApplicable {
                            correctionTargets.append((seq, id, ItemKey(unit: u.code, year: year, item: item.code), item))
                        }
                    }
                }
                // Explanations and round 2.
                for (ui, u) in units.enumerated() {
                    for (ii, item) in frameworks[u.kind]!.items.enumerated() {
                        guard let second = plans[ui][ii].round2 else { continue }
                        let key = ItemKey(unit: u.code, year: year, item: item.code)
                        try send(Event(at: CivilTime.adding(minutes: ui + ii, to: CivilTime.vietnam(y, 1, 28, 8)), by: account(u),
                                       body: .explanationSubmitted(ExplanationSubmitted(key: key, text: "Đơn vị bổ sung tài liệu kiểm chứng cho tiêu chí \(item.code)"))))
                        try send(Event(at: CivilTime.adding(minutes: ui + ii, to: CivilTime.vietnam(y, 2, 5, 8)), by: council,
                                       body: .appraisalRecorded(AppraisalRecorded(key: key, value: second, round: 2, note: "Chấp nhận một phần giải trình"))))
                    }
                }
                // Publication.
                for (k, kind) in kinds.enumerated() {
                    try send(Event(at: CivilTime.vietnam(y, 2, 20, 14, k), by: Actor("ban-chi-dao-cchc-\(format2(p + 1))"),
                                   body: .resultsPublished(ResultsPublished(year: year, block: BlockCode("P\(format2(p + 1))-\(kind)")))))
                }
                // Appeals after publication: about 1 in 1000 unit-items.
                var appealNo = 0
                for (ui, u) in units.enumerated() {
                    for (ii, item) in frameworks[u.kind]!.items.enumerated() where item.max > .zero && rng.int(in: 0...999) < 1 {
                        appealNo += 1
                        let appeal = AppealID("KN-\(year)-P\(format2(p + 1))-\(appealNo)")
                        let key = ItemKey(unit: u.code, year: year, item: item.code)
                        let current: Score = if case .score(let s) = plans[ui][ii].round2 ?? (item.source == .survey ? plans[ui][ii].selfScore : plans[ui][ii].round1) { s } else { .zero }
                        let requested = min(item.max, current + Score(thousandths: 500))
                        try send(Event(at: CivilTime.adding(minutes: ui + ii, to: CivilTime.vietnam(y, 2, 25, 8)), by: account(u),
                                       body: .appealFiled(AppealFiled(appeal: appeal, key: key, requested: requested, grounds: "Đề nghị xem xét lại điểm"))))
                        let roll = rng.int(in: 0...99)
                        guard roll < 85 else { continue }   // about 15% stay open
                        let outcome: AppealOutcome = roll < 25 ? .upheld : roll < 42 ? .partial : .rejected
                        let granted: Score? = switch outcome {
                        case .upheld: requested
                        case .partial: Score(thousandths: (current.thousandths + requested.thousandths) / 2)
                        case .rejected: nil
                        }
                        try send(Event(at: CivilTime.adding(minutes: ui + ii, to: CivilTime.vietnam(y, 3, 10, 8)), by: council,
                                       body: .appealResolved(AppealResolved(appeal: appeal, outcome: outcome, score: granted, reason: "Kết luận của Hội đồng"))))
                    }
                }
            }
            // Corrections of the year, after every publication: by id when the target has one, else by #seq.
            for (n, target) in correctionTargets.enumerated() {
                let value = Score(thousandths: min(target.item.max.thousandths, max(0, Int64(250 * rng.int(in: 0...6)))))
                try send(Event(at: CivilTime.adding(minutes: n, to: CivilTime.vietnam(y, 3, 20, 8)), by: "ban-chi-dao-cchc",
                               body: .correctionIssued(CorrectionIssued(target: target.id.map { .id($0) } ?? .seq(EventSeq(target.seq)), value: .score(value),
                                                                        reason: "Sai sót khi tổng hợp điểm"))))
            }
        }
    }
}
