import ArgumentParser
import DataGen
import EventLog
import Foundation
import Ledger
import Pipelines
import ScoreModel

/// Import, full and incremental nightly runs on the demo data, repeated as
/// many years of the same province to give the replay some length.
struct PipelineBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pipeline", abstract: "Import, full nightly run and incremental run on the demo data.")

    @Option(help: "The nightly pipeline file.") var pipeline = "pipelines/nightly.yaml"
    @Option(help: "Runs of each kind (the median is reported).") var repeats = 5

    func run() throws {
        let spec = try PipelineRunner.load(pipeline)
        let events = DemoProvince.events()
        let dir = scratch("pipeline")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/events"
        try LogWriter.create(directory: log)
        // Everything but the last day (the 4 events of the last after-publication day), then that day.
        let lastDay = events.last!.at.microsecondsSinceEpoch - 86_400_000_000
        let cut = events.firstIndex { $0.at.microsecondsSinceEpoch > lastDay } ?? events.count - 1
        func source(_ slice: ArraySlice<Event>) -> ImportSource {
            ImportSource(name: "bench.jsonl", bytes: Array(slice.map { EventJSON.encode($0) + "\n" }.joined().utf8))
        }
        let (_, importSeconds) = try measure { _ = try Ledger.importEvents([source(events[..<cut])], into: log) }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        var full: [Double] = []
        for i in 0..<repeats {
            let (_, s) = try measure { _ = try PipelineRunner.run(spec, log: log, out: dir + "/full-\(i)") }
            full.append(s)
        }
        // The nightly case: a checkpoint from last night, then one more day's events.
        let out = dir + "/nightly", checkpoint = PipelineRunner.checkpointPath(for: out)
        _ = try PipelineRunner.run(spec, log: log, out: out, checkpoint: checkpoint)
        _ = try Ledger.importEvents([source(events[cut...])], into: log)
        let saved = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        var incremental: [Double] = []
        for _ in 0..<repeats {
            try saved.write(to: URL(fileURLWithPath: checkpoint))
            let (report, s) = try measure { try PipelineRunner.run(spec, log: log, out: out, checkpoint: checkpoint) }
            precondition(report.resumedFrom != nil)
            incremental.append(s)
        }
        let (_, fullNow) = try measure { _ = try PipelineRunner.run(spec, log: log, out: dir + "/check") }
        print("pipeline on the demo: \(events.count) events (\(cut) imported, then \(events.count - cut) as the next day)")
        print(String(format: "import %d events (durable, validated): %.3f s (%@)", cut, importSeconds, rate(cut, importSeconds)))
        print(String(format: "full nightly run (median of %d): %.3f s", repeats, median(full)))
        print(String(format: "incremental run after one day (median of %d): %.3f s (%.0f%% of a full run; full now %.3f s)",
                     repeats, median(incremental), 100 * median(incremental) / median(full), fullNow))
        print(String(format: "peak memory: %.0f MiB", peakMemoryMiB()))
    }
}
