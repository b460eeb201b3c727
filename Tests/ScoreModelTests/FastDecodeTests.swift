import Foundation
import Primitives
import Testing
import DataGen
@testable import ScoreModel

/// The fast decoder (EventJSON+Fast.swift) against the tree decoder: on the
/// lines that exist it is taken and gives the same events, byte for byte;
/// on lines edited at random, `decode(line:)` (fast, else the tree) gives
/// exactly what the tree decoder alone gives, event or error message.
@Suite("Fast JSON decoder")
struct FastDecodeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The types the fast decoder reads (it declines the others by design).
    static func isFastType(_ event: Event) -> Bool {
        switch event.body {
        case .frameworkPublished, .actorRegistered, .actorRevoked, .batchSigned: false
        default: true
        }
    }

    /// Every line of the demo and the examples, a generated national sample
    /// (as `generate national` writes it), and some as `export` writes them.
    static func realLines() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for folder in ["events/demo", "events/examples"] {
            let url = root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() where name.hasSuffix(".jsonl") {
                let text = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
                lines += text.split(separator: "\n").map { Array($0.utf8) }
            }
        }
        var seq: UInt64 = 0
        try NationalDataSet(provinces: 2, unitsPerProvince: 20, items: 30, years: 2022...2023, seed: 7, revisions: 1).generate { event in
            seq += 1
            lines.append(Array(EventJSON.encode(event).utf8))
            if seq % 50 == 0 {
                let recorded = RecordedEvent(seq: Seq(seq), recordedAt: RecordTime(microsecondsSinceEpoch: 1_700_000_000_000_000 + Int64(seq)),
                                             event: event)
                lines.append(Array(EventJSON.encode(recorded).utf8))
            }
        }
        return lines
    }

    /// What a decoder made of a line: the event's record bytes (so NFC and
    /// NFD text, equal as Swift strings, still differ), or the error.
    enum Outcome: Equatable, CustomStringConvertible {
        case event(Event, [UInt8])
        case refused(EventJSON.LineError)
        init(_ decode: () throws(EventJSON.LineError) -> Event) {
            do throws(EventJSON.LineError) {
                let event = try decode()
                self = .event(event, EventCodec.encode(event))
            } catch {
                self = .refused(error)
            }
        }
        var description: String {
            switch self {
            case .event(let e, _): "event \(e)"
            case .refused(let error): "refused: \(error)"
            }
        }
    }

    static func decodeBoth(_ line: [UInt8]) -> (decode: Outcome, tree: Outcome, fast: Event?) {
        line.withUnsafeBytes { bytes in
            (Outcome { () throws(EventJSON.LineError) in try EventJSON.decode(line: bytes) },
             Outcome { () throws(EventJSON.LineError) in try EventJSON.treeDecode(line: bytes) },
             EventJSON.fastDecode(line: bytes))
        }
    }

    @Test("Every real line of a type the fast decoder reads is taken by it, to the tree decoder's event, byte for byte")
    func realLinesTakeTheFastPath() throws {
        let lines = try Self.realLines()
        #expect(lines.count > 10_000)
        var fast = 0, items = 0
        for line in lines {
            let (decode, tree, taken) = Self.decodeBoth(line)
            guard case .event(let event, let record) = tree else {
                Issue.record("a real line is refused: \(tree) — \(String(decoding: line, as: UTF8.self))")
                continue
            }
            #expect(decode == tree)
            if Self.isFastType(event) {
                #expect(taken != nil, "declined: \(String(decoding: line, as: UTF8.self))")
            }
            if let taken {
                fast += 1
                #expect(taken == event)
                #expect(EventCodec.encode(taken) == record, "\(String(decoding: line, as: UTF8.self))")
            }
            switch event.body {
            case .assessmentSubmitted, .appraisalRecorded, .explanationSubmitted, .surveyRecorded: items += 1
            default: break
            }
        }
        #expect(items > 5_000)
        #expect(fast >= items)
    }

    @Test("Random events of every type, with escapes, NFD text and long strings: the fast decoder gives the tree decoder's event or declines")
    func randomEvents() {
        var random = RandomEvents(state: 17)
        var taken = 0
        for _ in 0..<3_000 {
            let line = Array(EventJSON.encode(random.event()).utf8)
            let (decode, tree, fast) = Self.decodeBoth(line)
            #expect(decode == tree)
            if let fast {
                taken += 1
                #expect(Outcome { fast } == tree)
            }
        }
        #expect(taken > 300)
    }

    /// One seeded random edit of a line: a byte changed, deleted or doubled;
    /// a token put in (escapes, exponents, leading zeros, huge numbers, white
    /// space, literals); a member doubled, moved or made up.
    struct Mutator {
        var random: RandomEvents
        static let tokens: [String] = [
            #"\u00e1"#, #"\""#, #"\\"#, #"\/"#, #"\n"#, #"\ud83c"#, #"\u0000"#, "e5", "E-2", "e+1", "0", "00", "01", ".", "-", "+",
            "99999999999999999999", "1234567890123456.5", ".0001", " ", "\t", "\r", "\n", "\u{0B}", "null", "true", "false", "[]", "{}",
            "\"", ",", ":", "[", "]", "}", "{", "\u{1}", "\u{7F}", "\u{200B}", "\u{202E}", "e\u{301}", "\u{FEFF}",
        ]
        static let bytes: [UInt8] = Array(#"\{}[],:0123456789eE.-+ tfnul""#.utf8) + [0x00, 0x09, 0x1F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
        static let numbers = ["1e3", "1E2", "01", "-0", "-01", "1.0000", "0.125", "1.5", "2", "-1", "99999999999999999", "1.", "-", "2.0",
                              "1e-3", "9223372036854775808", "0000", "2022.0", "3", "1000000001", "0"]
        static let members = [#""zzz":1"#, #""note":"ghi chú""#, #""type":"unit.renamed""#, #""score":1"#, #""notApplicable":true"#,
                              #""notApplicable":false"#, #""index":"SIPAS""#, #""seq":0"#, #""recordedAt":"2024-01-01T00:00:00Z""#,
                              #""evidence":["a","b"]"#, #""evidence":[]"#, #""evidence":[1]"#, #""evidence":[""]"#, #""round":3"#,
                              #""respondents":-1"#, #""parent":"SYT""#, #""id":"bad id""#, #""Type":"x""#, #""score":null"#]

        mutating func edit(_ line: [UInt8]) -> [UInt8] {
            var line = line
            guard !line.isEmpty else { return line }
            let at = random.int(line.count)
            switch random.int(9) {
            case 0: line[at] = Self.bytes[random.int(Self.bytes.count)]
            case 1: line.remove(at: at)
            case 2: line.insert(line[at], at: at)
            case 3: line.insert(contentsOf: Array(Self.tokens[random.int(Self.tokens.count)].utf8), at: at)
            case 4:   // a number replaced
                let digits = line.indices.filter { line[$0] >= 0x30 && line[$0] <= 0x39 && $0 > 0 && line[$0 - 1] == UInt8(ascii: ":") }
                guard let start = digits.isEmpty ? nil : digits[random.int(digits.count)] else { return line }
                var end = start
                while end < line.count && line[end] != UInt8(ascii: ",") && line[end] != UInt8(ascii: "}") { end += 1 }
                line.replaceSubrange(start..<end, with: Array(Self.numbers[random.int(Self.numbers.count)].utf8))
            case 5, 6:   // members doubled, swapped, or one made up
                var parts = split(line)
                guard parts.count > 1 else { return line }
                let k = random.int(parts.count)
                switch random.int(3) {
                case 0: parts.insert(parts[k], at: random.int(parts.count + 1))
                case 1: parts.swapAt(k, random.int(parts.count))
                default: parts.insert(Array(Self.members[random.int(Self.members.count)].utf8), at: random.int(parts.count + 1))
                }
                line = join(parts)
            case 7:   // white space around a structural character
                let marks = line.indices.filter { [UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "[")].contains(line[$0]) }
                guard !marks.isEmpty else { return line }
                let m = marks[random.int(marks.count)]
                line.insert(contentsOf: Array([" ", "\t", "\r", "  ", "\n"][random.int(5)].utf8), at: m + random.int(2))
            default:   // a string value's first character escaped
                let quotes = line.indices.filter { $0 > 0 && line[$0 - 1] == UInt8(ascii: ":") && line[$0] == UInt8(ascii: "\"") }
                guard !quotes.isEmpty else { return line }
                let q = quotes[random.int(quotes.count)]
                guard q + 1 < line.count, line[q + 1] < 0x80, line[q + 1] != UInt8(ascii: "\"") else { return line }
                let hex = String(line[q + 1], radix: 16)
                line.replaceSubrange((q + 1)...(q + 1), with: Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8))
            }
            return line
        }

        /// The members of a one-line object, cut at `,"` (good enough to shuffle).
        func split(_ line: [UInt8]) -> [[UInt8]] {
            guard line.first == UInt8(ascii: "{"), line.last == UInt8(ascii: "}") else { return [] }
            let inner = Array(line.dropFirst().dropLast())
            var parts: [[UInt8]] = [], start = 0
            for k in inner.indices where k + 1 < inner.count && inner[k] == UInt8(ascii: ",") && inner[k + 1] == UInt8(ascii: "\"") {
                parts.append(Array(inner[start..<k]))
                start = k + 1
            }
            parts.append(Array(inner[start...]))
            return parts
        }

        func join(_ parts: [[UInt8]]) -> [UInt8] {
            [UInt8(ascii: "{")] + Array(parts.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "}")]
        }
    }

    @Test("20,000 seeded random edits of real lines: decode(line:) gives exactly the tree decoder's event or error")
    func mutations() throws {
        let real = try Self.realLines()
        // A spread of shapes: every type, short and long lines.
        var random = RandomEvents(state: 2026_12_03)
        let pool = (0..<400).map { _ in real[random.int(real.count)] } + real.filter { !$0.starts(with: Array(#"{"type":"framework"#.utf8)) }.prefix(100)
        var mutator = Mutator(random: RandomEvents(state: 99))
        var accepted = 0, refused = 0, differ = 0
        for n in 0..<20_000 {
            var line = pool[n % pool.count]
            for _ in 0...(mutator.random.int(3)) { line = mutator.edit(line) }
            let (decode, tree, fast) = Self.decodeBoth(line)
            if decode != tree {
                differ += 1
                if differ <= 10 { Issue.record("\(String(decoding: line, as: UTF8.self))\n  decode: \(decode)\n  tree: \(tree)") }
            }
            if fast != nil { accepted += 1 }
            if case .refused = tree { refused += 1 }
        }
        #expect(differ == 0)
        // Both sides are exercised: edits the fast decoder still takes, and edits refused with a message.
        #expect(accepted > 2_000)
        #expect(refused > 5_000)
    }

    /// Lines at and just past each limit and rule the fast decoder checks itself.
    static func edgeLines() -> [String] {
        let head = #""type":"assessment.submitted","at":"2024-01-02T08:00:00+07:00","by":"so-noi-vu""#
        let key = #""unit":"SYT","year":2024,"item":"1.1.1""#
        func line(_ rest: String) -> String { "{" + head + "," + key + "," + rest + "}" }
        func evidence(_ n: Int, bytes: Int = 1) -> String { "\"evidence\":[" + Array(repeating: "\"" + String(repeating: "e", count: bytes) + "\"", count: n).joined(separator: ",") + "]" }
        return [
            line(#""score":1"#), line(evidence(100) + #","score":1"#), line(evidence(101) + #","score":1"#),
            line(evidence(1, bytes: 2_000) + #","score":1"#), line(evidence(1, bytes: 2_001) + #","score":1"#),
            line(#""note":""# + String(repeating: "n", count: EventLimits.textBytes) + #"","score":1"#),
            line(#""note":""# + String(repeating: "n", count: EventLimits.textBytes + 1) + #"","score":1"#),
            line(#""note":""# + String(repeating: "ệ", count: EventLimits.textBytes / 3 + 1) + #"","score":1"#),
            line(#""score":999999999999999.999"#), line(#""score":9999999999999999"#), line(#""score":-0"#), line(#""score":0.0001"#),
            line(#""notApplicable":true"#), line(#""notApplicable":false"#), line(#""notApplicable":true,"score":1"#), line(#""index":"","score":1"#),
            "{" + head + #","unit":"SYT","year":1899,"item":"1.1.1","score":1}"#, "{" + head + #","unit":"SYT","year":2200,"item":"1.1.1","score":1}"#,
            "{" + head + #","unit":""# + String(repeating: "U", count: 200) + #"","year":2024,"item":"1","score":1}"#,
            "{" + head + #","unit":""# + String(repeating: "U", count: 201) + #"","year":2024,"item":"1","score":1}"#,
            "{" + head + #","unit":"S  YT","year":2024,"item":"1","score":1}"#, "{" + head + #","unit":"Sở","year":2024,"item":"1","score":1}"#,
            "{" + head + #","unit":"So\#u{301}","year":2024,"item":"1","score":1}"#,
            #"{"type":"survey.recorded","at":"2024-01-02T08:00:00+07:00","by":"x","unit":"U","year":2024,"item":"1","score":1,"respondents":1000000001}"#,
            #"{"type":"survey.recorded","at":"2024-01-02T08:00:00+07:00","by":"x","unit":"U","year":2024,"item":"1","score":1,"respondents":1000000000}"#,
            #"{"type":"appraisal.recorded","at":"2024-01-02T08:00:00+07:00","by":"x","unit":"U","year":2024,"item":"1","round":3,"score":1}"#,
            #"{"type":"appraisal.recorded","at":"2024-01-02T08:00:00+07:00","by":"x","unit":"U","year":2024,"item":"1","round":2,"score":1}"#,
            #"{"type":"unit.renamed","at":"2024-01-02T08:00:00+07:00","by":"x","unit":"U","name":"Sở\#u{202E}"}"#,
            #"{"type":"unit.renamed","at":"2024-01-02T08:00:00+07:00","by":"x","unit":"U","name":"Sở Y tế"}"#,
            ##"{"type":"correction.issued","at":"2024-01-02T08:00:00+07:00","by":"x","target":"#0","score":1,"reason":"r"}"##,
            ##"{"type":"correction.issued","at":"2024-01-02T08:00:00+07:00","by":"x","target":"#12","score":1,"reason":"r"}"##,
            #"{"type":"appeal.resolved","at":"2024-01-02T08:00:00+07:00","by":"x","appeal":"A","outcome":"rejected","score":1,"reason":"r"}"#,
            #"{"type":"appeal.resolved","at":"2024-01-02T08:00:00+07:00","by":"x","appeal":"A","outcome":"partial","reason":"r"}"#,
            #"{"type":"results.published","at":"2024-01-02T08:00:00+07:00","by":"x","year":2024,"block":"department","seq":0}"#,
            #"{"type":"results.published","at":"2024-01-02T08:00:00+07:00","by":"x","year":2024,"block":"department","recordedAt":"2024-13-01T00:00:00Z"}"#,
            #"{"type":"results.published","at":"2024-01-02T24:00:00+07:00","by":"x","year":2024,"block":"department"}"#,
        ]
    }

    @Test("Lines at and past every limit: decode(line:) gives the tree decoder's event or error", arguments: edgeLines())
    func limits(line: String) {
        let (decode, tree, fast) = Self.decodeBoth(Array(line.utf8))
        #expect(decode == tree)
        if case .event(let event, _) = tree, Self.isFastType(event) { #expect(fast != nil) } else { #expect(fast == nil) }
    }

    @Test("ByteScan finds and counts bytes eight at a time exactly as a byte-by-byte loop, at every offset and length")
    func byteScan() {
        var random = RandomEvents(state: 5)
        let alphabet: [UInt8] = [0x0A, 0x0A, 0x00, 0x09, 0x20, 0x22, 0x5C, 0x7F, 0x80, 0x8A, 0xFF, 0x0B, 0x41]
        for length in 0..<40 {
            for _ in 0..<50 {
                let bytes = (0..<length).map { _ in alphabet[random.int(alphabet.count)] }
                bytes.withUnsafeBytes { raw in
                    #expect(ByteScan.count(of: 0x0A, in: raw) == bytes.filter { $0 == 0x0A }.count)
                    for from in 0...length {
                        #expect(ByteScan.firstIndex(of: 0x0A, in: raw, from: from) == (bytes[from...].firstIndex(of: 0x0A) ?? length))
                    }
                    var at = 0
                    while at + 8 <= length {
                        let word = Array(bytes[at..<(at + 8)]), w = ByteScan.word(raw, at: at)
                        func first(_ mask: UInt64) -> Int { mask == 0 ? 8 : ByteScan.first(mask) }
                        #expect(first(ByteScan.below(w, 0x20)) == (word.firstIndex { $0 < 0x20 } ?? 8))
                        #expect(first(ByteScan.high(w)) == (word.firstIndex { $0 >= 0x80 } ?? 8))
                        #expect(first(ByteScan.matches(w, 0x22)) == (word.firstIndex(of: 0x22) ?? 8))
                        #expect(ByteScan.matches(w, 0x5C).nonzeroBitCount == word.filter { $0 == 0x5C }.count)
                        at += 1
                    }
                }
            }
        }
    }
}
