import EventLog
import Foundation
import Ledger
import ScoreModel
import Testing

/// One event may not grow without bound: the limits are refused naming the
/// line and the field, and nothing is imported.
@Suite("Limits per event")
struct EventLimitTests {
    static let setup = [
        #"{"type":"unit.registered","at":"2023-01-05T08:00:00+07:00","by":"so-noi-vu","unit":"SKHDT","name":"Sở Kế hoạch và Đầu tư","block":"department"}"#,
        #"{"type":"framework.published","at":"2023-03-15T08:00:00+07:00","by":"ubnd","framework":"F","index":"PAR","year":2023,"block":"department","bands":[{"code":"excellent","label":"Xuất sắc","min":90},{"code":"rest","label":"Khác","min":0}],"areas":[{"code":"1","name":"Chỉ đạo","criteria":[{"code":"1.1","name":"Kế hoạch","items":[{"code":"1.1.1","name":"Ban hành kế hoạch","max":10}]}]}]}"#,
    ]
    static func assessment(evidence: [String]) -> String {
        let list = evidence.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"type":"assessment.submitted","at":"2023-12-10T08:00:00+07:00","by":"skhdt","unit":"SKHDT","year":2023,"item":"1.1.1","score":9,"evidence":[\#(list)]}"#
    }

    @Test("Too many pieces of evidence, one too long, an empty one, a line over 1 MiB: refused with line and field, nothing written", arguments: [
        (assessment(evidence: (1...101).map { "QĐ \($0)" }), "field \"evidence\": 101 entries: an event holds at most 100 pieces of evidence"),
        (assessment(evidence: ["QĐ 1", String(repeating: "x", count: 2_001)]), "field \"evidence[1]\": 2001 bytes: a piece of evidence is at most 2000 bytes"),
        (assessment(evidence: [""]), "field \"evidence[0]\": must not be empty"),
        (assessment(evidence: []).replacingOccurrences(of: #""score":9"#, with: #""note":"\#(String(repeating: "n", count: 1 << 20))","score":9"#),
         "the line is 1048"),
    ])
    func refused(line: String, message: String) throws {
        let dir = try LedgerImportTests.Dir()
        _ = try Ledger.importEvents([ImportSource(name: "setup.jsonl", bytes: Array(Self.setup.joined(separator: "\n").utf8))], into: dir.path)
        let before = try dir.files()
        #expect {
            _ = try Ledger.importEvents([ImportSource(name: "big.jsonl", bytes: Array(line.utf8))], into: dir.path)
        } throws: { error in "\(error)".contains("big.jsonl:1: \(message)") }
        #expect(try dir.files() == before)
    }

    @Test("At the limits the event is accepted")
    func atTheLimits() throws {
        let dir = try LedgerImportTests.Dir()
        let line = Self.assessment(evidence: (1...100).map { _ in String(repeating: "x", count: 2_000) })
        let report = try Ledger.importEvents([ImportSource(name: "ok.jsonl", bytes: Array((Self.setup + [line]).joined(separator: "\n").utf8))], into: dir.path)
        #expect(report.appended == 3)
    }
}
