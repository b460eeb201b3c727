import Foundation
import Pipelines
import Testing

/// Kills a real process with SIGKILL while it swaps snapshots into one
/// output, over and over: after every kill the output is one whole snapshot.
@Suite("Snapshot swap: crash safety")
struct SnapshotSwapCrashTests {
    static func childBinary() throws -> URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        var candidates: [URL] = []
        for _ in 0..<4 { candidates.append(dir.appendingPathComponent("SnapshotSwapChild")); dir = dir.deletingLastPathComponent() }
        candidates.append(PipelineRunTests.root.appendingPathComponent(".build/debug/SnapshotSwapChild"))
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "SnapshotSwapChild not built; looked at \(candidates.map(\.path))"])
    }

    /// The output's files all come from one round, and each hashes to its manifest entry.
    static func checkWhole(_ out: String) throws -> Int {
        let dir = SnapshotWriter.resolve(out)
        let manifestPath = dir + "/" + Manifest.fileName
        let manifest = try Manifest.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: manifestPath))), file: manifestPath)
        #expect(manifest.files.count == 40)
        var rounds: Set<Substring> = []
        for file in manifest.files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file.path)))
            #expect(SnapshotWriter.sha256Hex(bytes) == file.sha256, "\(file.path)")
            rounds.insert(String(decoding: bytes, as: UTF8.self).split(separator: " ")[1])
        }
        #expect(rounds.count == 1, "one snapshot, not a mix of rounds: \(rounds)")
        return Int(rounds.first ?? "0") ?? 0
    }

    @Test("SIGKILL at random moments while snapshots are swapped, 40 times: the output is always one whole snapshot, and stale directories are cleaned")
    func killedWhileSwapping() throws {
        let child = try Self.childBinary()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-swap-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let out = base + "/out"
        var rng = SystemRandomNumberGenerator()
        var roundsSeen = 0
        for _ in 0..<40 {
            let p = Process()
            p.executableURL = child
            p.arguments = [out]
            p.standardError = FileHandle.nullDevice
            let before = try? FileManager.default.destinationOfSymbolicLink(atPath: out)
            try p.run()
            // Until this child has swapped in a snapshot of its own, then a random moment within a few swaps.
            while (try? FileManager.default.destinationOfSymbolicLink(atPath: out)) == before && p.isRunning { usleep(500) }
            usleep(UInt32.random(in: 0...60_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal, "the child was killed, not failed")
            roundsSeen += try Self.checkWhole(out)
        }
        #expect(roundsSeen >= 40, "every child swapped in at least one snapshot before it was killed")
        // A run after the kills leaves only the output's own directory beside the link.
        let p = Process()
        p.executableURL = child
        p.arguments = [out]
        try p.run()
        usleep(200_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: base).filter { $0.hasPrefix(".out.snap-") }
        #expect(snapshots.count <= 2, "at most the current snapshot and the one being written when killed: \(snapshots)")
        _ = try Self.checkWhole(out)
    }
}
