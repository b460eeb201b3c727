// A child process for the swap crash test: writes snapshots into one output
// over and over, each a whole set of files stamped with its round, until it
// is killed. Usage: SnapshotSwapChild OUT
import Foundation
import Primitives
import EventLog
import Pipelines

let out = CommandLine.arguments[1]
let point = Manifest.LogPoint(seq: Seq(1), hash: .zero, limit: "head")
var round = 0
while true {
    round += 1
    var set = SnapshotSet()
    for k in 0..<40 {
        let body = "round \(round) file \(k) " + String(repeating: "x", count: (round * 7 + k * 13) % 300)
        try set.add("part\(k % 4)/file\(k).json", Array(body.utf8))
    }
    try SnapshotWriter.write(set, pipeline: "swap", configHash: "c0ffee", log: point, to: out)
}
