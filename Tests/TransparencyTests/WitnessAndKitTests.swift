import Primitives
import DataGen
import EventLog
import Foundation
import Ledger
import Projections
import ScoreModel
import Testing
@testable import Transparency

@Suite("Witnesses and audit kits: a rewritten history is caught", .serialized)
struct WitnessAndKitTests {
    static let origin = "cchc.example.gov.vn/par"
    /// A correction of an old appraisal of STNMT, whose 2023 item 6.1.1 also had an upheld appeal.
    static let correction = #"{"type":"correction.issued","at":"2024-03-10T09:00:00+07:00","by":"ban-chi-dao-cchc-tinh","id":"correction-2023-test","target":"2023-STNMT-1.1.1-r2","score":0.5,"reason":"Sai sót khi tổng hợp điểm"}"#
    static let rename = #"{"type":"unit.renamed","at":"2024-03-11T09:00:00+07:00","by":"ubnd-tinh","unit":"STNMT","name":"Sở Nông nghiệp và Môi trường"}"#

    static func importLines(_ lines: [String], into log: String) throws {
        var options = LogOptions()
        options.durable = false
        _ = try Ledger.importEvents([ImportSource(name: "more.jsonl", bytes: Array((lines.joined(separator: "\n") + "\n").utf8))], into: log, options: options)
    }

    static func signedCheckpoint(_ log: String, _ key: SignerKey) throws -> String {
        try Transparency.checkpoint(log: log, key: key).checkpoint.text
    }

    /// Copies `log` into `forged` as an attacker with write access would:
    /// the same records in the same batches with the same writer clock, but
    /// the appraisal `id` with another score. Returns its seq.
    static func forge(_ log: String, into forged: String, id: String, score: Score) throws -> UInt64 {
        let reader = try LogReader(directory: log)
        var batches: [(recordedAt: Int64, payloads: [[UInt8]])] = []
        var decoder = RecordDecoder()
        var target: UInt64 = 0
        try reader.forEachRecord { record in
            var payload = Array(record.payload)
            var event = try payload.withUnsafeBytes { try decoder.decode($0) }
            if event.id?.rawValue == id, case .appraisalRecorded(var a) = event.body {
                a.value = .score(score)
                event.body = .appraisalRecorded(a)
                payload = EventCodec.encode(event)
                target = record.seq.rawValue
            }
            if batches.last?.recordedAt == record.recordedAt { batches[batches.count - 1].payloads.append(payload) } else { batches.append((record.recordedAt, [payload])) }
        }
        try LogWriter.create(directory: forged)
        for batch in batches {
            var options = LogOptions()
            options.durable = false
            let at = batch.recordedAt
            options.clock = { at }
            let writer = try LogWriter(directory: forged, options: options)
            _ = try writer.append(batch.payloads)
            writer.close()
        }
        return target
    }

    /// The demo log with the extra correction, signed, and the kit of STNMT 2023 at its head.
    static func stnmtKit() throws -> (Scratch, SignerKey, String, AuditKit) {
        let s = try Scratch()
        let key = try SignerKey(name: origin, role: .note)
        let log = try s.demoLog("log", extra: [correction])
        try LogOrigin.set(origin, directory: log)
        let kit = try AuditKit.make(log: log, unit: "STNMT", index: "PAR", year: 2023, checkpoint: try signedCheckpoint(log, key), checkpointFile: "cp")
        return (s, key, log, kit)
    }

    /// The score the whole log gives (what `explain` and the snapshots publish).
    static func published(_ log: String, unit: String, year: Int) throws -> Explanation {
        var book = ScoreBook()
        try Ledger.replay(directory: log) { book.apply($0) }
        return try #require(book.explain(unit: UnitCode(unit), index: .par, year: year, lookup: { _ in nil }))
    }

    @Test("the witness accepts a log that grows, refuses the checkpoint of a rewritten history naming both sizes and roots; a kit made before the rewrite still checks, one made after fails consistency with the witnessed checkpoint")
    func rewrittenHistory() throws {
        let s = try Scratch()
        let key = try SignerKey(name: Self.origin, role: .note)
        let witnessKey = try SignerKey(name: "thanhtra.example.gov.vn/witness", role: .cosigner)
        let witness = Witness(stateDirectory: s.path + "/witness", logKey: key.verifier, cosigner: witnessKey)
        let log = try s.demoLog("log")
        try LogOrigin.set(Self.origin, directory: log)

        let c1 = try Self.signedCheckpoint(log, key)
        let first = try witness.witness(c1, place: "c1", proof: .log(log), now: 1_700_000_000)
        #expect(first.previousSize == nil && first.message.contains("first checkpoint"))
        #expect(try first.checkpoint.note.verifyCosignature(witnessKey.verifier, place: "c1") == 1_700_000_000)
        let kitBefore = try AuditKit.make(log: log, unit: "STNMT", index: "PAR", year: 2023, checkpoint: c1, checkpointFile: "c1")

        try Self.importLines([Self.correction], into: log)
        let c2 = try Self.signedCheckpoint(log, key)
        let second = try witness.witness(c2, place: "c2", proof: .log(log), now: 1_700_000_100)
        let n1 = try Checkpoint.parse(c1, place: "c1").size, n2 = try Checkpoint.parse(c2, place: "c2").size
        #expect(second.previousSize == n1 && n2 == n1 + 1)

        // The attacker copies the log record by record, with the same seqs,
        // batches and writer clock, changing one old appraisal: every frame
        // from there on gets a new CRC and chain hash, and the forged log verifies.
        let forged = s.path + "/forged"
        let target = try Self.forge(log, into: forged, id: "2023-STNMT-1.1.1-r1", score: Score(points: 1))
        try LogOrigin.set(Self.origin, directory: forged)
        try Self.importLines([Self.rename], into: forged)
        #expect(try LogVerifier.verify(directory: forged).events == n2 + 1)
        var changed: [UInt64] = []
        let honestReader = try LogReader(directory: log), forgedReader = try LogReader(directory: forged)
        var honestRecords: [[UInt8]] = []
        try honestReader.forEachRecord { honestRecords.append(Array($0.payload)) }
        try forgedReader.forEachRecord(through: Seq(n2)) { if Array($0.payload) != honestRecords[Int($0.seq.rawValue) - 1] { changed.append($0.seq.rawValue) } }
        #expect(changed == [target])
        let c3 = try Self.signedCheckpoint(forged, key)
        let stateBefore = try s.read(s.path + "/witness/cchc.example.gov.vn%2Fpar.checkpoint")

        let root2 = Base64.encode(try Checkpoint.parse(c2, place: "c2").root), root3 = Base64.encode(try Checkpoint.parse(c3, place: "c3").root)
        #expect(throws: TransparencyError("refused: c3 is of size \(n2 + 1) (root \(root3)), which is not consistent with the checkpoint accepted for \(Self.origin), of size \(n2) (root \(root2))",
                                          hint: "the log's history up to \(n2) was rewritten (or the proof is wrong); keep both checkpoints as evidence")) {
            try witness.witness(c3, place: "c3", proof: .log(forged), now: 1_700_000_200)
        }
        // The refusal changed nothing.
        #expect(try s.read(s.path + "/witness/cchc.example.gov.vn%2Fpar.checkpoint") == stateBefore)
        // A proof file made by the forger does not help either.
        let proofFile = try s.write(try Transparency.proveConsistency(log: forged, from: n2, to: nil).json, to: "forged-proof.json")
        #expect(throws: TransparencyError.self) { try witness.witness(c3, place: "c3", proof: .file(proofFile), now: 1_700_000_200) }

        // The kit made before the rewrite still checks against its own checkpoint.
        let before = try AuditKit.parse(Array(kitBefore.json.utf8), file: "before.json")
        #expect(try before.check(key: key.verifier, place: "before.json").checkpoint.size == n1)
        // A kit made after the rewrite is signed and self-consistent, but not
        // consistent with the checkpoint the witness accepted.
        let after = try AuditKit.make(log: forged, unit: "STNMT", index: "PAR", year: 2023, checkpoint: c3, checkpointFile: "c3",
                                      witnessed: (c2, "c2"))
        _ = try after.check(key: key.verifier, place: "after.json")
        let root3Text = root3
        #expect(throws: TransparencyError("after.json: the kit's tree (size \(n2 + 1), root \(root3Text)) is not consistent with the witnessed tree (size \(n2), root \(root2))",
                                          hint: "the log's history was rewritten: the kit's events are not those the witness saw")) {
            try after.check(key: key.verifier, place: "after.json", witnessed: (c2, "c2"))
        }
        // The honest log's kit at c2 passes the same check.
        let honest = try AuditKit.make(log: log, unit: "STNMT", index: "PAR", year: 2023, checkpoint: c2, checkpointFile: "c2", witnessed: (c1, "c1"))
        #expect(try honest.check(key: key.verifier, place: "honest.json", witnessed: (c1, "c1")).witnessed == n1)
    }

    @Test("a kit of a unit with a correction and an upheld appeal checks without the log, to the score the whole log gives")
    func kitChecksToPublishedScore() throws {
        let (s, key, log, kit) = try Self.stnmtKit()
        let file = try s.write(kit.json, to: "kit.json")
        try FileManager.default.removeItem(atPath: log)   // without the log

        let parsed = try AuditKit.parse(Array(try s.read(file).utf8), file: file)
        let report = try parsed.check(key: key.verifier, place: file)
        let published = try Self.published(try s.demoLog("again", extra: [Self.correction]), unit: "STNMT", year: 2023)
        #expect(report.statement.points == published.points.description)
        #expect(report.statement.percent == published.percent?.description)
        #expect(report.statement.band == published.band?.code)
        let statuses = Dictionary(uniqueKeysWithValues: report.statement.items.map { ($0.item, $0.status) })
        #expect(statuses["6.1.1"] == "appealed")
        #expect(report.statement.items.first { $0.item == "1.1.1" }?.points == "0.5")
        // The kit holds the registration, the framework, the publication, the
        // appeal and its resolution, the correction.
        let types = Set(parsed.events.compactMap { e in try? e.record.withUnsafeBytes { var d = RecordDecoder(); return try d.decode($0).type } })
        #expect(types.isSuperset(of: [.unitRegistered, .frameworkPublished, .resultsPublished, .appraisalRecorded, .correctionIssued, .appealFiled, .appealResolved]))
    }

    @Test("a kit with one event removed, altered or reordered fails, naming the event")
    func tamperedKits() throws {
        let (_, key, _, kit) = try Self.stnmtKit()
        func failure(_ k: AuditKit) -> String {
            do { _ = try AuditKit.parse(Array(k.json.utf8), file: "kit.json").check(key: key.verifier, place: "kit.json"); return "passed" } catch { return "\(error)" }
        }
        #expect(failure(kit) == "passed")
        let correction = try #require(kit.events.firstIndex { e in (try? e.record.withUnsafeBytes { var d = RecordDecoder(); return try d.decode($0).type }) == EventType.correctionIssued })
        let seq = kit.events[correction].seq

        var removed = kit
        removed.events.remove(at: correction)
        #expect(failure(removed).hasPrefix("kit.json: event #\(seq), on which the score depends, is not in the kit"))

        var altered = kit
        let text = String(decoding: altered.events[correction].record, as: UTF8.self)
        #expect(!text.isEmpty)
        altered.events[correction].record[altered.events[correction].record.count - 1] ^= 0x01
        #expect(failure(altered).hasPrefix("kit.json: event #\(seq): its record and inclusion proof do not lead to the checkpoint's root"))

        var reordered = kit
        reordered.events.swapAt(correction, correction - 1)
        #expect(failure(reordered).hasPrefix("kit.json: event #\(kit.events[correction - 1].seq) comes after #\(seq): the kit's events are out of order"))

        // Removing an event and its mention in the statement: the score no longer follows.
        var edited = kit
        edited.events.remove(at: correction)
        edited.statement.basis.removeAll { $0 == seq }
        for i in edited.statement.items.indices { edited.statement.items[i].events.removeAll { $0 == seq } }
        #expect(failure(edited).hasPrefix("kit.json: item 1.1.1: the kit's events give"))

        // Another key, or an edited checkpoint.
        let other = try SignerKey(name: Self.origin, role: .note)
        #expect(throws: TransparencyError.self) { try kit.check(key: other.verifier, place: "kit.json") }
    }
}
