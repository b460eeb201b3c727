import Foundation
import Testing

@Suite("Signed submissions from the command line", .serialized)
struct SignCLITests {
    static let origin = "cchc.example.gov.vn/par-signed"

    /// Every file of a log directory but the lock, by name.
    static func bytes(_ log: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: log) where name != "writer.lock" {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: log + "/" + name))
        }
        return out
    }

    @Test("sign refuses a file with more events than one signature may cover (an import could not take it), and writes nothing")
    func signTooLarge() throws {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cwd = URL(fileURLWithPath: dir)
        #expect(try CLI.run(["init", "--log", "log", "--origin", Self.origin], cwd: cwd).status == 0)
        #expect(try CLI.run(["key", "generate", "--name", "hoi-dong-so", "--out", "hoi-dong-so"], cwd: cwd).status == 0)
        let line = #"{"type":"explanation.submitted","at":"2022-01-05T08:00:00+07:00","by":"tk-skhdt","unit":"SKHDT","index":"PAR","year":2022,"item":"1.1.1","text":"x"}"#
        let count = 262_145
        try Data(String(repeating: line + "\n", count: count).utf8).write(to: cwd.appendingPathComponent("big.jsonl"))
        let r = try CLI.run(["sign", "big.jsonl", "--log", "log", "--key", "hoi-dong-so.key", "--actor", "hoi-dong-so", "--out", "big.signed.jsonl"], cwd: cwd)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains("big.jsonl: 262145 events are more than one signature may cover (262144)") && r.err.contains("split the file"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/big.signed.jsonl"))
    }

    @Test("key generate, init --require-signatures, sign, import; a changed score is refused naming the batch and the log is unchanged; verify --signatures; history shows the signer")
    func endToEnd() throws {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cwd = URL(fileURLWithPath: dir)
        func run(_ args: [String], stdin: String? = nil) throws -> CLI.Result { try CLI.run(args, stdin: stdin, cwd: cwd) }
        func write(_ name: String, _ lines: [String]) throws { try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: cwd.appendingPathComponent(name)) }
        func read(_ name: String) throws -> String { try String(contentsOfFile: dir + "/" + name, encoding: .utf8) }

        var r = try run(["init", "--log", "log", "--require-signatures"])
        #expect(r.status == 1 && r.err.contains("--require-signatures needs --origin"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/log"))
        r = try run(["init", "--log", "log", "--origin", Self.origin, "--require-signatures"])
        #expect(r.status == 0 && r.out.contains("requiring signatures"), "\(r.err)")
        for name in ["so-noi-vu", "hoi-dong-so"] { #expect(try run(["key", "generate", "--name", name, "--out", name]).status == 0) }
        let demo = CLI.root.appendingPathComponent("events/demo").path
        let units = try String(contentsOfFile: demo + "/01-units.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        let par2022 = try String(contentsOfFile: demo + "/02-par-2022.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        let at = "\"at\":\"2022-01-05T08:00:00+07:00\""
        func register(_ actor: String, _ roles: String, _ scope: String) throws -> String {
            let key = try read(actor + ".pub").trimmingCharacters(in: .whitespacesAndNewlines)
            return #"{"type":"actor.registered",\#(at),"by":"so-noi-vu","actor":"\#(actor)","name":"\#(actor)","roles":\#(roles),\#(scope)"key":"\#(key)"}"#
        }
        try write("setup.jsonl", [try register("so-noi-vu", #"["registrar"]"#, "")] + units + [par2022[0]]
                  + [try register("hoi-dong-so", #"["council"]"#, #""block":"department","#)])
        r = try run(["sign", "setup.jsonl", "--log", "log", "--key", "so-noi-vu.key", "--actor", "so-noi-vu", "--out", "setup.signed.jsonl"])
        #expect(r.status == 0, "\(r.err)")
        r = try run(["import", "--log", "log", "setup.signed.jsonl"])
        #expect(r.status == 0, "\(r.err)")

        // Unsigned: refused by the policy.
        let appraisals = par2022.filter { $0.contains("\"appraisal.recorded\"") && $0.contains("\"unit\":\"SKHDT\"") }
        try write("sheet.jsonl", Array(appraisals.prefix(3)))
        var before = try Self.bytes(dir + "/log")
        r = try run(["import", "--log", "log", "sheet.jsonl"])
        #expect(r.status == 1 && r.err.contains("sheet.jsonl:1") && r.err.contains("rule \"signed\""), "\(r.err)")
        #expect(try Self.bytes(dir + "/log") == before)

        // Signed, then one score changed: refused naming the batch's line, the actor and the rule.
        r = try run(["sign", "sheet.jsonl", "--log", "log", "--key", "hoi-dong-so.key", "--actor", "hoi-dong-so", "--out", "sheet.signed.jsonl"])
        #expect(r.status == 0, "\(r.err)")
        let signed = try read("sheet.signed.jsonl")
        let scoreField = try #require(signed.range(of: #""score":[0-9.]+"#, options: .regularExpression))
        let tampered = signed.replacingCharacters(in: scoreField, with: signed[scoreField] == "\"score\":0" ? "\"score\":0.5" : "\"score\":0")
        try Data(tampered.utf8).write(to: cwd.appendingPathComponent("tampered.jsonl"))
        r = try run(["import", "--log", "log", "tampered.jsonl"])
        #expect(r.status == 1 && r.err.contains("tampered.jsonl:4") && r.err.contains("signed by hoi-dong-so") && r.err.contains("rule \"signature\""), "\(r.err)")
        #expect(try Self.bytes(dir + "/log") == before)
        // No secret in any message: the private key's text never shows.
        // PRIVATE+KEY+name+keyid+base64(type ‖ seed): the base64 and the seed's bytes.
        let secret = try read("hoi-dong-so.key").trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "+", maxSplits: 4).last.map(String.init) ?? "?"
        let seed = try #require(Data(base64Encoded: secret)).dropFirst()
        #expect(secret.count == 44 && seed.count == 32)
        #expect(!r.err.contains(secret) && !r.out.contains(secret))

        r = try run(["import", "--log", "log", "sheet.signed.jsonl"])
        #expect(r.status == 0 && r.out.contains("imported 4 events"), "\(r.err)")
        before = try Self.bytes(dir + "/log")
        #expect(!before.values.contains { $0.range(of: Data(secret.utf8)) != nil || $0.range(of: Data(seed)) != nil })

        r = try run(["export", "--log", "log"])
        #expect(r.status == 0 && r.out.contains("\"type\":\"batch.signed\"") && !r.out.contains(secret))

        r = try run(["verify", "--log", "log", "--signatures"])
        #expect(r.status == 0 && r.out.contains("signed    "), "\(r.err)")
        #expect(r.out.contains("unsigned  0 events (the log requires signatures)"))

        let item = try #require(appraisals[0].range(of: #""item":"[^"]+""#, options: .regularExpression)).lowerBound
        let code = String(appraisals[0][item...].dropFirst(8).prefix { $0 != "\"" })
        r = try run(["history", "--log", "log", "--unit", "SKHDT", "--year", "2022", "--item", code, "--format", "json"])
        #expect(r.status == 0 && r.out.contains("\"signer\": \"hoi-dong-so\"") && r.out.contains("\"signerRole\": \"council\""), "\(r.out) \(r.err)")

        // The council's key turns out to have been stolen in 2022: revoked now from then on. Its sheet
        // (#34–#36, signed by #37) was recorded before the revocation but after that time: verify
        // --signatures still finds the log intact, warns naming the batch, the signer, the revocation
        // and its time, and exits 2; history flags the signer; a new sheet of the council is refused.
        try write("revoke.jsonl", [#"{"type":"actor.revoked","at":"2022-06-01T08:00:00+07:00","by":"so-noi-vu","actor":"hoi-dong-so","from":"2022-01-01T00:00:00+07:00","reason":"the key was stolen"}"#])
        #expect(try run(["sign", "revoke.jsonl", "--log", "log", "--key", "so-noi-vu.key", "--actor", "so-noi-vu", "--out", "revoke.signed.jsonl"]).status == 0)
        r = try run(["import", "--log", "log", "revoke.signed.jsonl"])
        #expect(r.status == 0, "\(r.err)")
        r = try run(["verify", "--log", "log", "--signatures"])
        #expect(r.status == 2 && r.out.contains("ok: log is intact") && r.out.contains("revoked   1 batch(es), 3 events"), "\(r.out) \(r.err)")
        #expect(r.err.contains("parledger: warning: batch.signed #37 by hoi-dong-so over #34–#36 (3 events)")
                && r.err.contains("event #38 revokes hoi-dong-so from 2022-01-01T00:00:00+07:00 (the key was stolen)"), "\(r.err)")
        r = try run(["history", "--log", "log", "--unit", "SKHDT", "--year", "2022", "--item", code])
        #expect(r.status == 0 && r.out.contains("hoi-dong-so (council; REVOKED from 2022-01-01T00:00:00+07:00 by #38)")
                && r.err.contains("parledger: warning: batch.signed #37 by hoi-dong-so"), "\(r.out) \(r.err)")
        r = try run(["history", "--log", "log", "--unit", "SKHDT", "--year", "2022", "--item", code, "--format", "json"])
        #expect(r.out.contains("\"signerRevoked\": {") && r.out.contains("\"revocation\": 38"), "\(r.out)")
        try write("sheet2.jsonl", [appraisals[3]])
        #expect(try run(["sign", "sheet2.jsonl", "--log", "log", "--key", "hoi-dong-so.key", "--actor", "hoi-dong-so", "--out", "sheet2.signed.jsonl"]).status == 0)
        before = try Self.bytes(dir + "/log")
        r = try run(["import", "--log", "log", "sheet2.signed.jsonl"])
        #expect(r.status == 1 && r.err.contains("sheet2.signed.jsonl:2") && r.err.contains("rule \"revoked\""), "\(r.err)")
        #expect(try Self.bytes(dir + "/log") == before)

        // The policy is for a new log: an existing log with events keeps its marker.
        #expect(try run(["init", "--log", "old"]).status == 0)
        #expect(try run(["import", "--log", "old", demo + "/01-units.jsonl"]).status == 0)
        let marker = try read("old/parledger.log")
        r = try run(["init", "--log", "old", "--origin", Self.origin, "--require-signatures"])
        #expect(r.status == 1 && r.err.contains("already holds 29 events"), "\(r.err)")
        #expect(try read("old/parledger.log") == marker)

        // The same file for another log: refused there.
        #expect(try run(["init", "--log", "other", "--origin", "cchc.example.gov.vn/other"]).status == 0)
        #expect(try run(["import", "--log", "other", "setup.signed.jsonl"]).err.contains("signed for another log"))
    }
}
