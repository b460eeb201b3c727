import EventLog
import Foundation
import Ledger
import ScoreModel
import DataGen

/// A scratch directory, removed at deinit.
final class Scratch {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-tlog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A log of raw records whose bytes follow from their seq, in batches.
    func rawLog(_ name: String = "log", count: Int, batch: Int = 37) throws -> String {
        let log = path + "/" + name
        try LogWriter.create(directory: log)
        var options = LogOptions()
        options.durable = false
        options.segmentSizeLimit = 16 << 10
        let writer = try LogWriter(directory: log, options: options)
        var seq = 1
        while seq <= count {
            let n = min(batch, count - seq + 1)
            _ = try writer.append((seq..<(seq + n)).map { Self.record($0) })
            seq += n
        }
        writer.close()
        return log
    }

    static func record(_ seq: Int) -> [UInt8] {
        Array("record \(seq) ".utf8) + (0..<(seq % 23)).map { UInt8(truncatingIfNeeded: seq &* 7 &+ $0) }
    }

    /// The demo province's log (plus `extra` JSON Lines), imported the way `parledger import` does.
    func demoLog(_ name: String = "demo", extra: [String] = []) throws -> String {
        let log = path + "/" + name
        try LogWriter.create(directory: log)
        let lines = DemoProvince.events().map { EventJSON.encode($0) } + extra
        var options = LogOptions()
        options.durable = false
        _ = try Ledger.importEvents([ImportSource(name: "demo.jsonl", bytes: Array((lines.joined(separator: "\n") + "\n").utf8))], into: log, options: options)
        return log
    }

    func write(_ text: String, to name: String) throws -> String {
        let file = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func read(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: name.hasPrefix("/") ? name : path + "/" + name)), as: UTF8.self)
    }
}

/// Runs python3 with a script; stdout as a string.
enum Python {
    static func has(_ module: String) -> Bool {
        (try? run("import \(module)", input: "").status) == 0
    }

    static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static func run(_ script: String, input: String) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let stdin = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = stdin; p.standardOutput = out; p.standardError = err
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
