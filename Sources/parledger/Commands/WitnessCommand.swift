import ArgumentParser
import Foundation
import Transparency

struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Accept a log's checkpoint only if it is consistent with the last one accepted, and cosign it.",
        discussion: "Exits 1, naming both sizes and roots, when the checkpoint would mean the log's history was rewritten. Prints the accepted checkpoint (with this witness's cosignature when --witness-key is given).")

    @Option(help: ArgumentHelp("The witness's state directory (the last checkpoint accepted per origin).", valueName: "dir")) var state: String
    @Option(help: ArgumentHelp("The log's public key.", valueName: "file")) var key: String
    @Argument(help: ArgumentHelp("The new signed checkpoint.", valueName: "checkpoint")) var checkpoint: String
    @Option(help: ArgumentHelp("Take the consistency proof from this log.", valueName: "dir")) var log: String?
    @Option(help: ArgumentHelp("Take the consistency proof from this file (`parledger prove consistency`).", valueName: "file")) var proof: String?
    @Option(name: .customLong("witness-key"), help: ArgumentHelp("The witness's private key (`parledger key generate --witness`): cosign what is accepted.", valueName: "file"))
    var witnessKey: String?
    @Option(help: ArgumentHelp("Write the accepted checkpoint here instead of standard output.", valueName: "file")) var out: String?

    func validate() throws {
        if (log == nil) == (proof == nil) { throw ValidationError("give --log DIR or --proof FILE (where the consistency proof comes from)") }
    }

    func run() throws {
        let witness = Witness(stateDirectory: state, logKey: try readVerifierKey(file: key), cosigner: try witnessKey.map { try SignerKey.read(file: $0) })
        let outcome = try witness.witness(try readText(checkpoint, what: "checkpoint"), place: checkpoint,
                                          proof: log.map { .log($0) } ?? .file(proof!), now: UInt64(Date().timeIntervalSince1970))
        printErr(outcome.message)
        try emit(outcome.checkpoint.text, to: out)
    }
}

struct AuditKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-kit",
        abstract: "Bundle every event one unit's score in a year depends on, with inclusion proofs in a signed checkpoint, and the score.")

    @OptionGroup var location: LogLocation
    @Option(help: "The unit code.") var unit: String
    @Option(help: "The year.") var year: Int
    @Option(help: "The index.") var index: String = "PAR"
    @Option(help: ArgumentHelp("The signed checkpoint the proofs are for (`parledger checkpoint`).", valueName: "file")) var checkpoint: String
    @Option(help: ArgumentHelp("A witnessed checkpoint: include a consistency proof between it and the kit's.", valueName: "file")) var witnessed: String?
    @Option(help: ArgumentHelp("The kit file to write.", valueName: "file")) var out: String

    func run() throws {
        let kit = try AuditKit.make(log: location.log, unit: unit, index: index, year: year, checkpoint: try readText(checkpoint, what: "checkpoint"),
                                    checkpointFile: checkpoint, witnessed: try witnessed.map { (try readText($0, what: "checkpoint"), $0) })
        let json = kit.json
        try emit(json, to: out)
        print("wrote \(out): \(kit.events.count) events of \(unit) \(index) \(year), \(json.utf8.count) bytes; score \(kit.statement.points) / \(kit.statement.max)"
              + (kit.statement.percent.map { " = \($0)%" } ?? ""))
    }
}

struct CheckKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-kit",
        abstract: "Check an audit kit without the log: the signature, every proof, and that the score follows from its events.",
        discussion: "Exits 1 naming the first event or item that fails. A kit proves its events are in the log the operator signed and that the score follows from them; not that the unit has no other events (docs/TRANSPARENCY.md).")

    @Argument(help: ArgumentHelp("The kit file.", valueName: "kit")) var kit: String
    @Option(help: ArgumentHelp("The log's public key.", valueName: "file")) var key: String
    @Option(help: ArgumentHelp("A checkpoint a witness accepted: the kit's tree must be consistent with it.", valueName: "file")) var witnessed: String?
    @Option(name: .customLong("cosigned-by"), help: ArgumentHelp("A witness's public key: the kit's checkpoint must carry its cosignature (repeatable).", valueName: "file"))
    var cosignedBy: [String] = []

    func run() throws {
        guard let data = FileManager.default.contents(atPath: kit) else { throw CommandFailure("cannot read kit \(kit)") }
        let parsed = try AuditKit.parse(Array(data), file: kit)
        let report = try parsed.check(key: try readVerifierKey(file: key), place: kit,
                                      witnessed: try witnessed.map { (try readText($0, what: "checkpoint"), $0) },
                                      cosigners: try cosignedBy.map { try readVerifierKey(file: $0) })
        print(report.summary)
    }
}
