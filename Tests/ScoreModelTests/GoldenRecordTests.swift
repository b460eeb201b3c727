import Foundation
import ScoreModel
import Testing

/// The record format pinned byte for byte: one event of every type (every
/// optional field, not-applicable values, a framework with a ranking rule),
/// each with the exact record bytes committed beside it. A change of
/// format can only be deliberate: it changes these files, and docs/RECORDS.md.
///
/// To write the files anew after a deliberate change:
/// `PARLEDGER_WRITE_GOLDEN=1 swift test --filter GoldenRecordTests`, then
/// review the diff.
@Suite("Golden bytes: records")
struct GoldenRecordTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let events = folder.appendingPathComponent("golden-events.jsonl")
    static let records = folder.appendingPathComponent("golden-records.hex")

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func unhex(_ text: Substring) -> [UInt8] {
        var out: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex { let j = text.index(i, offsetBy: 2); out.append(UInt8(text[i..<j], radix: 16)!); i = j }
        return out
    }

    @Test("Every event type encodes to the committed bytes, and the committed bytes decode to the event")
    func pinned() throws {
        let lines = try String(contentsOf: Self.events, encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try EventJSON.decode(line: String($0)) }
        #expect(Set(events.map(\.type)) == Set(EventType.allCases), "one event of every type at least")
        let encoded = events.map { Self.hex(EventCodec.encode($0)) }
        if ProcessInfo.processInfo.environment["PARLEDGER_WRITE_GOLDEN"] == "1" {
            try (encoded.joined(separator: "\n") + "\n").write(to: Self.records, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.records, encoding: .utf8).split(separator: "\n")
        #expect(committed.count == events.count)
        var decoder = RecordDecoder()
        for (i, event) in events.enumerated() where i < committed.count {
            #expect(encoded[i] == String(committed[i]), "line \(i + 1) (\(event.type.rawValue)): the record format changed")
            let back = try Self.unhex(committed[i]).withUnsafeBytes { try decoder.decode($0) }
            #expect(back == event, "line \(i + 1): the committed record no longer decodes to its event")
        }
        // Version byte and type tag, as docs/RECORDS.md lists them.
        let heads = committed.map { Self.unhex($0).prefix(2).map { Int($0) } }
        #expect(heads.map { $0[1] } == [0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 7, 8, 9, 9, 10, 11, 12, 13])
        #expect(heads.map { $0[0] } == [1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3], "version 2 only for the framework with a ranking rule, 3 for the actor and signature records")
    }
}
