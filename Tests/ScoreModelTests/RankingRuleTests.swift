import Testing
import ScoreModel

/// The ranking rule of a framework: its JSON field, its record bytes, and
/// the exact comparison behind each order.
@Suite("Ranking rule (framework data)")
struct RankingRuleTests {
    static let framework = #"{"type":"framework.published","at":"2024-02-17T08:00:00+07:00","by":"ubnd","framework":"F","index":"PAR","year":2024,"block":"department","bands":[],"areas":[{"code":"1","name":"Một","criteria":[{"code":"1","name":"c","items":[{"code":"1.1","name":"a","max":100}]}]}]"#

    struct NotAFramework: Error {}

    static func decode(_ line: String) throws -> Framework {
        guard case .frameworkPublished(let f) = try EventJSON.decode(line: line).body else { throw NotAFramework() }
        return f
    }

    @Test("Absent, the rule is the default (2-decimal percents, shared ranks); named, it survives JSON and the binary record",
          arguments: RankingRule.Order.allCases)
    func roundTrip(order: RankingRule.Order) throws {
        #expect(try Self.decode(Self.framework + "}").ranking == .default)
        let line = Self.framework + #","ranking":{"order":"\#(order.rawValue)"}}"#
        let event = try EventJSON.decode(line: line)
        guard case .frameworkPublished(let f) = event.body else { Issue.record("not a framework"); return }
        #expect(f.ranking.order == order)
        var decoder = RecordDecoder()
        let bytes = EventCodec.encode(event)
        #expect(try bytes.withUnsafeBytes { try decoder.decode($0) } == event)
        #expect(try EventJSON.decode(line: EventJSON.encode(event)) == event)
        // The default is written as it always was: no field, version 1 bytes.
        #expect(EventJSON.encode(event).contains(#""ranking""#) == (order != .percent2))
        #expect(bytes[0] == (order == .percent2 ? 1 : 2))
        if order == .ratio { #expect(Array(bytes.prefix(3)) == [2, 2, 0x10] && bytes.last == 1, "the bytes docs/RECORDS.md shows") }
    }

    @Test("A record written before rules existed (version 1) decodes to the default rule")
    func versionOneRecord() throws {
        let event = try EventJSON.decode(line: Self.framework + "}")
        let bytes = EventCodec.encode(event)
        #expect(bytes[0] == 1 && bytes[2] == 0, "version 1, no flags")
        // The same bytes as a version 1 reader wrote them: header, fields, nothing after the areas.
        var decoder = RecordDecoder()
        guard case .frameworkPublished(let f) = try bytes.withUnsafeBytes({ try decoder.decode($0) }).body else { Issue.record("not a framework"); return }
        #expect(f.ranking == .default)
        // A version 1 record cannot carry the rule: refused, not misread.
        var flagged = EventCodec.encode(Event(at: event.at, by: event.by, body: .frameworkPublished(
            Framework(id: f.id, index: f.index, year: f.year, block: f.block, bands: f.bands, areas: f.areas, ranking: RankingRule(order: .ratio)))))
        #expect(flagged[0] == 2)
        flagged[0] = 1
        #expect { _ = try flagged.withUnsafeBytes { try decoder.decode($0) } } throws: { "\($0)".contains("version 1 record names a ranking rule") }
    }

    @Test("An unknown order or field is refused, naming the field and the orders there are")
    func badRule() {
        #expect { try Self.decode(Self.framework + #","ranking":{"order":"percent"}}"#) } throws: {
            "\($0)" == #"field "ranking.order": "percent": expected percent2, ratio, points3"#
        }
        #expect { try Self.decode(Self.framework + #","ranking":{"order":"ratio","ties":"shared"}}"#) } throws: {
            "\($0)".contains(#"field "ranking.ties": unknown field"#)
        }
        #expect { try Self.decode(Self.framework + #","ranking":"ratio"}"#) } throws: { "\($0)".contains(#""ranking": expected an object"#) }
    }

    @Test("ratio compares exactly across maxima; percent2 only to the printed hundredth; points3 ignores the maximum")
    func orders() {
        func total(_ p: String, _ m: String) -> (points: Score, max: Score) { (Score(p)!, Score(m)!) }
        let twoThirds = total("2", "3"), almost = total("666.667", "1000")        // 66.666…% and 66.6667%: both print 66.67
        #expect(RankingRule(order: .percent2).compare(twoThirds, almost) == .level)
        #expect(RankingRule(order: .ratio).compare(almost, twoThirds) == .above)
        #expect(RankingRule(order: .ratio).compare(total("4", "6"), twoThirds) == .level, "4/6 is exactly 2/3")
        #expect(RankingRule(order: .points3).compare(total("50", "100"), total("40", "50")) == .above)
        #expect(RankingRule(order: .points3).compare(total("40.001", "50"), total("40", "50")) == .above)
        // Totals whose cross products overflow 64 bits still compare exactly.
        let big = total("999999999999.999", "999999999999.999"), bigLess = total("999999999999.998", "999999999999.999")
        #expect(RankingRule(order: .ratio).compare(big, bigLess) == .above)
    }
}
