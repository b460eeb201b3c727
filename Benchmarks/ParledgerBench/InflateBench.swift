import ArgumentParser
import EventLog
import Foundation
import Ledger
import ScoreModel

/// zlib's own limit on an existing log, beside the score replay of the same
/// log: what `Benchmarks/national.py` divides the rebuild by.
struct InflateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inflate",
        abstract: "Raw inflate (zlib alone) and decoded replay of an existing log; prints one JSON object.")

    @Option(help: ArgumentHelp("The log directory.", valueName: "dir")) var log: String
    @Option(help: "Passes; the best is kept (the first warms the page cache).") var passes = 3

    func run() throws {
        let reader = try LogReader(directory: log)
        var inflateBest = Double.infinity, decodeBest = Double.infinity
        var plain = 0, events = 0
        for _ in 0..<passes {
            let (bytes, seconds) = try measure { try reader.inflateAll() }
            plain = bytes
            inflateBest = min(inflateBest, seconds)
        }
        for _ in 0..<passes {
            var n = 0
            let (_, seconds) = try measure { try Ledger.replay(reader, limit: .head) { _ in n += 1 } }
            events = n
            decodeBest = min(decodeBest, seconds)
        }
        let stat = try LogVerifier.stat(directory: log)
        print("""
        {"events":\(events),"plainBytes":\(plain),"compressedBytes":\(stat.compressedBytes),"fileBytes":\(stat.fileBytes),\
        "frames":\(stat.frames),"inflateSeconds":\(String(format: "%.4f", inflateBest)),"decodeSeconds":\(String(format: "%.4f", decodeBest))}
        """)
    }
}
