import ScoreModel

extension DemoProvince.Builder {
    /// The events of one unit and year: before publication (self-assessment,
    /// survey, appraisal rounds, explanations) and after it (corrections,
    /// appeals). The item's final score after all of them is its fitted
    /// score; the log records how it got there.
    mutating func history(of uy: DemoProvince.UnitYear, amendment: DemoProvince.Amendment?, openExtra: Score?, cycleYear y: Int,
                          appealNo: inout Int) -> (before: [Event], after: [Event]) {
        let unit = uy.unit
        let account = Actor(unit.code.rawValue.lowercased() + "-cchc")
        let council = Actor(Self.council[unit.block]! + "-\(uy.year)")
        let isDistrict = unit.block == "district"
        let idPrefix = "\(uy.year)-\(unit.code.rawValue)"
        let items = uy.framework.items

        // Choose the items amended after publication: an ordinary
        // assessment item with room above and below its final score.
        func final(_ code: ItemCode) -> Score? {
            if case .score(let s)? = uy.finals[code] { return s }
            return nil
        }
        func candidates(roomUp: Score) -> [Item] {
            items.filter { item in
                guard item.source == .assessment, item.max > .zero, let f = final(item.code) else { return false }
                return f - Score(thousandths: 750) >= item.min && f + roomUp <= item.max
            }
        }
        var amendedItem: ItemCode?
        if let amendment {
            let room: Score = amendment == .appealRejected ? Score(thousandths: 500) : Score(thousandths: 250)
            let list = candidates(roomUp: room)
            precondition(!list.isEmpty, "no item of \(unit.code) \(uy.year) can carry a \(amendment)")
            amendedItem = list[rng.int(in: 0...(list.count - 1))].code
        }
        var openItem: ItemCode?
        if let openExtra {
            let list = candidates(roomUp: openExtra).filter { $0.code != amendedItem }
            precondition(!list.isEmpty, "no item of \(unit.code) \(uy.year) can carry an open appeal")
            openItem = list[rng.int(in: 0...(list.count - 1))].code
        }

        var before: [Event] = []
        var after: [Event] = []
        let selfDay = CivilTime.vietnam(uy.year, 12, 1 + uy.unitIndex, isDistrict ? 13 : 8)
        let round1Day = CivilTime.vietnam(y, 1, 3 + uy.unitIndex, isDistrict ? 13 : 8)
        let surveyDay = CivilTime.vietnam(uy.year, 12, 20, 8, uy.unitIndex * 7 + (isDistrict ? 200 : 0))
        let explainDay = CivilTime.vietnam(y, 1, 25, 8, uy.unitIndex * 10 + (isDistrict ? 240 : 0))
        let round2Day = CivilTime.vietnam(y, 2, 3 + uy.unitIndex / 6, isDistrict ? 13 : 8, (uy.unitIndex % 6) * 20)
        let afterBase = uy.year == 2023 ? CivilTime.vietnam(2024, 2, 26, 9) : CivilTime.vietnam(2023, 2, 20, 9)
        var explained = 0

        for (i, item) in items.enumerated() {
            let key = ItemKey(unit: unit.code, year: uy.year, item: item.code)
            let itemId = "\(idPrefix)-\(item.code.rawValue)"
            if item.source == .survey {
                guard let f = final(item.code) else { continue }
                before.append(Event(at: CivilTime.adding(minutes: i, to: surveyDay), by: Self.surveyBody, id: EventID("\(itemId)-survey"),
                                    body: .surveyRecorded(SurveyRecorded(key: key, score: f, respondents: 120 + rng.int(in: 0...480)))))
                continue
            }
            let selfAt = CivilTime.adding(minutes: i * 3, to: selfDay)
            let r1At = CivilTime.adding(minutes: i * 3, to: round1Day)
            guard let f = final(item.code) else {
                before.append(Event(at: selfAt, by: account, id: EventID("\(itemId)-self"),
                                    body: .assessmentSubmitted(AssessmentSubmitted(key: key, value: .notApplicable,
                                        note: "Đơn vị không có nhiệm vụ này trong năm đánh giá"))))
                before.append(Event(at: r1At, by: council, id: EventID("\(itemId)-r1"),
                                    body: .appraisalRecorded(AppraisalRecorded(key: key, value: .notApplicable, round: 1,
                                        note: "Thống nhất không áp dụng"))))
                continue
            }
            // The appraised score as published: the final one, unless an
            // amendment after publication changes it.
            var published = f
            if item.code == amendedItem {
                switch amendment! {
                case .correction: published = f + Score(thousandths: 250)
                case .appealUpheld: published = f - Score(thousandths: 500)
                case .appealPartial: published = f - Score(thousandths: 750)
                case .appealRejected: break
                }
            }
            let disputed = item.code != amendedItem && item.code != openItem && item.max > .zero
                && published - Score(thousandths: 500) >= item.min && rng.chance(6)
            var claimed = published
            if item.max > .zero && rng.chance(disputed ? 100 : 25) {
                claimed = min(item.max, published + Score(thousandths: Int64(250 * rng.int(in: 1...3))))
            }
            let withEvidence = rng.chance(88)
            let evidence = withEvidence ? evidenceList(unit: unit.code, year: uy.year, i: i) : []
            before.append(Event(at: selfAt, by: account, id: EventID("\(itemId)-self"),
                                body: .assessmentSubmitted(AssessmentSubmitted(key: key, value: .score(claimed), evidence: evidence,
                                    note: withEvidence ? nil : "Chưa có tài liệu kiểm chứng, đơn vị giải trình cách tính điểm theo báo cáo năm"))))
            let round1 = disputed ? published - Score(thousandths: 500) : published
            let r1Note: String? = round1 < claimed ? "Tài liệu kiểm chứng chưa đáp ứng yêu cầu của tiêu chí, trừ điểm" : nil
            before.append(Event(at: r1At, by: council, id: EventID("\(itemId)-r1"),
                                body: .appraisalRecorded(AppraisalRecorded(key: key, value: .score(round1), round: 1, note: r1Note))))
            if disputed {
                before.append(Event(at: CivilTime.adding(minutes: explained, to: explainDay), by: account, id: EventID("\(itemId)-expl"),
                                    body: .explanationSubmitted(ExplanationSubmitted(key: key,
                                        text: "Đơn vị bổ sung tài liệu kiểm chứng, đề nghị Hội đồng thẩm định xem xét lại điểm tiêu chí \(item.code)",
                                        evidence: ["Công văn số \(100 + i)/\(unit.code)-VP ngày 24/01/\(y)"]))))
                before.append(Event(at: CivilTime.adding(minutes: explained, to: round2Day), by: council, id: EventID("\(itemId)-r2"),
                                    body: .appraisalRecorded(AppraisalRecorded(key: key, value: .score(published), round: 2,
                                        note: "Chấp nhận giải trình"))))
                explained += 1
            }
            if item.code == amendedItem {
                appealNo += 1
                after.append(contentsOf: amendmentEvents(amendment!, key: key, target: EventID("\(itemId)-r1"), final: f,
                                                         published: published, account: account, council: council,
                                                         at: CivilTime.adding(minutes: appealNo * 1440, to: afterBase), number: appealNo))
            }
            if item.code == openItem, let openExtra {
                appealNo += 1
                after.append(Event(at: CivilTime.adding(minutes: 7 * 1440 + appealNo * 60, to: afterBase), by: account,
                                   id: EventID("appeal-\(uy.year)-\(appealNo)-filed"),
                                   body: .appealFiled(AppealFiled(appeal: AppealID("KN-\(uy.year)-\(appealNo)"), key: key,
                                       requested: f + openExtra,
                                       grounds: "Đơn vị đã hoàn thành nhiệm vụ trước thời hạn, đề nghị chấm đủ điểm tiêu chí \(item.code)"))))
            }
        }
        return (before, after)
    }

    func evidenceList(unit: UnitCode, year: Int, i: Int) -> [String] {
        var list = ["Quyết định số \(100 + i * 3)/QĐ-\(unit.rawValue) ngày \(5 + i % 20)/\(1 + i % 12)/\(year)"]
        if i % 3 == 0 { list.append("Báo cáo số \(200 + i)/BC-\(unit.rawValue) ngày \(10 + i % 15)/\(1 + (i + 5) % 12)/\(year)") }
        return list
    }

    func amendmentEvents(_ kind: DemoProvince.Amendment, key: ItemKey, target: EventID, final f: Score, published: Score,
                         account: Actor, council: Actor, at: BusinessTime, number: Int) -> [Event] {
        let appeal = AppealID("KN-\(key.year)-\(number)")
        let filedId = EventID("appeal-\(key.year)-\(number)-filed")
        let resolvedId = EventID("appeal-\(key.year)-\(number)-resolved")
        let resolveAt = CivilTime.adding(minutes: 6 * 1440, to: at)
        switch kind {
        case .correction:
            return [Event(at: at, by: Self.steeringBoard, id: EventID("correction-\(key.year)-\(number)"),
                          body: .correctionIssued(CorrectionIssued(target: .id(target), value: .score(f),
                              reason: "Sai sót khi tổng hợp điểm thẩm định tiêu chí \(key.item): nhập \(published) thay vì \(f)")))]
        case .appealUpheld:
            return [
                Event(at: at, by: account, id: filedId, body: .appealFiled(AppealFiled(appeal: appeal, key: key, requested: f,
                    grounds: "Tài liệu kiểm chứng đã nộp đầy đủ nhưng chưa được Hội đồng ghi nhận"))),
                Event(at: resolveAt, by: council, id: resolvedId, body: .appealResolved(AppealResolved(appeal: appeal, outcome: .upheld, score: f,
                    reason: "Kiểm tra lại hồ sơ, tài liệu kiểm chứng đáp ứng yêu cầu"))),
            ]
        case .appealPartial:
            return [
                Event(at: at, by: account, id: filedId, body: .appealFiled(AppealFiled(appeal: appeal, key: key,
                    requested: f + Score(thousandths: 250), grounds: "Đề nghị chấm đủ điểm tối đa theo kết quả thực hiện"))),
                Event(at: resolveAt, by: council, id: resolvedId, body: .appealResolved(AppealResolved(appeal: appeal, outcome: .partial, score: f,
                    reason: "Chấp nhận một phần: kết quả thực hiện đạt nhưng báo cáo chậm"))),
            ]
        case .appealRejected:
            return [
                Event(at: at, by: account, id: filedId, body: .appealFiled(AppealFiled(appeal: appeal, key: key,
                    requested: f + Score(thousandths: 500), grounds: "Đơn vị cho rằng tiêu chí được chấm chưa đúng hướng dẫn"))),
                Event(at: resolveAt, by: council, id: resolvedId, body: .appealResolved(AppealResolved(appeal: appeal, outcome: .rejected, score: nil,
                    reason: "Không có căn cứ: tài liệu kiểm chứng không đúng thời gian đánh giá"))),
            ]
        }
    }
}
