import ArgumentParser
import Foundation
import Ledger
import ScoreModel

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the log as JSON Lines (with seq and recordedAt), losslessly.")

    @OptionGroup var location: LogLocation

    @Option(name: .customLong("from-seq"), help: "The first seq to export.")
    var fromSeq: UInt64 = 1

    @Option(name: .customLong("to-seq"), help: "The last seq to export (default: the head).")
    var toSeq: UInt64?

    func run() throws {
        let out = BufferedOutput()
        do {
            try Ledger.export(directory: location.log, from: EventSeq(fromSeq), through: toSeq.map { EventSeq($0) }) { line in
                out.write(line)
                out.write("\n")
            }
            out.flush()
        } catch {
            out.flush()
            throw fail(error)
        }
    }
}

/// Standard output in 64 KiB writes: a national export is millions of lines.
final class BufferedOutput {
    private var buffer: [UInt8] = []
    init() { buffer.reserveCapacity(1 << 16) }
    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }
    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
