import EventLog
import Foundation
import Ledger
import ScoreModel
import Testing

@Suite("Signed lines without a signature check")
struct SignedImportWithoutGateTests {
    @Test("An import that cannot check signatures refuses a batch.signed line, naming it, and writes nothing; a count past the file's start is refused too")
    func refused() throws {
        let dir = try LedgerImportTests.Dir()
        let before = try dir.files()
        let unit = #"{"type":"unit.registered","at":"2024-01-05T08:00:00+07:00","by":"so-noi-vu","unit":"SKHDT","name":"Sở Kế hoạch và Đầu tư","block":"department"}"#
        let signed = #"{"type":"batch.signed","at":"2024-01-05T09:00:00+07:00","by":"so-noi-vu","actor":"so-noi-vu","count":1,"signature":"\#(String(repeating: "0f", count: 64))"}"#
        var options = LogOptions()
        options.durable = false
        #expect { try Ledger.importEvents([ImportSource(name: "s.jsonl", bytes: Array((unit + "\n" + signed + "\n").utf8))], into: dir.path, options: options) }
            throws: { "\($0)".contains("s.jsonl:2") && "\($0)".contains("cannot check signatures") }
        let tooMany = signed.replacingOccurrences(of: "\"count\":1", with: "\"count\":2")
        #expect { try Ledger.importEvents([ImportSource(name: "s.jsonl", bytes: Array((unit + "\n" + tooMany + "\n").utf8))], into: dir.path, options: options) }
            throws: { "\($0)".contains("s.jsonl:2: field \"count\"") && "\($0)".contains("only 1 precede it") }
        #expect(try dir.files() == before)
    }
}
