import ScoreModel

extension DemoProvince {
    /// One unit's final score per item for a year, before history is made.
    struct UnitYear {
        let unit: UnitSpec
        let unitIndex: Int
        let year: Int
        let framework: Framework
        var finals: [ItemCode: ScoreValue]
    }

    struct Builder {
        var rng: SplitMix64
        init(seed: UInt64) { rng = SplitMix64(seed: seed) }

        static let council: [BlockCode: String] = ["department": "hoi-dong-tham-dinh-so-nganh", "district": "hoi-dong-tham-dinh-huyen"]
        static let surveyBody = Actor("vien-nghien-cuu-xa-hoi-hoc")
        static let steeringBoard = Actor("ban-chi-dao-cchc-tinh")

        mutating func build() -> [(name: String, events: [Event])] {
            var files: [(name: String, events: [Event])] = []
            let registered = CivilTime.vietnam(2022, 1, 10, 8, 0)
            var units: [Event] = []
            for (i, unit) in (departments + districts).enumerated() {
                units.append(Event(at: CivilTime.adding(minutes: i * 5, to: registered), by: "so-noi-vu", id: EventID("unit-\(unit.code)"),
                                   body: .unitRegistered(UnitRegistered(unit: unit.code, name: unit.name, block: unit.block))))
            }
            files.append(("01-units.jsonl", units))
            files.append(contentsOf: cycle(year: 2022, fileNumbers: (2, 3)))
            files.append(contentsOf: cycle(year: 2023, fileNumbers: (4, 5)))
            return files
        }

        /// The events of one year: frameworks, the cycle up to publication,
        /// then what came after.
        mutating func cycle(year: Int, fileNumbers: (Int, Int)) -> [(name: String, events: [Event])] {
            let y = year + 1   // the cycle runs in the following year
            let frameworks = [
                DemoProvince.framework(departmentShape, year: year, decision: decisions[year]!["department"]!),
                DemoProvince.framework(districtShape, year: year, decision: decisions[year]!["district"]!),
            ]
            var main: [Event] = []
            for (i, fw) in frameworks.enumerated() {
                main.append(Event(at: CivilTime.vietnam(year, 3, 15, 8 + i), by: "ubnd-tinh", id: EventID("fw-\(fw.id.rawValue)"),
                                  body: .frameworkPublished(fw)))
            }
            var unitYears: [UnitYear] = []
            for (i, unit) in departments.enumerated() { unitYears.append(fit(unit, index: i, year: year, framework: frameworks[0])) }
            for (i, unit) in districts.enumerated() { unitYears.append(fit(unit, index: i, year: year, framework: frameworks[1])) }

            var after: [Event] = []
            let amended = Dictionary(uniqueKeysWithValues: (amendments[year] ?? []).map { ($0.0, $0.1) })
            let open = Dictionary(uniqueKeysWithValues: (year == 2023 ? openAppeals : []).map { ($0.unit, $0.extra) })
            var appealNo = 0
            for uy in unitYears {
                let history = self.history(of: uy, amendment: amended[uy.unit.code], openExtra: open[uy.unit.code], cycleYear: y,
                                           appealNo: &appealNo)
                main.append(contentsOf: history.before)
                after.append(contentsOf: history.after)
            }
            for (i, block) in [BlockCode("department"), BlockCode("district")].enumerated() {
                let day = year == 2023 ? 19 : 17
                main.append(Event(at: CivilTime.vietnam(y, 2, day, 14, i * 10), by: Self.steeringBoard, id: EventID("publish-PAR-\(year)-\(block)"),
                                  body: .resultsPublished(ResultsPublished(year: year, block: block))))
            }
            return [
                (String(format2(fileNumbers.0)) + "-par-\(year).jsonl", sortedByTime(main)),
                (String(format2(fileNumbers.1)) + "-after-publication-\(year).jsonl", sortedByTime(after)),
            ]
        }

        func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

        /// Stable sort by business time: events of the same instant keep
        /// the order they were made in.
        func sortedByTime(_ events: [Event]) -> [Event] {
            events.enumerated().sorted { a, b in
                a.element.at == b.element.at ? a.offset < b.offset : a.element.at < b.element.at
            }.map(\.element)
        }

        // MARK: - Fitting final scores to the target percent

        /// Draws item scores around the unit's level and nudges them until
        /// the unit's percent is exactly its target.
        mutating func fit(_ unit: UnitSpec, index: Int, year: Int, framework: Framework) -> UnitYear {
            let target = targets[year]![unit.code]!
            let na = Set(notApplicable[unit.code] ?? [])
            let items = framework.items
            let applicable = items.filter { !na.contains($0.code) }
            let maxTotal = applicable.reduce(Score.zero) { $0 + $1.max }
            // The points that give exactly the target percent.
            var points = Percent.divideRounded(target * maxTotal.thousandths, by: 10_000)
            while Percent(points: Score(thousandths: points), max: maxTotal)!.hundredths < target { points += 1 }
            while Percent(points: Score(thousandths: points), max: maxTotal)!.hundredths > target { points -= 1 }
            precondition(Percent(points: Score(thousandths: points), max: maxTotal)!.hundredths == target)

            var scores: [ItemCode: Int64] = [:]
            for item in applicable {
                if item.max == .zero {
                    scores[item.code] = 0   // penalty item: no reprimand by default
                } else if item.source == .survey {
                    let ratio = target * 10 + Int64(rng.int(in: -40...40)) * 10   // per 100 000
                    scores[item.code] = min(item.max.thousandths, max(0, item.max.thousandths * ratio / 100_000 / 10 * 10))
                } else {
                    let ratio = target * 10 + Int64(rng.int(in: -90...90)) * 100
                    let raw = item.max.thousandths * ratio / 100_000
                    scores[item.code] = min(item.max.thousandths, max(0, raw / 250 * 250))
                }
            }
            var adjustable = applicable.filter { $0.source == .assessment && $0.max > .zero }
            // A unit with an open appeal gets one item with room for the
            // points it asks for (a quarter point more than needed).
            if year == 2023, let extra = openAppeals.first(where: { $0.unit == unit.code })?.extra,
               let roomy = adjustable.max(by: { $0.max < $1.max }) {
                scores[roomy.code] = Swift.max(0, roomy.max.thousandths - extra.thousandths - 250)
                adjustable.removeAll { $0.code == roomy.code }
            }
            var sum = scores.values.reduce(0, +)
            var guardCount = 0
            while abs(points - sum) >= 250 {
                guardCount += 1
                precondition(guardCount < 100_000, "cannot fit \(unit.code) \(year) to \(target)")
                let item = adjustable[rng.int(in: 0...(adjustable.count - 1))]
                let step: Int64 = points > sum ? 250 : -250
                let next = scores[item.code]! + step
                if next >= 0 && next <= item.max.thousandths { scores[item.code] = next; sum += step }
            }
            // The last fraction of a point lands on a survey item (surveys
            // give fine-grained scores), or else on an assessment item with room.
            let residual = points - sum
            if residual != 0 {
                let candidates = applicable.filter { $0.source == .survey } + adjustable
                let item = candidates.first { item in
                    let next = scores[item.code]! + residual
                    return next >= item.min.thousandths && next <= item.max.thousandths
                }!
                scores[item.code]! += residual
            }
            var finals: [ItemCode: ScoreValue] = [:]
            for item in items { finals[item.code] = na.contains(item.code) ? .notApplicable : .score(Score(thousandths: scores[item.code]!)) }
            let check = finals.values.reduce(Int64(0)) { if case .score(let s) = $1 { $0 + s.thousandths } else { $0 } }
            precondition(Percent(points: Score(thousandths: check), max: maxTotal)!.hundredths == target,
                         "\(unit.code) \(year) misses its target \(target)")
            return UnitYear(unit: unit, unitIndex: index, year: year, framework: framework, finals: finals)
        }
    }
}
