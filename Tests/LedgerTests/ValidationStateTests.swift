import Primitives
import DataGen
import EventLog
import Foundation
@testable import Ledger
import ScoreModel
import Testing

/// The validation state saved beside the log (`validation.state`): an
/// import that starts from it must decide exactly as one that replays the
/// log, and a saved state that does not check out must never be used.
@Suite("The saved validation state")
struct ValidationStateTests {
    typealias Dir = LedgerImportTests.Dir
    static let key = CheckpointKey(secret: [UInt8](repeating: 9, count: 32), path: "test.key")

    /// A small national history (units interleaved in time, corrections by
    /// id and by seq, appeals), as JSON Lines.
    static let events: [Event] = {
        var events: [Event] = []
        try! NationalDataSet(provinces: 1, unitsPerProvince: 30, items: 20, years: 2020...2023, seed: 11, revisions: 40).generate { events.append($0) }
        precondition(events.count > 3000, "\(events.count) events: too few for these tests")
        return events
    }()

    static func source(_ events: ArraySlice<Event>, name: String = "part.jsonl") -> ImportSource {
        var bytes: [UInt8] = []
        for e in events { bytes += Array(EventJSON.encode(e).utf8); bytes.append(0x0A) }
        return ImportSource(name: name, bytes: bytes)
    }

    static func allEvents(_ dir: Dir) throws -> [Event] {
        var seen: [Event] = []
        try Ledger.replay(directory: dir.path) { seen.append($0.event) }
        return seen
    }

    static func statePath(_ dir: Dir) -> String { dir.path + "/" + ValidationStateFile.fileName }

    @Test("A state read back from its bytes gives the same bytes, and validates what follows exactly as the state it was saved from")
    func serializedStateDecidesAlike() throws {
        let events = Self.events
        let cut = events.count * 2 / 3
        var replayed = LedgerState()
        for (i, e) in events[..<cut].enumerated() { replayed.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: e)) }
        // Actors and a rename, which the generator does not write.
        let extra: [Event] = [
            Event(at: events[cut - 1].at, by: "registrar", body: .actorRegistered(ActorRegistered(actor: "council-a", name: "Hội đồng A", roles: [.council], scope: ActorScope(block: "P01-department"), key: "ed25519:AAAA"))),
            Event(at: events[cut - 1].at, by: "registrar", body: .actorRevoked(ActorRevoked(actor: "council-a", from: events[cut - 1].at, reason: "Khoá bị lộ"))),
            Event(at: events[cut - 1].at, by: "registrar", body: .actorRegistered(ActorRegistered(actor: "survey-b", name: "Viện B", roles: [.survey], scope: ActorScope(), key: "ed25519:BBBB"))),
        ]
        var withActors = replayed
        for e in extra { withActors.apply(RecordedEvent(seq: withActors.nextSeq, recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: e)) }
        let actorBytes = try withActors.serialized()
        let actorsBack = try actorBytes.withUnsafeBytes { try LedgerState(serialized: $0) }
        #expect(try actorsBack.serialized() == actorBytes)
        #expect(actorsBack.actors == withActors.actors && actorsBack.actors.count == 2 && actorsBack.actors["council-a"]?.revoked != nil)

        let bytes = try replayed.serialized()
        var loaded = try bytes.withUnsafeBytes { try LedgerState(serialized: $0) }
        #expect(try loaded.serialized() == bytes)
        #expect(loaded.nextSeq == replayed.nextSeq && loaded.units == replayed.units && loaded.published == replayed.published)

        // The rest of the history, then events each state must refuse or skip alike.
        let unit = events.lazy.compactMap { if case .unitRegistered(let u) = $0.body { u } else { nil } }.first!
        let withID = events[..<cut].first { $0.id != nil }!
        var changed = withID
        changed.at = BusinessTime(microsecondsSinceEpoch: withID.at.microsecondsSinceEpoch + 1, offsetMinutes: withID.at.offsetMinutes)
        let scored = events.firstIndex { if case .appraisalRecorded = $0.body { true } else { false } }!
        // Appeals and ids of the saved part: the first and last in key order, and one open and one resolved appeal.
        let filed = events[..<cut].compactMap { if case .appealFiled(let a) = $0.body { a } else { nil } }
        let resolvedBefore = Set(events[..<cut].compactMap { if case .appealResolved(let r) = $0.body { r.appeal } else { nil } })
        let resolvedAfter = Set(events[cut...].compactMap { if case .appealResolved(let r) = $0.body { r.appeal } else { nil } })
        let byID = filed.sorted { $0.appeal < $1.appeal }
        let open = try #require(filed.first { !resolvedBefore.contains($0.appeal) && !resolvedAfter.contains($0.appeal) })
        let closed = try #require(filed.first { resolvedBefore.contains($0.appeal) })
        let savedIDs = events[..<cut].compactMap(\.id).sorted()
        try #require(savedIDs.count >= 20 && byID.count >= 20, "\(savedIDs.count) ids and \(byID.count) appeals before the cut")
        let at = events[0].at
        func resolve(_ id: AppealID) -> Event {
            Event(at: at, by: "x", body: .appealResolved(AppealResolved(appeal: id, outcome: .rejected, score: nil, reason: "r")))
        }
        func correct(_ id: EventID, _ eventID: EventID? = nil) -> Event {
            Event(at: at, by: "x", id: eventID, body: .correctionIssued(CorrectionIssued(target: .id(id), value: .score(Score(thousandths: 0)), reason: "r")))
        }
        func fileAgain(_ a: AppealFiled, as id: AppealID) -> Event {
            var copy = a
            copy.appeal = id
            return Event(at: at, by: "x", body: .appealFiled(copy))
        }
        let hostile: [Event] = [
            // A correction of a scoring event far back in the saved table: accepted by all three.
            Event(at: events[0].at, by: "x", body: .correctionIssued(CorrectionIssued(target: .seq(Seq(UInt64(scored + 1))), value: .score(Score(thousandths: 0)), reason: "r"))),
            Event(at: events[0].at, by: "x", body: .unitRegistered(unit)),            // registered already
            withID,                                                                    // a repeat: skipped
            changed,                                                                   // same id, other content: refused
            Event(at: events[0].at, by: "x", body: .correctionIssued(CorrectionIssued(target: .seq(Seq(1)), value: .score(Score(thousandths: 0)), reason: "r"))),
            Event(at: events[0].at, by: "x", body: .correctionIssued(CorrectionIssued(target: .seq(Seq(UInt64(cut))), value: .score(Score(thousandths: 250)), reason: "r"))),
            // Appeals: filed twice (the first, the last, and one between, in key order), an unknown one resolved,
            // a resolved one resolved again, an open one resolved, then again; a new one filed and resolved.
            fileAgain(byID.first!, as: byID.first!.appeal), fileAgain(byID.last!, as: byID.last!.appeal), fileAgain(byID[byID.count / 2], as: byID[byID.count / 2].appeal),
            resolve(AppealID(byID.first!.appeal.rawValue + "-0")), resolve("A-before-all"), resolve("ZZ-after-all"),
            resolve(closed.appeal), resolve(open.appeal), resolve(open.appeal),
            fileAgain(open, as: "KN-new-1"), resolve("KN-new-1"), resolve("KN-new-1"), fileAgain(open, as: "KN-new-1"),
            // Ids: corrections by the first, last and a middle saved id, by unknown ids; a new id used twice.
            correct(savedIDs.first!), correct(savedIDs.last!), correct(savedIDs[savedIDs.count / 2]),
            correct(EventID(savedIDs.first!.rawValue + "-0")), correct("0-before-all"), correct("zz-after-all"),
            correct(savedIDs[3], "fix-1"), correct(savedIDs[3], "fix-1"), correct(savedIDs[4], "fix-1"), correct("fix-1"),
        ]
        // The same state with its tables' entries borrowed (as from a mapped file), not copied.
        var prefix: [UInt8] = []
        let borrowedAt = try replayed.serialize(into: &prefix)
        let source = Self.InMemory(bytes)
        let borrowing = LedgerState.Borrowing(borrowedAt: borrowedAt, borrowedBytes: bytes.count - borrowedAt, source: source)
        var borrowed = try Array(bytes[..<borrowedAt]).withUnsafeBytes { try LedgerState(serialized: $0, borrowing: borrowing) }
        #expect(try borrowed.serialized() == bytes)
        var outcomes: ([String], [String], [String]) = ([], [], [])
        for e in Array(events[cut...]) + hostile {
            outcomes.0.append("\(replayed.validate(e, signer: nil))")
            outcomes.1.append("\(loaded.validate(e, signer: nil))")
            outcomes.2.append("\(borrowed.validate(e, signer: nil))")
        }
        #expect(outcomes.0 == outcomes.1)
        #expect(outcomes.0 == outcomes.2)
        #expect(try borrowed.serialized() == replayed.serialized())
        #expect(source.problems.withLock { $0 }.isEmpty)
        #expect(outcomes.0.filter { $0 == "accepted" }.count >= events.count - cut, "the rest of the history is accepted")
        let last = Array(outcomes.0.suffix(hostile.count))
        #expect(last.first == "accepted", "\(last)")
        #expect(last.filter { $0.hasPrefix("refused") }.count >= 3, "\(last)")
        #expect(last.contains { $0.hasPrefix("skipped") })
        // Each appeal and id case decided as the rules say (the messages are the validator's own).
        let expected: [(Int, String)] = [
            (6, "appeal id \"\(byID.first!.appeal)\" is already used"), (7, "appeal id \"\(byID.last!.appeal)\" is already used"),
            (8, "is already used"), (9, "no appeal \"\(byID.first!.appeal)-0\" was filed"), (10, "no appeal \"A-before-all\" was filed"),
            (11, "no appeal \"ZZ-after-all\" was filed"), (12, "appeal \"\(closed.appeal)\" is already resolved"), (13, "accepted"),
            (14, "appeal \"\(open.appeal)\" is already resolved"), (15, "accepted"), (16, "accepted"), (17, "appeal \"KN-new-1\" is already resolved"),
            (18, "appeal id \"KN-new-1\" is already used"), (19, "accepted"), (20, "accepted"), (21, "accepted"),
            (22, "no event has the id \"\(savedIDs.first!)-0\""), (23, "no event has the id \"0-before-all\""), (24, "no event has the id \"zz-after-all\""),
            (25, "accepted"), (26, "skipped"), (27, "\"fix-1\" already names event"), (28, "is not a scoring event"),
        ]
        for (i, text) in expected { #expect(last[i].contains(text.replacingOccurrences(of: "\"", with: "\\\"")), "\(i): \(last[i])") }
        #expect(try loaded.serialized() == replayed.serialized())
    }

    /// A state's saved bytes, lent as a mapped file lends them; what it is told is wrong is kept.
    final class InMemory: BorrowedBytes {
        let bytes: [UInt8]
        let problems = Locked<[String]>([])
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func withBytes<R: Sendable>(_ offset: Int, _ count: Int, _ body: @Sendable (UnsafeRawBufferPointer) -> R) -> R? {
            bytes[offset..<(offset + count)].withUnsafeBytes { body($0) }
        }
        func malformed(_ reason: String) { problems.withLock { $0.append(reason) } }
    }

    @Test("Bytes cut short anywhere, or with a scoring entry out of range, are refused, not misread")
    func malformedStateRefused() throws {
        var state = LedgerState()
        for (i, e) in Self.events.prefix(3000).enumerated() { state.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: e)) }
        let bytes = try state.serialized()
        var rng = SplitMix64(seed: 5)
        for _ in 0..<300 {
            let cut = Int(rng.next() % UInt64(bytes.count))
            #expect(throws: BinaryFormatError.self, "cut at \(cut) of \(bytes.count)") { _ = try Array(bytes[..<cut]).withUnsafeBytes { try LedgerState(serialized: $0) } }
        }
        // The first scoring entry (seq 1 is a framework, so find a used one) gets an interned unit id past the list.
        // (The table of scoring events is the state's last part.)
        var bad = bytes
        let tableStart = bytes.count - (1 << 16) * 12
        let used = stride(from: tableStart, to: bytes.count, by: 12).first { bytes[$0] != 0 }!
        bad[used] = 0xFF; bad[used + 1] = 0xFF
        #expect { _ = try bad.withUnsafeBytes { try LedgerState(serialized: $0) } } throws: { "\($0)".contains("the scoring entry of seq \((used - tableStart) / 12 + 1) is not valid") }
        var future = bytes
        future[0] = 3
        #expect { _ = try future.withUnsafeBytes { try LedgerState(serialized: $0) } } throws: { "\($0)".contains("validation state of version 3; this parledger reads version 2") }
    }

    @Test("An import starts from the saved state and replays only the events after it; the log ends the same as with full replays")
    func importFromSavedState() throws {
        let events = Self.events
        let (a, b) = (events.count / 2, events.count * 3 / 4)
        let dir = try Dir()
        let first = try Ledger.importEvents([Self.source(events[..<a])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
        #expect(first.state.savedAt == nil && first.state.saved && first.state.notices.isEmpty)
        // Imported without the key: the saved state falls behind the log.
        let second = try Ledger.importEvents([Self.source(events[a..<b])], into: dir.path)
        #expect(!second.state.saved && second.state.replayed == a)
        let third = try Ledger.importEvents([Self.source(events[b...])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
        #expect(third.state.savedAt == Seq(UInt64(a)), "started from the saved state")
        #expect(third.state.replayed == b - a, "replayed only what the state lacked")
        #expect(third.appended == events.count - b && third.state.saved && third.state.notices.isEmpty, "\(third.state.notices)")
        #expect(try Self.allEvents(dir) == events)

        // What was saved is the state a full replay gives.
        let reader = try LogReader(directory: dir.path)
        guard case .usable(let saved, _) = ValidationStateFile.load(directory: dir.path, reader: reader, key: Self.key) else {
            Issue.record("the saved state is not usable"); return
        }
        #expect(try saved.serialized() == (try Ledger.state(of: reader)).serialized())

        // A repeat of the events that carry an id, from the saved state: each skipped as already in the log.
        let withIDs = events.filter { $0.id != nil }
        try #require(withIDs.count >= 10)
        let again = try Ledger.importEvents([Self.source(withIDs[...])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
        #expect(again.appended == 0 && again.skipped == withIDs.count && again.state.savedAt == Seq(UInt64(events.count)) && again.state.replayed == 0)
    }

    @Test("A saved state below the save interval is not rewritten: the next import replays the few events after it")
    func saveInterval() throws {
        let events = Self.events
        let dir = try Dir()
        _ = try Ledger.importEvents([Self.source(events[..<1000])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
        let saved = try Data(contentsOf: URL(fileURLWithPath: Self.statePath(dir)))
        let next = try Ledger.importEvents([Self.source(events[1000..<1010])], into: dir.path, stateKey: Self.key, stateSaveInterval: 500)
        #expect(!next.state.saved && next.state.savedAt == Seq(1000))
        #expect(try Data(contentsOf: URL(fileURLWithPath: Self.statePath(dir))) == saved)
        let last = try Ledger.importEvents([Self.source(events[1010..<1600])], into: dir.path, stateKey: Self.key, stateSaveInterval: 500)
        #expect(last.state.saved && last.state.savedAt == Seq(1000) && last.state.replayed == 10)
    }

    /// A log with the first `count` events imported and its state saved.
    static func savedLog(_ count: Int) throws -> Dir {
        let dir = try Dir()
        _ = try Ledger.importEvents([source(events[..<count])], into: dir.path, stateKey: key, stateSaveInterval: 1)
        return dir
    }

    /// Imports the next events with `key` and checks that the saved state
    /// was discarded for `reason`, the log replayed, the events imported
    /// as they would have been, and a good state saved in its place.
    static func expectDiscarded(_ dir: Dir, from: Int, key: CheckpointKey = key, reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try Ledger.importEvents([source(events[from..<(from + 200)])], into: dir.path, stateKey: key, stateSaveInterval: 1)
        #expect(report.state.savedAt == nil, sourceLocation: sourceLocation)
        #expect(report.state.replayed == from, sourceLocation: sourceLocation)
        #expect(report.state.notices.count == 1 && report.state.notices[0].contains(reason), "\(report.state.notices)", sourceLocation: sourceLocation)
        #expect(report.state.notices.first?.contains("the log was replayed") == true, sourceLocation: sourceLocation)
        #expect(report.appended == 200 && report.state.saved, sourceLocation: sourceLocation)
        #expect(try allEvents(dir) == Array(events[..<(from + 200)]), sourceLocation: sourceLocation)
        let reader = try LogReader(directory: dir.path)
        guard case .usable = ValidationStateFile.load(directory: dir.path, reader: reader, key: key) else {
            Issue.record("no good state was saved in its place", sourceLocation: sourceLocation); return
        }
    }

    /// The body of a saved state file (its sealed bytes, without piece hashes and seal).
    static func body(_ dir: Dir) throws -> [UInt8] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: statePath(dir))))
        let count = bytes.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: bytes.count - 44, as: UInt64.self))) }
        return Array(bytes[..<count])
    }

    /// Writes `body` sealed with the test key in pieces of `piece` bytes.
    static func reseal(_ dir: Dir, _ body: [UInt8], piece: Int = SealedFile.defaultPiece) throws {
        var bytes = body
        SealedFile.seal(&bytes, key: key, domain: ValidationStateFile.domain, piece: piece)
        try Data(bytes).write(to: URL(fileURLWithPath: statePath(dir)))
    }

    @Test("A saved state with a flipped byte, cut short, sealed with another key, of a newer format or writable by others is discarded with the reason; the import replays the log")
    func damagedOrForgedStateDiscarded() throws {
        let n = 1500
        for (at, reason) in [(100, "its bytes 0..<"), (-1, "its seal does not verify with the key at test.key"), (-50, "its seal does not verify")] {
            let dir = try Self.savedLog(n)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.statePath(dir))))
            bytes[at >= 0 ? at : bytes.count + at] ^= 0x01   // the state's tables; the seal; a piece hash
            try Data(bytes).write(to: URL(fileURLWithPath: Self.statePath(dir)))
            try Self.expectDiscarded(dir, from: n, reason: reason)
        }
        do {
            let dir = try Self.savedLog(n)
            let other = CheckpointKey(secret: [UInt8](repeating: 4, count: 32), path: "other.key")
            try Self.expectDiscarded(dir, from: n, key: other, reason: "its seal does not verify with the key at other.key")
        }
        do {
            let dir = try Self.savedLog(n)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.statePath(dir)))
            try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: Self.statePath(dir)))
            try Self.expectDiscarded(dir, from: n, reason: "its length does not match")
        }
        do {
            // Sealed with the right key, but of a format this build does not read.
            let dir = try Self.savedLog(n)
            var body = try Self.body(dir)
            body[7] = 9
            try Self.reseal(dir, body)
            try Self.expectDiscarded(dir, from: n, reason: "it is of format 9; this parledger reads format 1")
        }
        do {
            // Mapped bytes stay what the seal was checked on only if nobody else can write the file in place.
            let dir = try Self.savedLog(n)
            #expect(chmod(Self.statePath(dir), 0o666) == 0)
            try Self.expectDiscarded(dir, from: n, reason: "accounts other than this one may write it (owner uid \(geteuid()), mode 666)")
        }
    }

    @Test("Opening a saved state checks only the pieces it reads: a damaged piece of the table of scoring events refuses the import that reads it, and the file is removed")
    func lazyPiecesChecked() throws {
        let n = 1500
        let events = Self.events
        // Sealed in pieces of 4 KiB, so the table's 786 KB are many pieces, and one of them is damaged.
        func damagedLog() throws -> (Dir, Int) {
            let dir = try Self.savedLog(n)
            let body = try Self.body(dir)
            let borrowedAt = body.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 48, as: UInt64.self))) } + ValidationStateFile.fixed
            // The table of scoring events is the state's last part: here one block of 65,536 entries.
            let entriesAt = body.count - (1 << 16) * 12
            try #require(entriesAt > borrowedAt)
            // An appraisal whose entry lies pieces past the state's other tables (which opening checks).
            let scored = events[1000..<n].firstIndex { if case .appraisalRecorded = $0.body { true } else { false } }!
            let entry = entriesAt + 12 * scored
            try #require(entry / 4096 > borrowedAt / 4096 + 1)
            try Self.reseal(dir, body, piece: 4096)
            // After sealing: its year changes (another item's key, were it trusted).
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.statePath(dir))))
            bytes[entry + 10] ^= 0x04
            try Data(bytes).write(to: URL(fileURLWithPath: Self.statePath(dir)))
            return (dir, scored)
        }
        do {
            // An import that corrects that event reads the damaged piece: refused, nothing written, the file removed.
            let (dir, scored) = try damagedLog()
            let segments = try dir.files().filter { $0.key.hasSuffix(".seg") || $0.key == "parledger.head" }
            let correction = Event(at: events[n - 1].at, by: "ban-chi-dao-cchc",
                                   body: .correctionIssued(CorrectionIssued(target: .seq(Seq(UInt64(scored + 1))), value: .score(Score(thousandths: 0)), reason: "Sai sót")))
            #expect {
                _ = try Ledger.importEvents([Self.source([correction][...])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
            } throws: { error in
                "\(error)".contains("changed while this import used it: its bytes ") && "\(error)".contains("nothing was imported, and the file was removed")
            }
            #expect(try dir.files().filter { $0.key.hasSuffix(".seg") || $0.key == "parledger.head" } == segments)
            #expect(!FileManager.default.fileExists(atPath: Self.statePath(dir)))
            // The next import replays the log and accepts the same correction.
            let again = try Ledger.importEvents([Self.source([correction][...])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
            #expect(again.appended == 1 && again.state.savedAt == nil && again.state.saved)
        }
        do {
            // New events join the table's last block, which holds the damaged piece here (a small log has one block): it is read, and refused alike.
            let (dir, _) = try damagedLog()
            #expect(throws: LedgerError.self) { _ = try Ledger.importEvents([Self.source(events[n..<(n + 10)])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1) }
            #expect(!FileManager.default.fileExists(atPath: Self.statePath(dir)))
            #expect(try Ledger.importEvents([Self.source(events[n..<(n + 10)])], into: dir.path, stateKey: Self.key).appended == 10)
        }
    }

    /// Where `text` first occurs in `bytes` at or after `from`.
    static func find(_ text: String, in bytes: [UInt8], from: Int) -> Int? {
        let needle = Array(text.utf8)
        return (from...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test("A damaged piece of the appeals or of the event ids refuses the import whose lookup reads it, naming the file and the piece; nothing is written and the file is removed")
    func damagedAppealsAndIDsRefused() throws {
        let events = Self.events
        let n = events.count - 300
        let piece = 256
        let filed = events[..<n].compactMap { if case .appealFiled(let a) = $0.body { a } else { nil } }.sorted { $0.appeal < $1.appeal }
        let identified = events[..<n].filter { $0.id != nil }.sorted { $0.id! < $1.id! }
        try #require(filed.count >= 40 && identified.count >= 40)
        /// A saved log whose state is sealed in pieces of 256 bytes, with one byte of `name`'s entry changed after sealing.
        func damaged(_ name: String) throws -> (Dir, range: String) {
            let dir = try Self.savedLog(n)
            let body = try Self.body(dir)
            let borrowedAt = body.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 48, as: UInt64.self))) } + ValidationStateFile.fixed
            let at = try #require(Self.find(name, in: body, from: borrowedAt))
            // Well past the pieces that opening checks (the state up to its tables' entries).
            try #require(at / piece > borrowedAt / piece + 2, "\(name) at \(at), entries from \(borrowedAt)")
            try Self.reseal(dir, body, piece: piece)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.statePath(dir))))
            bytes[at + name.utf8.count - 1] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: Self.statePath(dir)))
            let start = at / piece * piece
            return (dir, "its bytes \(start)..<\(start + piece) no longer match their sealed hash")
        }
        func expectRefused(_ dir: Dir, _ range: String, _ events: [Event], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let before = try dir.files().filter { $0.key != ValidationStateFile.fileName }
            #expect(sourceLocation: sourceLocation) {
                _ = try Ledger.importEvents([Self.source(events[...])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
            } throws: { error in
                let text = "\(error)"
                return text.contains("the saved validation state (\(Self.statePath(dir))) changed while this import used it: \(range)")
                    && text.contains("nothing was imported, and the file was removed")
            }
            #expect(try dir.files().filter { $0.key != ValidationStateFile.fileName } == before, "nothing written", sourceLocation: sourceLocation)
            #expect(!FileManager.default.fileExists(atPath: Self.statePath(dir)), sourceLocation: sourceLocation)
            // The next import replays the log and decides from it.
            let again = try Ledger.importEvents([Self.source(events[...])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
            #expect(again.state.savedAt == nil && again.appended + again.skipped == events.count, sourceLocation: sourceLocation)
        }
        let at = events[n - 1].at
        do {
            // A new appeal whose id sorts just after a saved one: its lookup walks the damaged entry's group.
            let a = filed[filed.count / 2]
            let (dir, range) = try damaged(a.appeal.rawValue)
            var b = a
            b.appeal = AppealID(a.appeal.rawValue + "-b")
            try expectRefused(dir, range, [Event(at: at, by: "x", body: .appealFiled(b))])
        }
        do {
            // The resolution of the last open appeal in key order.
            let resolved = Set(events[..<n].compactMap { if case .appealResolved(let r) = $0.body { r.appeal } else { nil } })
            let a = try #require(filed.last { !resolved.contains($0.appeal) })
            let (dir, range) = try damaged(a.appeal.rawValue)
            try expectRefused(dir, range, [Event(at: at, by: "x", body: .appealResolved(AppealResolved(appeal: a.appeal, outcome: .rejected, score: nil, reason: "r")))])
        }
        do {
            // A repeat of an event with an id (skipped, were the state whole), and a correction by that id.
            let e = identified[identified.count / 3]
            let (dir, range) = try damaged(e.id!.rawValue)
            try expectRefused(dir, range, [e])
            let (again, range2) = try damaged(e.id!.rawValue)
            try expectRefused(again, range2, [Event(at: at, by: "x", body: .correctionIssued(CorrectionIssued(target: .id(e.id!), value: .score(Score(thousandths: 0)), reason: "r")))])
        }
        do {
            // An import whose lookups do not reach the damaged piece is accepted; the save reads every entry, finds it, and removes the file.
            let (dir, _) = try damaged(identified[identified.count / 3].id!.rawValue)
            let rename = Event(at: at, by: "x", body: .unitRenamed(UnitRenamed(unit: try #require(events.lazy.compactMap { if case .unitRegistered(let u) = $0.body { u.unit } else { nil } }.first), name: "Tên mới")))
            let report = try Ledger.importEvents([Self.source([rename][...])], into: dir.path, stateKey: Self.key, stateSaveInterval: 1)
            #expect(report.appended == 1 && !report.state.saved && report.state.savedAt == Seq(UInt64(n)))
            #expect(report.state.notices.count == 1 && report.state.notices[0].contains("changed while this import used it (its bytes "), "\(report.state.notices)")
            #expect(!FileManager.default.fileExists(atPath: Self.statePath(dir)))
        }
    }

    @Test("An import from the saved state that files and resolves appeals and corrects by id gives the log, the decisions and the saved state of one that replays the log")
    func borrowedImportsLikeReplay() throws {
        let events = Self.events
        let n = events.count - 400
        let borrowedDir = try Self.savedLog(n)
        let replayedDir = try Dir()
        _ = try Ledger.importEvents([Self.source(events[..<n])], into: replayedDir.path)
        #expect(!FileManager.default.fileExists(atPath: Self.statePath(replayedDir)))

        let filed = events[..<n].compactMap { if case .appealFiled(let a) = $0.body { a } else { nil } }.sorted { $0.appeal < $1.appeal }
        let resolvedIDs = Set(events.compactMap { if case .appealResolved(let r) = $0.body { r.appeal } else { nil } })
        let open = filed.filter { !resolvedIDs.contains($0.appeal) }
        let resolvedBefore = Set(events[..<n].compactMap { if case .appealResolved(let r) = $0.body { r.appeal } else { nil } })
        let closed = try #require(filed.first { resolvedBefore.contains($0.appeal) })
        let identified = events[..<n].filter { $0.id != nil }.sorted { $0.id! < $1.id! }
        try #require(open.count >= 3 && identified.count >= 10)
        let at = events[n - 1].at
        func resolve(_ id: AppealID) -> Event { Event(at: at, by: "x", body: .appealResolved(AppealResolved(appeal: id, outcome: .rejected, score: nil, reason: "Không có căn cứ"))) }
        func file(_ a: AppealFiled, _ id: String) -> Event { var b = a; b.appeal = AppealID(id); return Event(at: at, by: "x", body: .appealFiled(b)) }
        func correct(_ id: EventID, as own: EventID? = nil) -> Event {
            Event(at: at, by: "x", id: own, body: .correctionIssued(CorrectionIssued(target: .id(id), value: .score(Score(thousandths: 500)), reason: "Sai sót")))
        }
        // Good events: the rest of the history, then resolutions of saved appeals (first, last open in key order), new appeals
        // filed and one resolved, corrections by saved ids (first, last) and one with an id of its own, repeats of saved events.
        let good: [Event] = Array(events[n...]) + [
            resolve(open.first!.appeal), resolve(open.last!.appeal),
            file(open[1], "KN-mới-1"), file(open[1], "0-KN"), file(open[1], "ZZ-KN"), resolve("KN-mới-1"),
            correct(identified.first!.id!), correct(identified.last!.id!), correct(identified[5].id!, as: "sua-1"),
            identified.first!, identified.last!, identified[identified.count / 2],
        ]
        let a = try Ledger.importEvents([Self.source(good[...])], into: borrowedDir.path, stateKey: Self.key, stateSaveInterval: 1)
        let b = try Ledger.importEvents([Self.source(good[...])], into: replayedDir.path, stateKey: Self.key, stateSaveInterval: 1)
        #expect(a.state.savedAt == Seq(UInt64(n)) && a.state.replayed == 0 && a.state.notices.isEmpty, "started from the saved state: \(a.state.notices)")
        #expect(b.state.savedAt == nil && b.state.replayed == n)
        #expect(a.appended == b.appended && a.skipped == b.skipped && a.skipped == 3 && a.appended == good.count - 3)
        #expect(a.state.saved && b.state.saved)
        #expect(try Self.allEvents(borrowedDir) == Self.allEvents(replayedDir))

        // The states saved: the same bytes, and a full replay's.
        func saved(_ dir: Dir) throws -> [UInt8] {
            let reader = try LogReader(directory: dir.path)
            guard case .usable(let state, _) = ValidationStateFile.load(directory: dir.path, reader: reader, key: Self.key) else {
                Issue.record("no usable state in \(dir.path)"); return []
            }
            return try state.serialized()
        }
        let replayed = try Ledger.state(of: LogReader(directory: replayedDir.path)).serialized()
        #expect(try saved(borrowedDir) == replayed)
        #expect(try saved(replayedDir) == replayed)

        // Refused alike, with the same messages, from the saved state (now holding the events above) and from a replay.
        let bad: [[Event]] = [
            [file(filed.first!, filed.first!.appeal.rawValue)], [file(open[1], "KN-mới-1")], [resolve("KN-không-có")], [resolve(closed.appeal)],
            [resolve(open.first!.appeal)], [resolve("KN-mới-1")], [correct("khong-co-id")], [correct("sua-1")],
            [{ var e = identified[2]; e.at = BusinessTime(microsecondsSinceEpoch: e.at.microsecondsSinceEpoch + 1, offsetMinutes: e.at.offsetMinutes); return e }()],
            [correct(identified[7].id!, as: "sua-1")],
        ]
        for batch in bad {
            var messages: [String] = []
            for (dir, key) in [(borrowedDir, Self.key), (replayedDir, nil as CheckpointKey?)] {
                do {
                    _ = try Ledger.importEvents([Self.source(batch[...])], into: dir.path, stateKey: key, stateSaveInterval: 1)
                    messages.append("accepted")
                } catch {
                    messages.append("\(error)")
                }
            }
            #expect(messages[0] == messages[1])
            #expect(messages[0].contains("import refused: 1 problem found"), "\(messages[0])")
        }
        #expect(try Self.allEvents(borrowedDir) == Self.allEvents(replayedDir))
    }

    @Test("A state of the previous version (1) is discarded with a notice; the import replays the log and saves the current version")
    func previousVersionDiscarded() throws {
        let n = 1500
        let dir = try Self.savedLog(n)
        var body = try Self.body(dir)
        #expect(body[ValidationStateFile.fixed] == 2)
        body[ValidationStateFile.fixed] = 1
        try Self.reseal(dir, body)
        try Self.expectDiscarded(dir, from: n, reason: "validation state of version 1; this parledger reads version 2")
        #expect(try Self.body(dir)[ValidationStateFile.fixed] == 2)
    }

    @Test("A state saved for a longer log (rolled back) or for another log (replaced) is discarded; a refused import leaves the saved state as it was")
    func stateOfAnotherLogDiscarded() throws {
        let n = 1500
        let longer = try Self.savedLog(n + 400)
        let dir = try Self.savedLog(n)
        let longerState = try Data(contentsOf: URL(fileURLWithPath: Self.statePath(longer)))
        try longerState.write(to: URL(fileURLWithPath: Self.statePath(dir)))
        try Self.expectDiscarded(dir, from: n, reason: "it holds the log up to seq \(n + 400), but the log ends at \(n) (rolled back or replaced?)")

        // Another log of the same length: the same events, other recording times, so other frame hashes.
        let mine = try Self.savedLog(n)
        let theirs = try Self.savedLog(n)
        try Data(contentsOf: URL(fileURLWithPath: Self.statePath(theirs))).write(to: URL(fileURLWithPath: Self.statePath(mine)))
        try Self.expectDiscarded(mine, from: n, reason: "the log at seq \(n) is not what it was when the state was saved")

        // A refused import changes neither the log nor its saved state.
        let before = try mine.files()
        var bad = Self.source(Self.events[(n + 200)..<(n + 300)])
        bad.bytes += Array(#"{"type":"unit.renamed","at":"2024-01-02T08:00:00+07:00","by":"x","unit":"NO-SUCH-UNIT","name":"?"}"#.utf8) + [0x0A]
        #expect(throws: LedgerError.self) { _ = try Ledger.importEvents([bad], into: mine.path, stateKey: Self.key, stateSaveInterval: 1) }
        #expect(try mine.files() == before)
    }
}
