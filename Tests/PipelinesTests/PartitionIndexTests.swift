import DataGen
import EventLog
import Foundation
import Ledger
@testable import Pipelines
@testable import Projections
import ScoreModel
import Testing

/// The partition index beside the log (`partitions.index`): explain and
/// history fold only the events it names, so it must give a replay's
/// figures, keep up with the log, and never change a figure when damaged,
/// stale or edited.
@Suite("Partition index")
struct PartitionIndexTests {
    typealias Scratch = PipelineRunTests.Scratch
    static let key = CheckpointKey(secret: [UInt8](repeating: 3, count: 32), path: "test.key")

    /// Every unit and year of the log: the indexed book's ranking and lineage equal a full replay's.
    static func expectSameFigures(_ log: String, years: [Int], file: String = #fileID, line: Int = #line) throws -> [String] {
        let full = try PipelineRunner.replay(log: log, limit: .head).book
        var notices: [String] = []
        for unit in full.units.keys.sorted() {
            for year in years {
                let r = try PipelineRunner.indexedBook(log: log, unit: unit, index: .par, year: year, key: key)
                if let notice = r.notice { notices.append(notice) }
                let book = try #require(r.book, "the index knows \(unit.rawValue) \(year)")
                let partition = Partition(index: .par, year: year, block: full.units[unit]!.block)
                #expect(book.ranking(partition) == full.ranking(partition), "ranking of \(partition)")
                let lineage = full.lineage(unit: unit, index: .par, year: year)
                #expect(book.lineage(unit: unit, index: .par, year: year) == lineage, "lineage of \(unit.rawValue) \(year)")
                // Every item's ledger (values, corrections, appeal), and the item each scoring event scores.
                for item in full.framework(for: unit, index: .par, year: year)?.items ?? [] {
                    let key = ItemKey(unit: unit, index: .par, year: year, item: item.code)
                    #expect(book.ledger(key) == full.ledger(key), "ledger of \(key)")
                }
                #expect(lineage.allSatisfy { book.key(ofScoring: $0) == full.key(ofScoring: $0) }, "scored items of \(unit.rawValue) \(year)")
                // Sparse: its lineage columns hold a place for each of the partition's item events, not one for every seq of the log.
                let touched = Set(full.units(in: partition.block).flatMap { full.lineage(unit: $0.code, index: .par, year: year) })
                #expect(book.sparseSeqs == [0] + touched.sorted().map { UInt32($0.rawValue) }, "the sparse book's places, \(partition)")
                #expect(book.touchPrevious.count == touched.count + 1 && book.scoringSlot.count == touched.count + 1)
                // The events it hands to explain are the log's, prose included, and cover the lineage.
                let fromLog = try PipelineRunner.events(log: log, seqs: lineage)
                #expect(lineage.allSatisfy { r.events[$0] != nil && r.events[$0] == fromLog[$0] }, "events of \(unit.rawValue) \(year)")
            }
        }
        return notices
    }

    @Test("A book folded from the index has a full replay's rankings and lineage for every unit and year of the demo; the file is made once")
    func sameFigures() throws {
        let s = try Scratch()
        try s.importLines(DemoProvince.events()[...])
        let path = PartitionIndex.path(log: s.log)
        #expect(!FileManager.default.fileExists(atPath: path))
        let notices = try Self.expectSameFigures(s.log, years: [2022, 2023])
        #expect(notices.isEmpty, "\(notices)")
        #expect(FileManager.default.fileExists(atPath: path))
        let saved = try PartitionIndex.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: path))), key: Self.key).get()
        #expect(saved.size == UInt64(DemoProvince.events().count))
    }

    @Test("Caught up after an import: the new events count, from the size the file recorded")
    func catchUp() throws {
        let s = try Scratch()
        let events = DemoProvince.events()
        try s.importLines(events[..<6000])
        _ = try Self.expectSameFigures(s.log, years: [2023])
        try s.importLines(events[6000...])
        let notices = try Self.expectSameFigures(s.log, years: [2022, 2023])
        #expect(notices.isEmpty, "a grown log is caught up, not rebuilt: \(notices)")
        let saved = try PartitionIndex.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: PartitionIndex.path(log: s.log)))), key: Self.key).get()
        #expect(saved.size == UInt64(events.count))
    }

    @Test("A damaged file, or one sealed with another key, is rebuilt with a notice and changes no figure")
    func damaged() throws {
        let s = try Scratch()
        try s.importLines(DemoProvince.events()[...])
        _ = try Self.expectSameFigures(s.log, years: [2023])
        let path = PartitionIndex.path(log: s.log)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let notices = try Self.expectSameFigures(s.log, years: [2023])
        #expect(notices.first?.contains("its seal does not verify") == true, "\(notices)")
        #expect(notices.count == 1, "rebuilt once, then used: \(notices)")
    }

    @Test("Read back from its file, the index finds every id and appeal by binary search as the built one does, absent ones too, and survives a catch-up and a rewrite")
    func idsAndAppealsFromFile() throws {
        let s = try Scratch()
        var national: [Event] = []
        try NationalDataSet(provinces: 2, unitsPerProvince: 12, items: 20, years: 2022...2023, seed: 5, revisions: 400).generate { national.append($0) }
        try s.importLines(national[...])
        let reader = try LogReader(directory: s.log)
        var built = PartitionIndex()
        try built.catchUp(reader)
        #expect(built.ids.count > 200 && built.appeals.count > 200, "\(built.ids.count) ids, \(built.appeals.count) appeals")
        try built.write(to: PartitionIndex.path(log: s.log), key: Self.key)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: PartitionIndex.path(log: s.log))))
        guard case .success(let read) = PartitionIndex.parse(bytes, key: Self.key) else { Issue.record("the file does not parse"); return }
        #expect(read.packed != nil && read.ids.isEmpty && read.appeals.isEmpty, "read lazily: no table built on open")
        for (id, p) in built.ids { #expect(read.partition(ofID: id) == p, "id \(id)") }
        for (appeal, p) in built.appeals { #expect(read.partition(ofAppeal: appeal) == p, "appeal \(appeal)") }
        let sortedIDs = built.ids.keys.sorted()
        for absent in ["", "!", sortedIDs.first! + "\u{0}", sortedIDs.last! + "z", "zzzz", "Ω"] {
            #expect(read.partition(ofID: absent) == nil && read.partition(ofAppeal: absent) == nil, "\(absent) is not there")
        }
        // Written again from the lazy tables: the same bytes.
        #expect(read.serialized(key: Self.key) == built.serialized(key: Self.key))
        var unpacked = read
        unpacked.unpack()
        #expect(unpacked.ids == built.ids && unpacked.appeals == built.appeals)
    }

    @Test("An index sealed with the key but naming an event of another partition is caught by the event read, rebuilt, and changes no figure")
    func misplacedEvent() throws {
        let s = try Scratch()
        try s.importLines(DemoProvince.events()[...])
        let reader = try LogReader(directory: s.log)
        var index = PartitionIndex()
        try index.catchUp(reader)
        // Move a district's appraisal into a department partition of the same year.
        let department = try #require(index.partitionNumbers[.init(index: "PAR", year: 2023, block: index.blockNumbers["department"]!)])
        let district = try #require(index.partitionNumbers[.init(index: "PAR", year: 2023, block: index.blockNumbers["district"]!)])
        let stolen = index.partitionSeqs[district][index.partitionSeqs[district].count / 2]
        index.partitionSeqs[department] = (index.partitionSeqs[department] + [stolen]).sorted()
        try index.write(to: PartitionIndex.path(log: s.log), key: Self.key)
        let unit = try #require(index.units.first { $0.value == index.blockNumbers["department"]! }?.key)
        let r = try PipelineRunner.indexedBook(log: s.log, unit: UnitCode(unit), index: .par, year: 2023, key: Self.key)
        #expect(r.notice?.contains("names event #\(stolen)") == true && r.notice?.contains("where it does not belong") == true, "\(r.notice ?? "no notice")")
        let full = try PipelineRunner.replay(log: s.log, limit: .head).book
        let partition = Partition(index: .par, year: 2023, block: "department")
        #expect(r.book?.ranking(partition) == full.ranking(partition))
    }

    @Test("A log rewritten under the index is noticed by the frame hash, and the index rebuilt")
    func rewrittenLog() throws {
        let s = try Scratch()
        let events = DemoProvince.events()
        try s.importLines(events[..<6000])
        _ = try Self.expectSameFigures(s.log, years: [2023])
        let saved = try Data(contentsOf: URL(fileURLWithPath: PartitionIndex.path(log: s.log)))
        // Another history of the same length: the same events with the last one's time moved.
        let other = try Scratch()
        var changed = Array(events[..<6000])
        changed[5999].at = BusinessTime(microsecondsSinceEpoch: changed[5999].at.microsecondsSinceEpoch + 60_000_000, offsetMinutes: changed[5999].at.offsetMinutes)
        try other.importLines(changed[...])
        try saved.write(to: URL(fileURLWithPath: PartitionIndex.path(log: other.log)))
        let notices = try Self.expectSameFigures(other.log, years: [2023])
        #expect(notices.first?.contains("no longer matches the log") == true, "\(notices)")
    }

    @Test("Without the runner's key there is no index: the read replays, and nothing is written")
    func noKey() throws {
        let s = try Scratch()
        try s.importLines(DemoProvince.events()[...])
        let r = try PipelineRunner.indexedBook(log: s.log, unit: "SKHDT", index: .par, year: 2023, key: nil)
        #expect(r.book == nil && r.notice == nil)
        #expect(!FileManager.default.fileExists(atPath: PartitionIndex.path(log: s.log)))
        let unknown = try PipelineRunner.indexedBook(log: s.log, unit: "NOPE", index: .par, year: 2023, key: Self.key)
        #expect(unknown.book == nil, "an unknown unit is left to the caller's replay, which names what exists")
        #expect(!FileManager.default.fileExists(atPath: PartitionIndex.path(log: s.log)), "a read that found nothing writes nothing")
    }
}
