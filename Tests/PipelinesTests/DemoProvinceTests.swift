import Testing
import DataGen
import ScoreModel

/// A deliberately naive scorer, written from docs/CONTRACT.md ("How a score
/// is reached") alone, that checks the demo data reproduces the report's
/// figures. It shares no code with the Projections module, so the two check
/// each other.
struct ReferenceScorer {
    var frameworks: [String: Framework] = [:]          // "index|year|block"
    var units: [UnitCode: UnitRegistered] = [:]
    var idToSeq: [EventID: Int] = [:]
    var events: [Int: Event] = [:]
    var published: Set<String> = []
    var appealsOpen: [AppealID: AppealFiled] = [:]
    var appealsResolved: [AppealID: (AppealFiled, AppealResolved)] = [:]
    /// seq → the value its latest correction gives it.
    var corrected: [Int: ScoreValue] = [:]
    /// The seqs of the events that score each item, in log order.
    var byItem: [ItemKey: [Int]] = [:]

    init(_ list: [Event]) {
        for (i, e) in list.enumerated() {
            let seq = i + 1
            events[seq] = e
            if let id = e.id { idToSeq[id] = seq }
            if let key = e.body.itemKey { byItem[key, default: []].append(seq) }
            if case .correctionIssued(let c) = e.body {
                let target: Int? = switch c.target { case .id(let id): idToSeq[id]; case .seq(let s): Int(s.rawValue) }
                if let target { corrected[target] = c.value }
            }
            switch e.body {
            case .unitRegistered(let u): units[u.unit] = u
            case .frameworkPublished(let f): frameworks["\(f.index)|\(f.year)|\(f.block)"] = f
            case .resultsPublished(let p): published.insert("\(p.index)|\(p.year)|\(p.block)")
            case .appealFiled(let a): appealsOpen[a.appeal] = a
            case .appealResolved(let r):
                if let a = appealsOpen.removeValue(forKey: r.appeal) { appealsResolved[r.appeal] = (a, r) }
            default: break
            }
        }
    }

    func framework(of unit: UnitCode, year: Int) -> Framework? {
        guard let u = units[unit] else { return nil }
        return frameworks["PAR|\(year)|\(u.block)"]
    }

    /// The effective value of one item, by the rules in order.
    func value(_ key: ItemKey, source: ItemSource, overrides: [ItemKey: Score] = [:]) -> ScoreValue {
        if let o = overrides[key] { return .score(o) }
        var best: (round: Int, seq: Int, value: ScoreValue)?
        var selfAssessed: ScoreValue?
        var survey: ScoreValue?
        for seq in byItem[key] ?? [] {
            let e = events[seq]!
            switch e.body {
            case .assessmentSubmitted(let a) where a.key == key: selfAssessed = corrected[seq] ?? a.value
            case .surveyRecorded(let s) where s.key == key: survey = corrected[seq] ?? .score(s.score)
            case .appraisalRecorded(let a) where a.key == key:
                if best == nil || a.round >= best!.round { best = (a.round, seq, corrected[seq] ?? a.value) }
            default: break
            }
        }
        var v: ScoreValue = source == .survey ? (survey ?? .score(.zero)) : (best?.value ?? selfAssessed ?? .score(.zero))
        for (a, r) in appealsResolved.values.sorted(by: { $0.0.appeal < $1.0.appeal }) where a.key == key && r.outcome != .rejected {
            v = .score(r.score!)
        }
        return v
    }

    func percent(_ unit: UnitCode, year: Int, overrides: [ItemKey: Score] = [:]) -> Percent {
        let fw = framework(of: unit, year: year)!
        var points = Score.zero, max = Score.zero
        for item in fw.items {
            if case .score(let s) = value(ItemKey(unit: unit, year: year, item: item.code), source: item.source, overrides: overrides) {
                points += s; max += item.max
            }
        }
        return Percent(points: points, max: max)!
    }

    func block(_ block: BlockCode, year: Int, overrides: [ItemKey: Score] = [:]) -> [(unit: UnitCode, percent: Percent)] {
        units.values.filter { $0.block == block }.map { ($0.unit, percent($0.unit, year: year, overrides: overrides)) }
            .sorted { $0.percent != $1.percent ? $0.percent > $1.percent : $0.unit < $1.unit }
    }

    func rank(of unit: UnitCode, in rows: [(unit: UnitCode, percent: Percent)]) -> Int {
        let p = rows.first { $0.unit == unit }!.percent
        return rows.filter { $0.percent > p }.count + 1
    }

    static func mean(_ rows: [(unit: UnitCode, percent: Percent)]) -> Percent {
        Percent(hundredths: Percent.divideRounded(rows.map(\.percent.hundredths).reduce(0, +), by: Int64(rows.count)))
    }
}

@Suite("Demo province data")
struct DemoProvinceTests {
    static let events = DemoProvince.events()
    static let scorer = ReferenceScorer(events)

    @Test("Department figures of 2023 are the report's: 9 excellent (+7), top SKHDT 94.72, mean 89.55 (+2.66)")
    func departments() {
        let s = Self.scorer
        let now = s.block("department", year: 2023), before = s.block("department", year: 2022)
        let excellent = { (rows: [(unit: UnitCode, percent: Percent)]) in rows.filter { $0.percent.hundredths >= 9000 }.count }
        #expect(now.count == 17)
        #expect(excellent(now) == 9)
        #expect(excellent(now) - excellent(before) == 7)
        #expect(now[0].unit == "SKHDT" && now[0].percent.description == "94.72")
        #expect(now[1].percent < now[0].percent)
        #expect(ReferenceScorer.mean(now).description == "89.55")
        #expect((ReferenceScorer.mean(now) - ReferenceScorer.mean(before)).description == "2.66")
        // The other 8 are good (80 to under 90), as the report says.
        #expect(now.filter { $0.percent.hundredths >= 8000 && $0.percent.hundredths < 9000 }.count == 8)
    }

    @Test("District figures of 2023 are the report's: 7 excellent (+3), top Châu Thành 90.79, mean 85.36 (+3.09)")
    func districts() {
        let s = Self.scorer
        let now = s.block("district", year: 2023), before = s.block("district", year: 2022)
        let excellent = { (rows: [(unit: UnitCode, percent: Percent)]) in rows.filter { $0.percent.hundredths >= 8500 }.count }
        #expect(now.count == 12)
        #expect(excellent(now) == 7)
        #expect(excellent(now) - excellent(before) == 3)
        #expect(now[0].unit == "HCT" && now[0].percent.description == "90.79")
        #expect(s.units["HCT"]!.name == "UBND huyện Châu Thành")
        #expect(ReferenceScorer.mean(now).description == "85.36")
        #expect((ReferenceScorer.mean(now) - ReferenceScorer.mean(before)).description == "3.09")
        #expect(now.filter { $0.percent.hundredths >= 8000 && $0.percent.hundredths < 8500 }.count == 5)
    }

    @Test("Frameworks have the report's shape: 7 areas, 35 criteria, 63 items for departments; bands from the report")
    func frameworks() {
        let dept = Self.scorer.frameworks["PAR|2023|department"]!
        #expect(dept.areas.count == 7)
        #expect(dept.areas.flatMap(\.criteria).count == 35)
        #expect(dept.items.count == 63)
        #expect(dept.maxTotal == Score(points: 100))
        #expect(dept.bands.map(\.min) == [90, 80, 70, 50, 0].map { Score(points: $0) })
        let district = Self.scorer.frameworks["PAR|2023|district"]!
        #expect(district.bands.prefix(2).map(\.min) == [Score(points: 85), Score(points: 80)])
        #expect(district.maxTotal == Score(points: 100))
        #expect(district.items.contains { $0.source == .survey })
        #expect(dept.items.contains { $0.min < .zero && $0.max == .zero })
        #expect(Self.scorer.frameworks.count == 4)
    }

    @Test("Two appeals stay open: one would change a rank if upheld, one would change nothing")
    func openAppeals() throws {
        let s = Self.scorer
        #expect(s.appealsOpen.count == 2)
        var changes: [Bool] = []
        for appeal in s.appealsOpen.values.sorted(by: { $0.appeal < $1.appeal }) {
            let block = s.units[appeal.key.unit]!.block
            let today = s.block(block, year: appeal.key.year)
            let upheld = s.block(block, year: appeal.key.year, overrides: [appeal.key: appeal.requested])
            #expect(upheld[0].unit == today[0].unit, "an open appeal must not change rank 1")
            let rankChanged = s.rank(of: appeal.key.unit, in: today) != s.rank(of: appeal.key.unit, in: upheld)
            changes.append(rankChanged)
            let fw = s.framework(of: appeal.key.unit, year: appeal.key.year)!
            if !rankChanged {
                let bandToday = fw.band(for: today.first { $0.unit == appeal.key.unit }!.percent)
                let bandUpheld = fw.band(for: upheld.first { $0.unit == appeal.key.unit }!.percent)
                #expect(bandToday == bandUpheld)
            }
        }
        #expect(changes.filter { $0 }.count == 1 && changes.count == 2)
    }

    @Test("Resolved appeals and corrections really change scores after publication")
    func amendments() {
        let s = Self.scorer
        #expect(s.appealsResolved.values.map(\.1.outcome).sorted { $0.rawValue < $1.rawValue } == [.partial, .rejected, .rejected, .upheld, .upheld])
        let corrections = Self.events.filter { $0.type == .correctionIssued }
        #expect(corrections.count == 2)
        for c in corrections {
            guard case .correctionIssued(let body) = c.body, case .id(let id) = body.target,
                  let target = s.events[s.idToSeq[id]!], case .appraisalRecorded(let appraisal) = target.body else {
                Issue.record("a correction must target an appraisal by id"); continue
            }
            #expect(appraisal.value != body.value)
        }
    }

    @Test("Every event is sane: scores within the item's range, survey items only from the survey, nothing scored after publication")
    func sanity() {
        let s = Self.scorer
        var publishedSoFar: Set<String> = []
        var lastAt: BusinessTime?
        for e in Self.events {
            if let lastAt { #expect(lastAt <= e.at, "business times never go back in the demo") }
            lastAt = e.at
            func check(_ key: ItemKey, _ value: ScoreValue, survey: Bool) {
                guard let fw = s.framework(of: key.unit, year: key.year), let item = fw.items.first(where: { $0.code == key.item }) else {
                    Issue.record("unknown item \(key)"); return
                }
                #expect((item.source == .survey) == survey)
                if case .score(let v) = value { #expect(v >= item.min && v <= item.max) }
                #expect(!publishedSoFar.contains("PAR|\(key.year)|\(fw.block)"), "scored after publication: \(key)")
            }
            switch e.body {
            case .assessmentSubmitted(let a): check(a.key, a.value, survey: false)
            case .appraisalRecorded(let a): check(a.key, a.value, survey: false); #expect(a.round == 1 || a.round == 2)
            case .surveyRecorded(let v): check(v.key, .score(v.score), survey: true)
            case .resultsPublished(let p): publishedSoFar.insert("\(p.index)|\(p.year)|\(p.block)")
            default: break
            }
        }
        let ids = Self.events.compactMap(\.id)
        #expect(Set(ids).count == ids.count, "ids are unique")
    }

    @Test("Names carry their diacritics, and the same seed gives the same events")
    func namesAndDeterminism() {
        #expect(Self.scorer.units["SKHDT"]!.name == "Sở Kế hoạch và Đầu tư")
        #expect(Self.scorer.units.values.allSatisfy { $0.name.unicodeScalars.contains { $0.value > 0x7F } || $0.name.contains("UBND") })
        #expect(DemoProvince.events(seed: 2023) == Self.events)
        #expect(DemoProvince.events(seed: 7) != Self.events)
        #expect(DemoProvince.files().map(\.name) == DemoProvince.files().map(\.name).sorted())
    }
}
