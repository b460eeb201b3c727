import Primitives
import Testing
import Projections
import ScoreModel

@Suite("The impact of one event")
struct ImpactTests {
    /// A and B in block "b": A 19/30 (63.33%), B 18/30 (60.00%).
    static func log() -> Log {
        var log = Log(units: ["A", "B"])
        log.appraise("A", "1.1", Log.s("9"), round: 1, id: "a11")
        log.appraise("A", "1.2", Log.s("10"), round: 1)
        log.appraise("B", "1.1", Log.s("8"), round: 1)
        log.appraise("B", "1.2", Log.s("10"), round: 1)
        log.publish()
        return log
    }

    static func measure(_ log: Log, _ body: EventBody) -> EventImpact? {
        var book = log.book
        let event = Event(at: BusinessTime(microsecondsSinceEpoch: 1_800_000_000_000_000, offsetMinutes: 420), by: "council", body: body)
        return book.applyMeasuring(RecordedEvent(seq: log.nextSeq, recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: event),
                                   rules: [AwardRule(code: "flag", name: "Cờ", conditions: [.rankAtMost(1)])])
    }

    @Test("A correction that drops the leader below the runner-up: both moves, and the award changing hands")
    func correctionSwapsRanks() throws {
        let impact = try #require(Self.measure(Self.log(), .correctionIssued(CorrectionIssued(target: .id("a11"), value: Log.s("7"), reason: "sai sót"))))
        #expect(impact.key == Log.key("A", "1.1"))
        #expect(impact.target == Seq(4), "units at #1 and #2, the framework at #3")
        #expect(impact.unit.before.rank == 1 && impact.unit.after.rank == 2)
        #expect(impact.unit.before.percent?.description == "63.33" && impact.unit.after.percent?.description == "56.67")
        #expect(impact.unit.before.awards == ["flag"] && impact.unit.after.awards.isEmpty)
        #expect(impact.others.map(\.unit) == ["B"])
        #expect(impact.others.first?.before.rank == 2 && impact.others.first?.after.rank == 1 && impact.others.first?.after.awards == ["flag"])
    }

    @Test("A correction that moves nothing but its own unit's points lists no other unit")
    func smallCorrection() throws {
        let impact = try #require(Self.measure(Self.log(), .correctionIssued(CorrectionIssued(target: .id("a11"), value: Log.s("8.5"), reason: "r"))))
        #expect(impact.unit.before.points == Score(points: 19) && impact.unit.after.points == Score("18.5")!)
        #expect(!impact.unit.rankMoved && !impact.unit.bandMoved)
        #expect(impact.others.isEmpty)
    }

    @Test("An event that touches no item has no impact")
    func noItem() {
        #expect(Self.measure(Self.log(), .unitRenamed(UnitRenamed(unit: "A", name: "Tên mới"))) == nil)
    }
}
