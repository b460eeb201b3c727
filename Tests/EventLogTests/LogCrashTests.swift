import Foundation
import Testing
@testable import EventLog

/// Kills a real writer process with SIGKILL at random moments, over and over,
/// and checks after each kill that nothing acknowledged was lost and nothing
/// partial is visible.
@Suite("Event log: crash safety")
struct LogCrashTests {
    static func childBinary() throws -> URL {
        let fm = FileManager.default
        var candidates: [URL] = []
        // The test runner lives in the build products directory, beside LogCrashChild.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("LogCrashChild"))
            dir = dir.deletingLastPathComponent()
        }
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root = root.deletingLastPathComponent() }
        candidates.append(root.appendingPathComponent(".build/debug/LogCrashChild"))
        for url in candidates where fm.isExecutableFile(atPath: url.path) { return url }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "LogCrashChild not built; looked at \(candidates.map(\.path))"])
    }

    /// Same formula as Tests/Support/LogCrashChild/main.swift.
    static func childPayload(_ seq: UInt64) -> [UInt8] {
        var bytes = Array("record \(seq) ".utf8)
        let filler = Int(seq % 97) * 3
        for i in 0..<filler { bytes.append(UInt8(truncatingIfNeeded: seq &+ UInt64(i))) }
        return bytes
    }

    @Test("SIGKILL at random moments, 40 times: every acknowledged batch is there whole, no partial batch is visible")
    func killedWriter() throws {
        try killRounds(40, staged: false)
    }

    @Test("SIGKILL of staged appends (thousands of records over several segments) at random moments, 40 times: each is in the log whole or not at all, and the log verifies")
    func killedStagedAppend() throws {
        let (cuts, segmentsRemoved) = try killRounds(40, staged: true)
        #expect(cuts >= 10, "the kills must land while frames are staged past the acknowledged end")
        #expect(segmentsRemoved >= 5, "some kills must land after a staged append started a new segment")
    }

    /// Runs the child `rounds` times on one log, killing it at a random
    /// moment after its first acknowledgement; returns how many times the
    /// next writer cut a tail, and how many of those tails held segments.
    @discardableResult
    func killRounds(_ rounds: Int, staged: Bool) throws -> (cuts: Int, segmentsRemoved: Int) {
        let child = try Self.childBinary()
        let log = try TempLog()
        var rng = SystemRandomNumberGenerator()
        var acknowledged: UInt64 = 0
        var kills = 0, cuts = 0, segmentsRemoved = 0
        for round in 0..<rounds {
            let process = Process()
            process.executableURL = child
            process.arguments = [log.path, String(round + 1)] + (staged ? ["staged"] : [])
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            let before = (try? AcknowledgedHead.read(log.path).seq) ?? 0
            try process.run()
            // Until the child has acknowledged a batch (a slow machine, or a
            // sanitizer, must not turn this into a test of start-up), then a random moment.
            while ((try? AcknowledgedHead.read(log.path).seq) ?? 0) <= before && process.isRunning { usleep(500) }
            usleep(UInt32.random(in: 0...40_000, using: &rng))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { kills += 1 }
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            var begun: Set<UInt64> = [acknowledged]
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 3, let last = UInt64(parts[2]) else { continue }
                if parts[0] == "ack" { acknowledged = max(acknowledged, last) }
                if parts[0] == "begin" { begun.insert(last) }
            }
            // The log opens (cutting any torn tail) and verifies.
            let writer = try LogWriter(directory: log.path)
            let head = writer.head.seq.rawValue
            if let recovery = writer.recovery {
                cuts += 1
                if recovery.reason.contains("removed") { segmentsRemoved += 1 }
            }
            writer.close()
            #expect(try LogReader(directory: log.path).tornTail == nil, "round \(round): the writer left a tail")
            let report = try LogVerifier.verify(directory: log.path)
            #expect(report.head.seq.rawValue == head)
            #expect(head >= acknowledged, "round \(round): acknowledged \(acknowledged) but head is \(head)")
            #expect(begun.contains(head), "round \(round): head \(head) is not the end of a batch: a partial batch is visible")
            acknowledged = head
        }
        #expect(kills >= rounds * 3 / 4, "the child must really be killed mid-run")
        // Every byte of every record is what the child wrote.
        let records = try readAll(log.path)
        #expect(records.count == Int(acknowledged))
        #expect(records.allSatisfy { $0.1 == Self.childPayload($0.0) })
        #expect(log.segments.count > 1)
        return (cuts, segmentsRemoved)
    }
}
