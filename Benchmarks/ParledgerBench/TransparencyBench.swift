import Primitives
import ArgumentParser
import EventLog
import Foundation
import Transparency

/// The Merkle tree's costs on an existing log: hashing the whole log (a
/// sidecar rebuild, and so the upkeep per appended event), opening with the
/// sidecar, inclusion and consistency proofs, and an audit kit.
/// A proof is timed as the `prove` commands make it (open the tree, check
/// its sidecar against the log, the proof; inclusion also reads the record).
struct TransparencyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transparency",
        abstract: "Merkle tree upkeep, proof times and one audit kit on an existing log; prints one JSON object.")

    @Option(help: ArgumentHelp("The log directory (its merkle.tree sidecar is brought up to date).", valueName: "dir")) var log: String
    @Option(help: "Proofs to time (each from a freshly opened tree, as a command would).") var samples = 20
    @Option(help: "A unit for the audit kit (none: no kit).") var unit: String?
    @Option(help: "The kit's year.") var year = 2023

    func run() throws {
        let rebuildStart = threadCPUSeconds()
        let (full, rebuild) = try measure { try LogTree(directory: log, save: false, useSidecar: false) }
        let rebuildCPU = threadCPUSeconds() - rebuildStart
        let size = full.size
        guard size > 1 else { throw ValidationError("the log needs at least 2 events") }
        _ = try LogTree(directory: log)   // saves the sidecar
        let (_, open) = try measure { try LogTree(directory: log) }
        // Of a proof's time, what opening the log (its layout: every frame header walked) and the tree take.
        var readerCPU: [Double] = [], treeCPU: [Double] = []
        for _ in 0..<samples {
            var cpu = threadCPUSeconds()
            _ = try LogReader(directory: log)
            readerCPU.append(threadCPUSeconds() - cpu)
            cpu = threadCPUSeconds()
            _ = try LogTree(directory: log)
            treeCPU.append(threadCPUSeconds() - cpu)
        }
        var rng = SystemRandomNumberGenerator()
        var inclusion: [Double] = [], consistency: [Double] = [], inclusionCPU: [Double] = [], consistencyCPU: [Double] = []
        for _ in 0..<samples {
            let seq = UInt64.random(in: 1...size, using: &rng)
            // What `prove inclusion --seq N` and `prove consistency --from S` do, less starting the process.
            var cpu = threadCPUSeconds()
            inclusion.append(try measure { try Transparency.proveInclusion(log: log, seq: Seq(seq), size: nil) }.1)
            inclusionCPU.append(threadCPUSeconds() - cpu)
            let from = UInt64.random(in: 1..<size, using: &rng)
            cpu = threadCPUSeconds()
            consistency.append(try measure { try Transparency.proveConsistency(log: log, from: from, to: nil) }.1)
            consistencyCPU.append(threadCPUSeconds() - cpu)
        }
        func ms(_ s: Double) -> String { String(format: "%.2f", s * 1000) }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        var out = "{\"events\":\(size),\"rebuildSeconds\":\(String(format: "%.3f", rebuild)),\"upkeepMicrosecondsPerEvent\":\(String(format: "%.3f", rebuild / Double(size) * 1e6)),"
            + "\"rebuildCPUSeconds\":\(String(format: "%.3f", rebuildCPU)),"
            + "\"openMs\":\(ms(open)),\"inclusionMsMedian\":\(ms(median(inclusion))),\"inclusionMsMax\":\(ms(inclusion.max()!)),"
            + "\"consistencyMsMedian\":\(ms(median(consistency))),\"consistencyMsMax\":\(ms(consistency.max()!)),"
            + "\"logOpenCPUMsMedian\":\(ms(median(readerCPU))),\"treeOpenCPUMsMedian\":\(ms(median(treeCPU))),"
            + "\"inclusionCPUMsMedian\":\(ms(median(inclusionCPU))),\"inclusionCPUMsMax\":\(ms(inclusionCPU.max()!)),"
            + "\"consistencyCPUMsMedian\":\(ms(median(consistencyCPU))),\"consistencyCPUMsMax\":\(ms(consistencyCPU.max()!))"
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

/// CPU seconds this thread has used (steadier than wall time on a shared machine).
private func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
