import ArgumentParser
import DataGen
import EventLog
import Foundation
import Ledger
import Pipelines
import Projections
import ScoreModel
import Transparency

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build the demo log from events/demo/ and run the nightly pipeline on it.",
        discussion: """
        The demo province: PAR Index 2022 and 2023 of 17 departments and 12 districts, \
        modelled on a provincial report of 19 Feb 2024. The log and the snapshots go \
        to a scratch directory (rebuilt each time); the commands to explore it are printed.

        With --example NAME, a real published ranking from events/examples/ instead: its \
        log is built and its ranking printed beside the printed one, row by row; the exit \
        status is 1 when they differ.
        """)

    @Option(help: ArgumentHelp("Scratch directory for the demo log and snapshots.", valueName: "dir"))
    var dir: String = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-demo").path

    @Option(help: ArgumentHelp("The demo's event files.", valueName: "dir"))
    var data: String = "events/demo"

    @Option(help: ArgumentHelp("The pipeline to run.", valueName: "file"))
    var pipeline: String = "pipelines/nightly.yaml"

    @Option(help: ArgumentHelp("Instead of the demo province, build a log from one bundled published ranking "
                               + "(thanhhoa-par2024-departments, par2020-provinces-top10) and print its ranking beside the published one.",
                               valueName: "name"))
    var example: String?

    @Option(help: ArgumentHelp("The bundled examples: NAME.jsonl and the published tables in published/.", valueName: "dir"))
    var examples: String = "events/examples"

    func run() throws {
        if let example {
            try runExample(example)
            return
        }
        let log = dir + "/events"
        let out = dir + "/snapshots/nightly"
        let spec = try PipelineRunner.load(pipeline)
        // A new demo log has other recording times, so another head: the
        // snapshots of the last demo go with its log (a run never replaces a
        // snapshot made from a log it does not continue).
        try? FileManager.default.removeItem(atPath: log)
        try? FileManager.default.removeItem(atPath: dir + "/snapshots")
        try LogWriter.create(directory: log)
        let sources = try demoSources()
        let imported = try Ledger.importEvents(sources, into: log)
        print("demo log: \(imported.appended) events from \(sources.count) files into \(log)")
        print("head seq \(imported.head.seq) hash \(imported.head.hash.hex)\n")
        let report = try PipelineRunner.run(spec, log: log, out: out)
        let (book, _, _) = try PipelineRunner.replay(log: log, limit: .head)
        guard let latest = book.partitions.map(\.year).max() else { return }
        for p in book.partitions where p.year == latest {
            guard let ranking = book.ranking(p) else { continue }
            print(RankCommand.table(ranking))
            if let trend = book.trend(p) { print(TrendCommand.headline(trend) + "\n") }
            print(AwardsCommand.table(p, book.awards(p, rules: spec.awards), all: false))
        }
        print("snapshots: \(report.manifest.files.count) files and manifest.json in \(out)")
        let signed = try signedLog()
        print("""

        try:
          parledger rank   --log \(log) --year \(latest) --block department --as-announced
          parledger awards --log \(log) --year \(latest) --all
          parledger trend  --log \(log) --unit HCT
          parledger verify --log \(log)
          parledger verify --log \(signed) --signatures
          parledger explain --log \(signed) --unit HCT --year \(latest) --item 1.1.1
        """)
    }

    /// The same province as a log that requires signatures: every batch
    /// signed by the actor whose role covers it (throwaway test keys).
    func signedLog() throws -> String {
        let log = dir + "/signed-events"
        try? FileManager.default.removeItem(atPath: log)
        try LogWriter.create(directory: log)
        try LogOrigin.set(SignedProvince.demoOrigin, directory: log)
        try SignaturePolicy.require(directory: log)
        let files = try SignedProvince.submissions(DemoProvince.events(), origin: SignedProvince.demoOrigin, at: SignedProvince.demoTime)
        for (name, text) in zip(SignedProvince.fileNames, files) {
            _ = try Ledger.importEvents([ImportSource(name: name, bytes: Array(text.utf8))], into: log, gate: SignatureGate(log: log))
        }
        let audit = try SignatureAudit.run(directory: log, collecting: [])
        print("signed demo log: \(audit.signedEvents) events in \(audit.batches) signed batches by \(audit.actors) actors, "
              + "every signature and role verified, in \(log) (it requires signatures; throwaway test keys)")
        return log
    }

    /// The files of events/demo/ in name order; without them (run outside
    /// the repository), the same data from the built-in generator.
    func demoSources() throws -> [ImportSource] {
        let fm = FileManager.default
        if let names = try? fm.contentsOfDirectory(atPath: data).filter({ $0.hasSuffix(".jsonl") }).sorted(), !names.isEmpty {
            return try names.map { name in
                guard let bytes = fm.contents(atPath: data + "/" + name) else { throw CommandFailure("cannot read \(data)/\(name)") }
                return ImportSource(name: data + "/" + name, bytes: [UInt8](bytes))
            }
        }
        printErr("parledger: notice: no \(data)/ here; using the built-in demo generator")
        return DemoProvince.files().map { file in
            ImportSource(name: file.name, bytes: Array(file.events.map { EventJSON.encode($0) + "\n" }.joined().utf8))
        }
    }
}
