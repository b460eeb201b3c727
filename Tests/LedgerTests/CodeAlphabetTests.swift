import EventLog
import Foundation
import Ledger
import ScoreModel
import Testing

/// Codes hold what a person can read and tell apart: an invisible or
/// control character is refused naming the line and the character, and
/// nothing is imported.
@Suite("The code alphabet")
struct CodeAlphabetTests {
    static func unit(_ code: String, block: String = "department") -> String {
        #"{"type":"unit.registered","at":"2023-01-05T08:00:00+07:00","by":"so-noi-vu","unit":"\#(code)","name":"Sở KH&ĐT","block":"\#(block)"}"#
    }

    @Test("A second unit that prints like the first is refused, naming line, field and character; the log is unchanged",
          arguments: [("\u{200B}", "U+200B ZERO WIDTH SPACE"), ("\u{FEFF}", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
                      ("\u{200D}", "U+200D ZERO WIDTH JOINER"), ("\u{202E}", "U+202E RIGHT-TO-LEFT OVERRIDE"),
                      ("\u{2066}", "U+2066 LEFT-TO-RIGHT ISOLATE"), ("\u{0085}", "U+0085"), ("\u{00A0}", "U+00A0 NO-BREAK SPACE"),
                      ("\u{00AD}", "U+00AD SOFT HYPHEN"), ("/", "U+002F SOLIDUS")])
    func invisibleRefused(character: String, named: String) throws {
        let dir = try LedgerImportTests.Dir()
        _ = try Ledger.importEvents([ImportSource(name: "a.jsonl", bytes: Array(Self.unit("SKHDT").utf8))], into: dir.path)
        let before = try dir.files()
        let lines = Self.unit("STC") + "\n" + Self.unit("SKHDT" + character)
        #expect {
            _ = try Ledger.importEvents([ImportSource(name: "b.jsonl", bytes: Array(lines.utf8))], into: dir.path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("b.jsonl:2") && text.contains("\"unit\"") && text.contains("character 6 is \(named)")
        }
        #expect(try dir.files() == before, "nothing was written")
    }

    @Test("Spaces only between characters, one at a time; NFC only", arguments: [
        (" SKHDT", "begin or end with a space"), ("SKHDT ", "begin or end with a space"), ("Khối  sở", "second space in a row"),
        ("Kho\u{302}\u{301}i", "not in Unicode NFC"), ("\u{301}A", "combining mark that follows no letter"),
    ])
    func spacesAndNFC(code: String, message: String) throws {
        let dir = try LedgerImportTests.Dir()
        #expect {
            _ = try Ledger.importEvents([ImportSource(name: "b.jsonl", bytes: Array(Self.unit("U", block: code).utf8))], into: dir.path)
        } throws: { "\($0)".contains("b.jsonl:1") && "\($0)".contains("\"block\"") && "\($0)".contains(message) }
        #expect(try LogReader(directory: dir.path).head.seq.rawValue == 0, "nothing was imported")
    }

    @Test("Letters of any script, digits and - . _ : @ and inner spaces are codes", arguments: [
        "SKHDT", "Khối sở", "PAR-2023", "1.1.1", "KN-2023-4", "council:dt_2023", "cán.bộ@sonoivu", "東京", "ÅSTRØM",
    ])
    func accepted(code: String) {
        #expect(CodeAlphabet.problem(in: code) == nil)
    }

    @Test("Every code in the demo data is in the alphabet (the demo imports)")
    func demoInAlphabet() throws {
        let dir = try LedgerImportTests.Dir()
        let result = try Ledger.importEvents(try LedgerImportTests.demoSources(), into: dir.path)
        #expect(result.appended > 6000)
    }

    @Test("The JSON Schema's code pattern refuses the same invisible characters (python jsonschema)")
    func schemaAgrees() throws {
        let script = """
        import json, sys, jsonschema
        s = json.load(open(sys.argv[1]))
        v = jsonschema.Draft202012Validator(s)
        def line(code): return {"type":"unit.registered","at":"2023-01-05T08:00:00+07:00","by":"x","unit":code,"name":"n","block":"b"}
        bad = [c for c in ["SKHDT\\u200b", "\\ufeffSKHDT", "S\\u202eK", "S\\u0085", " S", "S ", "S  K", "S/K"] if v.is_valid(line(c))]
        good = [c for c in ["SKHDT", "Kh\\u1ed1i s\\u1edf", "PAR-2023", "a@b.c"] if not v.is_valid(line(c))]
        print("ok" if not bad and not good else f"bad accepted {bad!r}, good refused {good!r}")
        """
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        run.arguments = ["python3", "-c", script, LedgerImportTests.root.appendingPathComponent("events/event.schema.json").path]
        let pipe = Pipe()
        run.standardOutput = pipe
        run.standardError = pipe
        try run.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        try #require(!output.contains("No module named 'jsonschema'"), "python jsonschema is not installed: pip install jsonschema (.ci/run does)")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(output)")
    }
}
