import DataGen
import Foundation
import Pipelines
import ScoreModel
import Testing

/// An award condition that no unit could ever meet is an error naming the
/// YAML line, not a list of "ineligible" verdicts.
@Suite("Award rules checked against the frameworks and each other")
struct AwardRuleCheckTests {
    static func yaml(_ conditions: String) -> String {
        """
        pipeline: check
        projections: [ranking, awards]
        awards:
          - code: flag
            name: Cờ thi đua
            conditions:
        \(conditions)
        """
    }

    @Test("Impossible ranges are refused when the pipeline is read, naming line and key", arguments: [
        ("      - rank: { min: 3, max: 2 }", "check.yaml:7", "rank min 3 is above max 2"),
        ("      - rank: { min: 3 }\n      - band: { in: [excellent] }\n      - rank: { max: 2 }", "check.yaml:9", "rank ≥ 3 and rank ≤ 2 together"),
        ("      - rank: { max: 0 }", "check.yaml:7", "ranks start at 1"),
        ("      - band: { in: [] }", "check.yaml:7", "an empty list of bands"),
        ("      - band: { in: [excellent] }\n      - band: { in: [good] }", "check.yaml:8", "no band is in both [good] and the list on line 7"),
        ("      - percent: { min: 100.5 }", "check.yaml:7", "above 100"),
        ("      - openAppeals: { max: -1 }", "check.yaml:7", "below 0"),
    ])
    func emptyRanges(conditions: String, place: String, message: String) {
        #expect {
            _ = try PipelineSpec.parse(yaml: Self.yaml(conditions), file: "check.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(place) && text.contains(message)
        }
    }

    @Test("A band the log's frameworks do not have stops the run before anything is written, naming the line, the band and the bands there are")
    func unknownBand() throws {
        let (s, _) = try AuditTests.demoScratch()
        let spec = try PipelineSpec.parse(yaml: Self.yaml("      - rank: { max: 1 }\n      - band: { in: [excelent] }"), file: "check.yaml")
        let out = s.path + "/snap"
        #expect {
            _ = try PipelineRunner.run(spec, log: s.log, out: out)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("check.yaml:8: awards[0].conditions[1].band.in") && text.contains("band \"excelent\" is not a band of framework PAR-2022-department")
                && text.hasSuffix(" — bands of PAR-2022-department: excellent, good, fair, average, weak")
        }
        #expect(!FileManager.default.fileExists(atPath: out), "nothing was written")
        // The shipped pipelines pass the check on the demo log.
        let nightly = try PipelineRunner.load(PipelineRunTests.root.appendingPathComponent("pipelines/nightly.yaml").path)
        let book = try PipelineRunner.replay(log: s.log, limit: .head).book
        try nightly.checkAwards(against: book.frameworks)
    }
}
