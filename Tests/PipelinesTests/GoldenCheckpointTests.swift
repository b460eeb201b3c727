import Primitives
import DataGen
import EventLog
import Foundation
import Projections
import ScoreModel
import Testing
@testable import Pipelines

/// The checkpoint format pinned byte for byte: the score book of the golden
/// events (Tests/ScoreModelTests/Fixtures/golden-events.jsonl), sealed with
/// a fixed test key, committed as a file. A change of the book's layout or
/// the checkpoint's framing can only be deliberate.
/// To write it anew: `PARLEDGER_WRITE_GOLDEN=1 swift test --filter GoldenCheckpointTests`.
@Suite("Golden bytes: the checkpoint")
struct GoldenCheckpointTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let events = here.deletingLastPathComponent().appendingPathComponent("ScoreModelTests/Fixtures/golden-events.jsonl")
    static let file = here.appendingPathComponent("Fixtures/golden.checkpoint")
    /// A throwaway test key, never a real one.
    static let testKey = CheckpointKey(secret: Array(0..<32), path: "test-only.key")

    @Test("The book of the golden events, saved as a checkpoint, is the committed file byte for byte; the file reads back to the same book")
    func pinned() throws {
        // The scoring events (the first 16 lines; the actor and signature records after them do not score).
        let lines = try String(contentsOf: Self.events, encoding: .utf8).split(separator: "\n").prefix(16)
        var book = ScoreBook()
        for (i, line) in lines.enumerated() {
            book.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 1_700_000_000_000_000),
                                     event: try EventJSON.decode(line: String(line))))
        }
        let checkpoint = Checkpoint(seq: Seq(UInt64(lines.count)), frameHash: FrameHash([UInt8](repeating: 0xAB, count: 32)),
                                    manifestHash: [UInt8](repeating: 0xCD, count: 32), book: book)
        // Saved as a run saves it: streamed to its file, each piece hashed as it is written.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString).checkpoint").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try checkpoint.save(scratch, key: Self.testKey)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch)))
        // The same bytes as the book serialized in memory and sealed whole.
        var whole = checkpoint.header + book.serialized()
        SealedFile.seal(&whole, key: Self.testKey, domain: Checkpoint.domain)
        #expect(bytes == whole)
        if ProcessInfo.processInfo.environment["PARLEDGER_WRITE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: Self.file)
        }
        let committed = [UInt8](try Data(contentsOf: Self.file))
        #expect(bytes == committed, "the checkpoint format changed (\(bytes.count) bytes now, \(committed.count) committed)")
        #expect(Array(committed[0..<5]) == Array("PLCK".utf8) + [4])
        // The committed bytes read back to the same book (the body's length is in the seal's trailer).
        let body = committed.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: committed.count - 44, as: UInt64.self))) }
        let back = try committed.withUnsafeBytes { try ScoreBook(serialized: UnsafeRawBufferPointer(rebasing: $0[Checkpoint.fixed..<body])) }
        #expect(back.serialized() == book.serialized())
    }

    @Test("The demo province's book handed out in chunks of any size, from 16 bytes to a megabyte, is the book serialized whole",
          arguments: [16, 100, 4099, 1 << 20])
    func chunked(chunk: Int) throws {
        var book = ScoreBook()
        for (i, event) in DemoProvince.events().enumerated() {
            book.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: event))
        }
        var parts: [Int] = [], bytes: [UInt8] = []
        book.serialize(chunk: chunk) { (part: UnsafeRawBufferPointer) in parts.append(part.count); bytes.append(contentsOf: part) }
        let whole = book.serialized()
        #expect(bytes == whole)
        // Every part but the last holds at least a chunk, and none much more (a framework record is the longest thing written at once).
        #expect(parts.dropLast().allSatisfy { $0 >= chunk && $0 < chunk + 64 << 10 }, "\(parts.count) parts")
        #expect(chunk >= whole.count || parts.count > 1)
    }
}

/// A book read from a mapped checkpoint tells its reader which bytes it is
/// done with, so that their pages can be let go; it must never read them again.
@Suite("Checkpoints read with their pages let go")
struct CheckpointReleaseTests {
    static func demoBook() -> ScoreBook {
        var book = ScoreBook()
        for (i, event) in DemoProvince.events().enumerated() {
            book.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: event))
        }
        return book
    }

    @Test("Bytes the parser says it is done with are overwritten as it goes, and the book read is still the book; most of the bytes are handed back",
          arguments: [1, 7, 1 << 16])
    func doneMeansDone(every: Int) throws {
        let book = Self.demoBook()
        let bytes = book.serialized()
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
        defer { copy.deallocate() }
        _ = copy.initializeMemory(as: UInt8.self, from: bytes)
        var poisoned = [Bool](repeating: false, count: bytes.count)
        let back = try ScoreBook(serialized: UnsafeRawBufferPointer(copy), done: { part in
            // As if the page were gone: whatever the parser reads here again is garbage.
            let at = part.baseAddress! - UnsafeRawPointer(copy.baseAddress!)
            #expect(at >= 0 && at + part.count <= bytes.count)
            UnsafeMutableRawBufferPointer(mutating: part).initializeMemory(as: UInt8.self, repeating: 0xA5)
            for i in at..<(at + part.count) { poisoned[i] = true }
        }, doneEvery: every)
        #expect(back.serialized() == bytes, "the book read while its bytes were let go differs from the book")
        let share = Double(poisoned.filter { $0 }.count) / Double(bytes.count)
        #expect(share > 0.9, "only \(Int(share * 100))% of the book's bytes were handed back")
    }

    @Test("A partial book (one unit-year, for explain) read with its pages let go holds the ledgers of the partial book read without")
    func partialToo() throws {
        let book = Self.demoBook()
        let bytes = book.serialized()
        let unit = try #require(book.units.keys.sorted().first)
        let framework = try #require(book.framework(for: unit, index: .par, year: 2023))
        let only = (unit: unit, index: IndexCode.par, year: 2023)
        let plain = try bytes.withUnsafeBytes { try ScoreBook(serialized: $0, only: only) }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
        defer { copy.deallocate() }
        _ = copy.initializeMemory(as: UInt8.self, from: bytes)
        var handed = 0
        let released = try ScoreBook(serialized: UnsafeRawBufferPointer(copy), only: only, done: { part in
            handed += part.count
            UnsafeMutableRawBufferPointer(mutating: part).initializeMemory(as: UInt8.self, repeating: 0xA5)
        })
        #expect(handed > bytes.count / 2)
        for item in framework.items {
            let key = ItemKey(unit: unit, year: 2023, item: item.code)
            let ledger = try #require(plain.ledger(key))
            #expect(released.ledger(key) == ledger, "\(key)")
        }
    }
}
