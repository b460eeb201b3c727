import Primitives
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
        let bytes = checkpoint.encoded(key: Self.testKey)
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
}
