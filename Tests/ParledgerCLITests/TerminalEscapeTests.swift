import EventLog
import Foundation
import ScoreModel
import Testing

/// Strings from events never act on the terminal: every command's output
/// and every error goes through one escape for control and bidi characters.
@Suite("The command line: terminal escapes", .serialized)
struct TerminalEscapeTests {
    /// An escape sequence that retitles the terminal and clears the screen, a C1 CSI, a bell, a bidi override.
    static let hostile = "Sở\u{1B}]0;pwned\u{7}\u{1B}[2J\u{9B}31m\u{202E}TDHKS"
    static let lines = [
        #"{"type":"unit.registered","at":"2023-01-05T08:00:00+07:00","by":"so-noi-vu","unit":"SKHDT","name":"placeholder","block":"department"}"#,
        #"{"type":"framework.published","at":"2023-03-15T08:00:00+07:00","by":"ubnd","framework":"F","index":"PAR","year":2023,"block":"department","bands":[{"code":"excellent","label":"Xuất sắc","min":90},{"code":"rest","label":"Khác","min":0}],"areas":[{"code":"1","name":"Chỉ đạo","criteria":[{"code":"1.1","name":"Kế hoạch","items":[{"code":"1.1.1","name":"Ban hành kế hoạch","max":10}]}]}]}"#,
        #"{"type":"assessment.submitted","at":"2023-12-10T08:00:00+07:00","by":"skhdt","unit":"SKHDT","year":2023,"item":"1.1.1","score":9,"note":"placeholder"}"#,
    ]

    /// A log as an older parledger could have written it: the unit's name and
    /// a note hold raw control and bidi characters (today's import refuses such a name).
    static func hostileLog() throws -> String {
        let dir = CLI.tempDir()
        try CLI.run(["init", "--log", dir])
        var events = try lines.map { try EventJSON.decode(line: $0) }
        if case .unitRegistered(var u) = events[0].body { u.name = hostile; events[0].body = .unitRegistered(u) }
        if case .assessmentSubmitted(var a) = events[2].body { a.note = hostile; events[2].body = .assessmentSubmitted(a) }
        let writer = try LogWriter(directory: dir)
        defer { writer.close() }
        _ = try writer.append(events.map { EventCodec.encode($0) })
        return dir
    }

    static func raw(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B || $0.value == 0x202E }
    }

    @Test("explain, history, trend --unit, rank in every format: no raw control or bidi character reaches standard output",
          arguments: [["explain", "--unit", "SKHDT", "--year", "2023"], ["explain", "--unit", "SKHDT", "--year", "2023", "--item", "1.1.1"],
                      ["history", "--unit", "SKHDT", "--year", "2023", "--item", "1.1.1"], ["trend", "--unit", "SKHDT"],
                      ["rank", "--year", "2023", "--block", "department"], ["rank", "--year", "2023", "--block", "department", "--format", "csv"],
                      ["rank", "--year", "2023", "--block", "department", "--format", "json"],
                      ["history", "--unit", "SKHDT", "--year", "2023", "--item", "1.1.1", "--format", "csv"]])
    func outputsEscaped(command: [String]) throws {
        let log = try Self.hostileLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try CLI.run(command + ["--log", log])
        #expect(r.status == 0, "\(r.err)")
        #expect(!Self.raw(r.out), "\(r.out.debugDescription)")
        #expect(r.out.contains("Sở"))
        if command.contains("json") {
            #expect(r.out.contains(#"\u202e"#) && r.out.contains(#"\u001b"#))
        } else {
            #expect(r.out.contains(#"\u{1b}]0;pwned\u{7}"#) && r.out.contains(#"\u{202e}"#))
        }
    }

    @Test("export writes control and bidi characters as JSON escapes: the same value, nothing raw on a terminal, and the note decodes back the same")
    func exportEscaped() throws {
        let log = try Self.hostileLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try CLI.run(["export", "--log", log])
        #expect(r.status == 0 && !Self.raw(r.out) && r.out.contains(#"\u202e"#) && r.out.contains(#"\u009b"#), "\(r.out)")
        let lines = r.out.split(separator: "\n").map(String.init)
        if case .assessmentSubmitted(let a) = try EventJSON.decode(line: lines[2]).body { #expect(a.note == Self.hostile) } else { Issue.record("not an assessment") }
    }

    @Test("An import error that quotes a hostile value shows it escaped, and nothing is written")
    func importErrorEscaped() throws {
        let log = try Self.hostileLog()
        defer { try? FileManager.default.removeItem(atPath: log) }
        let before = try FileManager.default.contentsOfDirectory(atPath: log).filter { $0 != "writer.lock" }.sorted().map { try Data(contentsOf: URL(fileURLWithPath: log + "/" + $0)) }
        let line = #"{"type":"correction.issued","at":"2024-03-01T08:00:00+07:00","by":"ubnd","target":"\u001b]0;pwned\u0007\u202e","score":8,"reason":"x"}"#
        let r = try CLI.run(["import", "--log", log, "-"], stdin: line + "\n")
        #expect(r.status == 1)
        #expect(r.err.contains("<stdin>:1") && r.err.contains(#"\u{1b}]0;pwned\u{7}\u{202e}"#), "\(r.err)")
        #expect(!Self.raw(r.err))
        let after = try FileManager.default.contentsOfDirectory(atPath: log).filter { $0 != "writer.lock" }.sorted().map { try Data(contentsOf: URL(fileURLWithPath: log + "/" + $0)) }
        #expect(before == after)
    }

    @Test("A name with a control or bidi character is refused at import, naming the character; nothing is written")
    func hostileNameRefused() throws {
        let log = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: log) }
        try CLI.run(["init", "--log", log])
        let before = try Self.files(log)
        let line = Self.lines[0].replacingOccurrences(of: "placeholder", with: #"S\u202eTDHKS"#)
        let r = try CLI.run(["import", "--log", log, "-"], stdin: line + "\n")
        #expect(r.status == 1 && r.err.contains(#"field "name": character 2 is U+202E RIGHT-TO-LEFT OVERRIDE"#), "\(r.err)")
        #expect(try Self.files(log) == before)
    }

    static func files(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name != "writer.lock" {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
        }
        return out
    }
}
