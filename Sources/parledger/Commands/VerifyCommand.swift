import ArgumentParser
import EventLog

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every frame, every record and the hash chain of the log; print the head.",
        discussion: "Exits 1 and names the segment, byte offset and seq of the first fault.")

    @OptionGroup var location: LogLocation

    func run() throws {
        let report: LogReport
        report = try LogVerifier.verify(directory: location.log)
        print("ok: \(location.log) is intact")
        print("head      seq \(report.head.seq)  hash \(report.head.hashHex)")
        print("events    \(report.events)")
        print("frames    \(report.frames) in \(report.segments) segment(s)")
        print("bytes     \(report.fileBytes) on disk (\(humanBytes(report.fileBytes))), \(report.plainBytes) plain")
    }
}
