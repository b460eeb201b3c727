import Primitives
import DataGen
import Projections
import ScoreModel
import Testing

@Suite("National data set generator")
struct NationalDataSetTests {
    static func events(_ set: NationalDataSet) throws -> [Event] {
        var out: [Event] = []
        try set.generate { out.append($0) }
        return out
    }

    @Test("Every generated event passes the importer's validation, in order")
    func valid() throws {
        let events = try Self.events(NationalDataSet(provinces: 2, unitsPerProvince: 12, items: 20, years: 2022...2023, seed: 7))
        var state = LedgerState()
        let result = state.validate(events.enumerated().map { ($0.offset + 1, $0.element) }, file: "national", limit: 5)
        #expect(result.issues.isEmpty, "\(result.issues)")
        #expect(result.accepted.count == events.count)
    }

    @Test("Same seed, same events; another seed, other events")
    func deterministic() throws {
        let a = try Self.events(NationalDataSet(provinces: 1, unitsPerProvince: 6, items: 20, years: 2023...2023, seed: 1))
        let b = try Self.events(NationalDataSet(provinces: 1, unitsPerProvince: 6, items: 20, years: 2023...2023, seed: 1))
        let c = try Self.events(NationalDataSet(provinces: 1, unitsPerProvince: 6, items: 20, years: 2023...2023, seed: 2))
        #expect(a == b)
        #expect(a != c)
    }

    @Test("Realistic proportions: assessments and round-1 appraisals for every assessment item, some round 2, corrections, appeals")
    func proportions() throws {
        let set = NationalDataSet(provinces: 3, unitsPerProvince: 40, items: 80, years: 2022...2023, seed: 3)
        let events = try Self.events(set)
        var count: [EventType: Int] = [:]
        for e in events { count[e.type, default: 0] += 1 }
        let unitYears = 3 * 40 * 2
        #expect(count[.unitRegistered] == 3 * 40)
        #expect(count[.frameworkPublished] == 3 * 3 * 2)
        #expect(count[.resultsPublished] == 3 * 3 * 2)
        #expect(count[.assessmentSubmitted] == unitYears * 72)   // 80 items, 8 of them survey items
        #expect(count[.surveyRecorded]! == unitYears * 8)
        #expect(count[.appraisalRecorded]! > unitYears * 72)     // round 1 for all, round 2 for some
        let round2 = count[.appraisalRecorded]! - unitYears * 72
        #expect(round2 == count[.explanationSubmitted]!)
        #expect((unitYears * 72 / 100...unitYears * 72 / 10).contains(round2), "about 1–2% of items go to round 2")
        #expect(count[.correctionIssued, default: 0] > 0 && count[.appealFiled, default: 0] > 0)
        #expect(count[.appealResolved, default: 0] < count[.appealFiled, default: 0], "some appeals stay open")
        // It replays into rankings for every province's blocks.
        var book = ScoreBook()
        for (i, e) in events.enumerated() { book.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: e)) }
        #expect(book.partitions.count == 3 * 3 * 2)
        let ranking = try #require(book.ranking(Partition(index: .par, year: 2023, block: "P01-commune")))
        #expect(ranking.rows.count == 40 - 6 - 3 && ranking.statistics.mean != nil)
    }

    @Test("Events come in business time order, interleaved across units as a real log receives them")
    func timeOrder() throws {
        let events = try Self.events(NationalDataSet(provinces: 3, unitsPerProvince: 12, items: 20, years: 2022...2023, seed: 5))
        let late = zip(events, events.dropFirst()).first { $0.1.at.microsecondsSinceEpoch < $0.0.at.microsecondsSinceEpoch }
        #expect(late == nil, "an event earlier than the one before it: \(String(describing: late))")
        // The first 24 round-1 appraisals of a province cover all 12 of its units, not one unit's items.
        let appraisals = events.compactMap { e -> UnitCode? in
            if case .appraisalRecorded(let a) = e.body, a.round == 1, a.key.unit.rawValue.hasPrefix("P01-") { return a.key.unit }
            return nil
        }
        #expect(Set(appraisals.prefix(24)).count == 12)
    }

    @Test("A heavy share of revisions: many more corrections and appeals, still valid in order")
    func heavyRevisions() throws {
        func count(_ revisions: Int) throws -> (events: [Event], corrections: Int, appeals: Int) {
            let events = try Self.events(NationalDataSet(provinces: 2, unitsPerProvince: 12, items: 20, years: 2022...2023, seed: 7, revisions: revisions))
            return (events, events.filter { $0.type == .correctionIssued }.count, events.filter { $0.type == .appealFiled }.count)
        }
        let usual = try count(1), heavy = try count(50)
        #expect(heavy.corrections > 10 * max(1, usual.corrections) && heavy.appeals > 10 * max(1, usual.appeals), "\(usual.corrections) \(usual.appeals) \(heavy.corrections) \(heavy.appeals)")
        var state = LedgerState()
        let result = state.validate(heavy.events.enumerated().map { ($0.offset + 1, $0.element) }, file: "national", limit: 5)
        #expect(result.issues.isEmpty, "\(result.issues)")
    }
}
