import ArgumentParser
import EventLog
import Foundation
import Ledger
import Transparency

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate JSON Lines event files and append them to the log, all or nothing.",
        discussion: """
        Every line of every file is checked against the log and the lines before it; \
        one bad line and nothing is appended. Events whose id is already in the log \
        with the same content are skipped. A batch.signed line (`parledger sign`) must \
        verify for this log, and its events be within the signer's roles; a log made with \
        `init --require-signatures` refuses unsigned events. Use - to read standard input; a FIFO or \
        a process substitution (<(zcat events.jsonl.gz)) reads as well as a file. \
        One event is at most 1 MiB, with at most 100 pieces of evidence of at most \
        2,000 bytes each. Where the runner's checkpoint key can be read, the check starts \
        from the validation state saved beside the log (validation.state, sealed with \
        that key) and the events after it, not from a replay of the whole log, and the \
        state is saved again once 65,536 more events are in; a state that does not check \
        out is named on stderr and the log replayed.
        """)

    @OptionGroup var location: LogLocation

    @Argument(help: ArgumentHelp("Event files (JSON Lines), or - for standard input.", valueName: "file"))
    var files: [String]

    func run() throws {
        // Every input is opened (and a missing one named) before the log is touched; each is then read a chunk at a time.
        var sources: [ImportSource] = []
        for file in files {
            sources.append(ImportSource(name: file == "-" ? "<stdin>" : file, stream: try InputFile.open(file)))
        }
        let report: ImportReport
        report = try Ledger.importEvents(sources, into: location.log, gate: SignatureGate(log: location.log), stateKey: CheckpointKey.load())
        if let recovery = report.recovery { printErr("parledger: notice: \(recovery)") }
        for notice in report.state.notices { printErr("parledger: notice: \(notice)") }
        var line = "imported \(report.appended) event\(report.appended == 1 ? "" : "s")"
        if report.skipped > 0 { line += " (\(report.skipped) already in the log, skipped)" }
        print(line)
        print("head seq \(report.head.seq) hash \(report.head.hash.hex)")
    }
}
