import Primitives
import DataGen
import EventLog
import Foundation
import Ledger
import Projections
import ScoreModel
import Testing

/// The replay's hot path (fold records, `ScoreBook.Folder`) against the
/// event path (`Ledger.replay` and `ScoreBook.apply`): the same log must
/// give the same book, byte for byte, whichever path read it.
@Suite("Fold replay")
struct FoldReplayTests {
    /// A log of these events in small frames (4 KiB plain) and segments, so
    /// that a replay spreads its frames over every decoding lane.
    final class Log {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-fold-\(UUID().uuidString)").path
        init(_ events: [Event], frame: Int = 4 << 10, batch: Int = 300) throws {
            try LogWriter.create(directory: path)
            var options = LogOptions()
            options.framePlainLimit = frame
            options.segmentSizeLimit = 256 << 10
            options.durable = false
            let writer = try LogWriter(directory: path, options: options)
            let payloads = events.map { EventCodec.encode($0) }
            var start = 0
            while start < payloads.count {
                _ = try writer.append(Array(payloads[start..<min(start + batch, payloads.count)]))
                start += batch
            }
        }
        init(payloads: [[UInt8]]) throws {
            try LogWriter.create(directory: path)
            var options = LogOptions()
            options.framePlainLimit = 256
            options.durable = false
            let writer = try LogWriter(directory: path, options: options)
            for p in payloads { _ = try writer.append([p]) }
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static func national(revisions: Int, seed: UInt64) throws -> [Event] {
        var out: [Event] = []
        try NationalDataSet(provinces: 3, unitsPerProvince: 12, items: 20, years: 2022...2023, seed: seed, revisions: revisions)
            .generate { out.append($0) }
        return out
    }

    /// The book by the event path, from `book` on.
    static func byEvents(_ reader: LogReader, _ book: ScoreBook = ScoreBook(), from: Seq = Seq(1), limit: ReplayLimit = .head) throws -> ScoreBook {
        var book = book
        try Ledger.replay(reader, from: from, limit: limit, prose: false) { book.apply($0) }
        return book
    }

    /// The book by the fold path, from `book` on.
    static func byFold(_ reader: LogReader, _ book: ScoreBook = ScoreBook(), from: Seq = Seq(1), through: Seq? = nil) throws -> ScoreBook {
        var book = book
        var folder = ScoreBook.Folder()
        try Ledger.replayFold(reader, from: from, through: through) { folder.apply($0, to: &book) }
        return book
    }

    static func expectSame(_ a: ScoreBook, _ b: ScoreBook, _ what: String) {
        #expect(a.lastSeq == b.lastSeq, "\(what): last seq")
        #expect(a.serialized() == b.serialized(), "\(what): the books' bytes differ")
        #expect(a.dirty == b.dirty, "\(what): dirty partitions")
    }

    @Test("An interleaved national history with 20× the corrections and appeals gives the same book both ways: whole, as a prefix, and resumed from a book of a prefix")
    func nationalSameBook() throws {
        let events = try Self.national(revisions: 20, seed: 11)
        #expect(events.contains { if case .correctionIssued(let c) = $0.body, case .id = c.target { true } else { false } },
                "corrections by id are exercised")
        #expect(events.contains { $0.type == .appealResolved } && events.contains { $0.id != nil })
        let log = try Log(events, frame: 2 << 10, batch: 100)
        let reader = try LogReader(directory: log.path)
        let frames = try { var n = 0; try reader.forEachFrame { _, _ in n += 1 }; return n }()
        #expect(frames > 100, "\(frames) frames: every lane takes many")

        let whole = try Self.byEvents(reader)
        #expect(whole.lastSeq == Seq(UInt64(events.count)))
        Self.expectSame(whole, try Self.byFold(reader), "whole log")

        let cut = Seq(UInt64(events.count * 3 / 5))
        let prefix = try Self.byEvents(reader, limit: .seq(cut))
        Self.expectSame(prefix, try Self.byFold(reader, through: cut), "prefix through \(cut.label)")

        // A book read back from a checkpoint of the prefix, then the rest: what an incremental run does.
        var resumed = try ScoreBook(serialized: prefix.serialized())
        resumed.markClean()
        var reference = prefix
        reference.markClean()
        Self.expectSame(try Self.byEvents(reader, reference, from: cut.next), try Self.byFold(reader, resumed, from: cut.next),
                        "resumed after \(cut.label)")
    }

    static let longA = "LONG-UNIT-CODE-A-XXXXXXXX", longB = "LONG-UNIT-CODE-B-XXXXXXXX"

    @Test("Events the importer would refuse are ignored alike: an unregistered unit, an unknown item or partition, a lower round, a strange year; ids and corrections by id count alike")
    func handBuiltSameBook() throws {
        let at = BusinessTime(microsecondsSinceEpoch: 1_700_000_000_000_000, offsetMinutes: 420)
        func e(_ body: EventBody, id: String? = nil) -> Event { Event(at: at, by: "council", id: id.map(EventID.init), body: body) }
        func framework(_ year: Int, items: [String]) -> Framework {
            Framework(id: FrameworkID("F\(year)"), index: "PAR", year: year, block: "B", decision: nil, bands: [],
                      areas: [Area(code: AreaCode("A"), name: "A", criteria: [Criterion(code: CriterionCode("C"), name: "C",
                              items: items.map { Item(code: ItemCode($0), name: $0, max: Score(thousandths: 5000)) })])])
        }
        func key(_ unit: String, _ item: String, year: Int = 2023) -> ItemKey { ItemKey(unit: UnitCode(unit), index: "PAR", year: year, item: ItemCode(item)) }
        func score(_ t: Int64) -> ScoreValue { .score(Score(thousandths: t)) }
        var events: [Event] = [
            e(.assessmentSubmitted(AssessmentSubmitted(key: key("U1", "1.1"), value: score(1000), evidence: []))),   // unit not yet registered
            e(.unitRegistered(UnitRegistered(unit: "U1", name: "Unit 1", block: "B"))),
            e(.assessmentSubmitted(AssessmentSubmitted(key: key("U1", "1.1"), value: score(1000), evidence: []))),   // no framework yet
            e(.frameworkPublished(framework(2023, items: ["1.1", "1.2", "1.1", "2.1"]))),                            // a repeated code
            e(.unitRegistered(UnitRegistered(unit: "U2", name: "Unit 2", block: "B"))),
            // Longer than 16 bytes, the same first and last eight: told apart by the bytes between.
            e(.unitRegistered(UnitRegistered(unit: UnitCode(Self.longA), name: "Long A", block: "B"))),
            e(.unitRegistered(UnitRegistered(unit: UnitCode(Self.longB), name: "Long B", block: "B"))),
        ]
        for round in 0..<40 {
            for unit in ["U1", "U2", Self.longA, Self.longB] {
                let t = Int64(round * 100 + (unit == Self.longB ? 7 : 0))
                events.append(e(.assessmentSubmitted(AssessmentSubmitted(key: key(unit, "1.1"), value: round % 7 == 0 ? .notApplicable : score(t),
                                                                         evidence: ["file \(round).pdf"], note: "n")), id: "\(unit)-s-\(round)"))
                events.append(e(.appraisalRecorded(AppraisalRecorded(key: key(unit, "1.2"), value: score(t + 1), round: round % 3 == 0 ? 2 : 1,
                                                                     note: round % 2 == 0 ? "note" : nil)), id: "\(unit)-a-\(round)"))
                events.append(e(.appraisalRecorded(AppraisalRecorded(key: key(unit, "1.1"), value: .notApplicable, round: 1))))
                events.append(e(.surveyRecorded(SurveyRecorded(key: key(unit, "2.1"), score: Score(thousandths: t + 2), respondents: round % 2 == 0 ? 30 : nil))))
                events.append(e(.explanationSubmitted(ExplanationSubmitted(key: key(unit, "1.2"), text: "why \(round)", evidence: ["x"]))))
                events.append(e(.assessmentSubmitted(AssessmentSubmitted(key: key(unit, "9.9"), value: score(1), evidence: []))))      // not in the framework
                events.append(e(.assessmentSubmitted(AssessmentSubmitted(key: key(unit, "1.1", year: 2022), value: score(1), evidence: []))))   // no framework
                events.append(e(.assessmentSubmitted(AssessmentSubmitted(key: key(unit, "1.1", year: 70_000), value: score(1), evidence: []))))
                events.append(e(.assessmentSubmitted(AssessmentSubmitted(key: key(unit, "1.1", year: -3), value: score(1), evidence: []))))
                events.append(e(.assessmentSubmitted(AssessmentSubmitted(key: key("U9", "1.1"), value: score(1), evidence: []))))       // never registered
                if round % 5 == 4 {
                    events.append(e(.correctionIssued(CorrectionIssued(target: .id(EventID("\(unit)-a-\(round - 1)")), value: score(77), reason: "r"))))
                    events.append(e(.correctionIssued(CorrectionIssued(target: .seq(Seq(UInt64(events.count - 3))), value: .notApplicable, reason: "r"))))
                    events.append(e(.unitRenamed(UnitRenamed(unit: UnitCode(unit), name: "Renamed \(round)"))))
                }
                if round == 20 {
                    events.append(e(.appealFiled(AppealFiled(appeal: AppealID("AP-\(unit)"), key: key(unit, "1.2"), requested: Score(thousandths: 4000), grounds: "g"))))
                    events.append(e(.appealResolved(AppealResolved(appeal: AppealID("AP-\(unit)"), outcome: .partial, score: Score(thousandths: 3500), reason: "r"))))
                }
            }
            if round == 30 { events.append(e(.frameworkPublished(framework(2022, items: ["1.1"])))) }   // the 2022 events count from here on
        }
        events.append(e(.resultsPublished(ResultsPublished(index: "PAR", year: 2023, block: "B"))))
        let log = try Log(events, frame: 512, batch: 7)
        let reader = try LogReader(directory: log.path)
        let byEvents = try Self.byEvents(reader)
        #expect(byEvents.effective(key("U1", "1.2")).status == .appealed)
        #expect(byEvents.ledger(key("U2", "1.1"))?.lineage.count ?? 0 > 40, "the items were folded, not ignored")
        Self.expectSame(byEvents, try Self.byFold(reader), "hand-built log")
        #expect(byEvents.effective(key(Self.longA, "1.2")) != byEvents.effective(key(Self.longB, "1.2")))
        for item in ["1.1", "1.2", "2.1"] {
            for unit in ["U1", "U2", Self.longA, Self.longB] {
                #expect(try Self.byFold(reader).ledger(key(unit, item)) == byEvents.ledger(key(unit, item)), "\(unit) \(item)")
            }
        }
    }

    @Test("A record that cannot be decoded stops the fold replay naming its seq, as the event replay does; an item record cut short, a stray byte, bad UTF-8 in a code")
    func undecodable() throws {
        let good = EventCodec.encode(Event(at: BusinessTime(microsecondsSinceEpoch: 0, offsetMinutes: 0), by: "c",
                                           body: .assessmentSubmitted(AssessmentSubmitted(key: ItemKey(unit: "U1", index: "PAR", year: 2023, item: "1.1"),
                                                                                          value: .score(Score(thousandths: 5)), evidence: []))))
        var badUTF8 = good
        let u1 = badUTF8.firstIndex(of: UInt8(ascii: "U"))!
        badUTF8[u1] = 0xFF
        for (bad, says) in [(Array(good.dropLast()), "cut short"), (good + [0], "1 stray bytes"), (badUTF8, "invalid UTF-8"),
                            ([1, 99, 0], "unknown type tag 99"), ([9, 3, 0], "record version 9")] {
            let log = try Log(payloads: Array(repeating: good, count: 40) + [bad] + Array(repeating: good, count: 5))
            let reader = try LogReader(directory: log.path)
            var eventMessage = "", foldMessage = ""
            do { try Ledger.replay(reader, prose: false) { _ in } } catch { eventMessage = "\(error)" }
            var handed: [UInt64] = []
            do { try Ledger.replayFold(reader) { batch in handed += batch.records.map(\.seq) } } catch { foldMessage = "\(error)" }
            #expect(foldMessage.contains("event #41 cannot be decoded") && foldMessage.contains(says) && foldMessage.contains("parledger verify"),
                    "\(foldMessage)")
            #expect(foldMessage == eventMessage)
            #expect(handed == Array(1...UInt64(handed.count)) && handed.count <= 40, "only events before the bad one, in order")
        }
    }
}
