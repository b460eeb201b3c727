import Primitives
import Testing
import Projections
import ScoreModel

/// A tiny hand-built log: block "b", year 2023, framework items
///   1.1 (max 10), 1.2 (max 10), 2.1 survey (max 10), 2.2 penalty (min −2, max 0).
struct Log {
    var events: [Event] = []
    static let fw = Framework(id: "F", index: .par, year: 2023, block: "b", bands: [
        Band(code: "excellent", label: "Xuất sắc", min: Score(points: 90)), Band(code: "good", label: "Tốt", min: Score(points: 80)),
        Band(code: "rest", label: "Còn lại", min: .zero),
    ], areas: [
        Area(code: "1", name: "Một", criteria: [Criterion(code: "1", name: "c", items: [
            Item(code: "1.1", name: "a", max: Score(points: 10)), Item(code: "1.2", name: "b", max: Score(points: 10))])]),
        Area(code: "2", name: "Hai", criteria: [Criterion(code: "2", name: "c", items: [
            Item(code: "2.1", name: "s", max: Score(points: 10), source: .survey),
            Item(code: "2.2", name: "p", max: .zero, min: Score(points: -2))])]),
    ])
    var clock: Int64 = 1_700_000_000_000_000

    init(units: [String] = ["A"]) {
        for u in units { add(.unitRegistered(UnitRegistered(unit: UnitCode(u), name: "Đơn vị \(u)", block: "b"))) }
        add(.frameworkPublished(Self.fw))
    }

    mutating func add(_ body: EventBody, id: String? = nil) {
        clock += 60_000_000
        events.append(Event(at: BusinessTime(microsecondsSinceEpoch: clock, offsetMinutes: 420), by: "t", id: id.map { EventID($0) }, body: body))
    }
    static func key(_ unit: String, _ item: String, year: Int = 2023) -> ItemKey { ItemKey(unit: UnitCode(unit), year: year, item: ItemCode(item)) }
    static func s(_ text: String) -> ScoreValue { .score(Score(text)!) }

    mutating func selfAssess(_ u: String, _ item: String, _ v: ScoreValue, id: String? = nil) { add(.assessmentSubmitted(AssessmentSubmitted(key: Self.key(u, item), value: v)), id: id) }
    mutating func appraise(_ u: String, _ item: String, _ v: ScoreValue, round: Int, id: String? = nil) { add(.appraisalRecorded(AppraisalRecorded(key: Self.key(u, item), value: v, round: round)), id: id) }
    mutating func survey(_ u: String, _ item: String, _ v: String, id: String? = nil) { add(.surveyRecorded(SurveyRecorded(key: Self.key(u, item), score: Score(v)!)), id: id) }
    mutating func correct(_ target: EventRef, _ v: ScoreValue) { add(.correctionIssued(CorrectionIssued(target: target, value: v, reason: "r"))) }
    mutating func appeal(_ id: String, _ u: String, _ item: String, requested: String) { add(.appealFiled(AppealFiled(appeal: AppealID(id), key: Self.key(u, item), requested: Score(requested)!, grounds: "g"))) }
    mutating func resolve(_ id: String, _ outcome: AppealOutcome, _ score: String?) { add(.appealResolved(AppealResolved(appeal: AppealID(id), outcome: outcome, score: score.map { Score($0)! }, reason: "r"))) }
    mutating func publish() { add(.resultsPublished(ResultsPublished(year: 2023, block: "b"))) }

    var book: ScoreBook {
        var book = ScoreBook()
        for (i, e) in events.enumerated() { book.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: e)) }
        return book
    }
    var nextSeq: Seq { Seq(UInt64(events.count + 1)) }
    static let partition = Partition(index: .par, year: 2023, block: "b")
}

@Suite("Scoring rules (docs/CONTRACT.md: How a score is reached)")
struct ScoringRuleTests {
    @Test("No event: 0 points, status missing, but the maximum counts")
    func missing() throws {
        let log = Log()
        let e = log.book.effective(Log.key("A", "1.1"))
        #expect(e.status == .missing && e.points == .zero)
        let row = try #require(log.book.ranking(Log.partition)?.rows.first)
        #expect(row.max == Score(points: 30) && row.points == .zero && row.percent?.description == "0.00")
    }

    @Test("A self-assessment alone counts, marked self-assessed; an appraisal replaces it")
    func selfThenAppraisal() {
        var log = Log()
        log.selfAssess("A", "1.1", Log.s("9"))
        #expect(log.book.effective(Log.key("A", "1.1")).status == .selfAssessed)
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score(points: 9))
        log.appraise("A", "1.1", Log.s("7.5"), round: 1)
        log.selfAssess("A", "1.1", Log.s("10"))   // a later self-assessment does not beat an appraisal
        let e = log.book.effective(Log.key("A", "1.1"))
        #expect(e.status == .appraised && e.round == 1 && e.points == Score("7.5")!)
    }

    @Test("The highest round wins even when a lower round comes later; within a round the latest")
    func rounds() {
        var log = Log()
        log.appraise("A", "1.1", Log.s("5"), round: 1)
        log.appraise("A", "1.1", Log.s("8"), round: 2)
        log.appraise("A", "1.1", Log.s("3"), round: 1)
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score(points: 8))
        log.appraise("A", "1.1", Log.s("8.25"), round: 2)
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score("8.25")!)
    }

    @Test("A correction replaces its target's score, by id or by #seq; the latest correction of a target wins")
    func corrections() {
        var log = Log()
        log.appraise("A", "1.1", Log.s("6"), round: 1, id: "r1")
        let target = Seq(UInt64(log.events.count))
        log.correct(.id("r1"), Log.s("6.5"))
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score("6.5")!)
        log.correct(.seq(target), Log.s("7"))
        let e = log.book.effective(Log.key("A", "1.1"))
        #expect(e.points == Score(points: 7))
        #expect(e.correctedBy == Seq(UInt64(log.events.count)))
        #expect(e.source == target)
    }

    @Test("Correcting a self-assessment that an appraisal already replaced changes nothing")
    func correctionOfReplacedEvent() {
        var log = Log()
        log.selfAssess("A", "1.1", Log.s("9"), id: "s1")
        log.appraise("A", "1.1", Log.s("6"), round: 1)
        log.correct(.id("s1"), Log.s("10"))
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score(points: 6))
    }

    @Test("Not applicable leaves both sums, also when a correction makes it so")
    func notApplicable() throws {
        var log = Log()
        log.appraise("A", "1.1", Log.s("10"), round: 1)
        log.appraise("A", "1.2", .notApplicable, round: 1)
        log.survey("A", "2.1", "5")
        var row = try #require(log.book.ranking(Log.partition)?.rows.first)
        // (10 + 5 + 0) / (10 + 10 + 0): item 1.2 is out of both sums.
        #expect(row.points == Score(points: 15) && row.max == Score(points: 20) && row.percent?.description == "75.00")
        log.correct(.seq(Seq(UInt64(log.events.count - 2))), .notApplicable)   // the 1.1 appraisal
        row = try #require(log.book.ranking(Log.partition)?.rows.first)
        #expect(row.points == Score(points: 5) && row.max == Score(points: 10))
        #expect(log.book.effective(Log.key("A", "1.1")).status == .notApplicable)
    }

    @Test("Survey items take the latest survey score; penalty items subtract")
    func surveyAndPenalty() throws {
        var log = Log()
        log.survey("A", "2.1", "4")
        log.survey("A", "2.1", "6.125")
        log.appraise("A", "2.2", Log.s("-1.5"), round: 1)
        log.appraise("A", "1.1", Log.s("10"), round: 1)
        log.appraise("A", "1.2", Log.s("10"), round: 1)
        let row = try #require(log.book.ranking(Log.partition)?.rows.first)
        // 10 + 10 + 6.125 − 1.5 = 24.625 of 30 → 82.0833… → 82.08
        #expect(row.points == Score("24.625")! && row.percent?.description == "82.08")
        #expect(log.book.effective(Log.key("A", "2.1")).status == .survey)
    }

    @Test("An upheld or partial appeal sets the score; a rejected one does not; the latest resolution wins")
    func appeals() {
        var log = Log()
        log.appraise("A", "1.1", Log.s("6"), round: 1)
        log.publish()
        log.appeal("K1", "A", "1.1", requested: "9")
        #expect(log.book.openAppeals(in: Log.partition).map(\.id) == ["K1"])
        log.resolve("K1", .rejected, nil)
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score(points: 6))
        log.appeal("K2", "A", "1.1", requested: "9")
        log.resolve("K2", .partial, "7.5")
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score("7.5")!)
        #expect(log.book.effective(Log.key("A", "1.1")).status == .appealed)
        #expect(log.book.amendedAfterPublication(Log.key("A", "1.1")))
        log.appeal("K3", "A", "1.1", requested: "9")
        log.resolve("K3", .upheld, "9")
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score(points: 9))
        // A correction does not undo an appeal: the appeal rule comes after.
        log.correct(.seq(Seq(3)), Log.s("1"))
        #expect(log.book.effective(Log.key("A", "1.1")).points == Score(points: 9))
    }

    @Test("Equal percents share a rank (1, 2, 2, 4), listed by unit code; a unit with nothing applicable is unranked")
    func ties() throws {
        var log = Log(units: ["D", "C", "B", "A", "E"])
        for (u, v) in [("A", "9"), ("B", "8"), ("C", "8"), ("D", "7")] {
            log.appraise(u, "1.1", Log.s(v), round: 1)
            log.appraise(u, "1.2", .notApplicable, round: 1)
            log.survey(u, "2.1", "10")
        }
        for item in ["1.1", "1.2"] { log.appraise("E", item, .notApplicable, round: 1) }
        log.add(.correctionIssued(CorrectionIssued(target: .seq(Seq(1)), value: .notApplicable, reason: "x")))   // refers to a registration: ignored
        let ranking = try #require(log.book.ranking(Log.partition))
        let rankedRows = ranking.rows.filter { $0.percent != nil }
        #expect(rankedRows.map(\.unit.rawValue) == ["A", "B", "C", "D", "E"])
        #expect(rankedRows.map(\.rank) == [1, 2, 2, 4, 5])
        // E has only the survey item: E's percent is 0/10 → 0.00, still ranked. Make E fully not applicable:
        var only = Log(units: ["Z"])
        for item in ["1.1", "1.2"] { only.appraise("Z", item, .notApplicable, round: 1) }
        only.add(.frameworkPublished(Framework(id: "G", index: .par, year: 2024, block: "b", bands: Log.fw.bands, areas: [Log.fw.areas[0]])))
        for item in ["1.1", "1.2"] { only.add(.appraisalRecorded(AppraisalRecorded(key: Log.key("Z", item, year: 2024), value: .notApplicable, round: 1))) }
        let z = try #require(only.book.ranking(Partition(index: .par, year: 2024, block: "b"))?.rows.first)
        #expect(z.rank == nil && z.percent == nil && z.max == .zero)
    }

    @Test("Band edges: 89.995% rounds to 90.00 and is excellent; 89.99 is good")
    func bandEdges() throws {
        // Points out of max 20 (1.1 and 1.2, survey not applicable is impossible, so give it full marks and count it):
        // 17.9985 of 20 is not representable (3 decimals), so use max 30: 26.9985 → also 4 decimals.
        // Use the exact ratio 89.995% = 17999/20000: points 26.9985 of 30 is not allowed, so build it from max 20 with 1.2 not applicable:
        // 1.1 (10) + 2.1 (10): points 17.999 of 20 → 89.995 → 90.00.
        var log = Log(units: ["A", "B"])
        log.appraise("A", "1.1", Log.s("9"), round: 1); log.appraise("A", "1.2", .notApplicable, round: 1); log.survey("A", "2.1", "8.999")
        log.appraise("B", "1.1", Log.s("9"), round: 1); log.appraise("B", "1.2", .notApplicable, round: 1); log.survey("B", "2.1", "8.998")
        let ranking = try #require(log.book.ranking(Log.partition))
        let a = try #require(ranking.row("A")), b = try #require(ranking.row("B"))
        #expect(a.percent?.description == "90.00" && a.band?.code == "excellent")
        // 17.998 / 20 = 89.99 → good
        #expect(b.percent?.description == "89.99" && b.band?.code == "good")
    }

    @Test("Block mean is the mean of the 2-decimal percents, rounded half away from zero")
    func mean() throws {
        var log = Log(units: ["A", "B", "C"])
        // Percents 33.33 (1/3 of 10 of 30 → 10/30), 66.67 (20/30), 100.00 (30/30): sum 200.00 / 3 = 66.666… → 66.67
        for (u, pts) in [("A", ["10", "0", "0"]), ("B", ["10", "10", "0"]), ("C", ["10", "10", "10"])] {
            log.appraise(u, "1.1", Log.s(pts[0]), round: 1); log.appraise(u, "1.2", Log.s(pts[1]), round: 1); log.survey(u, "2.1", pts[2])
        }
        let stats = try #require(log.book.ranking(Log.partition)?.statistics)
        #expect(stats.mean?.description == "66.67")
        #expect(stats.count(of: "excellent") == 1 && stats.count(of: "rest") == 2 && stats.count(of: "good") == 0)
        #expect(stats.top == ["C"])
    }

    @Test("Provisional until published and while appeals are open; the reasons say why")
    func provisional() throws {
        var log = Log()
        log.selfAssess("A", "1.1", Log.s("5"))
        var ranking = try #require(log.book.ranking(Log.partition))
        #expect(ranking.isProvisional && ranking.provisionalReasons.contains { $0.contains("not published") })
        log.publish()
        ranking = try #require(log.book.ranking(Log.partition))
        #expect(!ranking.isProvisional)
        log.appeal("K", "A", "1.1", requested: "8")
        ranking = try #require(log.book.ranking(Log.partition))
        #expect(ranking.provisionalReasons == ["1 appeal is open: K"])
    }

    @Test("Appeals read back from a checkpoint keep each one's own grounds and reason, where the next repeats the last or differs from it")
    func appealTextsRoundTrip() throws {
        var log = Log(units: ["A", "B"])
        let texts = ["Đề nghị xem xét lại điểm", "Đề nghị xem xét lại điểm", "Thiếu minh chứng", "", "Đề nghị xem xét lại điểm", "Đề nghị xem xét lại điểm."]
        for (i, text) in texts.enumerated() {
            let id = AppealID("K\(i)")
            log.add(.appealFiled(AppealFiled(appeal: id, key: Log.key(i % 2 == 0 ? "A" : "B", "1.1"), requested: Score(points: 1), grounds: text)))
            if i != 3 { log.add(.appealResolved(AppealResolved(appeal: id, outcome: .rejected, score: nil, reason: texts[texts.count - 1 - i]))) }
        }
        let book = log.book
        let restored = try ScoreBook(serialized: book.serialized())
        for (i, text) in texts.enumerated() {
            let appeal = try #require(restored.appeals[AppealID("K\(i)")])
            #expect(Array(appeal.grounds.utf8) == Array(text.utf8), "K\(i)")
            #expect(appeal.resolution?.reason == (i != 3 ? texts[texts.count - 1 - i] : nil), "K\(i)")
            #expect(appeal == book.appeals[AppealID("K\(i)")])
        }
    }

    @Test("Same events, same figures; a checkpoint of the book gives the same figures and the same bytes")
    func determinismAndCheckpoint() throws {
        var log = Log(units: ["B", "A"])
        log.appraise("A", "1.1", Log.s("6"), round: 1, id: "x")
        log.correct(.id("x"), Log.s("7"))
        log.appeal("K", "B", "1.2", requested: "3")
        log.publish()
        let book = log.book
        #expect(book.ranking(Log.partition) == log.book.ranking(Log.partition))
        let restored = try ScoreBook(serialized: book.serialized())
        #expect(restored.ranking(Log.partition) == book.ranking(Log.partition))
        #expect(restored.serialized() == book.serialized())
        #expect(restored.openAppeals(in: Log.partition).map(\.id) == ["K"])
        // The restored book goes on folding exactly as the original would.
        var a = book, b = restored
        let more = RecordedEvent(seq: log.nextSeq, recordedAt: RecordTime(microsecondsSinceEpoch: 0),
                                 event: Event(at: BusinessTime(microsecondsSinceEpoch: 0, offsetMinutes: 0), by: "t",
                                              body: .correctionIssued(CorrectionIssued(target: .id("x"), value: Log.s("2"), reason: "r"))))
        a.apply(more); b.apply(more)
        #expect(a.serialized() == b.serialized())
        #expect(a.effective(Log.key("A", "1.1")).points == Score(points: 2))
        #expect(throws: (any Error).self) { _ = try ScoreBook(serialized: Array(book.serialized().dropLast(3))) }
    }
}
