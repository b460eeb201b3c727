import Testing
import ScoreModel

/// actor.registered, actor.revoked and batch.signed as JSON lines and binary
/// records (docs/RECORDS.md, version 3), and the role rules.
@Suite("Actor events and roles")
struct ActorEventTests {
    static let key = "council-dt+8b2a1f0c+AejhE7i0pG4bFz0Nx8cQmXo1GdrzL2wJjv0kq1Q0b+Y/"
    static let register = #"{"type":"actor.registered",\#(Fixture.at),"by":"so-noi-vu","actor":"council-dt","name":"Hội đồng thẩm định","roles":["council"],"block":"department","index":"PAR","key":"\#(key)"}"#
    static let revoke = #"{"type":"actor.revoked",\#(Fixture.at),"by":"so-noi-vu","actor":"council-dt","from":"2024-01-01T00:00:00+07:00","reason":"khoá bị lộ"}"#
    static let signed = #"{"type":"batch.signed",\#(Fixture.at),"by":"council-dt","actor":"council-dt","count":2,"signature":"\#(String(repeating: "ab", count: 64))"}"#

    @Test("The new events round-trip through JSON and the binary record, as version 3 records", arguments: [register, revoke, signed])
    func roundTrip(_ line: String) throws {
        let event = try EventJSON.decode(line: line)
        #expect(EventJSON.encode(event) == line)
        let bytes = EventCodec.encode(event)
        #expect(bytes[0] == 3)
        var decoder = RecordDecoder()
        #expect(try bytes.withUnsafeBytes { try decoder.decode($0) } == event)
    }

    @Test("The documented bytes of a batch.signed record")
    func documentedBytes() throws {
        let event = Event(at: BusinessTime(microsecondsSinceEpoch: 0, offsetMinutes: 0), by: "a",
                          body: .batchSigned(BatchSigned(actor: "a", count: 2, signature: Array(repeating: 7, count: 64))))
        #expect(EventCodec.encode(event) == [3, 13, 0, 0, 0, 1, 0x61, 1, 0x61, 2, 64] + Array(repeating: 7, count: 64))
    }

    @Test("Old records keep their bytes; a new type tag in a version 1 or 2 record is refused")
    func oldRecords() throws {
        let old = try EventJSON.decode(line: Fixture.assess)
        #expect(EventCodec.encode(old)[0] == 1)
        var bytes = EventCodec.encode(try EventJSON.decode(line: Self.revoke))
        bytes[0] = 2
        var decoder = RecordDecoder()
        #expect { try bytes.withUnsafeBytes { try decoder.decode($0) } } throws: { "\($0)".contains("needs version 3") }
    }

    @Test("Bad actor lines name the field", arguments: [
        (register.replacingOccurrences(of: #"["council"]"#, with: #"["mayor"]"#), "roles[0]"),
        (register.replacingOccurrences(of: #"["council"]"#, with: "[]"), "roles"),
        (register.replacingOccurrences(of: #""block":"department","#, with: ""), "block"),
        (register.replacingOccurrences(of: key, with: "PRIVATE+KEY+council-dt+8b2a1f0c+AejhE7i0p"), "key"),
        (signed.replacingOccurrences(of: "\"count\":2", with: "\"count\":0"), "count"),
        (signed.replacingOccurrences(of: "abab", with: "zz"), "signature"),
    ])
    func badLines(_ line: String, _ field: String) {
        #expect { _ = try EventJSON.decode(line: line) } throws: { ($0 as? EventJSON.LineError)?.field == field }
    }

    @Test("Role rules: a council appraises in its block, never its own unit; a unit writes only its own items")
    func roles() throws {
        var state = try Fixture.state(Fixture.units + [Fixture.framework, Self.register])
        let appraisal = try EventJSON.decode(line: Fixture.appraise)
        #expect(state.roleProblem(appraisal, signer: "council-dt") == nil)
        #expect(state.roleProblem(appraisal, signer: "nobody")?.rule == "unknown actor")
        let unitLine = Self.register.replacingOccurrences(of: "council-dt", with: "skhdt").replacingOccurrences(of: #"["council"]"#, with: #"["unit","council"]"#)
            .replacingOccurrences(of: #""block""#, with: #""unit":"SKHDT","block""#).replacingOccurrences(of: "8b2a1f0c+Aej", with: "8b2a1f0c+Bej")
        let result = state.validate(try Fixture.decode([unitLine]), file: "u.jsonl")
        #expect(result.isValid, "\(result.issues)")
        #expect(state.roleProblem(appraisal, signer: "skhdt")?.rule == "own unit")
        #expect(state.roleProblem(try EventJSON.decode(line: Fixture.assess), signer: "skhdt") == nil)
        #expect(state.roleProblem(try EventJSON.decode(line: Fixture.assess.replacingOccurrences(of: "SKHDT", with: "SYT")), signer: "skhdt")?.rule == "scope")
        #expect(state.roleProblem(try EventJSON.decode(line: Fixture.survey), signer: "council-dt")?.rule == "role")
        _ = state.validate(try Fixture.decode([Self.revoke]), file: "r.jsonl")
        #expect(state.roleProblem(appraisal, signer: "council-dt")?.rule == "revoked")
    }
}
