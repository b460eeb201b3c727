import Primitives
import DataGen
import EventLog
import Foundation
import Ledger
import ScoreModel
import Testing

@Suite("Import and export through the log")
struct LedgerImportTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url = url.deletingLastPathComponent() }
        return url
    }()

    static func demoSources() throws -> [ImportSource] {
        let dir = root.appendingPathComponent("events/demo")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jsonl") }.sorted().map {
            ImportSource(name: "events/demo/\($0)", bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent($0))))
        }
    }

    final class Dir {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-ledger-\(UUID().uuidString)").path
        init() throws { try LogWriter.create(directory: path) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func files() throws -> [String: Data] {
            var out: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: path) where name != "writer.lock" {
                out[name] = try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent(name))
            }
            return out
        }
    }

    @Test("The committed demo files are exactly what the generator writes")
    func demoFilesInStep() throws {
        let committed = try Self.demoSources()
        let generated = DemoProvince.files()
        #expect(committed.map(\.name) == generated.map { "events/demo/\($0.name)" })
        for (file, gen) in zip(committed, generated) {
            let text = gen.events.map { EventJSON.encode($0) + "\n" }.joined()
            #expect(file.bytes == Array(text.utf8), "\(file.name) differs: run `swift run parledger generate demo`")
        }
    }

    @Test("The demo imports into a fresh log; importing it again adds nothing")
    func demoImport() throws {
        let dir = try Dir()
        let first = try Ledger.importEvents(try Self.demoSources(), into: dir.path)
        #expect(first.appended == DemoProvince.events().count)
        #expect(first.head.seq.rawValue == UInt64(first.appended))
        let again = try Ledger.importEvents(try Self.demoSources(), into: dir.path)
        #expect(again.appended == 0)
        #expect(again.skipped == first.appended)
        #expect(again.head == first.head)
    }

    @Test("A refused import leaves every byte of the log as it was, and names file, line and field")
    func refusedImportWritesNothing() throws {
        let dir = try Dir()
        _ = try Ledger.importEvents(Array(try Self.demoSources().prefix(2)), into: dir.path)
        let before = try dir.files()
        var good = try Self.demoSources()[2]
        // Line 3 of the after-publication file gets a score with 4 decimals.
        var lines = String(decoding: good.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = #"{"type":"survey.recorded","at":"2023-03-01T08:00:00+07:00","by":"x","unit":"SYT","year":2022,"item":"1.5.1","score":1.2345}"#
        good.bytes = Array(lines.joined(separator: "\n").utf8)
        #expect {
            _ = try Ledger.importEvents([good], into: dir.path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("events/demo/03-after-publication-2022.jsonl:3: field \"score\": 1.2345 has more than 3 decimals")
                && text.contains("nothing was imported")
        }
        #expect(try dir.files() == before)
    }

    /// The last file of an import, read a piece at a time; on its first
    /// read (so while the files before it are staged) it looks at the log
    /// as a reader would.
    final class WatchedInput: ImportStream {
        let bytes: [UInt8]
        let directory: String
        let offset = Locked(0)
        /// At the first read: the head a reader saw, and the bytes and number of segment files on disk.
        let seen = Locked<(head: LogHead, segmentBytes: Int, segments: Int)?>(nil)
        init(_ bytes: [UInt8], directory: String) { self.bytes = bytes; self.directory = directory }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            if seen.withLock({ $0 == nil }) {
                let head = try LogReader(directory: directory).head
                let (size, count) = try LedgerImportTests.segmentFiles(directory)
                seen.withLock { $0 = (head, size, count) }
            }
            return offset.withLock { at in
                let n = min(buffer.count, bytes.count - at, 1000)
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.withUnsafeBytes { $0 }[at..<(at + n)]))
                at += n
                return n
            }
        }
    }

    static func segmentFiles(_ directory: String) throws -> (bytes: Int, count: Int) {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }
        let bytes = try names.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: directory + "/" + $1)[.size] as? Int) ?? 0) }
        return (bytes, names.count)
    }

    @Test("An import refused on its very last line leaves the log byte-identical, though it had written frames and new segments past the acknowledged end, which no reader saw")
    func refusedOnLastLine() throws {
        let dir = try Dir()
        var options = LogOptions()
        options.segmentSizeLimit = 16 << 10   // the staged frames fill several segments
        options.framePlainLimit = 4 << 10
        options.durable = false
        let demo = try Self.demoSources()
        _ = try Ledger.importEvents([demo[0]], into: dir.path, options: options)
        let before = try dir.files()
        let head = try LogReader(directory: dir.path).head
        let (bytesBefore, segmentsBefore) = try Self.segmentFiles(dir.path)
        // Good files, then one whose last line scores a unit nobody registered.
        let bad = Array((String(decoding: demo[2].bytes, as: UTF8.self)
            + #"{"type":"assessment.submitted","at":"2023-01-10T08:00:00+07:00","by":"x","unit":"NOWHERE","year":2022,"item":"1.1.1","score":1}"# + "\n").utf8)
        let lastLine = bad.filter { $0 == 0x0A }.count
        let watched = WatchedInput(bad, directory: dir.path)
        #expect {
            _ = try Ledger.importEvents([demo[1], ImportSource(name: "bad.jsonl", stream: watched)],
                                        into: dir.path, options: options)
        } throws: { error in
            guard let e = error as? LedgerError else { return false }
            return e.issues.count == 1 && "\(e.issues[0])".hasPrefix("bad.jsonl:\(lastLine): field \"unit\": unknown unit \"NOWHERE\"")
                && e.message.contains("nothing was imported")
        }
        let seen = try #require(watched.seen.withLock { $0 })
        #expect(seen.head == head, "a reader during the import saw the staged frames")
        #expect(seen.segmentBytes > bytesBefore + 20_000 && seen.segments > segmentsBefore + 1, "the files before the last were staged: \(seen)")
        #expect(try dir.files() == before)
        #expect(try LogReader(directory: dir.path).tornTail == nil)
        // Without the bad line the same import goes through whole, across the segments, and verifies.
        let good = try Ledger.importEvents([demo[1], ImportSource(name: "good.jsonl", stream: WatchedInput(demo[2].bytes, directory: dir.path))],
                                           into: dir.path, options: options)
        #expect(good.appended == DemoProvince.files()[1].events.count + DemoProvince.files()[2].events.count)
        let report = try LogVerifier.verify(directory: dir.path)
        #expect(report.head == good.head && report.segments > segmentsBefore + 1)
    }

    @Test("A streamed line far over 1 MiB is refused by its length, naming its line, without being kept in memory; the lines around it still count")
    func overlongStreamedLine() throws {
        let dir = try Dir()
        let unit = { (code: String) in #"{"type":"unit.registered","at":"2023-01-01T08:00:00+07:00","by":"r","unit":"\#(code)","name":"n","block":"b"}"# }
        let long = "{\"type\":\"" + String(repeating: "x", count: 3 << 20) + "\"}"
        let text = unit("A") + "\n" + long + "\r\n" + unit("B") + "\n" + unit("A") + "\n"
        let before = try dir.files()
        #expect {
            _ = try Ledger.importEvents([ImportSource(name: "long.jsonl", stream: WatchedInput(Array(text.utf8), directory: dir.path))], into: dir.path)
        } throws: { error in
            guard let e = error as? LedgerError else { return false }
            return e.issues.map { "\($0)" } == [
                "long.jsonl:2: the line is \(long.utf8.count) bytes: one event is at most 1048576 bytes (1 MiB)",
                "long.jsonl:4: field \"unit\": unit \"A\" is already registered (as \"n\", block b)",
            ]
        }
        #expect(try dir.files() == before)
    }

    @Test("A file large enough to be decoded on several threads keeps its line numbers: a BOM, CRLF ends and blank lines included")
    func largeFileLineNumbers() throws {
        // All the demo in one file (over 1 MiB, so it is cut into parts), with a BOM, CRLF line ends and blank lines.
        let text = try Self.demoSources().map { String(decoding: $0.bytes, as: UTF8.self) }.joined()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(lines.count == DemoProvince.events().count)
        for i in stride(from: 0, to: lines.count, by: 1000) { lines.insert("", at: i) }   // blank lines count as lines
        // Three broken lines inserted: near the start, past the middle cut, near the end (0-based positions after insertion).
        let bad = [7, lines.count / 2 + 3, lines.count + 1]
        for i in bad { lines.insert(#"{"type":"survey.recorded","at":"2023-03-01T08:00:00+07:00","by":"x","unit":"SYT","year":2022,"item":"1.5.1","score":1.2345}"#, at: i) }
        let bytes = [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\r\n").utf8)
        #expect(bytes.count > 1 << 20)
        let dir = try Dir()
        let before = try dir.files()
        #expect {
            _ = try Ledger.importEvents([ImportSource(name: "all.jsonl", bytes: bytes)], into: dir.path)
        } throws: { error in
            guard let e = error as? LedgerError else { return false }
            return e.issues.map(\.line) == bad.map { $0 + 1 } && e.issues.allSatisfy { $0.file == "all.jsonl" && $0.field == "score" }
        }
        #expect(try dir.files() == before)
        // Without the bad lines it imports whole, in order.
        for i in bad { lines[i] = "" }
        let good = [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\r\n").utf8)
        let report = try Ledger.importEvents([ImportSource(name: "all.jsonl", bytes: good)], into: dir.path)
        #expect(report.appended == DemoProvince.events().count)
        var seen: [Event] = []
        try Ledger.replay(directory: dir.path) { seen.append($0.event) }
        #expect(seen == DemoProvince.events())
    }

    @Test("A streamed import whose chunks are decoded on the pool while the previous one is validated and staged gives the same events, five times in a row")
    func streamedImportRepeated() throws {
        // A national-style history in business-time order, units interleaved,
        // several 4 MiB chunks long, so that decoding the next chunk on both
        // cores overlaps validating and staging this one (and, in CI, runs
        // under ThreadSanitizer).
        var events: [Event] = []
        try NationalDataSet(provinces: 1, unitsPerProvince: 130, items: 80, years: 2021...2023, seed: 7, revisions: 1).generate { events.append($0) }
        var bytes: [UInt8] = []
        for e in events { bytes += Array(EventJSON.encode(e).utf8); bytes.append(0x0A) }
        try #require(bytes.count > 2 * (4 << 20), "\(bytes.count) bytes: too few chunks to overlap")
        for round in 1...5 {
            let dir = try Dir()
            let report = try Ledger.importEvents([ImportSource(name: "national.jsonl", bytes: bytes)], into: dir.path)
            #expect(report.appended == events.count, "round \(round)")
            var seen: [Event] = []
            seen.reserveCapacity(events.count)
            try Ledger.replay(directory: dir.path) { seen.append($0.event) }
            #expect(seen == events, "round \(round): the log holds other events, or in another order")
        }
    }

    @Test("An import into a log another writer holds is refused, and nothing is written")
    func lockedLog() throws {
        let dir = try Dir()
        let holder = try LogWriter(directory: dir.path)
        defer { holder.close() }
        let before = try dir.files()
        #expect { _ = try Ledger.importEvents(try Self.demoSources(), into: dir.path) } throws: { "\($0)".contains("another writer holds") }
        #expect(try dir.files() == before)
    }

    @Test("Export then import into a new log gives the same events, in the same order")
    func exportRoundTrip() throws {
        let a = try Dir(), b = try Dir()
        _ = try Ledger.importEvents(try Self.demoSources(), into: a.path)
        var lines = ""
        try Ledger.export(directory: a.path) { lines += $0 + "\n" }
        _ = try Ledger.importEvents([ImportSource(name: "export.jsonl", bytes: Array(lines.utf8))], into: b.path)
        var first: [Event] = [], second: [Event] = []
        try Ledger.replay(directory: a.path) { first.append($0.event) }
        try Ledger.replay(directory: b.path) { second.append($0.event) }
        #expect(first == second)
        #expect(first == DemoProvince.events())
        var partial: [UInt64] = []
        try Ledger.export(directory: a.path, from: Seq(10), through: Seq(12)) { _ in partial.append(0) }
        #expect(partial.count == 3)
    }

    @Test("Replay as of a seq or a business time keeps exactly those events")
    func replayLimits() throws {
        let dir = try Dir()
        _ = try Ledger.importEvents(try Self.demoSources(), into: dir.path)
        var seqs: [UInt64] = []
        try Ledger.replay(directory: dir.path, limit: .seq(Seq(100))) { seqs.append($0.seq.rawValue) }
        #expect(seqs == Array(1...100))
        guard case .success(let publication) = RFC3339.parse("2024-02-19T14:00:00+07:00") else { Issue.record("time"); return }
        var latest: BusinessTime?
        var count = 0
        try Ledger.replay(directory: dir.path, limit: .asOf(publication)) { latest = $0.event.at; count += 1 }
        #expect(latest! <= publication)
        #expect(count < DemoProvince.events().count)
        #expect(count == DemoProvince.events().filter { $0.at <= publication }.count)
    }
}
