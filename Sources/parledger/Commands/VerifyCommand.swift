import ArgumentParser
import EventLog
import Transparency

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every frame, every record and the hash chain of the log; print the head.",
        discussion: """
        Exits 1 and names the segment, byte offset and seq of the first fault. With --signatures, \
        exits 2 when every check passes but a batch was recorded before its signer's revocation at or \
        after the revocation's `from` (a key revoked after it was stolen): a warning names each such batch.
        """)

    @OptionGroup var location: LogLocation
    @Flag(help: "Also check every signature and every signer's role again from the log alone (docs/SIGNATURES.md).") var signatures = false

    func run() throws {
        let report: LogReport
        report = try LogVerifier.verify(directory: location.log)
        var signed: SignatureReport?
        if signatures { signed = try SignatureAudit.run(directory: location.log, collecting: []) }
        print("ok: \(location.log) is intact")
        print("head      seq \(report.head.seq)  hash \(report.head.hash.hex)")
        print("events    \(report.events)")
        print("frames    \(report.frames) in \(report.segments) segment(s)")
        print("bytes     \(report.fileBytes) on disk (\(humanBytes(report.fileBytes))), \(report.plainBytes) plain")
        if let signed {
            print("signed    \(signed.signedEvents) events in \(signed.batches) batch(es), every signature and role checked; \(signed.actors) actor(s)")
            print("unsigned  \(signed.unsignedEvents) events" + (signed.required ? " (the log requires signatures)" : ""))
            if !signed.revokedBatches.isEmpty {
                let events = signed.revokedBatches.reduce(0) { $0 + Int($1.covered.upperBound.rawValue - $1.covered.lowerBound.rawValue + 1) }
                print("revoked   \(signed.revokedBatches.count) batch(es), \(events) events, signed or recorded at or after their signer's revocation")
                for batch in signed.revokedBatches { printErr("parledger: warning: \(batch)") }
                printErr("parledger: warning: \(signed.revokedBatches.count) batch(es) may not be their signer's: ask the actor which of their events are theirs, and correct the others")
                throw ExitCode(2)
            }
        }
    }
}
