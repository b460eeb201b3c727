import ArgumentParser
import Foundation
import ScoreModel
import Transparency

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "Sign a JSON Lines submission as one batch, for one log.",
        discussion: """
        Appends a batch.signed line: one Ed25519 signature by the actor over all the file's events \
        and the log's origin (docs/SIGNATURES.md), so the same file is refused by any other log and \
        after any change. The key is a private key file of `parledger key generate` (mode 0600); \
        its public half is the key of the actor's actor.registered event.
        """)

    @OptionGroup var location: LogLocation
    @Argument(help: ArgumentHelp("The JSON Lines file to sign, or - for standard input.", valueName: "file")) var file: String
    @Option(help: ArgumentHelp("The actor's private key file.", valueName: "file")) var key: String
    @Option(help: ArgumentHelp("The actor id the log registered with this key.", valueName: "id")) var actor: String
    @Option(help: ArgumentHelp("Where to write the signed file (default: standard output).", valueName: "file")) var out: String?
    @Option(help: ArgumentHelp("The origin of the log the batch is for (default: the origin of --log).", valueName: "name")) var origin: String?
    @Option(help: ArgumentHelp("The signing time, RFC 3339 (default: now).", valueName: "time")) var at: String?

    func run() throws {
        let signer = try SignerKey.read(file: key)
        let origin = try self.origin ?? LogOrigin.read(directory: location.log)
        var time = BatchSigner.now()
        if let at {
            switch RFC3339.parse(at) {
            case .success(let t): time = t
            case .failure(let e): throw CommandFailure("--at \(at): \(e.message)")
            }
        }
        let name = file == "-" ? "<stdin>" : file
        let signed = try BatchSigner.sign(try InputFile.read(file), file: name, key: signer, actor: Actor(actor), origin: origin, at: time)
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(signed)) else { throw CommandFailure("cannot write \(out)") }
            printErr("signed \(name) as \(actor) for log \(origin): \(out)")
        } else {
            FileHandle.standardOutput.write(Data(signed))
        }
    }
}
