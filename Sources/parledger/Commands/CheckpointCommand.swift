import Primitives
import ArgumentParser
import Foundation
import Transparency

/// Writes `text` to `out`, or to standard output.
func emit(_ text: String, to out: String?) throws {
    guard let out else { print(text, terminator: ""); return }
    do { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
        throw CommandFailure("cannot write \(out): \(error.localizedDescription)")
    }
}

func readText(_ file: String, what: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(what) \(file)") }
    return String(decoding: data, as: UTF8.self)
}

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Sign the checkpoint of the log's head (C2SP tlog-checkpoint: origin, size, Merkle root).")

    @OptionGroup var location: LogLocation
    @Option(help: ArgumentHelp("The log's private key (from `parledger key generate`).", valueName: "file")) var key: String
    @Option(help: ArgumentHelp("Write the checkpoint here instead of standard output.", valueName: "file")) var out: String?

    func run() throws {
        let r = try Transparency.checkpoint(log: location.log, key: try SignerKey.read(file: key))
        if let notice = r.notice { printErr("parledger: notice: \(notice)") }
        try emit(r.checkpoint.text, to: out)
    }
}

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Merkle proofs from the log, as JSON (docs/TRANSPARENCY.md).", subcommands: [Inclusion.self, Consistency.self])

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inclusion", abstract: "That event N is in the tree of size S (default: the head).")
        @OptionGroup var location: LogLocation
        @Option(help: "The event's seq.") var seq: UInt64
        @Option(help: "The tree size (default: the log's head).") var size: UInt64?
        @Option(help: ArgumentHelp("Write the proof here instead of standard output.", valueName: "file")) var out: String?

        func run() throws {
            let r = try Transparency.proveInclusion(log: location.log, seq: Seq(seq), size: size)
            if let notice = r.notice { printErr("parledger: notice: \(notice)") }
            try emit(r.proof.json, to: out)
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "consistency", abstract: "That the tree of size S1 is a prefix of the tree of size S2 (default: the head).")
        @OptionGroup var location: LogLocation
        @Option(help: "The older tree size.") var from: UInt64
        @Option(help: "The newer tree size (default: the log's head).") var to: UInt64?
        @Option(help: ArgumentHelp("Write the proof here instead of standard output.", valueName: "file")) var out: String?

        func run() throws {
            let r = try Transparency.proveConsistency(log: location.log, from: from, to: to)
            if let notice = r.notice { printErr("parledger: notice: \(notice)") }
            try emit(r.proof.json, to: out)
        }
    }
}

struct CheckProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-proof", abstract: "Check an inclusion or consistency proof, optionally against a signed checkpoint; needs no log.")

    @Argument(help: ArgumentHelp("The proof (JSON from `parledger prove`).", valueName: "proof")) var proof: String
    @Option(help: ArgumentHelp("A signed checkpoint whose tree the proof must be of.", valueName: "file")) var checkpoint: String?
    @Option(help: ArgumentHelp("The log's public key (with --checkpoint).", valueName: "file")) var key: String?

    func validate() throws {
        if (checkpoint == nil) != (key == nil) { throw ValidationError("give --checkpoint and --key together") }
    }

    func run() throws {
        var signed: (text: String, file: String, key: VerifierKey)?
        if let checkpoint, let key { signed = (try readText(checkpoint, what: "checkpoint"), checkpoint, try readVerifierKey(file: key)) }
        print(try Transparency.checkProof(file: proof, checkpoint: signed))
    }
}
