import Primitives
import DataGen
import EventLog
import Foundation
import Ledger
import ScoreModel
import Testing

@Suite("Replay across frames and segments")
struct LedgerReplayTests {
    final class SmallFrames {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-replay-\(UUID().uuidString)").path
        /// The demo events in small frames (4 KiB plain) and small segments (64 KiB), in batches of 500.
        init(inserting bad: (at: Int, bytes: [UInt8])? = nil) throws {
            try LogWriter.create(directory: path)
            var options = LogOptions()
            options.framePlainLimit = 4 << 10
            options.segmentSizeLimit = 64 << 10
            options.durable = false
            let writer = try LogWriter(directory: path, options: options)
            var payloads = DemoProvince.events().map { EventCodec.encode($0) }
            if let bad { payloads.insert(bad.bytes, at: bad.at) }
            var start = 0
            while start < payloads.count {
                _ = try writer.append(Array(payloads[start..<min(start + 500, payloads.count)]))
                start += 500
            }
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// What a one-record-at-a-time reader decodes: the reference.
    static func reference(_ reader: LogReader) throws -> [RecordedEvent] {
        var decoder = RecordDecoder()
        var out: [RecordedEvent] = []
        try reader.forEachRecord { r in
            out.append(RecordedEvent(seq: r.seq, recordedAt: RecordTime(microsecondsSinceEpoch: r.recordedAt),
                                     event: try decoder.decode(r.payload)))
        }
        return out
    }

    @Test("Events come in seq order, each once, within --at-seq, --as-of and a start seq, however the log is cut into frames")
    func orderAndLimits() throws {
        let log = try SmallFrames()
        let reader = try LogReader(directory: log.path)
        let all = try Self.reference(reader)
        let frames = try { var n = 0; try reader.forEachFrame { _, _ in n += 1 }; return n }()
        #expect(all.count == DemoProvince.events().count && frames > 100, "\(frames) frames")

        var seen: [RecordedEvent] = []
        try Ledger.replay(reader) { seen.append($0) }
        #expect(seen == all)

        seen = []
        try Ledger.replay(reader, from: Seq(1234), limit: .seq(Seq(5001))) { seen.append($0) }
        #expect(seen == Array(all[1233..<5001]))

        let publication = all.first { $0.event.type == .resultsPublished }!.event.at
        seen = []
        try Ledger.replay(reader, limit: .asOf(publication)) { seen.append($0) }
        #expect(seen == all.filter { $0.event.at.microsecondsSinceEpoch <= publication.microsecondsSinceEpoch })
        #expect(seen.count < all.count && !seen.isEmpty)
    }

    @Test("A record that cannot be decoded stops the replay naming its seq; only events before it were handed over")
    func undecodableRecord() throws {
        let log = try SmallFrames(inserting: (at: 3000, bytes: [0xFF, 0xFE, 0x00]))
        let reader = try LogReader(directory: log.path)
        var seen: [Seq] = []
        #expect {
            try Ledger.replay(reader) { seen.append($0.seq) }
        } throws: { error in
            "\(error)".contains("event #3001 cannot be decoded") && "\(error)".contains("parledger verify")
        }
        #expect(seen == (0..<seen.count).map { Seq(UInt64($0) + 1) }, "a gapless prefix, in order")
        #expect(!seen.isEmpty && seen.count < 3001, "events before the bad one were handed over, the bad one and those after it were not")
    }
}
