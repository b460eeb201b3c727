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

/// A sealed file read once from start to end lets go of its pages as it is
/// hashed and read, so a process holds what it is reading, not the file.
@Suite("Sealed files read with their pages let go")
struct SealedFileReleaseTests {
    /// The resident kilobytes of the mapping that holds `address`, from /proc/self/smaps.
    static func residentKB(of address: UnsafeRawPointer) throws -> Int {
        // procfs files say they are empty: read to the end, not by their size.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let text = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let target = UInt(bitPattern: address)
        var inside = false
        for line in text.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
               let low = UInt(line[..<dash], radix: 16), let high = UInt(line[line.index(after: dash)..<space], radix: 16) {
                inside = low <= target && target < high
            } else if inside, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1])!
            }
        }
        throw CocoaError(.fileReadCorruptFile)
    }

    @Test("Hashed pieces leave the process's memory, bytes it is done with leave on request, and what is read again is the file's")
    func pagesLetGo() throws {
        let dir = try SealedFileWriterTests.Dir()
        let path = dir.path + "/big"
        let piece = 1 << 20, count = 8 * piece + 12_345
        var body = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        SealedFile.seal(&body, key: SealedFileWriterTests.key, domain: SealedFileWriterTests.domain, piece: piece)
        try Data(body).write(to: URL(fileURLWithPath: path))
        let expected = Array(body[0..<count])

        // Checked the usual way, the hashed pieces stay in memory.
        let kept = try SealedFile(path: path, key: SealedFileWriterTests.key, domain: SealedFileWriterTests.domain)
        let keptKB = try #require(try kept.withCheckedBytes(0..<count) { try Self.residentKB(of: $0.baseAddress!) })
        #expect(keptKB >= 8 * 1024, "\(keptKB) kB resident after hashing 8 MiB")

        let file = try SealedFile(path: path, key: SealedFileWriterTests.key, domain: SealedFileWriterTests.domain)
        let outcome = try file.withCheckedBytesReleasing(0..<count) { bytes, release -> [Int] in
            let base = bytes.baseAddress!
            let afterHashing = try Self.residentKB(of: base)
            let same = bytes.elementsEqual(expected)          // every page read again, from the file
            let afterReading = try Self.residentKB(of: base)
            release(UnsafeRawBufferPointer(rebasing: bytes[0..<(4 * piece)]))
            let afterRelease = try Self.residentKB(of: base)
            let again = bytes.elementsEqual(expected)
            return [afterHashing, same ? 1 : 0, afterReading, afterRelease, again ? 1 : 0]
        }
        let r = try #require(outcome)
        #expect(r[0] < 1024, "\(r[0]) kB resident after hashing, where each piece is let go once hashed")
        #expect(r[1] == 1 && r[4] == 1, "the bytes read after their pages were let go are the file's")
        #expect(r[2] >= 8 * 1024, "\(r[2]) kB resident once every byte was read")
        #expect(r[3] <= r[2] - 3 * 1024, "\(r[3]) kB resident after letting go of 4 MiB (from \(r[2]) kB)")
        #expect(file.damage == nil)
    }

    @Test("A piece changed on disk is still refused when pages are let go")
    func damageStillFound() throws {
        let dir = try SealedFileWriterTests.Dir()
        let path = dir.path + "/big"
        let piece = 4096
        var body = [UInt8](repeating: 9, count: 5 * piece)
        SealedFile.seal(&body, key: SealedFileWriterTests.key, domain: SealedFileWriterTests.domain, piece: piece)
        body[3 * piece + 10] ^= 1
        try Data(body).write(to: URL(fileURLWithPath: path))
        let file = try SealedFile(path: path, key: SealedFileWriterTests.key, domain: SealedFileWriterTests.domain)
        let read = file.withCheckedBytesReleasing(0..<(5 * piece)) { bytes, _ in bytes.count }
        #expect(read == nil)
        #expect(file.damage?.contains("bytes 12288..<16384 no longer match") == true, "\(file.damage ?? "no damage")")
    }
}
