import Foundation
import Testing
import Primitives
import EventLog
@testable import Pipelines

@Suite("Snapshot writer")
struct SnapshotWriterTests {
    let point = Manifest.LogPoint(seq: Seq(42), hash: FrameHash(hex: String(repeating: "ab", count: 32))!, limit: "head")

    private func tempDir() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-snap-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("Files and a manifest whose hashes match the bytes on disk")
    func writesManifest() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var set = SnapshotSet()
        try set.add("ranking/PAR-2023-department.json", Array("{}\n".utf8))
        try set.add("ranking/PAR-2023-department.csv", Array("a\r\n".utf8))
        let out = dir.appendingPathComponent("nightly").path
        let manifest = try SnapshotWriter.write(set, pipeline: "nightly", configHash: "c0ffee", log: point, to: out)
        #expect(manifest.files.map(\.path) == ["ranking/PAR-2023-department.csv", "ranking/PAR-2023-department.json"])
        for file in manifest.files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent(file.path)))
            #expect(SnapshotWriter.sha256Hex(bytes) == file.sha256)
            #expect(bytes.count == file.bytes)
        }
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("manifest.json")))
        #expect(try Manifest.parse(onDisk, file: "manifest.json") == manifest)
        // Beside it: the link, the one directory it points at, and the output's lock.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: out)
        #expect(siblings == [".nightly.lock", target, "nightly"].sorted())
        #expect(target.hasPrefix(".nightly.snap-"))
    }

    @Test("A second run replaces the first whole: no stale file survives")
    func replaces() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("nightly").path
        var first = SnapshotSet()
        try first.add("trend/PAR-2022-district.json", [1])
        try SnapshotWriter.write(first, pipeline: "nightly", configHash: "x", log: point, to: out)
        var second = SnapshotSet()
        try second.add("trend/PAR-2023-district.json", [2])
        try SnapshotWriter.write(second, pipeline: "nightly", configHash: "x", log: point, to: out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/trend") == ["PAR-2023-district.json"])
        // The directory the link left is gone: one snapshot directory remains.
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".nightly.snap-") }
        #expect(snapshots == [try FileManager.default.destinationOfSymbolicLink(atPath: out)])
    }

    @Test("A directory that is not a snapshot is never replaced, and nothing is written")
    func refusesForeignDirectory() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let precious = dir.appendingPathComponent("thesis.docx")
        try Data("mine".utf8).write(to: precious)
        var set = SnapshotSet()
        try set.add("a.json", [1])
        #expect {
            try SnapshotWriter.write(set, pipeline: "p", configHash: "x", log: point, to: dir.path)
        } throws: { error in
            "\(error)".contains("not a snapshot directory")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["thesis.docx"])
        #expect(try Data(contentsOf: precious) == Data("mine".utf8))
    }

    @Test("A manifest whose log point is edited (a hash that is not 64 hex digits, an unknown limit) is refused, naming the file and the key")
    func editedLogPoint() throws {
        let good = Manifest(pipeline: "nightly", configHash: String(repeating: "c", count: 64), log: point, files: [])
        let text = String(decoding: good.serialized(), as: UTF8.self)
        #expect(try Manifest.parse(good.serialized(), file: "m.json").log == point)
        for edited in [text.replacingOccurrences(of: point.hash.hex, with: String(repeating: "AB", count: 32)),
                       text.replacingOccurrences(of: point.hash.hex, with: "abab"),
                       text.replacingOccurrences(of: "\"head\"", with: "\"tail\"")] {
            #expect(edited != text)
            #expect { try Manifest.parse(Array(edited.utf8), file: "m.json") } throws: { error in
                "\(error)" == "m.json: log: the log point is not a seq, a 64-digit hash and a limit — the manifest was edited; re-run the pipeline or restore the snapshot"
            }
        }
    }

    @Test("A manifest read back is the one written, every field of every file; one with a member missing, of the wrong kind, named twice or cut short is refused, naming the member or the byte")
    func manifestShape() throws {
        let files = [Manifest.File(path: "ranking/PAR-2023-B.json", bytes: 1234, sha256: String(repeating: "e", count: 64),
                                   partition: Manifest.PartitionName(index: "PAR", year: 2023, block: "B")),
                     Manifest.File(path: "report/index.html", bytes: 0, sha256: String(repeating: "0", count: 64))]
        let good = Manifest(pipeline: "nightly", configHash: String(repeating: "c", count: 64),
                            log: Manifest.LogPoint(seq: point.seq, hash: point.hash, limit: "as-of", asOf: "2024-01-31T00:00:00+07:00"), files: files)
        #expect(try Manifest.parse(good.serialized(), file: "m.json") == good)
        let text = String(decoding: good.serialized(), as: UTF8.self)
        let cases: [(String, String)] = [
            (text.replacingOccurrences(of: "\"bytes\": 1234", with: "\"bytes\": \"1234\""), "m.json: files[0].bytes: not a readable snapshot manifest: expected a whole number, found a string"),
            (text.replacingOccurrences(of: "\"bytes\": 1234", with: "\"bytes\": -1"), "m.json: files[0].bytes: not a readable snapshot manifest: expected a whole number, found a number"),
            (text.replacingOccurrences(of: "\"year\": 2023", with: "\"year\": 2023.5"), "m.json: files[0].partition.year: not a readable snapshot manifest: expected a whole number, found a number"),
            (text.replacingOccurrences(of: "\"sha256\": \"" + String(repeating: "0", count: 64) + "\"", with: "\"sha\": 1"), "m.json: files[1].sha256: not a readable snapshot manifest: missing"),
            (text.replacingOccurrences(of: "\"pipeline\": \"nightly\"", with: "\"pipeline\": \"nightly\", \"pipeline\": \"other\""), "m.json:byte 73: not a readable snapshot manifest: duplicate key \"pipeline\""),
            (text.replacingOccurrences(of: "\"files\": [", with: "\"files\": {\"a\": [") + "}", "m.json: files: not a readable snapshot manifest: expected a list"),
        ]
        for (edited, says) in cases {
            #expect(edited != text)
            #expect { try Manifest.parse(Array(edited.utf8), file: "m.json") } throws: { error in
                "\(error)".hasPrefix(says + " — ")
            }
        }
        #expect { try Manifest.parse(Array(good.serialized().dropLast(40)), file: "m.json") } throws: { error in
            "\(error)".hasPrefix("m.json:byte ") && "\(error)".contains("not a readable snapshot manifest") && "\(error)".contains("re-run the pipeline")
        }
    }

    @Test("A failed sync names the path and the reason in words, with what to do")
    func syncFailureSpeaks() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-no-such-\(UUID().uuidString)").path
        #expect {
            try SnapshotWriter.syncAll(missing, files: [missing + "/a.json"])
        } throws: { error in
            let e = error as? EventLogError
            return e?.code == .io && "\(error)" == "cannot open \(missing): No such file or directory"
        }
    }

    /// `../\u{301}x`: read as `Character`s, the `/` and the combining mark are one, and no part is `..`; the file system sees `..`.
    @Test("Output paths cannot leave the output directory", arguments: ["../x.json", "/etc/passwd", "a/../../b", "a//b", "./a", "a/.", "../\u{301}x"])
    func rejectsEscapes(path: String) {
        var set = SnapshotSet()
        #expect(throws: PipelineError.self) { try set.add(path, [1]) }
        #expect(set.files.isEmpty)
    }

    @Test("Codes become safe, distinct file-name components")
    func safeComponents() {
        #expect(SnapshotPath.component("department") == "department")
        #expect(SnapshotPath.component("../etc") == "%2E%2E%2Fetc")
        #expect(SnapshotPath.component("a.b") != SnapshotPath.component("a%2Eb"))
        let file = SnapshotPath.file(projection: "ranking", index: "PAR", year: 2023, block: "../../x", ext: "json")
        #expect(SnapshotPath.isContained(file))
        #expect(file == "ranking/PAR-2023-%2E%2E%2F%2E%2E%2Fx.json")
    }
}
