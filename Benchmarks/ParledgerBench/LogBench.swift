import ArgumentParser
import EventLog
import Foundation

/// Append, replay and raw inflate of synthetic records, in one run.
struct LogBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Event log: durable append, replay, and zlib's own inflate on the same log.")

    @Option(help: "Records to append.") var events = 2_000_000
    @Option(help: "Records per append (one fsync each).") var batch = 1000

    func run() throws {
        let dir = scratch("log")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try LogWriter.create(directory: dir)
        // ~60-byte records with the repetition of real ones: codes repeat, numbers vary.
        func record(_ i: Int) -> [UInt8] {
            Array("\u{1}\u{3}\u{0}unit-\(i % 2000)|PAR|2023|item-\(i % 80)|score:\(i % 1000)|council-\(i % 7)".utf8)
        }
        let writer = try LogWriter(directory: dir)
        var plain = 0
        let (_, appendSeconds) = try measure {
            var i = 0
            while i < events {
                let n = min(batch, events - i)
                let payloads = (i..<(i + n)).map(record)
                plain += payloads.reduce(0) { $0 + $1.count }
                _ = try writer.append(payloads)
                i += n
            }
        }
        writer.close()
        let reader = try LogReader(directory: dir)
        var seen = 0, bytes = 0
        let (_, replaySeconds) = try measure {
            try reader.forEachRecord { r in seen += 1; bytes += r.payload.count }
        }
        precondition(seen == events)
        let (inflated, inflateSeconds) = try measure { try reader.inflateAll() }
        let stat = try LogVerifier.stat(directory: dir)
        print("event log: \(events) records of \(plain / events) bytes, batches of \(batch), \(stat.frames) frames, \(stat.segments) segments")
        print("log \(stat.fileBytes) bytes on disk for \(plain) payload bytes (\(String(format: "%.2f", Double(stat.plainBytes) / Double(stat.compressedBytes))):1)")
        row(["", "events/s", "MB/s (plain)", "seconds"])
        row(["append (durable)", rate(events, appendSeconds), mbps(plain, appendSeconds), String(format: "%.3f", appendSeconds)])
        row(["replay (records)", rate(events, replaySeconds), mbps(bytes, replaySeconds), String(format: "%.3f", replaySeconds)])
        row(["raw inflate (zlib)", rate(events, inflateSeconds), mbps(inflated, inflateSeconds), String(format: "%.3f", inflateSeconds)])
        print(String(format: "replay / raw inflate: %.2f×", replaySeconds / inflateSeconds))
    }
}
