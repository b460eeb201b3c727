import Primitives
import Foundation
import Testing
@testable import EventLog

/// Flips one byte at many places of a real multi-segment log and checks
/// that every flip is detected, with the place named.
@Suite("Event log: tamper evidence")
struct LogCorruptionTests {
    /// The pristine log, built once: 3+ segments, many frames.
    static let pristine: [String: [UInt8]] = {
        let log = try! TempLog()
        let writer = try! LogWriter(directory: log.path, options: smallOptions(segment: 1 << 10, frame: 512))
        var seq: UInt64 = 0
        for size in [3, 9, 1, 14, 6, 20, 2, 11, 5, 8, 13, 4] {
            _ = try! writer.append((seq + 1...seq + UInt64(size)).map(payload))
            seq += UInt64(size)
        }
        writer.close()
        return try! log.snapshot()
    }()

    static func restore() throws -> TempLog {
        let log = try TempLog(create: false)
        try FileManager.default.createDirectory(atPath: log.path, withIntermediateDirectories: true)
        for (name, bytes) in pristine { try log.write(bytes, to: name) }
        return log
    }

    /// A fresh copy of the fixture, with segment `index`'s name, bytes and frames.
    static func segment(_ index: Int) throws -> (log: TempLog, name: String, bytes: [UInt8], frames: [(offset: Int, header: FrameHeader)]) {
        let log = try restore()
        let name = log.segments[index]
        let bytes = try log.bytes(of: name)
        return (log, name, bytes, frames(bytes))
    }

    /// Whether `error` is a payload CRC fault named at `offset` of segment `name`.
    static func isCRCFault(_ error: any Error, in name: String, at offset: Int) -> Bool {
        guard let e = error as? EventLogError, e.code == .corrupt else { return false }
        return e.segment == name && e.offset?.rawValue == offset && "\(e)".contains("CRC")
    }

    /// Frame starts of a segment's bytes.
    static func frames(_ bytes: [UInt8]) -> [(offset: Int, header: FrameHeader)] {
        var out: [(Int, FrameHeader)] = []
        var offset = 0
        while offset < bytes.count {
            let header = bytes.withUnsafeBytes { try! FrameHeader.decode(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + FrameHeader.size)])) }
            out.append((offset, header))
            offset += FrameHeader.size + Int(header.compressedLength)
        }
        return out
    }

    /// Where to flip: (segment index, which frame, where in it).
    enum Spot: CustomStringConvertible, CaseIterable {
        case seqField, lengthField, payloadCRCField, chainField, headerCRCField, payloadStart, payloadMiddle
        var description: String { "\(self)" }
    }

    static let cases: [(segment: Int, frame: Int, spot: Spot)] = {
        var out: [(Int, Int, Spot)] = []
        for spot in Spot.allCases {
            out.append((0, 0, spot))        // first frame of the log
            out.append((0, 1, spot))        // a middle frame of an old segment
            out.append((-1, 0, spot))       // first frame of the last segment
            out.append((-1, -1, spot))      // the very last frame
        }
        return out
    }()

    @Test("Every flipped byte is detected by verify, and the error names segment and offset", arguments: 0..<28)
    func flippedByte(caseIndex: Int) throws {
        let (segIndex, frameIndex, spot) = Self.cases[caseIndex]
        let log = try Self.restore()
        let segments = log.segments
        #expect(segments.count >= 3)
        let name = segIndex < 0 ? segments.last! : segments[segIndex]
        var bytes = try log.bytes(of: name)
        let frames = Self.frames(bytes)
        let frame = frameIndex < 0 ? frames.last! : frames[frameIndex]
        let base = frame.offset
        let position: Int = switch spot {
        case .seqField: base + 9
        case .lengthField: base + 25
        case .payloadCRCField: base + 29
        case .chainField: base + 60
        case .headerCRCField: base + 81
        case .payloadStart: base + FrameHeader.size
        case .payloadMiddle: base + FrameHeader.size + Int(frame.header.compressedLength) / 2
        }
        bytes[position] ^= 0x5A
        try log.write(bytes, to: name)
        #expect {
            _ = try LogVerifier.verify(directory: log.path)
        } throws: { error in
            // Every frame here was acknowledged: damage anywhere, the last frame included, is corruption.
            guard let e = error as? EventLogError, e.code == .corrupt else { return false }
            // The place: the damaged segment, at the damaged frame.
            return e.segment == name && e.offset?.rawValue == base && "\(e)".contains(name)
        }
    }

    @Test("A frame rewritten whole (a record changed, deflated again, fresh lengths and CRCs) breaks the hash chain at the next frame")
    func rewrittenWithValidCRCs() throws {
        let log = try Self.restore()
        let name = log.segments[0]
        var bytes = try log.bytes(of: name)
        let frames = Self.frames(bytes)
        let target = frames[0]
        // As a careful forger would: inflate the payload, change a byte of a record, deflate it
        // again, and write a header with the new lengths and CRCs. Every frame still checks alone.
        let payloadRange = (target.offset + FrameHeader.size)..<(target.offset + FrameHeader.size + Int(target.header.compressedLength))
        // The inflater owns the buffer it returns: it must outlive the copy.
        let inflater = Inflater()
        var plain = try #require(withExtendedLifetime(inflater) {
            bytes.withUnsafeBytes { raw in
                inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[payloadRange]), plainLength: Int(target.header.plainLength)).map { Array($0) }
            }
        })
        // A byte inside the first record's payload (after its two varints), so the frame still parses.
        var at = 0
        let length = plain.withUnsafeBytes { raw in Varint.read(raw, &at).flatMap { _ in Varint.read(raw, &at) } }
        try #require((length ?? 0) > 0)
        plain[at] ^= 0x01
        let forged = Zlib.deflate(plain, level: 6)
        var header = target.header
        header.compressedLength = UInt32(forged.count)
        header.payloadCRC = forged.withUnsafeBytes { crc32Of($0) }
        bytes.replaceSubrange(target.offset..<payloadRange.upperBound, with: header.encoded() + forged)
        try log.write(bytes, to: name)
        let nextFrame = target.offset + FrameHeader.size + forged.count
        #expect {
            _ = try LogVerifier.verify(directory: log.path)
        } throws: { error in
            guard let e = error as? EventLogError, e.code == .corrupt, e.segment == name else { return false }
            return e.offset?.rawValue == nextFrame && "\(e)".contains("hash chain broken")
        }
    }

    @Test("A reader never replays past corruption: the records before it are read, then the error")
    func readerStopsAtCorruption() throws {
        let log = try Self.restore()
        let name = log.segments[1]
        var bytes = try log.bytes(of: name)
        bytes[FrameHeader.size + 2] ^= 0xFF
        try log.write(bytes, to: name)
        let reader = try LogReader(directory: log.path)
        var seen: [UInt64] = []
        #expect {
            try reader.forEachRecord { seen.append($0.seq.rawValue) }
        } throws: { ($0 as? EventLogError)?.code == .corrupt }
        let firstOfDamaged = UInt64(name.dropLast(4))!
        #expect(seen == Array(1..<firstOfDamaged))
    }

    @Test("A lookup of a few events checks the frames it inflates: a flipped payload byte there is named, elsewhere it is left to verify")
    func lookupChecksWhatItReads() throws {
        let log = try Self.restore()
        let name = log.segments[1]
        var bytes = try log.bytes(of: name)
        let frames = Self.frames(bytes)
        let damaged = frames[0]
        bytes[damaged.offset + FrameHeader.size + Int(damaged.header.compressedLength) / 2] ^= 0x5A
        try log.write(bytes, to: name)
        let reader = try LogReader(directory: log.path)
        let inside = Seq(damaged.header.firstSeq), before = Seq(damaged.header.firstSeq - 1)
        var seen: [UInt64] = []
        try reader.forEachRecord(seqs: [Seq(1), before]) { seen.append($0.seq.rawValue) }
        #expect(seen == [1, before.rawValue])
        #expect {
            try reader.forEachRecord(seqs: [Seq(1), inside]) { _ in }
        } throws: { Self.isCRCFault($0, in: name, at: damaged.offset) }
    }

    @Test("A lookup starts at the frame the opening walk found for it: the same records as a full read, and a damaged frame there named at its offset in the segment")
    func lookupFromTheFrameItNeeds() throws {
        var (log, name, bytes, frames) = try Self.segment(1)
        try #require(frames.count >= 3, "the fixture's second segment has several frames")
        let target = frames[frames.count - 2], middle = frames[1]
        var all: [UInt64: [UInt8]] = [:]
        try LogReader(directory: log.path).forEachRecord { all[$0.seq.rawValue] = Array($0.payload) }
        let wanted = Set([middle.header.firstSeq, middle.header.firstSeq + UInt64(middle.header.count) - 1, target.header.firstSeq]).sorted().map { Seq($0) }
        var seen: [(UInt64, [UInt8])] = []
        try LogReader(directory: log.path).forEachRecord(seqs: wanted) { seen.append(($0.seq.rawValue, Array($0.payload))) }
        #expect(seen.map(\.0) == wanted.map(\.rawValue))
        #expect(seen.allSatisfy { all[$0.0] == $0.1 })

        bytes[target.offset + FrameHeader.size + Int(target.header.compressedLength) / 2] ^= 0x5A
        try log.write(bytes, to: name)
        #expect {
            try LogReader(directory: log.path).forEachRecord(seqs: [Seq(target.header.firstSeq)]) { _ in }
        } throws: { Self.isCRCFault($0, in: name, at: target.offset) }
    }

    @Test("A stray file in the log directory named like a segment is reported, not skipped")
    func badSegmentName() throws {
        let log = try Self.restore()
        try log.write([1, 2, 3], to: "backup.seg")
        #expect { _ = try LogVerifier.verify(directory: log.path) } throws: { "\($0)".contains("backup.seg") }
    }
}
