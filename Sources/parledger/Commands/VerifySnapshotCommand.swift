import ArgumentParser
import Foundation
import Pipelines
import Transparency

struct VerifySnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-snapshot",
        abstract: "Re-derive a snapshot from the log and check every file, the log's hash and the pipeline config.",
        discussion: "Exits 1 and says which file differs and why: a file or the manifest edited, the log rewritten, or another pipeline config.")

    @OptionGroup var location: LogLocation
    @Argument(help: ArgumentHelp("The snapshot directory (with manifest.json).", valueName: "path")) var path: String
    @Option(help: ArgumentHelp("The pipeline file (default: pipelines/<name in the manifest>.yaml).", valueName: "file")) var pipeline: String?
    @Option(help: ArgumentHelp("The log's public key: check the signature of the snapshot's checkpoint.", valueName: "file")) var key: String?

    func run() throws {
        let manifestPath = path + "/manifest.json"
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw CommandFailure("\(manifestPath): no manifest; is \(path) a snapshot directory?")
        }
        let manifest = try Manifest.parse([UInt8](data), file: manifestPath)
        let spec = try PipelineRunner.load(pipeline ?? "pipelines/\(manifest.pipeline).yaml")
        let report = try SnapshotVerifier.verify(snapshot: path, spec: spec, log: location.log, key: try key.map { try readVerifierKey(file: $0) })
        if report.ok {
            print("ok: \(manifest.files.count) files in \(path) match the log at seq \(manifest.log.seq) (hash \(manifest.log.hash.hex.prefix(16))…) and pipeline \(spec.name)")
            return
        }
        for problem in report.problems { printErr("parledger: \(path)/\(problem)") }
        throw ExitCode(1)
    }
}
