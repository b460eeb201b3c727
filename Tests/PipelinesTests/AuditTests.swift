import Primitives
import DataGen
import EventLog
import Foundation
import Ledger
import Pipelines
import Projections
import ScoreModel
import Testing

/// One item's score walks through the whole cycle; the audit commands show
/// every step, and replay as of any moment gives that moment's value.
@Suite("Audit: explain, history, time travel, snapshot verification, what-if, diff")
struct AuditTests {
    static let lines: [String] = [
        #"{"type":"unit.registered","at":"2023-01-05T08:00:00+07:00","by":"so-noi-vu","unit":"SKHDT","name":"Sở Kế hoạch và Đầu tư","block":"department"}"#,
        #"{"type":"framework.published","at":"2023-03-15T08:00:00+07:00","by":"ubnd","framework":"F","index":"PAR","year":2023,"block":"department","bands":[{"code":"excellent","label":"Xuất sắc","min":90},{"code":"rest","label":"Khác","min":0}],"areas":[{"code":"1","name":"Chỉ đạo","criteria":[{"code":"1.1","name":"Kế hoạch","items":[{"code":"1.1.1","name":"Ban hành kế hoạch","max":10},{"code":"1.1.2","name":"Thực hiện","max":10}]}]}]}"#,
        #"{"type":"assessment.submitted","at":"2023-12-10T08:00:00+07:00","by":"skhdt","id":"self","unit":"SKHDT","year":2023,"item":"1.1.1","score":10,"evidence":["QĐ 12/QĐ-SKHDT"]}"#,
        #"{"type":"appraisal.recorded","at":"2024-01-10T08:00:00+07:00","by":"council","id":"r1","unit":"SKHDT","year":2023,"item":"1.1.1","score":6,"round":1,"note":"Thiếu tài liệu"}"#,
        #"{"type":"explanation.submitted","at":"2024-01-20T08:00:00+07:00","by":"skhdt","unit":"SKHDT","year":2023,"item":"1.1.1","text":"Bổ sung công văn 45"}"#,
        #"{"type":"appraisal.recorded","at":"2024-02-01T08:00:00+07:00","by":"council","id":"r2","unit":"SKHDT","year":2023,"item":"1.1.1","score":8,"round":2}"#,
        #"{"type":"appraisal.recorded","at":"2024-02-01T09:00:00+07:00","by":"council","unit":"SKHDT","year":2023,"item":"1.1.2","score":9,"round":1}"#,
        #"{"type":"results.published","at":"2024-02-19T14:00:00+07:00","by":"ubnd","year":2023,"block":"department"}"#,
        #"{"type":"correction.issued","at":"2024-03-01T08:00:00+07:00","by":"ubnd","target":"r2","score":8.5,"reason":"Sai sót tổng hợp"}"#,
        #"{"type":"appeal.filed","at":"2024-03-05T08:00:00+07:00","by":"skhdt","appeal":"KN-1","unit":"SKHDT","year":2023,"item":"1.1.1","requested":9.5,"grounds":"Đủ hồ sơ"}"#,
        #"{"type":"appeal.resolved","at":"2024-03-12T08:00:00+07:00","by":"council","appeal":"KN-1","outcome":"upheld","score":9.5,"reason":"Chấp nhận"}"#,
    ]
    /// The item's value after each line (nil: the line does not touch 1.1.1).
    static let after: [String?] = [nil, nil, "10", "6", "6", "8", nil, nil, "8.5", "8.5", "9.5"]
    static let key = ItemKey(unit: "SKHDT", year: 2023, item: "1.1.1")

    final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-audit-\(UUID().uuidString)").path
        var log: String { path + "/events" }
        init(_ lines: [String]) throws {
            try LogWriter.create(directory: log)
            _ = try Ledger.importEvents([ImportSource(name: "a.jsonl", bytes: Array(lines.joined(separator: "\n").utf8))], into: log)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test("history shows every step with the value after it; explain shows the tree and the events behind the item")
    func historyAndExplain() throws {
        let s = try Scratch(Self.lines)
        let book = try PipelineRunner.replay(log: s.log, limit: .head).book
        let events = try PipelineRunner.events(log: s.log, seqs: Set(book.ledger(Self.key)!.lineage))
        let history = try #require(book.history(Self.key) { events[$0] })
        #expect(history.map(\.line.seq.rawValue) == [3, 4, 5, 6, 9, 10, 11])
        #expect(history.map { $0.after.points.description } == ["10", "6", "6", "8", "8.5", "8.5", "9.5"])
        #expect(history.map(\.after.status) == [.selfAssessed, .appraised, .appraised, .appraised, .appraised, .appraised, .appealed])
        #expect(history[4].line.role == "corrects #6")
        let x = try #require(book.explain(unit: "SKHDT", year: 2023) { events[$0] })
        // The arithmetic adds up: 9.5 + 9 = 18.5 of 20 = 92.50%.
        #expect(x.points == Score("18.5")! && x.max == Score(points: 20) && x.percent?.description == "92.50" && x.band?.code == "excellent")
        let item = try #require(x.areas.first?.criteria.first?.items.first)
        #expect(item.amendedAfterPublication)
        #expect(item.events.first { $0.seq == Seq(6) }?.role.contains("superseded by #11; corrected by #9 to 8.5") == true)
        #expect(item.events.first { $0.seq == Seq(11) }?.role == "appeal KN-1 upheld: counts")
        #expect(item.events.first { $0.seq == Seq(4) }?.text == "Thiếu tài liệu")
    }

    @Test("Replay as of each step, by seq and by business time, gives the value of that moment", arguments: 1...11)
    func timeTravel(step: Int) throws {
        let s = try Scratch(Self.lines)
        let expected = Self.after[..<step].compactMap { $0 }.last ?? "0"
        let bySeq = try PipelineRunner.replay(log: s.log, limit: .seq(Seq(UInt64(step)))).book
        #expect(bySeq.effective(Self.key).points.description == expected)
        let at = Self.lines[step - 1].split(separator: "\"").firstIndex(of: "at").map { Self.lines[step - 1].split(separator: "\"")[$0 + 2] }!
        guard case .success(let time) = RFC3339.parse(String(at)) else { Issue.record("time"); return }
        let byTime = try PipelineRunner.replay(log: s.log, limit: .asOf(time)).book
        // Lines 6 and 7 share no instant, so the value as of line N's time is the value after line N.
        #expect(byTime.effective(Self.key).points.description == expected)
    }

    static func demoScratch() throws -> (Scratch, PipelineSpec) {
        let s = try Scratch(DemoProvince.events().map { EventJSON.encode($0) })
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url = url.deletingLastPathComponent() }
        return (s, try PipelineRunner.load(url.appendingPathComponent("pipelines/nightly.yaml").path))
    }

    @Test("verify-snapshot passes on an untouched snapshot and names an edited file, an edited manifest, a rewritten log, another config")
    func verifySnapshot() throws {
        let (s, spec) = try Self.demoScratch()
        let out = s.path + "/snap"
        _ = try PipelineRunner.run(spec, log: s.log, out: out)
        #expect(try SnapshotVerifier.verify(snapshot: out, spec: spec, log: s.log).ok)

        // An edited CSV (someone "fixed" a name in a spreadsheet).
        let csv = out + "/ranking/PAR-2023-district.csv"
        let original = try Data(contentsOf: URL(fileURLWithPath: csv))
        try Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "90.79", with: "91.79").utf8).write(to: URL(fileURLWithPath: csv))
        var report = try SnapshotVerifier.verify(snapshot: out, spec: spec, log: s.log)
        #expect(report.problems.map(\.kind) == [.fileEdited] && report.problems[0].path == "ranking/PAR-2023-district.csv")
        try original.write(to: URL(fileURLWithPath: csv))

        // An edited manifest: a file's hash replaced to match an edited file.
        let manifestURL = URL(fileURLWithPath: out + "/manifest.json")
        let manifest = try Data(contentsOf: manifestURL)
        var m = try Manifest.parse([UInt8](manifest), file: "m")
        m.files[0].sha256 = String(repeating: "0", count: 64)
        try Data(m.serialized()).write(to: manifestURL)
        report = try SnapshotVerifier.verify(snapshot: out, spec: spec, log: s.log)
        #expect(report.problems.contains { $0.kind == .fileEdited && $0.path == m.files[0].path })
        #expect(report.problems.contains { $0.kind == .contentDiffers && $0.path == m.files[0].path })
        try manifest.write(to: manifestURL)

        // Another pipeline config.
        var other = spec
        other.awards.removeLast()
        report = try SnapshotVerifier.verify(snapshot: out, spec: other, log: s.log)
        #expect(report.problems.contains { $0.kind == .configChanged })

        // The log rewritten: a valid log (every CRC right) with one score changed.
        try FileManager.default.removeItem(atPath: s.log)
        try LogWriter.create(directory: s.log)
        var events = DemoProvince.events()
        if case .surveyRecorded(var survey) = events[100].body {
            survey.score = survey.score - Score(thousandths: 10)
            events[100].body = .surveyRecorded(survey)
        }
        _ = try Ledger.importEvents([ImportSource(name: "x", bytes: Array(events.map { EventJSON.encode($0) + "\n" }.joined().utf8))], into: s.log)
        #expect(try LogVerifier.verify(directory: s.log).events == UInt64(events.count), "the forged log is itself valid")
        report = try SnapshotVerifier.verify(snapshot: out, spec: spec, log: s.log)
        #expect(report.problems.map(\.kind) == [.logRewritten])
        #expect(report.problems[0].detail.contains("rewritten after the snapshot"))
    }

    @Test("What-if on the demo: one open appeal changes ranks, the other changes nothing")
    func whatIf() throws {
        var book = ScoreBook()
        for (i, e) in DemoProvince.events().enumerated() {
            book.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: e))
        }
        let p = Partition(index: .par, year: 2023, block: "department")
        let today = try #require(book.ranking(p))
        let open = book.openAppeals(in: p)
        #expect(open.count == 2)
        var changed: [Int] = []
        for appeal in open {
            let after = try #require(book.assumingUpheld(appeal.id)?.ranking(p))
            changed.append(today.rows.filter { row in after.row(row.unit)?.rank != row.rank || after.row(row.unit)?.band != row.band }.count)
            #expect(after.rows[0].unit == "SKHDT")
            // The what-if projection says the same, and names the units.
            let w = try #require(book.whatIf(appeal: appeal.id, rules: []))
            #expect(w.partition == p && w.today == today && w.ifUpheld == after)
            #expect(w.changed == Set(today.rows.filter { after.row($0.unit)?.rank != $0.rank || after.row($0.unit)?.band != $0.band }.map(\.unit)))
        }
        #expect(changed.sorted() == [0, 2])
        #expect(book.whatIf(appeal: "KN-NONE", rules: []) == nil)
    }

    @Test("diff between the ranking as announced and today shows what the appeal and the correction changed")
    func diff() throws {
        let (s, spec) = try Self.demoScratch()
        let book = try PipelineRunner.replay(log: s.log, limit: .head).book
        let publication = try #require(book.published[Partition(index: .par, year: 2023, block: "district")])
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/announced", limit: .seq(publication.seq))
        _ = try PipelineRunner.run(spec, log: s.log, out: s.path + "/now")
        let changes = try SnapshotDiff.diff(s.path + "/announced", s.path + "/now")
        #expect(changes.contains { $0.file == "ranking/PAR-2023-department.json" && $0.unit == "STNMT" && $0.field == "band" && $0.after == "excellent" })
        #expect(changes.contains { $0.file == "ranking/PAR-2023-department.json" && $0.unit == "SYT" && $0.field == "rank" })
        #expect(!changes.contains { $0.file.contains("2022") && $0.field == "rank" }, "2022 rankings did not change after 2023's publication")
        #expect(try SnapshotDiff.diff(s.path + "/now", s.path + "/now").isEmpty)
    }
}
