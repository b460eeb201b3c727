import ArgumentParser
import EventLog
import Foundation

struct StatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stat", abstract: "Segments, frames, events, sizes and compression ratio of the log.")

    @OptionGroup var location: LogLocation

    func run() throws {
        let report: LogReport
        report = try LogVerifier.stat(directory: location.log)
        var table = TextTable([.init("figure"), .init("value", .right)])
        table.append(["segments", String(report.segments)])
        table.append(["frames", String(report.frames)])
        table.append(["events", String(report.events)])
        table.append(["compressed bytes", "\(report.compressedBytes) (\(humanBytes(report.compressedBytes)))"])
        table.append(["plain bytes", "\(report.plainBytes) (\(humanBytes(report.plainBytes)))"])
        table.append(["ratio", String(format: "%.2f : 1", Double(report.plainBytes) / Double(max(report.compressedBytes, 1)))])
        table.append(["head seq", report.head.seq.description])
        print(table.render(), terminator: "")
        print("head hash \(report.head.hash.hex)")
    }
}
