import ArgumentParser
import Foundation
import Ledger

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate JSON Lines event files and append them to the log, all or nothing.",
        discussion: """
        Every line of every file is checked against the log and the lines before it; \
        one bad line and nothing is appended. Events whose id is already in the log \
        with the same content are skipped. Use - to read standard input.
        """)

    @OptionGroup var location: LogLocation

    @Argument(help: ArgumentHelp("Event files (JSON Lines), or - for standard input.", valueName: "file"))
    var files: [String]

    func run() throws {
        var sources: [ImportSource] = []
        for file in files {
            if file == "-" {
                sources.append(ImportSource(name: "<stdin>", bytes: [UInt8](FileHandle.standardInput.readDataToEndOfFile())))
                continue
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw fail("cannot read \(file): no such file or not readable; nothing was imported")
            }
            sources.append(ImportSource(name: file, bytes: [UInt8](data)))
        }
        let report: ImportReport
        do {
            report = try Ledger.importEvents(sources, into: location.log)
        } catch {
            throw fail(error)
        }
        if let recovery = report.recovery { printErr("parledger: notice: \(recovery)") }
        var line = "imported \(report.appended) event\(report.appended == 1 ? "" : "s")"
        if report.skipped > 0 { line += " (\(report.skipped) already in the log, skipped)" }
        print(line)
        print("head seq \(report.head.seq) hash \(report.head.hashHex)")
    }
}
