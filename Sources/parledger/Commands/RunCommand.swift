import Primitives
import ArgumentParser
import Foundation
import Pipelines
import Transparency

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a batch pipeline and write its snapshots and manifest.",
        discussion: "Writes snapshots/<pipeline>/ beside the log directory (or --out DIR), all or nothing: readers see the old snapshot or the new one, never a mix.")

    @OptionGroup var location: LogLocation
    @Argument(help: ArgumentHelp("The pipeline file, e.g. pipelines/nightly.yaml.", valueName: "pipeline")) var pipeline: String
    @Option(help: ArgumentHelp("Output directory (default: snapshots/<pipeline name> beside the log directory).", valueName: "dir")) var out: String?
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Only events at or before this business time.", valueName: "time")) var asOf: String?
    @Option(name: .customLong("at-seq"), help: ArgumentHelp("The log as it stood after event N.", valueName: "n")) var atSeq: UInt64?
    @Flag(help: "Replay the whole log, ignoring the checkpoint of the last run.") var full = false
    @Option(help: ArgumentHelp("The log's private key: also write the signed Merkle checkpoint of the log read (file `checkpoint`, listed in the manifest).", valueName: "file"))
    var key: String?

    func run() throws {
        if asOf != nil && atSeq != nil { throw ValidationError("give --as-of or --at-seq, not both") }
        let limit = try ReadRequest.limit(atSeq: atSeq.map { Seq($0) }, asOf: asOf)
        let spec = try PipelineRunner.load(pipeline)
        let dir = out ?? ReadRequest.defaultOutput(log: location.log, pipeline: spec.name)
        let started = Date()
        let checkpoint = full ? nil : PipelineRunner.checkpointPath(for: dir)
        let report = try PipelineRunner.run(spec, log: location.log, out: dir, limit: limit, asOfText: asOf, checkpoint: checkpoint,
                                            progress: ProgressBar.make(label: spec.name), signer: try key.map { try SignerKey.read(file: $0) })
        for notice in report.notices { printErr("parledger: notice: \(notice)") }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        var how = report.resumedFrom.map { from in
            "incremental from the checkpoint at seq \(from)" + (report.tailSeq.map { " and its tail to seq \($0)" } ?? "") + ", \(report.events) events replayed"
        } ?? "\(report.events) events replayed"
        if let rendered = report.rendered {
            how += ", \(rendered) partitions rendered, \(report.keptFiles) files kept from the previous snapshot"
        }
        print("\(spec.name): \(report.manifest.files.count) files for \(report.partitions.count) partitions in \(dir)/ (\(how), to seq \(report.manifest.log.seq), \(ms) ms)")
        print("log hash \(report.manifest.log.hash.hex)  config \(report.manifest.configHash.prefix(16))…")
    }
}
