import Primitives
import ArgumentParser
import Foundation
import EventLog
import Ledger
import ScoreModel

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the log as JSON Lines (with seq and recordedAt), losslessly.")

    @OptionGroup var location: LogLocation

    @Option(name: .customLong("from-seq"), help: "The first seq to export (default: 1).")
    var fromSeq: UInt64?

    @Option(name: .customLong("to-seq"), help: "The last seq to export (default: the head).")
    var toSeq: UInt64?

    func validate() throws {
        if fromSeq == 0 { throw ValidationError("--from-seq 0: seqs start at 1") }
        if let fromSeq, let toSeq, fromSeq > toSeq {
            throw ValidationError("--from-seq \(fromSeq) is after --to-seq \(toSeq): the range is empty; give the smaller seq first")
        }
    }

    func run() throws {
        let out = BufferedOutput()
        do {
            // A range that reaches past the head would export less than asked, silently.
            let head = try LogReader(directory: location.log).head.seq.rawValue
            for (flag, seq) in [("--from-seq", fromSeq), ("--to-seq", toSeq)] {
                if let seq, seq > head {
                    throw CommandFailure("\(flag) \(seq) is past the head of the log, seq \(head)\(head == 0 ? " (the log is empty)" : "; give a seq from 1 to \(head)")")
                }
            }
            try Ledger.export(directory: location.log, from: Seq(fromSeq ?? 1), through: toSeq.map { Seq($0) }) { line in
                out.write(Terminal.jsonSafe(line))   // the same JSON value; no bidi or C1 control reaches a terminal raw
                out.write("\n")
            }
            out.flush()
        } catch {
            out.flush()
            throw error
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
