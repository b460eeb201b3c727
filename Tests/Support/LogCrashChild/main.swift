// A child process for the crash tests: appends batches to the log in argv[1]
// until it is killed, printing "begin F L" before each append and "ack F L"
// once it is acknowledged (durable). Record payloads are derived from their
// seq (see `payload(for:)`), so the parent can check every byte it reads.
//
// With a third argument `staged`, each batch is one staged append (of up
// to 5,000 records, added 50 at a time, across several segments) instead:
// "staged F L" once all its records are added, "ack F L" once committed.
//
// usage: LogCrashChild LOG_DIR SEED [staged]
import EventLog
import Foundation

func payload(for seq: UInt64) -> [UInt8] {
    var bytes = Array("record \(seq) ".utf8)
    let filler = Int(seq % 97) * 3
    for i in 0..<filler { bytes.append(UInt8(truncatingIfNeeded: seq &+ UInt64(i))) }
    return bytes
}

let args = CommandLine.arguments
guard args.count == 3 || (args.count == 4 && args[3] == "staged"), let seed = UInt64(args[2]) else {
    FileHandle.standardError.write(Data("usage: LogCrashChild LOG_DIR SEED [staged]\n".utf8))
    exit(2)
}
var options = LogOptions()
options.segmentSizeLimit = 16 << 10     // many rotations, even on a slow (sanitized) run
options.framePlainLimit = 4 << 10       // larger batches span several frames
let writer: LogWriter
do {
    writer = try LogWriter(directory: args[1], options: options)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
struct XorShift {
    var state: UInt64
    mutating func next(_ bound: UInt64) -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state % bound
    }
}
/// One unbuffered write per line: what the parent reads was said before the kill.
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
var rng = XorShift(state: seed | 1)
while args.count == 4 {
    let first = writer.head.seq.rawValue + 1
    let last = first + 1_000 + rng.next(4_000) - 1
    say("begin \(first) \(last)")
    do {
        let staged = try writer.stage()
        var seq = first
        while seq <= last {
            let end = min(last, seq + 49)
            try staged.add((seq...end).map(payload(for:)))
            seq = end + 1
        }
        say("staged \(first) \(last)")
        let receipt = try staged.commit()
        precondition(receipt.firstSeq.rawValue == first && receipt.lastSeq.rawValue == last)
        say("ack \(first) \(last)")
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
}
while true {
    let first = writer.head.seq.rawValue + 1
    let size = rng.next(10) == 0 ? 200 + rng.next(400) : 1 + rng.next(20)
    let last = first + size - 1
    say("begin \(first) \(last)")
    let batch = (first...last).map(payload(for:))
    do {
        let receipt = try writer.append(batch)
        precondition(receipt.firstSeq.rawValue == first && receipt.lastSeq.rawValue == last)
        say("ack \(first) \(last)")
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
}
