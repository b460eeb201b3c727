import Foundation
import Testing
@testable import EventLog

@Suite("Event log: recovery from interrupted writes")
struct LogRecoveryTests {
    /// A log of 3 batches (seqs 1–5, 6–9, 10–12) in one segment.
    func threeBatches() throws -> TempLog {
        let log = try TempLog()
        let writer = try LogWriter(directory: log.path)
        _ = try writer.append((1...5).map(payload))
        _ = try writer.append((6...9).map(payload))
        _ = try writer.append((10...12).map(payload))
        writer.close()
        return log
    }

    @Test("A last frame cut short is reported by verify, cut off by the next writer, and the earlier batches survive", arguments: [1, 10, 95, 96, 120])
    func truncatedTail(cut: Int) throws {
        let log = try threeBatches()
        let name = log.segments[0]
        var bytes = try log.bytes(of: name)
        let full = bytes.count
        bytes.removeLast(min(cut, bytes.count - 1))
        try log.write(bytes, to: name)
        // Read-only: reported, not repaired.
        #expect {
            _ = try LogVerifier.verify(directory: log.path)
        } throws: { error in
            guard let e = error as? EventLogError else { return false }
            return e.code == .tornTail && e.segment == name && e.offset != nil
        }
        #expect(try log.bytes(of: name).count == bytes.count, "a reader never changes the log")
        let writer = try LogWriter(directory: log.path)
        let recovery = try #require(writer.recovery)
        #expect(recovery.segment == name)
        #expect(writer.head.seq == Seq(9))
        let receipt = try writer.append([payload(10)])
        #expect(receipt.firstSeq == Seq(10))
        writer.close()
        #expect(try LogVerifier.verify(directory: log.path).events == 10)
        #expect(try readAll(log.path).map(\.1) == (1...10).map(payload))
        #expect(full > bytes.count)
    }

    @Test("Zero bytes after the last frame (a file extended but never written) are a torn tail")
    func zeroTail() throws {
        let log = try threeBatches()
        let name = log.segments[0]
        try log.write(try log.bytes(of: name) + [UInt8](repeating: 0, count: 300), to: name)
        #expect { _ = try LogVerifier.verify(directory: log.path) } throws: { ($0 as? EventLogError)?.code == .tornTail }
        let writer = try LogWriter(directory: log.path)
        #expect(writer.recovery?.bytesRemoved == 300)
        #expect(writer.head.seq == Seq(12))
        writer.close()
        #expect(try LogVerifier.verify(directory: log.path).events == 12)
    }

    @Test("A batch whose last frame never reached the disk is invisible and cut off whole")
    func unfinishedBatch() throws {
        let log = try TempLog()
        let writer = try LogWriter(directory: log.path, options: smallOptions(segment: 1 << 20, frame: 256))
        _ = try writer.append((1...4).map(payload))
        let sizeAfterFirst = try log.bytes(of: log.segments[0]).count
        _ = try writer.append((5...200).map(payload))
        #expect(writer.frameCount > 3)
        writer.close()
        // Keep the first two frames of the big batch only: no batch-end frame.
        var bytes = try log.bytes(of: log.segments[0])
        var offset = sizeAfterFirst
        for _ in 0..<2 {
            let header = try bytes.withUnsafeBytes { try FrameHeader.decode(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + FrameHeader.size)])) }
            offset += FrameHeader.size + Int(header.compressedLength)
        }
        bytes.removeSubrange(offset...)
        try log.write(bytes, to: log.segments[0])
        let reader = try LogReader(directory: log.path)
        #expect(reader.head.seq == Seq(4), "records of an unfinished batch are never visible")
        #expect(try readAll(log.path).map(\.0) == [1, 2, 3, 4])
        #expect(reader.tornTail != nil)
        let again = try LogWriter(directory: log.path)
        #expect(again.recovery?.offset == FrameOffset(rawValue: sizeAfterFirst))
        again.close()
        #expect(try log.bytes(of: log.segments[0]).count == sizeAfterFirst)
    }
}
