import Testing
import Projections
import ScoreModel

/// Every projection that shows a rank follows the framework's rule.
///
/// Three units of the test framework (max 30): A 27.000/30 = 90.00%,
/// B 27.001/30 = 90.0033…% (also printed 90.00), C 19/20 = 95.00% (item 1.2
/// not applicable, so it has the most percent but the fewest points).
@Suite("Ranks follow the framework's ranking rule")
struct RankingRuleProjectionTests {
    static func book(_ order: RankingRule.Order?) -> ScoreBook {
        var log = Log(units: ["A", "B", "C"])
        if let order {
            var fw = Log.fw
            fw.ranking = RankingRule(order: order)
            log.events[3].body = .frameworkPublished(fw)
        }
        for (u, survey) in [("A", "7"), ("B", "7.001")] {
            log.appraise(u, "1.1", Log.s("10"), round: 1)
            log.appraise(u, "1.2", Log.s("10"), round: 1)
            log.survey(u, "2.1", survey)
        }
        log.appraise("C", "1.1", Log.s("9"), round: 1)
        log.appraise("C", "1.2", .notApplicable, round: 1)
        log.survey("C", "2.1", "10")
        log.publish()
        return log.book
    }

    static func ranks(_ book: ScoreBook) -> [String] {
        book.ranking(Log.partition)!.rows.map { "\($0.rank.map(String.init) ?? "-") \($0.unit)" }
    }

    @Test("percent2 (absent or named): equal printed percents share a rank; ratio breaks the tie exactly; points3 ranks on points")
    func orders() {
        #expect(Self.ranks(Self.book(nil)) == ["1 C", "2 A", "2 B"])
        #expect(Self.ranks(Self.book(.percent2)) == ["1 C", "2 A", "2 B"])
        #expect(Self.ranks(Self.book(.ratio)) == ["1 C", "2 B", "3 A"])
        #expect(Self.ranks(Self.book(.points3)) == ["1 B", "2 A", "3 C"])
        #expect(Self.book(.ratio).ranking(Log.partition)?.rule == RankingRule(order: .ratio))
        #expect(Self.book(.ratio).ranking(Log.partition)?.rows.map(\.percent?.description) == ["95.00", "90.00", "90.00"])
    }

    @Test("Awards by rank, explain and the block's top follow the rule")
    func awardsAndExplain() throws {
        let runnersUp = AwardRule(code: "top2", name: "Top 2", conditions: [.rankAtMost(2)])
        func eligible(_ book: ScoreBook) -> [UnitCode] { book.awards(Log.partition, rules: [runnersUp]).filter { $0.status == .eligible }.map(\.unit) }
        #expect(eligible(Self.book(nil)) == ["C", "A", "B"])
        #expect(eligible(Self.book(.ratio)) == ["C", "B"])
        #expect(eligible(Self.book(.points3)) == ["B", "A"])
        let explained = try #require(Self.book(.ratio).explain(unit: "A", year: 2023, lookup: { _ in nil }))
        #expect(explained.rank == 3 && explained.rule.order == .ratio)
        #expect(try #require(Self.book(nil).explain(unit: "A", year: 2023, lookup: { _ in nil })).rank == 2)
        #expect(Self.book(.points3).ranking(Log.partition)?.statistics.top == ["B"])
    }

    @Test("Trend: rank movement compares each year's rank under that year's rule")
    func trend() throws {
        var log = Log(units: ["A", "B"])
        var ratio = Log.fw
        ratio.ranking = RankingRule(order: .ratio)
        log.events[2].body = .frameworkPublished(ratio)
        var next = Log.fw
        next.id = "G"; next.year = 2024
        log.add(.frameworkPublished(next))
        for (year, b) in [(2023, "7.001"), (2024, "7")] {
            for u in ["A", "B"] {
                log.add(.appraisalRecorded(AppraisalRecorded(key: Log.key(u, "1.1", year: year), value: Log.s("10"), round: 1)))
                log.add(.appraisalRecorded(AppraisalRecorded(key: Log.key(u, "1.2", year: year), value: Log.s("10"), round: 1)))
                log.add(.surveyRecorded(SurveyRecorded(key: Log.key(u, "2.1", year: year), score: Score(u == "B" ? b : "7")!)))
            }
        }
        let trend = try #require(log.book.trend(Partition(index: .par, year: 2024, block: "b")))
        let a = try #require(trend.units.first { $0.unit == "A" }), b = try #require(trend.units.first { $0.unit == "B" })
        // 2023 (ratio): B 1, A 2. 2024 (default): both 90.00%, both 1.
        #expect(a.previousRank == 2 && a.rank == 1 && a.placesGained == 1)
        #expect(b.previousRank == 1 && b.rank == 1 && b.placesGained == 0)
    }
}
