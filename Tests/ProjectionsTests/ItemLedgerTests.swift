import Primitives
import Projections
import ScoreModel
import Testing

/// Two item ledgers are equal only when everything that makes the score is:
/// comparing ledgers is how the checkpoint and partial-book tests prove a
/// saved book equals a replayed one.
@Suite("Item ledger equality")
struct ItemLedgerTests {
    static func base() -> ItemLedger {
        var l = ItemLedger()
        l.latestSelf = (Seq(3), .score(Score(thousandths: 1_500)))
        l.bestAppraisal = (round: 1, seq: Seq(7), value: .score(Score(thousandths: 1_250)))
        l.corrections[Seq(7)] = (seq: Seq(9), value: .score(Score(thousandths: 1_000)))
        l.appealed = (seq: Seq(12), appeal: "KN-1", score: Score(thousandths: 1_400))
        l.lineage = [Seq(3), Seq(7), Seq(9), Seq(12)]
        return l
    }

    @Test("Equal ledgers are equal; each differing part makes them differ",
          arguments: ["none", "correction value", "round", "appeal score", "appeal id", "self value", "lineage"])
    func eachPartCounts(change: String) {
        var other = Self.base()
        switch change {
        case "correction value": other.corrections[Seq(7)] = (seq: Seq(9), value: .score(Score(thousandths: 1_100)))
        case "round": other.bestAppraisal = (round: 2, seq: Seq(7), value: .score(Score(thousandths: 1_250)))
        case "appeal score": other.appealed = (seq: Seq(12), appeal: "KN-1", score: Score(thousandths: 1_450))
        case "appeal id": other.appealed = (seq: Seq(12), appeal: "KN-2", score: Score(thousandths: 1_400))
        case "self value": other.latestSelf = (Seq(3), .notApplicable)
        case "lineage": other.lineage.removeLast()
        default: break
        }
        #expect((Self.base() == other) == (change == "none"), "\(change)")
    }
}
