import EventLog
import Foundation
import Testing

/// `parledger import` killed with SIGKILL while it streams a national-style
/// history into the log: after each kill the log holds all of the import or
/// none of it, and verifies.
@Suite("The command line: a killed import", .serialized)
struct StagedImportCrashTests {
    /// Bytes of every segment file of a log.
    static func segmentBytes(_ log: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: log)) ?? []
        return names.filter { $0.hasSuffix(".seg") }.reduce(0) {
            $0 + (((try? FileManager.default.attributesOfItem(atPath: log + "/" + $1))?[.size] as? Int) ?? 0)
        }
    }

    @Test("SIGKILL of `parledger import` at random moments while it stages, 12 to 40 times: the log holds all of the import or none, and verifies")
    func killedImport() throws {
        let scratch = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // A small national history in business-time order, cut into files
        // of 2,000 lines (the importer holds an unsigned file's events until
        // its end, in case a signature follows, so files make it stage early).
        let all = scratch + "/national.jsonl"
        let generated = try CLI.run(["generate", "national", "--provinces", "1", "--items", "80", "--from", "2020", "--to", "2023", "--out", all])
        try #require(generated.status == 0, "\(generated.err)")
        let lines = try String(contentsOfFile: all, encoding: .utf8).split(separator: "\n")
        // Large enough that frames are written (a few MiB at a time) well before the end.
        try #require(lines.count > 60_000)
        var files: [String] = []
        for (k, start) in stride(from: 0, to: lines.count, by: 2_000).enumerated() {
            let path = scratch + "/part-\(k).jsonl"
            try (lines[start..<min(lines.count, start + 2_000)].joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            files.append(path)
        }
        // Each round: a log holding the first file, then the rest in one import.
        func freshLog(_ round: Int) throws -> (log: String, head: LogHead) {
            let log = scratch + "/log-\(round)"
            try CLI.run(["init", "--log", log])
            let first = try CLI.run(["import", "--log", log, files[0]])
            try #require(first.status == 0, "\(first.err)")
            return (log, try LogReader(directory: log).head)
        }
        // One import left alone: how many events, and how long it goes on after its first staged frames.
        let reference = try freshLog(0)
        let referenceBytes = Self.segmentBytes(reference.log)
        let whole = Process()
        whole.executableURL = try CLI.binary()
        whole.arguments = ["import", "--log", reference.log] + files.dropFirst()
        whole.standardOutput = FileHandle.nullDevice
        whole.standardError = FileHandle.nullDevice
        try whole.run()
        while Self.segmentBytes(reference.log) <= referenceBytes && whole.isRunning { usleep(1_000) }
        let staging = Date()
        whole.waitUntilExit()
        try #require(whole.terminationStatus == 0)
        let seconds = Date().timeIntervalSince(staging)
        let full = try LogReader(directory: reference.log).head.seq.rawValue
        try #require(full == UInt64(lines.count))

        var rng = SystemRandomNumberGenerator()
        var none = 0, allOfIt = 0, cut = 0
        // The kills' window: at first 60% of the reference import's staging
        // time, halved whenever a kill came too late (a busier machine runs
        // the child at another pace), so that at least 12 rounds and at
        // least 3 kills while staging are seen, within 40 rounds.
        var window = UInt32(seconds * 600_000)
        var round = 0
        while round < 12 || ((none < 3 || cut < 3) && round < 40) {
            round += 1
            let (log, before) = try freshLog(round)
            let bytesBefore = Self.segmentBytes(log)
            let process = Process()
            process.executableURL = try CLI.binary()
            process.arguments = ["import", "--log", log] + files.dropFirst()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Until the child has staged its first frames (its own progress, not a guess at its start-up), then a random moment.
            while Self.segmentBytes(log) <= bytesBefore && process.isRunning { usleep(1_000) }
            // A random moment, mostly before the acknowledgement (the last frames and the syncs come at the end).
            usleep(UInt32.random(in: 0...window, using: &rng))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // The next writer cuts what was staged and not acknowledged; the log verifies.
            let writer = try LogWriter(directory: log)
            if writer.recovery != nil { cut += 1 }
            let head = writer.head
            writer.close()
            let report = try LogVerifier.verify(directory: log)
            #expect(report.head == head)
            #expect(head == before || head.seq.rawValue == full, "round \(round): head \(head.seq) is neither \(before.seq) (none) nor \(full) (all)")
            if head == before {
                none += 1
                #expect(Self.segmentBytes(log) == bytesBefore, "round \(round): staged bytes were left behind")
            } else {
                allOfIt += 1
                window /= 2
            }
            try? FileManager.default.removeItem(atPath: log)
        }
        #expect(none >= 3 && cut >= 3, "most kills must land while the import stages (none \(none), all \(allOfIt), cut \(cut))")
    }
}
