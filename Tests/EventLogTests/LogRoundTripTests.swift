import Primitives
import Foundation
import Testing
@testable import EventLog

@Suite("Event log: append and read")
struct LogRoundTripTests {
    @Test("Records come back byte-exact, in seq order, across segment rotations")
    func roundTripAcrossRotation() throws {
        let log = try TempLog()
        let writer = try LogWriter(directory: log.path, options: smallOptions(segment: 1 << 10))
        var seq: UInt64 = 0
        for batch in 0..<60 {
            let size = UInt64(1 + batch % 7)
            let receipt = try writer.append((seq + 1...seq + size).map(payload))
            #expect(receipt.firstSeq == Seq(seq + 1))
            #expect(receipt.lastSeq == Seq(seq + size))
            seq += size
        }
        writer.close()
        #expect(log.segments.count > 2, "small segment limit must rotate")
        #expect(log.segments.first == "00000000000000000001.seg")
        let records = try readAll(log.path)
        #expect(records.count == Int(seq))
        for (i, record) in records.enumerated() {
            #expect(record.0 == UInt64(i + 1))
            #expect(record.1 == payload(record.0))
        }
        let report = try LogVerifier.verify(directory: log.path)
        #expect(report.events == seq)
        #expect(report.segments == log.segments.count)
        #expect(report.head == (try LogReader(directory: log.path)).head)
    }

    @Test("A reopened log goes on from its head, and the chain holds across the reopen")
    func reopenAndContinue() throws {
        let log = try TempLog()
        var writer = try LogWriter(directory: log.path, options: smallOptions())
        _ = try writer.append((1...10).map(payload))
        let headBefore = writer.head
        writer.close()
        writer = try LogWriter(directory: log.path, options: smallOptions())
        #expect(writer.head == headBefore)
        #expect(writer.recovery == nil)
        let receipt = try writer.append((11...15).map(payload))
        #expect(receipt.firstSeq == Seq(11))
        writer.close()
        #expect(try LogVerifier.verify(directory: log.path).events == 15)
        #expect(try readAll(log.path).map(\.0) == Array(1...15))
    }

    @Test("Reading from a seq in the middle, and through a seq, gives exactly that range")
    func readRange() throws {
        let log = try TempLog()
        let writer = try LogWriter(directory: log.path, options: smallOptions(segment: 1 << 10))
        for start in stride(from: UInt64(1), through: 400, by: 8) { _ = try writer.append((start...start + 7).map(payload)) }
        writer.close()
        #expect(log.segments.count > 3)
        let middle = try readAll(log.path, from: 203, through: 251)
        #expect(middle.map(\.0) == Array(203...251))
        #expect(middle.allSatisfy { $0.1 == payload($0.0) })
        #expect(try readAll(log.path, from: 400).map(\.0) == [400])
        #expect(try readAll(log.path, from: 401).isEmpty)
    }

    @Test("One large batch spans many frames and reads back whole")
    func largeBatch() throws {
        let log = try TempLog()
        let writer = try LogWriter(directory: log.path, options: smallOptions(segment: 1 << 20, frame: 1 << 10))
        _ = try writer.append((1...3000).map(payload))
        #expect(writer.frameCount > 20)
        writer.close()
        let report = try LogVerifier.verify(directory: log.path)
        #expect(report.frames == writer.frameCount)
        #expect(try readAll(log.path).count == 3000)
    }

    @Test("A second writer is refused with a message naming the holder")
    func secondWriterRefused() throws {
        let log = try TempLog()
        let first = try LogWriter(directory: log.path)
        #expect {
            _ = try LogWriter(directory: log.path)
        } throws: { error in
            let text = "\(error)"
            return (error as? EventLogError)?.code == .locked && text.contains("pid \(getpid())") && text.contains("writer.lock")
        }
        first.close()
        // Once released, the lock can be taken again.
        let again = try LogWriter(directory: log.path)
        again.close()
    }

    @Test("recordedAt never decreases, even when the clock goes back")
    func clockGoesBack() throws {
        let log = try TempLog()
        let clock = Locked<[Int64]>([5_000, 9_000, 3_000, 9_500])
        var options = LogOptions()
        options.clock = { clock.withLock { $0.removeFirst() } }
        let writer = try LogWriter(directory: log.path, options: options)
        let stamps = try (1...4).map { i in try writer.append([payload(UInt64(i))]).recordedAt }
        writer.close()
        #expect(stamps == [5_000, 9_000, 9_000, 9_500])
        let reader = try LogReader(directory: log.path)
        var read: [Int64] = []
        try reader.forEachRecord { read.append($0.recordedAt) }
        #expect(read == stamps)
    }

    @Test("Concurrent appends are grouped: seqs dense, each batch contiguous, fewer syncs than appends")
    func groupCommit() throws {
        let log = try TempLog()
        // The leader reads the clock while it holds the write: a slow clock
        // makes the other threads queue behind it, as a slow disk would.
        var options = LogOptions()
        options.clock = { usleep(2_000); return 1_000 }
        let writer = try LogWriter(directory: log.path, options: options)
        let threads = 8, perThread = 25
        let collected = Locked<[AppendReceipt]>([])
        // Real threads: a dispatch pool on a 2-core machine runs only two at a time.
        let done = DispatchGroup()
        for t in 0..<threads {
            done.enter()
            let thread = Thread {
                for i in 0..<perThread {
                    let batch = (0..<3).map { Array("t\(t)-b\(i)-r\($0)".utf8) }
                    let receipt = try! writer.append(batch)
                    collected.withLock { $0.append(receipt) }
                }
                done.leave()
            }
            thread.start()
        }
        done.wait()
        writer.close()
        let receipts = collected.withLock { $0 }.sorted { $0.firstSeq < $1.firstSeq }
        #expect(receipts.count == threads * perThread)
        for (i, r) in receipts.enumerated() {
            #expect(r.firstSeq.rawValue == UInt64(i * 3 + 1))
            #expect(r.lastSeq.rawValue == r.firstSeq.rawValue + 2)
        }
        #expect(writer.commitCount < threads * perThread / 2, "appends waiting together are written together")
        #expect(writer.syncCount == 2 * writer.commitCount, "per group: one fsync of the segment, one of the acknowledged head")
        // Each batch's records sit together, in the order they were given.
        let records = try readAll(log.path)
        for r in receipts {
            let texts = (r.firstSeq.rawValue...r.lastSeq.rawValue).map { String(decoding: records[Int($0) - 1].1, as: UTF8.self) }
            let prefix = texts[0].dropLast(3)
            #expect(texts == (0..<3).map { "\(prefix)-r\($0)" })
        }
    }

    @Test("init refuses a directory that already holds a log; readers refuse a directory without one")
    func initAndMissing() throws {
        let log = try TempLog()
        #expect { try LogWriter.create(directory: log.path) } throws: { ($0 as? EventLogError)?.code == .exists }
        let missing = try TempLog(create: false)
        #expect { _ = try LogReader(directory: missing.path) } throws: { "\($0)".contains("parledger init") }
        let empty = try LogReader(directory: log.path)
        #expect(empty.head == .empty)
        #expect(try LogVerifier.verify(directory: log.path).events == 0)
    }
}
