import Primitives
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

    /// A log of batches 1–5 and 6–9 (acknowledged), then a batch 10–12
    /// whose bytes reached the segment but whose acknowledgement did not:
    /// the state of a writer killed between the segment's fsync and the
    /// head record's. Returns the log and the size of the acknowledged part.
    func unacknowledgedThirdBatch() throws -> (TempLog, Int) {
        let log = try TempLog()
        let writer = try LogWriter(directory: log.path)
        _ = try writer.append((1...5).map(payload))
        _ = try writer.append((6...9).map(payload))
        let acknowledged = try log.bytes(of: AcknowledgedHead.fileName)
        let size = try log.bytes(of: log.segments[0]).count
        _ = try writer.append((10...12).map(payload))
        writer.close()
        try log.write(acknowledged, to: AcknowledgedHead.fileName)
        return (log, size)
    }

    @Test("An append cut short before it was acknowledged is reported by verify, cut off by the next writer, and the acknowledged batches survive",
          arguments: [0, 1, 10, 95, 96, 120])
    func unacknowledgedTail(cut: Int) throws {
        let (log, acknowledgedSize) = try unacknowledgedThirdBatch()
        let name = log.segments[0]
        var bytes = try log.bytes(of: name)
        bytes.removeLast(min(cut, bytes.count - acknowledgedSize - 1))
        try log.write(bytes, to: name)
        // Read-only: reported, not repaired; readers see the acknowledged events.
        #expect {
            _ = try LogVerifier.verify(directory: log.path)
        } throws: { error in
            guard let e = error as? EventLogError else { return false }
            return e.code == .tornTail && e.segment == name && e.offset == FrameOffset(rawValue: acknowledgedSize)
        }
        #expect(try log.bytes(of: name).count == bytes.count, "a reader never changes the log")
        #expect(try readAll(log.path).map(\.0) == Array(1...9))
        let writer = try LogWriter(directory: log.path)
        let recovery = try #require(writer.recovery)
        #expect(recovery.segment == name && recovery.offset == FrameOffset(rawValue: acknowledgedSize))
        #expect(writer.head.seq == Seq(9))
        let receipt = try writer.append([payload(10)])
        #expect(receipt.firstSeq == Seq(10))
        writer.close()
        #expect(try LogVerifier.verify(directory: log.path).events == 10)
        #expect(try readAll(log.path).map(\.1) == (1...10).map(payload))
    }

    @Test("An acknowledged last frame cut short is corruption: every reader and writer refuses, and nothing is cut", arguments: [1, 10, 95])
    func acknowledgedFrameCut(cut: Int) throws {
        let log = try threeBatches()
        let name = log.segments[0]
        var bytes = try log.bytes(of: name)
        bytes.removeLast(cut)
        try log.write(bytes, to: name)
        let before = try log.snapshot()
        func refused(_ error: any Error) -> Bool {
            guard let e = error as? EventLogError else { return false }
            return e.code == .corrupt && e.segment == name && "\(e)".contains("acknowledged")
        }
        #expect(performing: { _ = try LogVerifier.verify(directory: log.path) }, throws: refused)
        #expect(performing: { _ = try LogReader(directory: log.path) }, throws: refused)
        #expect(performing: { _ = try LogWriter(directory: log.path) }, throws: refused)
        #expect(try log.snapshot() == before, "no acknowledged byte was cut")
    }

    @Test("A flipped byte in the middle of the only frame is corruption everywhere; no writer cuts it; restoring the byte gives back every event")
    func flippedByteInOnlyFrame() throws {
        let log = try TempLog()
        let writer = try LogWriter(directory: log.path)
        _ = try writer.append((1...400).map(payload))
        writer.close()
        let name = log.segments[0]
        let original = try log.bytes(of: name)
        var bytes = original
        let at = FrameHeader.size + (bytes.count - FrameHeader.size) / 2
        bytes[at] ^= 0x20
        try log.write(bytes, to: name)
        let before = try log.snapshot()
        func refused(_ error: any Error) -> Bool {
            guard let e = error as? EventLogError else { return false }
            return e.code == .corrupt && e.segment == name && e.offset == FrameOffset(rawValue: 0) && e.seq == Seq(1)
        }
        #expect(performing: { _ = try LogVerifier.verify(directory: log.path) }, throws: refused)
        #expect(performing: { _ = try readAll(log.path) }, throws: refused)
        for _ in 0..<3 {
            #expect(performing: { _ = try LogWriter(directory: log.path) }, throws: refused)
        }
        #expect(try log.snapshot() == before, "the damaged bytes are all still there")
        try log.write(original, to: name)
        #expect(try LogVerifier.verify(directory: log.path).events == 400)
        #expect(try readAll(log.path).map(\.1) == (1...400).map(payload))
    }

    @Test("Zero bytes after the last acknowledged frame (a file extended but never written) are a torn tail, cut by the next writer")
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

    @Test("A large batch whose last frame never reached the disk is invisible and cut off whole")
    func unfinishedBatch() throws {
        let log = try TempLog()
        let writer = try LogWriter(directory: log.path, options: smallOptions(segment: 1 << 20, frame: 256))
        _ = try writer.append((1...4).map(payload))
        let sizeAfterFirst = try log.bytes(of: log.segments[0]).count
        let acknowledged = try log.bytes(of: AcknowledgedHead.fileName)
        _ = try writer.append((5...200).map(payload))
        #expect(writer.frameCount > 3)
        writer.close()
        // Killed while writing: the first two frames of the big batch only, never acknowledged.
        try log.write(acknowledged, to: AcknowledgedHead.fileName)
        var bytes = try log.bytes(of: log.segments[0])
        var offset = sizeAfterFirst
        for _ in 0..<2 {
            let header = try bytes.withUnsafeBytes { try FrameHeader.decode(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + FrameHeader.size)])) }
            offset += FrameHeader.size + Int(header.compressedLength)
        }
        bytes.removeSubrange(offset...)
        try log.write(bytes, to: log.segments[0])
        let reader = try LogReader(directory: log.path)
        #expect(reader.head.seq == Seq(4), "records of an unacknowledged batch are never visible")
        #expect(try readAll(log.path).map(\.0) == [1, 2, 3, 4])
        #expect(reader.tornTail != nil)
        let again = try LogWriter(directory: log.path)
        #expect(again.recovery?.offset == FrameOffset(rawValue: sizeAfterFirst))
        again.close()
        #expect(try log.bytes(of: log.segments[0]).count == sizeAfterFirst)
    }

    @Test("A format-1 log (no acknowledged head) is read as it is; a writer upgrades it to format 2, but never cuts a tail it cannot judge")
    func legacyFormat() throws {
        for withTail in [false, true] {
            let log = try threeBatches()
            try FileManager.default.removeItem(atPath: log.path + "/" + AcknowledgedHead.fileName)
            try log.write(Array("parledger event log, format 1\n".utf8), to: LogLayout.markerName)
            if withTail { try log.write(try log.bytes(of: log.segments[0]) + [1, 2, 3], to: log.segments[0]) }
            #expect(try readAll(log.path).map(\.0) == Array(1...12))
            let before = try log.snapshot()
            if withTail {
                #expect {
                    _ = try LogWriter(directory: log.path)
                } throws: { error in
                    (error as? EventLogError)?.code == .tornTail && "\(error)".contains("format-1 log")
                }
                #expect(try log.snapshot() == before, "nothing cut, nothing upgraded")
                continue
            }
            let writer = try LogWriter(directory: log.path)
            _ = try writer.append([payload(13)])
            writer.close()
            #expect(String(decoding: try log.bytes(of: LogLayout.markerName), as: UTF8.self) == "parledger event log, format 2\n")
            #expect(try AcknowledgedHead.read(log.path).seq == 13)
            #expect(try LogVerifier.verify(directory: log.path).events == 13)
        }
    }
}
