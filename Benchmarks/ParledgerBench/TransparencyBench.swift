import Primitives
import ArgumentParser
import EventLog
import Foundation
import Transparency

/// The Merkle tree's costs on an existing log: hashing the whole log (a
/// sidecar rebuild, and so the upkeep per appended event), opening with the
/// sidecar, inclusion and consistency proofs, and an audit kit.
struct TransparencyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transparency",
        abstract: "Merkle tree upkeep, proof times and one audit kit on an existing log; prints one JSON object.")

    @Option(help: ArgumentHelp("The log directory (its merkle.tree sidecar is brought up to date).", valueName: "dir")) var log: String
    @Option(help: "Proofs to time (each from a freshly opened tree, as a command would).") var samples = 20
    @Option(help: "A unit for the audit kit (none: no kit).") var unit: String?
    @Option(help: "The kit's year.") var year = 2023

    func run() throws {
        let (full, rebuild) = try measure { try LogTree(directory: log, save: false, useSidecar: false) }
        let size = full.size
        guard size > 1 else { throw ValidationError("the log needs at least 2 events") }
        _ = try LogTree(directory: log)   // saves the sidecar
        let (_, open) = try measure { try LogTree(directory: log) }
        var rng = SystemRandomNumberGenerator()
        var inclusion: [Double] = [], consistency: [Double] = []
        for _ in 0..<samples {
            let seq = UInt64.random(in: 1...size, using: &rng)
            inclusion.append(try measure { try LogTree(directory: log).inclusionProof(seq: Seq(seq), size: size) }.1)
            let from = UInt64.random(in: 1..<size, using: &rng)
            consistency.append(try measure { try LogTree(directory: log).consistencyProof(from: from, to: size) }.1)
        }
        func ms(_ s: Double) -> String { String(format: "%.2f", s * 1000) }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        var out = "{\"events\":\(size),\"rebuildSeconds\":\(String(format: "%.3f", rebuild)),\"upkeepMicrosecondsPerEvent\":\(String(format: "%.3f", rebuild / Double(size) * 1e6)),"
            + "\"openMs\":\(ms(open)),\"inclusionMsMedian\":\(ms(median(inclusion))),\"inclusionMsMax\":\(ms(inclusion.max()!)),"
            + "\"consistencyMsMedian\":\(ms(median(consistency))),\"consistencyMsMax\":\(ms(consistency.max()!))"
        if let unit {
            let key = try SignerKey(name: "bench.example/log", role: .note)
            let checkpoint = try Checkpoint(origin: "bench.example/log", size: size, root: full.root(size: size)).signed(with: key)
            let (kit, make) = try measure { try AuditKit.make(log: log, unit: unit, index: "PAR", year: year, checkpoint: checkpoint.text, checkpointFile: "bench") }
            let json = kit.json
            let (_, check) = try measure { try AuditKit.parse(Array(json.utf8), file: "kit").check(key: key.verifier, place: "kit") }
            out += ",\"kitEvents\":\(kit.events.count),\"kitBytes\":\(json.utf8.count),\"kitMakeSeconds\":\(String(format: "%.3f", make)),\"kitCheckMs\":\(ms(check))"
        }
        print(out + "}")
    }
}
