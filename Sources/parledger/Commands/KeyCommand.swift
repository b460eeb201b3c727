import ArgumentParser
import Transparency

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Signing keys for checkpoints and witnesses.", subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate", abstract: "Write a new Ed25519 key pair: NAME.key (private, mode 0600) and NAME.pub (a C2SP verifier key).")

        @Option(help: ArgumentHelp("The key's name: the log's origin for a log key, the witness's name for a witness key.", valueName: "name"))
        var name: String
        @Option(help: ArgumentHelp("Where to write: <path>.key and <path>.pub.", valueName: "path")) var out: String
        @Flag(help: "A witness key (it cosigns checkpoints, tlog-cosignature type 0x04) instead of a log key.") var witness = false

        func run() throws {
            let key = try SignerKey(name: name, role: witness ? .cosigner : .note)
            let files = try key.write(to: out)
            print("private key: \(files.privateFile) (keep it secret)")
            print("public key:  \(files.publicFile)")
            print(key.verifier.text)
        }
    }
}
