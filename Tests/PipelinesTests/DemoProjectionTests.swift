import Primitives
import DataGen
import Projections
import ScoreModel
import Testing

/// The projections reproduce the report's figures from the demo log.
@Suite("Projections on the demo province")
struct DemoProjectionTests {
    static let book: ScoreBook = {
        var book = ScoreBook()
        for (i, event) in DemoProvince.events().enumerated() {
            book.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: event))
        }
        return book
    }()
    static let departments = Partition(index: .par, year: 2023, block: "department")
    static let districts = Partition(index: .par, year: 2023, block: "district")

    @Test("Departments 2023: 9 excellent, 7 more than 2022; top Sở Kế hoạch và Đầu tư 94.72%; mean 89.55%, up 2.66")
    func departments() throws {
        let trend = try #require(Self.book.trend(Self.departments))
        let excellent = try #require(trend.bands.first { $0.band.code == "excellent" })
        #expect(excellent.count == 9 && excellent.change == 7)
        #expect(trend.mean?.description == "89.55")
        #expect(trend.meanChange?.description == "2.66")
        let ranking = try #require(Self.book.ranking(Self.departments))
        #expect(ranking.rows[0].name == "Sở Kế hoạch và Đầu tư" && ranking.rows[0].percent?.description == "94.72" && ranking.rows[0].rank == 1)
        #expect(ranking.rows[1].rank == 2)
        #expect(ranking.statistics.count(of: "good") == 8)
    }

    @Test("Districts 2023: 7 excellent, 3 more than 2022; top huyện Châu Thành 90.79%; mean 85.36%, up 3.09")
    func districts() throws {
        let trend = try #require(Self.book.trend(Self.districts))
        let excellent = try #require(trend.bands.first { $0.band.code == "excellent" })
        #expect(excellent.count == 7 && excellent.change == 3)
        #expect(trend.mean?.description == "85.36")
        #expect(trend.meanChange?.description == "3.09")
        let top = try #require(Self.book.ranking(Self.districts)?.rows.first)
        #expect(top.name == "UBND huyện Châu Thành" && top.percent?.description == "90.79")
    }

    @Test("The emulation flag goes to Sở Kế hoạch và Đầu tư and UBND huyện Châu Thành")
    func flags() {
        let flag = AwardRule(code: "emulation-flag", name: "Cờ thi đua", conditions: [.rankAtMost(1), .bandIn(["excellent"]), .published])
        var winners: [String] = []
        for p in [Self.departments, Self.districts] {
            let verdicts = Self.book.awards(p, rules: [flag])
            winners += verdicts.filter { $0.status == .eligible }.map(\.name)
            #expect(verdicts.count == Self.book.units(in: p.block).count)
        }
        #expect(winners == ["Sở Kế hoạch và Đầu tư", "UBND huyện Châu Thành"])
    }
}
