import ArgumentParser
import EventLog
import Foundation
import Transparency

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create an empty log.",
        discussion: "With --origin on a log that has none yet, records the origin and changes nothing else.")

    @OptionGroup var location: LogLocation
    @Option(help: ArgumentHelp("The log's origin, the first line of its checkpoints (e.g. cchc.example.gov.vn/par).", valueName: "name"))
    var origin: String?
    @Flag(help: "Refuse unsigned batches, unknown or revoked signers, bad signatures and events outside the signer's roles (needs --origin).")
    var requireSignatures = false

    func run() throws {
        if let origin { try LogOrigin.validate(origin) }
        if requireSignatures && origin == nil {
            throw CommandFailure("--require-signatures needs --origin NAME: a signature is bound to the log's origin")
        }
        if let origin, FileManager.default.fileExists(atPath: location.log + "/parledger.log") {
            let addPolicy = requireSignatures && !SignaturePolicy.required(directory: location.log)
            if addPolicy {
                // The policy holds from a log's first event: verify --signatures checks every one.
                let head = try LogReader(directory: location.log).head
                guard head.seq.rawValue == 0 else {
                    throw CommandFailure("the log in \(location.log) already holds \(head.seq.rawValue) events, not signed under a policy: --require-signatures is for a new log (`verify --signatures` would find them unsigned); make a new log and import the signed batches there")
                }
            }
            try LogOrigin.set(origin, directory: location.log)
            print("the log in \(location.log) has the origin \(origin)")
            if addPolicy {
                try SignaturePolicy.require(directory: location.log)
                print("the log in \(location.log) requires signatures")
            }
            return
        }
        try LogWriter.create(directory: location.log)
        if let origin { try LogOrigin.set(origin, directory: location.log) }
        if requireSignatures { try SignaturePolicy.require(directory: location.log) }
        print("created an empty log in \(location.log)" + (origin.map { " with the origin \($0)" } ?? "")
              + (requireSignatures ? ", requiring signatures" : ""))
    }
}
