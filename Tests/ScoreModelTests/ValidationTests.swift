import Foundation
import Testing
import ScoreModel

/// One bad line among good ones, for every rule of docs/CONTRACT.md ("Events
/// in"): the issue names the line and the field, and says why.
@Suite("Validation rules")
struct ValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let extra: [String]       // lines after the base log
        let publishFirst: Bool
        let line: Int             // the bad line among `extra` (1-based)
        let field: String?
        let says: String
        var testDescription: String { name }
    }

    static let at = Fixture.at
    static let cases: [Case] = [
        Case(name: "unknown unit", extra: [#"{"type":"assessment.submitted",\#(at),"by":"x","unit":"NOPE","year":2023,"item":"1.1.1","score":1}"#],
             publishFirst: false, line: 1, field: "unit", says: "unknown unit \"NOPE\""),
        Case(name: "unknown framework (year)", extra: [#"{"type":"assessment.submitted",\#(at),"by":"x","unit":"SKHDT","year":2019,"item":"1.1.1","score":1}"#],
             publishFirst: false, line: 1, field: "year", says: "no framework is published for PAR 2019 department"),
        Case(name: "unknown item", extra: [#"{"type":"appraisal.recorded",\#(at),"by":"x","unit":"SKHDT","year":2023,"item":"9.9.9","score":1,"round":1}"#],
             publishFirst: false, line: 1, field: "item", says: "item \"9.9.9\" is not in framework"),
        Case(name: "score above max", extra: [#"{"type":"assessment.submitted",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.1.1","score":2.25}"#],
             publishFirst: false, line: 1, field: "score", says: "2.25 is outside item 1.1.1's range [0, 2]"),
        Case(name: "score below a penalty item's min", extra: [#"{"type":"appraisal.recorded",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.1.2","score":-1.5,"round":1}"#],
             publishFirst: false, line: 1, field: "score", says: "-1.5 is outside item 1.1.2's range [-1, 0]"),
        Case(name: "more than 3 decimals", extra: [#"{"type":"survey.recorded",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.2.1","score":1.2345}"#],
             publishFirst: false, line: 1, field: "score", says: "1.2345 has more than 3 decimals"),
        Case(name: "score and notApplicable together", extra: [#"{"type":"assessment.submitted",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.1.1","score":1,"notApplicable":true}"#],
             publishFirst: false, line: 1, field: "score", says: "either score or notApplicable"),
        Case(name: "neither score nor notApplicable", extra: [#"{"type":"assessment.submitted",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.1.1"}"#],
             publishFirst: false, line: 1, field: "score", says: "give a score or notApplicable"),
        Case(name: "survey item self-assessed", extra: [#"{"type":"assessment.submitted",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.2.1","score":1}"#],
             publishFirst: false, line: 1, field: "item", says: "is a survey item"),
        Case(name: "survey item appraised", extra: [#"{"type":"appraisal.recorded",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.2.1","score":1,"round":1}"#],
             publishFirst: false, line: 1, field: "item", says: "is a survey item"),
        Case(name: "assessment item given a survey score", extra: [#"{"type":"survey.recorded",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.1.1","score":1}"#],
             publishFirst: false, line: 1, field: "item", says: "is an assessment item"),
        Case(name: "round not 1 or 2", extra: [#"{"type":"appraisal.recorded",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.1.1","score":1,"round":3}"#],
             publishFirst: false, line: 1, field: "round", says: "3 is not a round"),
        Case(name: "correction of an unknown event", extra: [#"{"type":"correction.issued",\#(at),"by":"x","target":"nope","score":1,"reason":"r"}"#],
             publishFirst: false, line: 1, field: "target", says: "no event has the id \"nope\""),
        Case(name: "correction past the head", extra: [##"{"type":"correction.issued",\##(at),"by":"x","target":"#999","score":1,"reason":"r"}"##],
             publishFirst: false, line: 1, field: "target", says: "#999 is not in the log"),
        Case(name: "correction of a non-scoring event", extra: [#"{"type":"correction.issued",\#(at),"by":"x","target":"u-skhdt","score":1,"reason":"r"}"#],
             publishFirst: false, line: 1, field: "target", says: "is not a scoring event"),
        Case(name: "correction outside the item's range", extra: [#"{"type":"correction.issued",\#(at),"by":"x","target":"r1","score":5,"reason":"r"}"#],
             publishFirst: false, line: 1, field: "score", says: "5 is outside item 1.1.1's range"),
        Case(name: "resolution of an unknown appeal", extra: [#"{"type":"appeal.resolved",\#(at),"by":"x","appeal":"KN-9","outcome":"rejected","reason":"r"}"#],
             publishFirst: false, line: 1, field: "appeal", says: "no appeal \"KN-9\" was filed"),
        Case(name: "resolution of an already resolved appeal", extra: [
            #"{"type":"appeal.resolved",\#(at),"by":"x","appeal":"KN-1","outcome":"rejected","reason":"r"}"#,
            #"{"type":"appeal.resolved",\#(at),"by":"x","appeal":"KN-1","outcome":"upheld","score":2,"reason":"r"}"#],
             publishFirst: false, line: 2, field: "appeal", says: "already resolved"),
        Case(name: "rejected appeal with a score", extra: [#"{"type":"appeal.resolved",\#(at),"by":"x","appeal":"KN-1","outcome":"rejected","score":2,"reason":"r"}"#],
             publishFirst: false, line: 1, field: "score", says: "a rejected appeal grants no score"),
        Case(name: "upheld appeal without a score", extra: [#"{"type":"appeal.resolved",\#(at),"by":"x","appeal":"KN-1","outcome":"upheld","reason":"r"}"#],
             publishFirst: false, line: 1, field: "score", says: "must give the score granted"),
        Case(name: "unknown outcome", extra: [#"{"type":"appeal.resolved",\#(at),"by":"x","appeal":"KN-1","outcome":"maybe","reason":"r"}"#],
             publishFirst: false, line: 1, field: "outcome", says: "expected upheld, partial or rejected"),
        Case(name: "duplicate registration", extra: [#"{"type":"unit.registered",\#(at),"by":"x","unit":"SYT","name":"Sở Y tế","block":"department"}"#],
             publishFirst: false, line: 1, field: "unit", says: "already registered"),
        Case(name: "score after publication", extra: [#"{"type":"appraisal.recorded",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.1.1","score":1,"round":2}"#],
             publishFirst: true, line: 1, field: "year", says: "after publication only corrections and appeals"),
        Case(name: "survey after publication", extra: [#"{"type":"survey.recorded",\#(at),"by":"x","unit":"SYT","year":2023,"item":"1.2.1","score":1}"#],
             publishFirst: true, line: 1, field: "year", says: "are published"),
        Case(name: "results published twice", extra: [Fixture.publish], publishFirst: true, line: 1, field: "block", says: "already published"),
        Case(name: "unknown event type", extra: [#"{"type":"score.guessed",\#(at),"by":"x"}"#],
             publishFirst: false, line: 1, field: "type", says: "unknown event type \"score.guessed\""),
        Case(name: "unknown field", extra: [#"{"type":"unit.renamed",\#(at),"by":"x","unit":"SYT","name":"Y tế","nickname":"YT"}"#],
             publishFirst: false, line: 1, field: "nickname", says: "unknown field"),
        Case(name: "missing field", extra: [#"{"type":"unit.renamed",\#(at),"by":"x","unit":"SYT"}"#],
             publishFirst: false, line: 1, field: "name", says: "missing required field"),
        Case(name: "wrong JSON type", extra: [#"{"type":"survey.recorded",\#(at),"by":"x","unit":"SYT","year":"2023","item":"1.2.1","score":1}"#],
             publishFirst: false, line: 1, field: "year", says: "expected a whole number, found a string"),
        Case(name: "time without offset", extra: [#"{"type":"unit.renamed","at":"2024-01-05T08:00:00","by":"x","unit":"SYT","name":"Y"}"#],
             publishFirst: false, line: 1, field: "at", says: "no offset"),
        Case(name: "impossible date", extra: [#"{"type":"unit.renamed","at":"2023-02-29T08:00:00Z","by":"x","unit":"SYT","name":"Y"}"#],
             publishFirst: false, line: 1, field: "at", says: "no such date"),
        Case(name: "bad id", extra: [#"{"type":"unit.renamed",\#(at),"by":"x","id":"has space","unit":"SYT","name":"Y"}"#],
             publishFirst: false, line: 1, field: "id", says: "is not an id"),
        Case(name: "id reused with other content", extra: [#"{"type":"unit.renamed",\#(at),"by":"x","id":"a1","unit":"SYT","name":"Y"}"#],
             publishFirst: false, line: 1, field: "id", says: "already names event #"),
        Case(name: "appeal id reused", extra: [Fixture.appeal.replacingOccurrences(of: "\"requested\":2", with: "\"requested\":1.5")],
             publishFirst: false, line: 1, field: "appeal", says: "already used"),
        Case(name: "not JSON", extra: [#"{"type":"unit.renamed", oops}"#], publishFirst: false, line: 1, field: nil, says: "not valid JSON"),
        Case(name: "duplicate framework", extra: [Fixture.framework.replacingOccurrences(of: "\"framework\":\"PAR-2023-department\"", with: "\"framework\":\"other\"")],
             publishFirst: false, line: 1, field: "framework", says: "already published"),
        Case(name: "framework item max below min", extra: [Fixture.framework.replacingOccurrences(of: "\"year\":2023", with: "\"year\":2024")
                .replacingOccurrences(of: "\"framework\":\"PAR-2023-department\"", with: "\"framework\":\"f24\"")
                .replacingOccurrences(of: "\"max\":2}", with: "\"max\":2,\"min\":3}")],
             publishFirst: false, line: 1, field: "areas[0].criteria[0].items[0].min", says: "min 3 is above max 2"),
    ]

    @Test("A bad line is refused with its line, field and reason; the good lines around it are not blamed", arguments: cases)
    func rule(_ c: Case) throws {
        var baseLines = Fixture.base
        if c.publishFirst { baseLines.append(Fixture.publish) }
        var state = try Fixture.state(baseLines)
        // Good lines around the bad one.
        let before = #"{"type":"unit.renamed",\#(Self.at),"by":"so-noi-vu","unit":"SYT","name":"Sở Y tế tỉnh"}"#
        let after = #"{"type":"unit.registered",\#(Self.at),"by":"so-noi-vu","unit":"STC","name":"Sở Tài chính","block":"department"}"#
        let lines = [before] + c.extra + [after]
        var batch: [(line: Int, event: Event)] = []
        var issues: [ImportIssue] = []
        for (i, text) in lines.enumerated() {
            do { batch.append((i + 1, try EventJSON.decode(line: text))) } catch { issues.append(error.at(file: "t.jsonl", line: i + 1)) }
        }
        issues += state.validate(batch, file: "t.jsonl").issues
        #expect(issues.count == 1, "exactly one issue: \(issues)")
        let issue = try #require(issues.first)
        #expect(issue.line == c.line + 1)
        #expect(issue.field == c.field)
        #expect(issue.message.contains(c.says), "message was: \(issue.message)")
        #expect("\(issue)".hasPrefix("t.jsonl:\(c.line + 1): "))
    }

    @Test("Several bad lines are all reported, in one pass")
    func manyIssues() throws {
        var state = try Fixture.state(Fixture.base)
        let bad = #"{"type":"assessment.submitted",\#(Self.at),"by":"x","unit":"NOPE","year":2023,"item":"1.1.1","score":1}"#
        let result = state.validate(try Fixture.decode([bad, bad, bad]), file: "f")
        #expect(result.issues.map(\.line) == [1, 2, 3])
        #expect(result.accepted.isEmpty)
    }

    @Test("The issue list stops at the limit and counts the rest")
    func issueLimit() throws {
        var state = try Fixture.state(Fixture.base)
        let bad = #"{"type":"assessment.submitted",\#(Self.at),"by":"x","unit":"NOPE","year":2023,"item":"1.1.1","score":1}"#
        let result = state.validate(try Fixture.decode(Array(repeating: bad, count: 60)), file: "f", limit: 50)
        #expect(result.issues.count == 50)
        #expect(result.moreIssues == 10)
    }

    @Test("A batch may build on its own earlier lines: register, publish a framework, then score")
    func batchBuildsOnItself() throws {
        var state = LedgerState()
        let result = state.validate(try Fixture.decode(Fixture.base), file: "f")
        #expect(result.isValid)
        #expect(result.accepted.count == Fixture.base.count)
    }

    @Test("Importing an event again by its id does nothing; the same id twice in one batch is kept once")
    func idempotency() throws {
        var state = try Fixture.state(Fixture.base)
        let result = state.validate(try Fixture.decode([Fixture.assess, Fixture.units[0]]), file: "f")
        #expect(result.isValid)
        #expect(result.accepted.isEmpty)
        #expect(result.skipped.map(\.seq.rawValue) == [4, 1])   // a1 is the 4th event, u-skhdt the 1st
        var fresh = LedgerState()
        let twice = fresh.validate(try Fixture.decode(Fixture.units + [Fixture.units[0]]), file: "f")
        #expect(twice.accepted.count == 2)
        #expect(twice.skipped.count == 1)
    }

    @Test("Corrections and appeals are allowed after publication")
    func afterPublication() throws {
        var state = try Fixture.state(Fixture.base + [Fixture.publish])
        let lines = [
            #"{"type":"correction.issued",\#(Self.at),"by":"ubnd","target":"r1","score":2,"reason":"Sai sót tổng hợp"}"#,
            ##"{"type":"correction.issued",\##(Self.at),"by":"ubnd","target":"#5","notApplicable":true,"reason":"Không áp dụng"}"##,
            #"{"type":"appeal.resolved",\#(Self.at),"by":"council","appeal":"KN-1","outcome":"upheld","score":2,"reason":"Đủ căn cứ"}"#,
        ]
        let result = state.validate(try Fixture.decode(lines), file: "f")
        #expect(result.issues.isEmpty, "\(result.issues)")
        #expect(result.accepted.count == 3)
    }

    @Test("What validation remembers of a unit's year follows the log: a publication in the same batch closes the year at once, a framework published later opens it")
    func lookupsFollowTheLog() throws {
        // SKHDT's PAR 2023 was just scored (and looked up) in this batch; then it is published.
        let again = #"{"type":"assessment.submitted",\#(Self.at),"by":"skhdt","unit":"SKHDT","year":2023,"item":"1.1.2","score":-1}"#
        var state = LedgerState()
        let closed = state.validate(try Fixture.decode(Fixture.base + [Fixture.publish, again]), file: "f")
        #expect(closed.issues.map(\.line) == [Fixture.base.count + 2], "\(closed.issues)")
        #expect(closed.issues.first?.message.contains("results for PAR 2023 department are published") == true, "\(closed.issues)")

        // A year without a framework is refused, then scored once its framework is in.
        let early = #"{"type":"assessment.submitted",\#(Self.at),"by":"skhdt","unit":"SKHDT","year":2024,"item":"1.1.1","score":1}"#
        let framework2024 = Fixture.framework.replacingOccurrences(of: "PAR-2023", with: "PAR-2024").replacingOccurrences(of: "\"year\":2023", with: "\"year\":2024")
        var fresh = try Fixture.state(Fixture.base)
        let opened = fresh.validate(try Fixture.decode([early, framework2024, early]), file: "f")
        #expect(opened.issues.map(\.line) == [1], "\(opened.issues)")
        #expect(opened.issues.first?.field == "year")
        #expect(opened.accepted.count == 2)
    }
}
