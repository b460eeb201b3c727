import Primitives
import Foundation
@testable import EventLog

/// A fresh log directory under the system temp directory, removed at deinit.
final class TempLog {
    let path: String
    init(create: Bool = true) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-log-\(UUID().uuidString)").path
        if create { try LogWriter.create(directory: path) }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    var segments: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".seg") }.sorted()
    }

    func bytes(of segment: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/" + segment))) }
    func write(_ bytes: [UInt8], to segment: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + segment)) }

    /// Every file of the log directory with its bytes: to check nothing changed.
    func snapshot() throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where name != "writer.lock" {
            out[name] = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/" + name)))
        }
        return out
    }
}

/// Test payloads whose bytes follow from their seq.
func payload(_ seq: UInt64) -> [UInt8] {
    var bytes = Array("rec-\(seq)-".utf8)
    for i in 0..<Int(seq % 50) { bytes.append(UInt8(truncatingIfNeeded: seq &* 31 &+ UInt64(i))) }
    return bytes
}

func smallOptions(segment: Int = 8 << 10, frame: Int = 2 << 10) -> LogOptions {
    var options = LogOptions()
    options.segmentSizeLimit = segment
    options.framePlainLimit = frame
    return options
}

/// Reads every record: (seq, payload).
func readAll(_ path: String, from: UInt64 = 1, through: UInt64? = nil) throws -> [(UInt64, [UInt8])] {
    let reader = try LogReader(directory: path)
    var out: [(UInt64, [UInt8])] = []
    try reader.forEachRecord(from: Seq(from), through: through.map { Seq($0) }) { out.append(($0.seq.rawValue, Array($0.payload))) }
    return out
}
