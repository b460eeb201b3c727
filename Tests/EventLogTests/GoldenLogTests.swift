import Primitives
import Foundation
import Testing
@testable import EventLog

/// The log format pinned byte for byte: a small committed log (marker,
/// acknowledged head, one segment of two batches, the second of three frames)
/// that every build must read exactly as it was written, and that a writer
/// given the same records and clock must reproduce field for field.
///
/// Deflate's output may differ between zlib versions without any change
/// of format, so the writer is compared on everything else: the header
/// fields, the plain (inflated) bytes and the acknowledged head's shape.
/// To write the fixture anew after a deliberate change of format:
/// `PARLEDGER_WRITE_GOLDEN=1 swift test --filter GoldenLogTests`.
@Suite("Golden bytes: the log")
struct GoldenLogTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden-log").path

    /// The committed log's records, and how they were appended.
    static let batches: [[UInt64]] = [[1, 2, 3], Array(4...40)]
    static func write(to directory: String) throws {
        try LogWriter.create(directory: directory)
        var options = LogOptions()
        options.framePlainLimit = 512      // the second batch spans two frames
        options.compressionLevel = 9
        let clock = Locked<[Int64]>([1_700_000_000_000_000, 1_700_000_100_000_000])
        options.clock = { clock.withLock { $0.removeFirst() } }
        let writer = try LogWriter(directory: directory, options: options)
        for batch in batches { _ = try writer.append(batch.map(payload)) }
        writer.close()
        try FileManager.default.removeItem(atPath: directory + "/" + LogLayout.lockName)
    }

    static func frames(_ bytes: [UInt8]) throws -> [(header: FrameHeader, plain: [UInt8])] {
        var out: [(FrameHeader, [UInt8])] = []
        var offset = 0
        let inflater = Inflater()
        while offset < bytes.count {
            let header = try bytes.withUnsafeBytes { try FrameHeader.decode(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + FrameHeader.size)])) }
            let start = offset + FrameHeader.size, end = start + Int(header.compressedLength)
            let plain = try #require(withExtendedLifetime(inflater) {
                bytes.withUnsafeBytes { raw in
                    inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[start..<end]), plainLength: Int(header.plainLength)).map { Array($0) }
                }
            })
            out.append((header, plain))
            offset = end
        }
        return out
    }

    @Test("The committed log reads as written: its records, its head, its header fields at their documented offsets")
    func reads() throws {
        if ProcessInfo.processInfo.environment["PARLEDGER_WRITE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(atPath: Self.fixture)
            try Self.write(to: Self.fixture)
            let head = try LogReader(directory: Self.fixture).head
            try (head.hash.hex + "\n").write(toFile: Self.fixture + "/HEAD", atomically: true, encoding: .utf8)
        }
        let report = try LogVerifier.verify(directory: Self.fixture)
        let committed = try String(contentsOfFile: Self.fixture + "/HEAD", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(report.head.seq == Seq(40) && report.head.hash.hex == committed && report.frames == 4)
        #expect(try readAll(Self.fixture).map(\.1) == (1...40).map(payload))
        // The first header, field by field, at the offsets docs/FORMAT.md gives.
        let segment = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture + "/00000000000000000001.seg")))
        func u(_ at: Int, _ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 | UInt64(segment[at + $1]) << (8 * $1) } }
        #expect(Array(segment[0..<4]) == Array("PLF1".utf8) && u(4, 2) == 1 && u(6, 2) == 1 && u(8, 8) == 1 && u(16, 4) == 3)
        #expect(u(32, 8) == 1_700_000_000_000_000 && Array(segment[48..<80]) == [UInt8](repeating: 0, count: 32))
        #expect(u(80, 4) == UInt64(segment.withUnsafeBytes { crc32Of(UnsafeRawBufferPointer(rebasing: $0[0..<80])) }))
        // The acknowledged head: two slots; the newest names seq 40 and the head hash.
        let head = try AcknowledgedHead.read(Self.fixture)
        #expect(head.seq == 40 && head.segmentFirstSeq == 1 && head.end == UInt64(segment.count) && Hex.encode(head.hash) == committed)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: Self.fixture + "/parledger.log")), as: UTF8.self) == "parledger event log, format 2\n")
    }

    @Test("A writer given the same records and clock writes the same frames: every header field but the deflate-dependent ones, and the same plain bytes")
    func writes() throws {
        let fresh = try TempLog(create: false)
        try Self.write(to: fresh.path)
        let name = "00000000000000000001.seg"
        let mine = try Self.frames(try fresh.bytes(of: name))
        let golden = try Self.frames([UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture + "/" + name))))
        #expect(mine.count == golden.count)
        for (a, b) in zip(mine, golden) {
            #expect(a.plain == b.plain, "the plain bytes of a frame changed: the record layout inside frames is not what it was")
            #expect(a.header.flags == b.header.flags && a.header.firstSeq == b.header.firstSeq && a.header.count == b.header.count)
            #expect(a.header.plainLength == b.header.plainLength && a.header.recordedMin == b.header.recordedMin && a.header.recordedMax == b.header.recordedMax)
        }
    }
}
