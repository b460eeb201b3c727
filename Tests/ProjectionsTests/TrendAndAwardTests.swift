import Testing
import Projections
import ScoreModel

@Suite("Trend and award eligibility")
struct TrendAndAwardTests {
    /// Two years, units A and B: 2022 A 50%, B 80%; 2023 A 90%, B 85%.
    static func twoYears(publish2023: Bool = true) -> Log {
        var log = Log(units: ["A", "B"])
        var fw22 = Log.fw
        fw22.id = "F22"; fw22.year = 2022
        log.add(.frameworkPublished(fw22))
        for (u, y, v) in [("A", 2022, "5"), ("B", 2022, "8"), ("A", 2023, "9"), ("B", 2023, "8.5")] {
            for item in ["1.1", "1.2"] { log.add(.appraisalRecorded(AppraisalRecorded(key: Log.key(u, item, year: y), value: Log.s(v), round: 1))) }
            log.add(.surveyRecorded(SurveyRecorded(key: Log.key(u, "2.1", year: y), score: Score(v)!)))
        }
        log.add(.resultsPublished(ResultsPublished(year: 2022, block: "b")))
        if publish2023 { log.publish() }
        return log
    }

    @Test("Per unit: change in points, places gained, band change; per block: mean change, band counts, up and down")
    func trend() throws {
        let t = try #require(Self.twoYears().book.trend(Log.partition))
        #expect(t.previousYear == 2022)
        let a = try #require(t.units.first { $0.unit == "A" })
        #expect(a.change?.description == "40.00" && a.placesGained == 1 && a.previousBand?.code == "rest" && a.band?.code == "excellent")
        let b = try #require(t.units.first { $0.unit == "B" })
        #expect(b.change?.description == "5.00" && b.placesGained == -1)
        // Means: 2022 (50 + 80) / 2 = 65.00; 2023 (90 + 85) / 2 = 87.50; change +22.50.
        #expect(t.mean?.description == "87.50" && t.previousMean?.description == "65.00" && t.meanChange?.description == "22.50")
        #expect(t.bands.first { $0.band.code == "excellent" }?.change == 1)
        #expect(t.up == 2 && t.down == 0)
        #expect(a.areas.first { $0.code == "1" }?.change?.description == "40.00")
    }

    static let flag = AwardRule(code: "flag", name: "Cờ thi đua", conditions: [.rankAtMost(1), .bandIn(["excellent"]), .published, .openAppealsAtMost(0)])

    @Test("Every condition is checked and shown with the unit's value; the reason names what failed")
    func verdicts() throws {
        let verdicts = Self.twoYears().book.awards(Log.partition, rules: [Self.flag])
        let a = try #require(verdicts.first { $0.unit == "A" }), b = try #require(verdicts.first { $0.unit == "B" })
        #expect(a.status == .eligible && !a.provisional)
        #expect(a.checks.map(\.value) == ["1", "excellent", "yes (#\(Self.twoYears().events.count))", "0"])
        #expect(b.status == .notEligible)
        #expect(b.reason.contains("fails rank ≤ 1 (has 2)") && b.reason.contains("band in [excellent] (has good)"))
    }

    @Test("Unpublished results make every verdict provisional, and the unpublished condition fails")
    func unpublished() throws {
        let verdicts = Self.twoYears(publish2023: false).book.awards(Log.partition, rules: [Self.flag])
        let a = try #require(verdicts.first { $0.unit == "A" })
        #expect(a.provisional && a.status == .notEligible && a.reason.contains("results published (has no)"))
        #expect(a.reason.contains("provisional: results of PAR 2023 b are not published yet"))
    }

    @Test("What if an appeal is upheld: the requested score counts, and the ranking and verdicts follow")
    func whatIf() throws {
        var log = Self.twoYears()
        log.appeal("K", "B", "2.1", requested: "10")   // B: 8.5 + 8.5 + 10 = 27 of 30 → 90.00, tied with A
        let book = log.book
        let upheld = try #require(book.assumingUpheld("K"))
        let ranking = try #require(upheld.ranking(Log.partition))
        #expect(ranking.row("B")?.percent?.description == "90.00")
        #expect(ranking.rows.map(\.rank) == [1, 1])
        #expect(ranking.openAppeals.isEmpty)
        let today = try #require(book.ranking(Log.partition))
        #expect(today.row("B")?.rank == 2 && today.openAppeals == ["K"])
    }
}
