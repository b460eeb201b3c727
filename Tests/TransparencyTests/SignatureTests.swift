import DataGen
import EventLog
import Foundation
import Ledger
import Primitives
import ScoreModel
import Testing
@testable import Transparency

/// Signed submissions (docs/SIGNATURES.md): who may write what, checked on
/// import and again from the log alone.
@Suite("Actors, roles and signed batches")
struct SignatureTests {
    static let origin = "cchc.example.gov.vn/signed"
    static let at = BusinessTime(microsecondsSinceEpoch: 1_700_000_000_000_000, offsetMinutes: 420)

    /// The demo's 2022 files: units, PAR 2022, the changes after publication.
    static let events: [Event] = Array(DemoProvince.files().prefix(3)).flatMap(\.events)
    static let submissions: [String] = try! SignedProvince.submissions(events, origin: origin, at: at)

    /// A new log with the origin and the policy; the registrar's setup imported.
    static func policyLog(_ s: Scratch, setup: Bool = true) throws -> String {
        let log = s.path + "/log"
        try LogWriter.create(directory: log)
        try LogOrigin.set(origin, directory: log)
        try SignaturePolicy.require(directory: log)
        if setup { _ = try importText(submissions[0], name: "setup.jsonl", into: log) }
        return log
    }

    @discardableResult
    static func importText(_ text: String, name: String, into log: String) throws -> ImportReport {
        var options = LogOptions()
        options.durable = false
        return try Ledger.importEvents([ImportSource(name: name, bytes: Array(text.utf8))], into: log, options: options, gate: SignatureGate(log: log))
    }

    /// Every file of the log directory, by name.
    static func bytes(_ log: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: log) where name != "writer.lock" {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: log + "/" + name))
        }
        return out
    }

    /// Imports `text`, expects a refusal whose message holds every piece, and the log unchanged.
    static func expectRefused(_ text: String, into log: String, _ pieces: [String]) throws {
        let before = try bytes(log)
        var message = ""
        do { try importText(text, name: "batch.jsonl", into: log) } catch { message = "\(error)" }
        for piece in pieces { #expect(message.contains(piece), "\(piece) not in: \(message)") }
        #expect(try bytes(log) == before, "the log changed after a refused import")
    }

    static func signed(_ events: [Event], by actor: Actor, key: SignerKey? = nil, origin: String = origin) throws -> String {
        let sig = try BatchSignature.sign(events, origin: origin, actor: actor, at: at, key: key ?? SignedProvince.testKey(actor))
        return (events + [sig]).map { EventJSON.encode($0) }.joined(separator: "\n") + "\n"
    }

    static var units: [UnitRegistered] { events.compactMap { if case .unitRegistered(let u) = $0.body { u } else { nil } } }
    static func unit(in block: BlockCode) -> UnitCode { units.first { $0.block == block }!.unit }
    static func item(for block: BlockCode) -> Item {
        for case .frameworkPublished(let f) in events.map(\.body) where f.block == block && f.year == 2022 {
            return f.items.first { $0.source == .assessment }!
        }
        fatalError("no framework")
    }
    static func appraisal(_ unit: UnitCode, _ item: Item, id: String) -> Event {
        Event(at: at, by: Actor("x"), id: EventID(id), body: .appraisalRecorded(AppraisalRecorded(key: ItemKey(unit: unit, year: 2022, item: item.code),
                                                                                                   value: .score(item.max), round: 1)))
    }

    @Test("The signed demo province imports, and verify --signatures checks every signature and role from the log alone")
    func signedDemoImports() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        let report = try Self.importText(Self.submissions[1], name: "signed.jsonl", into: log)
        #expect(report.appended > 3000)
        let audit = try SignatureAudit.run(directory: log)
        #expect(audit.unsignedEvents == 0)
        #expect(audit.batches > 10)
        let recorded = try LogVerifier.verify(directory: log).events
        #expect(audit.signedEvents + audit.batches == recorded)
        // Each event's verified signer is the actor whose role covers it.
        var checked = 0
        try Ledger.replay(directory: log) { r in
            guard case .appraisalRecorded(let a) = r.event.body else { return }
            let signer = try #require(audit.signers[r.seq])
            #expect(signer.role == .council)
            #expect(signer.actor == SignedProvince.councilActor(Self.units.first { $0.unit == a.key.unit }!.block))
            checked += 1
        }
        #expect(checked > 100)
        // Importing the same signed file again changes nothing.
        let again = try Self.importText(Self.submissions[1], name: "signed.jsonl", into: log)
        #expect(again.appended == 0)
    }

    @Test("A signed file spread over several chunks and decode parts imports as the compact file does; a score changed deep in it is refused at its batch's line")
    func signedAcrossChunks() throws {
        // A blank line of spaces after each line: the same events over three chunks of 4 MiB, each cut in parts,
        // so that the events a signature covers lie in several parts and chunks.
        let lines = Self.submissions[1].split(separator: "\n").map(String.init)
        let blank = String(repeating: " ", count: 3_000)
        func padded(_ lines: [String]) -> String { lines.map { $0 + "\n" + blank + "\n" }.joined() }
        #expect(padded(lines).utf8.count > 9 << 20, "not over two chunks")
        let s = try Scratch()
        let compact = try Self.policyLog(s)
        try Self.importText(Self.submissions[1], name: "signed.jsonl", into: compact)
        let spread = s.path + "/spread"
        try LogWriter.create(directory: spread)
        try LogOrigin.set(Self.origin, directory: spread)
        try SignaturePolicy.require(directory: spread)
        try Self.importText(Self.submissions[0], name: "setup.jsonl", into: spread)
        let report = try Self.importText(padded(lines), name: "spread.jsonl", into: spread)
        #expect(report.appended > 3000)
        var a: [String] = [], b: [String] = []
        try Ledger.replay(directory: compact) { a.append(EventJSON.encode($0.event)) }
        try Ledger.replay(directory: spread) { b.append(EventJSON.encode($0.event)) }
        #expect(a == b)
        #expect(try SignatureAudit.run(directory: spread).signedEvents == SignatureAudit.run(directory: compact).signedEvents)

        // One score changed past the middle: refused at the line of the signature that covers it (two lines per event).
        var changed = lines
        let k = try #require(changed.indices.dropFirst(changed.count / 2).first { changed[$0].contains("\"appraisal.recorded\"") && changed[$0].contains("\"score\":") })
        var event = try EventJSON.decode(line: changed[k])
        guard case .appraisalRecorded(var appraisal) = event.body, case .score(let old) = appraisal.value else { Issue.record("not an appraisal"); return }
        appraisal.value = .score(old == .zero ? Score(thousandths: 250) : .zero)
        event.body = .appraisalRecorded(appraisal)
        changed[k] = EventJSON.encode(event)
        let signature = try #require(changed[k...].firstIndex { $0.contains("\"batch.signed\"") })
        let fresh = s.path + "/fresh"
        try LogWriter.create(directory: fresh)
        try LogOrigin.set(Self.origin, directory: fresh)
        try SignaturePolicy.require(directory: fresh)
        try Self.importText(Self.submissions[0], name: "setup.jsonl", into: fresh)
        try Self.expectRefused(padded(changed), into: fresh, ["batch.jsonl:\(2 * signature + 1)", "rule \"signature\"", "nothing was imported"])
    }

    @Test("A signed log's export imports into a new log with the same origin as one file, and verifies; into a log with another origin it is refused")
    func exportRoundTrip() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        try Self.importText(Self.submissions[1], name: "signed.jsonl", into: log)
        var lines: [String] = []
        try Ledger.export(directory: log) { lines.append($0) }
        let copy = s.path + "/copy"
        try LogWriter.create(directory: copy)
        try LogOrigin.set(Self.origin, directory: copy)
        try SignaturePolicy.require(directory: copy)
        try Self.importText(lines.joined(separator: "\n") + "\n", name: "export.jsonl", into: copy)
        #expect(try SignatureAudit.run(directory: copy).signedEvents == SignatureAudit.run(directory: log).signedEvents)
        let other = s.path + "/other"
        try LogWriter.create(directory: other)
        try LogOrigin.set("cchc.example.gov.vn/elsewhere", directory: other)
        try Self.expectRefused(lines.joined(separator: "\n") + "\n", into: other, ["rule \"signature\"", "signed for another log"])
    }

    @Test("The same file with one score changed after signing is refused, naming the batch, and the log is unchanged")
    func changedAfterSigning() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        var lines = Self.submissions[1].split(separator: "\n").map(String.init)
        let k = try #require(lines.firstIndex { $0.contains("\"appraisal.recorded\"") && $0.contains("\"score\":") })
        var event = try EventJSON.decode(line: lines[k])
        guard case .appraisalRecorded(var a) = event.body, case .score(let old) = a.value else { Issue.record("not an appraisal"); return }
        a.value = .score(old == .zero ? Score(thousandths: 250) : .zero)
        event.body = .appraisalRecorded(a)
        lines[k] = EventJSON.encode(event)
        let signatureLine = try #require(lines[k...].firstIndex { $0.contains("\"batch.signed\"") }) + 1
        try Self.expectRefused(lines.joined(separator: "\n") + "\n", into: log,
                               ["batch.jsonl:\(signatureLine)", "rule \"signature\"", "signed by \(SignedProvince.councilActor(Self.units.first { $0.unit == a.key.unit }!.block))", "nothing was imported"])
    }

    @Test("A unit signing an appraisal of itself is refused (rule own unit)")
    func unitAppraisesItself() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        let unit = Self.unit(in: "department")
        let dual = Actor("dual-\(unit.rawValue.lowercased())")
        let register = Event(at: Self.at, by: SignedProvince.registrar, body: .actorRegistered(ActorRegistered(
            actor: dual, name: "Unit and council", roles: [.unit, .council], scope: ActorScope(unit: unit, block: "department"),
            key: SignedProvince.testKey(dual).verifier.text)))
        try Self.importText(try Self.signed([register], by: SignedProvince.registrar), name: "register.jsonl", into: log)
        try Self.expectRefused(try Self.signed([Self.appraisal(unit, Self.item(for: "department"), id: "self-appraisal")], by: dual), into: log,
                               ["batch.jsonl:1", "rule \"own unit\"", "a unit can never appraise itself", dual.rawValue])
    }

    @Test("A council signing an appraisal outside its block is refused (rule scope)")
    func councilOutsideBlock() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        let council = SignedProvince.councilActor("department")
        let district = Self.unit(in: "district")
        try Self.expectRefused(try Self.signed([Self.appraisal(district, Self.item(for: "district"), id: "outside")], by: council), into: log,
                               ["batch.jsonl:1", "rule \"scope\"", "block district", council.rawValue])
    }

    @Test("A revoked actor's batch is refused (rule revoked)")
    func revokedActor() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        let council = SignedProvince.councilActor("department")
        let revoke = Event(at: Self.at, by: SignedProvince.registrar,
                           body: .actorRevoked(ActorRevoked(actor: council, from: Self.at, reason: "the key was lost")))
        try Self.importText(try Self.signed([revoke], by: SignedProvince.registrar), name: "revoke.jsonl", into: log)
        let unit = Self.unit(in: "department")
        try Self.expectRefused(try Self.signed([Self.appraisal(unit, Self.item(for: "department"), id: "after-revocation")], by: council), into: log,
                               ["batch.jsonl:2", "rule \"revoked\"", council.rawValue, "the key was lost"])
    }

    @Test("A batch recorded before its signer's revocation, at or after the revocation's from, is flagged by the audit (batch, signer, revocation, time); one before the from is not; new batches stay refused")
    func revokedAfterTheFact() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        let council = SignedProvince.councilActor("department"), other = SignedProvince.councilActor("district")
        let unit = Self.unit(in: "department")
        try Self.importText(try Self.signed([Self.appraisal(unit, Self.item(for: "department"), id: "before-the-theft-was-known")], by: council),
                            name: "sheet.jsonl", into: log)
        try Self.importText(try Self.signed([Self.appraisal(Self.unit(in: "district"), Self.item(for: "district"), id: "district-sheet")], by: other),
                            name: "district.jsonl", into: log)
        let head = try LogVerifier.verify(directory: log).head.seq.rawValue
        #expect(try SignatureAudit.run(directory: log).revokedBatches.isEmpty)
        // The council's key was stolen in 2023 (before the sheet was recorded, now) and is revoked only now;
        // the district council is revoked from a time after its sheet was recorded.
        let from = Self.at
        let later = BusinessTime(microsecondsSinceEpoch: (Int64(Date().timeIntervalSince1970) + 365 * 86_400) * 1_000_000, offsetMinutes: 0)
        let revocations = [Event(at: Self.at, by: SignedProvince.registrar, body: .actorRevoked(ActorRevoked(actor: council, from: from, reason: "the key was stolen"))),
                           Event(at: Self.at, by: SignedProvince.registrar, body: .actorRevoked(ActorRevoked(actor: other, from: later, reason: "the council is dissolved")))]
        try Self.importText(try Self.signed(revocations, by: SignedProvince.registrar), name: "revoke.jsonl", into: log)
        let audit = try SignatureAudit.run(directory: log)
        #expect(audit.batches == 4)
        let flagged = try #require(audit.revokedBatches.first)
        #expect(audit.revokedBatches.count == 1)
        // The sheet: its appraisal, then its batch.signed; the revocation is the first event of the next append.
        let sheet = Seq(head - 3)
        #expect(flagged.actor == council && flagged.batch == Seq(sheet.rawValue + 1) && flagged.covered == sheet...sheet)
        #expect(flagged.revocation == Seq(head + 1) && flagged.from == from && flagged.reason == "the key was stolen")
        let text = flagged.description
        for piece in ["batch.signed #\(sheet.rawValue + 1) by \(council)", "over #\(sheet.rawValue)–#\(sheet.rawValue)", "event #\(head + 1) revokes \(council)",
                      "from \(RFC3339.format(from))", "the key was stolen", "may not be \(council)'s"] {
            #expect(text.contains(piece), "\(piece) not in: \(text)")
        }
        // The signer shown for the sheet's appraisal carries the flag; the district's does not.
        #expect(audit.signers[sheet]?.revoked == flagged)
        #expect(audit.signers[Seq(head - 1)].map { $0.actor == other && $0.revoked == nil } == true)
        // And a new batch of the revoked council is refused, the log unchanged.
        try Self.expectRefused(try Self.signed([Self.appraisal(unit, Self.item(for: "department"), id: "after-revocation")], by: council), into: log,
                               ["batch.jsonl:2", "rule \"revoked\"", council.rawValue, "the key was stolen"])
    }

    @Test("A batch signed with a key the log does not know is refused: an unregistered actor, or a registered actor's name with another key")
    func unknownKey() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        let unit = Self.unit(in: "department")
        let appraisal = Self.appraisal(unit, Self.item(for: "department"), id: "stranger")
        try Self.expectRefused(try Self.signed([appraisal], by: Actor("stranger"), key: try SignerKey(name: "stranger", role: .note)), into: log,
                               ["batch.jsonl:2", "rule \"unknown actor\"", "stranger"])
        let council = SignedProvince.councilActor("department")
        try Self.expectRefused(try Self.signed([appraisal], by: council, key: try SignerKey(name: council.rawValue, role: .note)), into: log,
                               ["batch.jsonl:2", "rule \"signature\"", council.rawValue])
    }

    @Test("A batch signed for another log is refused: the signature binds the log's origin")
    func signedForAnotherLog() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        let council = SignedProvince.councilActor("department")
        let appraisal = Self.appraisal(Self.unit(in: "department"), Self.item(for: "department"), id: "replayed")
        try Self.expectRefused(try Self.signed([appraisal], by: council, origin: "cchc.other-province.gov.vn/par"), into: log,
                               ["batch.jsonl:2", "rule \"signature\"", "signed for another log", Self.origin])
    }

    @Test("A log that requires signatures refuses an unsigned batch; a log without the policy takes it")
    func unsignedBatch() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        let line = EventJSON.encode(Self.appraisal(Self.unit(in: "department"), Self.item(for: "department"), id: "unsigned")) + "\n"
        try Self.expectRefused(line, into: log, ["batch.jsonl:1", "rule \"signed\"", "requires signatures"])
        let open = s.path + "/open"
        try LogWriter.create(directory: open)
        try LogOrigin.set(Self.origin, directory: open)
        try Self.importText(Self.submissions[0], name: "setup.jsonl", into: open)
        #expect(try Self.importText(line, name: "batch.jsonl", into: open).appended == 1)
        #expect(try SignatureAudit.run(directory: open).unsignedEvents == 1)
    }

    @Test("verify --signatures catches a batch.signed record rewritten in the log, CRCs, chain and acknowledged head recomputed")
    func alteredSignatureRecord() throws {
        let s = try Scratch()
        let log = try Self.policyLog(s)
        try Self.importText(Self.submissions[1], name: "signed.jsonl", into: log)
        // The attacker copies the log batch by batch with the same clock,
        // moving one signed appraisal to another score and re-signing the
        // batch with a key of their own under the council's name.
        let reader = try LogReader(directory: log)
        var batches: [(recordedAt: Int64, payloads: [[UInt8]])] = []
        var decoder = RecordDecoder()
        var window: [[UInt8]] = []
        var forged = false
        try reader.forEachRecord { record in
            var payload = Array(record.payload)
            let event = try payload.withUnsafeBytes { try decoder.decode($0) }
            if !forged, case .batchSigned(var b) = event.body, b.count > 1 {
                b.signature[0] ^= 0x01
                var changed = event
                changed.body = .batchSigned(b)
                payload = EventCodec.encode(changed)
                forged = true
            }
            window.append(payload)
            if batches.last?.recordedAt == record.recordedAt { batches[batches.count - 1].payloads.append(payload) } else { batches.append((record.recordedAt, [payload])) }
        }
        #expect(forged)
        let copy = s.path + "/forged"
        try LogWriter.create(directory: copy)
        try LogOrigin.set(Self.origin, directory: copy)
        try SignaturePolicy.require(directory: copy)
        for batch in batches {
            var options = LogOptions()
            options.durable = false
            let at = batch.recordedAt
            options.clock = { at }
            let writer = try LogWriter(directory: copy, options: options)
            _ = try writer.append(batch.payloads)
            writer.close()
        }
        #expect(try LogVerifier.verify(directory: copy).events == LogVerifier.verify(directory: log).events)
        #expect { try SignatureAudit.run(directory: copy) } throws: { error in
            let text = "\(error)"
            return text.contains("rule \"signature\"") && text.contains("does not verify") && text.contains("batch.signed by")
        }
        _ = try SignatureAudit.run(directory: log)
    }

    @Test("The signed demo's lines pass the JSON Schema in an independent validator (python jsonschema)")
    func schema() throws {
        guard Python.has("jsonschema") else {
            if Python.required { Issue.record("python3 jsonschema is missing; .ci/run installs it") }
            return
        }
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("events/event.schema.json").path
        let lines = Self.submissions.joined().split(separator: "\n")
        let sample = Array(lines.prefix(80)) + lines.filter { $0.contains("\"batch.signed\"") }.prefix(20)
        let script = """
        import json, sys, jsonschema
        v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
        bad = [e.message[:200] for line in sys.stdin for e in v.iter_errors(json.loads(line))]
        print(len(bad), bad[:3])
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, schema]
        let input = Pipe(), out = Pipe()
        p.standardInput = input; p.standardOutput = out
        try p.run()
        input.fileHandleForWriting.write(Data((sample.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(text.hasPrefix("0 "), "\(text)")
        #expect(sample.contains { $0.contains("\"actor.registered\"") })
    }

    @Test("An independent Ed25519 (Python cryptography) verifies the log's signatures from the documented message")
    func pythonVerifies() throws {
        guard Python.has("cryptography") else {
            if Python.required { Issue.record("python3 cryptography is missing; .ci/run installs it") }
            return
        }
        let s = try Scratch()
        let log = try Self.policyLog(s)
        try Self.importText(Self.submissions[1], name: "signed.jsonl", into: log)
        // Per batch: origin, actor, at, the covered records (from the log), the signature and the actor's public key.
        var keys: [Actor: String] = [:]
        var window: [[UInt8]] = []
        var lines: [String] = []
        var decoder = RecordDecoder()
        try LogReader(directory: log).forEachRecord { record in
            let payload = Array(record.payload)
            let event = try payload.withUnsafeBytes { try decoder.decode($0) }
            switch event.body {
            case .batchSigned(let b):
                let records = window.suffix(b.count)
                lines.append([Self.origin, b.actor.rawValue, RFC3339.format(event.at), keys[b.actor]!, hex(b.signature),
                              records.map { hex($0) }.joined(separator: ",")].joined(separator: " "))
                window = []
            default:
                if case .actorRegistered(let a) = event.body { keys[a.actor] = a.key }
                window.append(payload)
            }
        }
        let script = """
        import sys, hashlib, base64
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        n = 0
        for line in sys.stdin:
            origin, actor, at, key, sig, records = line.split(" ")
            raw = base64.b64decode(key.split("+", 2)[2])
            assert raw[0] == 1 and len(raw) == 33
            h = hashlib.sha256()
            recs = [bytes.fromhex(r) for r in records.strip().split(",")]
            for r in recs:
                h.update(len(r).to_bytes(4, "little")); h.update(r)
            msg = ("parledger batch signature v1\\norigin %s\\nactor %s\\nat %s\\ncount %d\\nrecords %s\\n" % (origin, actor, at, len(recs), h.hexdigest())).encode()
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(bytes.fromhex(sig), msg)
            n += 1
        print(n)
        """
        let result = try Python.run(script, input: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.trimmingCharacters(in: .whitespacesAndNewlines) == String(lines.count))
        #expect(lines.count > 10)
    }
}
