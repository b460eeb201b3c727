import DataGen
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

    @Test("More unsigned events than one signature may cover import whole; past the hold limit a refused event is still named by its line, and a signature reaching back over released events is refused; nothing is written")
    func pastTheHoldLimit() throws {
        // Events are held for a signature that may follow them, up to the limit; past it the oldest half is validated as unsigned.
        var events: [Event] = []
        try NationalDataSet(provinces: 4, unitsPerProvince: 130, items: 80, years: 2018...2023, seed: 5, revisions: 1).generate { events.append($0) }
        let limit = Ledger.maxEventsPerSignature
        try #require(events.count > limit + limit / 2 + 1_000, "\(events.count) events: too few to pass the hold limit twice")
        func jsonl(_ events: [Event]) -> [UInt8] {
            var bytes: [UInt8] = []
            for e in events { bytes += Array(EventJSON.encode(e).utf8); bytes.append(0x0A) }
            return bytes
        }
        var options = LogOptions()
        options.durable = false

        // One event near the end names a unit no one registered; a signature at the end claims more events than are held.
        var bad = events
        let k = try #require(bad.indices.reversed().dropFirst(100).first { if case .assessmentSubmitted = bad[$0].body { true } else { false } })
        guard case .assessmentSubmitted(var a) = bad[k].body else { return }
        a.key.unit = UnitCode("KHONG-CO")
        bad[k].body = .assessmentSubmitted(a)
        var bytes = jsonl(bad)
        let signed = #"{"type":"batch.signed","at":"2024-01-05T09:00:00+07:00","by":"so-noi-vu","actor":"so-noi-vu","count":\#(limit + 1),"signature":"\#(String(repeating: "0f", count: 64))"}"#
        bytes += Array((signed + "\n").utf8)
        let dir = try LedgerImportTests.Dir()
        let before = try dir.files()
        var message = ""
        do { _ = try Ledger.importEvents([ImportSource(name: "x.jsonl", bytes: bytes)], into: dir.path, options: options) } catch { message = "\(error)" }
        #expect(message.contains("x.jsonl:\(k + 1)"), "the refused event's line is not named: \(message)")
        #expect(message.contains("x.jsonl:\(bad.count + 1): field \"count\"") && message.contains("holds at most \(limit) events"), "\(message)")
        #expect(try dir.files() == before)

        // The same file without them: every event imported, in order.
        let report = try Ledger.importEvents([ImportSource(name: "x.jsonl", bytes: jsonl(events))], into: dir.path, options: options)
        #expect(report.appended == events.count)
        var seen: [Event] = []
        seen.reserveCapacity(events.count)
        try Ledger.replay(directory: dir.path) { seen.append($0.event) }
        #expect(seen == events)
    }
}
