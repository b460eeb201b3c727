import ArgumentParser
import DataGen
import Foundation
import ScoreModel

/// JSON Lines and binary record codecs on the demo's events, repeated.
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec", abstract: "Score event codecs: JSON decode/encode, binary encode/decode, sizes.")

    @Option(help: "Passes over the demo's events.") var passes = 100

    func run() throws {
        let events = DemoProvince.events()
        let n = events.count * passes
        let lines = events.map { Array(EventJSON.encode($0).utf8) }
        let records = events.map { EventCodec.encode($0) }
        let jsonBytes = lines.reduce(0) { $0 + $1.count + 1 }, binBytes = records.reduce(0) { $0 + $1.count }
        var sink = 0
        let (_, jsonDecode) = try measure {
            for _ in 0..<passes { for line in lines { sink &+= try line.withUnsafeBytes { try EventJSON.decode(line: $0) }.at.offsetMinutes == 0 ? 1 : 0 } }
        }
        let (_, jsonEncode) = measure { for _ in 0..<passes { for e in events { sink &+= EventJSON.encode(e).utf8.count } } }
        let (_, binEncode) = measure {
            var buffer: [UInt8] = []
            for _ in 0..<passes { for e in events { buffer.removeAll(keepingCapacity: true); EventCodec.encode(e, into: &buffer); sink &+= buffer.count } }
        }
        var decoder = RecordDecoder()
        let (_, binDecode) = try measure {
            for _ in 0..<passes { for r in records { sink &+= try r.withUnsafeBytes { try decoder.decode($0) }.at.offsetMinutes == 0 ? 1 : 0 } }
        }
        print("score event codecs: the demo's \(events.count) events × \(passes) passes (sink \(sink % 10))")
        print(String(format: "size: JSON line %.0f bytes/event, binary record %.0f bytes/event (%.0f%%)",
                     Double(jsonBytes) / Double(events.count), Double(binBytes) / Double(events.count), 100 * Double(binBytes) / Double(jsonBytes)))
        row(["", "events/s", "MB/s"])
        row(["JSON decode (+checks)", rate(n, jsonDecode), mbps(jsonBytes * passes, jsonDecode)])
        row(["JSON encode", rate(n, jsonEncode), mbps(jsonBytes * passes, jsonEncode)])
        row(["binary encode", rate(n, binEncode), mbps(binBytes * passes, binEncode)])
        row(["binary decode", rate(n, binDecode), mbps(binBytes * passes, binDecode)])
    }
}
