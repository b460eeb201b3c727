import Foundation
import Testing
@testable import EventLog

/// A sealed file written in a stream (``SealedFile/Writer``) is the file
/// sealed whole in memory, byte for byte, and opens like it; one that is
/// not finished changes nothing.
@Suite("Sealed files written in a stream")
struct SealedFileWriterTests {
    static let key = CheckpointKey(secret: [UInt8](repeating: 5, count: 32), path: "stream-test.key")
    static let domain = "parledger stream test 1\n"

    final class Dir {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-sealed-\(UUID().uuidString)").path
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        var files: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    }

    @Test("Bodies of every size around a piece's boundary, appended in uneven parts, give the bytes of seal() and read back through SealedFile",
          arguments: [64, 100, 4096])
    func sameBytesAsSealedWhole(piece: Int) throws {
        let dir = try Dir()
        var rng = SystemRandomNumberGenerator()
        for count in [0, 1, piece - 1, piece, piece + 1, 3 * piece, 3 * piece + 17, 10_000] {
            let body = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let path = dir.path + "/file-\(count)"
            let writer = try SealedFile.Writer(path: path, key: Self.key, domain: Self.domain, piece: piece)
            var at = 0
            while at < count {
                let n = min(count - at, Int.random(in: 0...(2 * piece), using: &rng))
                try writer.append(Array(body[at..<(at + n)]))
                at += n
            }
            #expect(writer.count == count)
            try writer.finish()
            var whole = body
            SealedFile.seal(&whole, key: Self.key, domain: Self.domain, piece: piece)
            let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(written == whole, "body of \(count) bytes in pieces of \(piece)")
            let file = try SealedFile(path: path, key: Self.key, domain: Self.domain)
            #expect(file.count == count && file.read(0, count) == body)
        }
        #expect(!dir.files.contains { $0.contains(".tmp-") }, "no temporary file is left: \(dir.files)")
    }

    @Test("A writer dropped before finish() leaves the file it would replace as it was and removes what it wrote")
    func unfinishedChangesNothing() throws {
        let dir = try Dir()
        let path = dir.path + "/cache"
        let old = Array("the previous file".utf8)
        try Data(old).write(to: URL(fileURLWithPath: path))
        do {
            let writer = try SealedFile.Writer(path: path, key: Self.key, domain: Self.domain, piece: 64)
            try writer.append([UInt8](repeating: 7, count: 1000))
            #expect(dir.files.count == 2, "the new bytes go to a temporary file beside it: \(dir.files)")
        }
        #expect(dir.files == ["cache"])
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == old)
    }

    @Test("A writer that cannot create its file says which file and why")
    func cannotCreate() throws {
        let dir = try Dir()
        let path = dir.path + "/missing/cache"
        #expect {
            _ = try SealedFile.Writer(path: path, key: Self.key, domain: Self.domain)
        } throws: { error in
            let message = "\(error)"
            return message.contains("cannot create \(path).tmp-") && message.contains("No such file or directory")
        }
        #expect(dir.files.isEmpty)
    }
}
