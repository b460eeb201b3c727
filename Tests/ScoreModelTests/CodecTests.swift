import Primitives
import Testing
import ScoreModel

/// A seeded generator of arbitrary valid-shaped events (SplitMix64).
struct RandomEvents {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func text() -> String {
        let pool = ["", "Sở Kế hoạch và Đầu tư", "UBND huyện Châu Thành", "S\u{1EDF} Y t\u{1EBF}", "So\u{31B}\u{309} Y te\u{302}\u{301}",
                    "quote \" backslash \\ tab \t newline \n", "emoji 🇻🇳", "\u{1}\u{1F}", String(repeating: "Đồng Tháp ", count: 4_000)]
        return pool[int(pool.count)]
    }
    /// A piece of evidence: non-empty, at most 2,000 bytes.
    mutating func evidence() -> String { String(text().prefix(100)) + "e" }
    /// A name: one line of visible text (the importer refuses control and bidi characters in names).
    mutating func name() -> String { String(String.UnicodeScalarView(text().unicodeScalars.filter { !CodeAlphabet.isInvisibleControl($0) })) }
    mutating func code() -> String { ["SKHDT", "HCT", "1.1.1", "x", "đơn-vị", "A" + String(int(1000))][int(6)] }
    mutating func score() -> Score { Score(thousandths: Int64(int(200_001)) - 100_000) }
    mutating func value() -> ScoreValue { int(5) == 0 ? .notApplicable : .score(score()) }
    mutating func key() -> ItemKey {
        ItemKey(unit: UnitCode(code()), index: IndexCode(["PAR", "SIPAS", "DGI"][int(3)]), year: 1990 + int(60), item: ItemCode(code()))
    }
    mutating func time() -> BusinessTime {
        BusinessTime(microsecondsSinceEpoch: Int64(int(4_000_000_000)) * 1_000_000 + Int64(int(2)) * Int64(int(1_000_000)),
                     offsetMinutes: Int16(int(2 * 14 * 60 + 1)) - 14 * 60)
    }
    mutating func framework() -> Framework {
        let areas = (0..<(1 + int(3))).map { a in
            Area(code: AreaCode("\(a)"), name: text().isEmpty ? "Lĩnh vực" : "Lĩnh vực \(a)", criteria: (0..<(1 + int(3))).map { c in
                Criterion(code: CriterionCode("\(a).\(c)"), name: "Tiêu chí", items: (0..<(1 + int(3))).map { i in
                    int(4) == 0
                    ? Item(code: ItemCode("\(a).\(c).\(i)"), name: "Bị nhắc nhở", max: .zero, min: Score(points: -1))
                    : Item(code: ItemCode("\(a).\(c).\(i)"), name: "Tiêu chí thành phần", max: Score(points: 1 + int(5)),
                           source: int(3) == 0 ? .survey : .assessment)
                })
            })
        }
        return Framework(id: FrameworkID(code()), index: .par, year: 2000 + int(30), block: BlockCode(code()),
                         decision: int(2) == 0 ? nil : "876/QĐ-BNV",
                         bands: [Band(code: "excellent", label: "Xuất sắc", min: Score(points: 90)), Band(code: "rest", label: "Khác", min: .zero)],
                         areas: areas, ranking: RankingRule(order: RankingRule.Order.allCases[int(3)]))
    }
    mutating func event() -> Event {
        let body: EventBody
        switch int(14) {
        case 0: body = .unitRegistered(UnitRegistered(unit: UnitCode(code()), name: name() + "x", block: BlockCode(code()), parent: int(2) == 0 ? nil : UnitCode(code())))
        case 1: body = .unitRenamed(UnitRenamed(unit: UnitCode(code()), name: name() + "y"))
        case 2: body = .frameworkPublished(framework())
        case 3: body = .assessmentSubmitted(AssessmentSubmitted(key: key(), value: value(), evidence: (0..<int(3)).map { _ in evidence() }, note: int(2) == 0 ? nil : text()))
        case 4: body = .appraisalRecorded(AppraisalRecorded(key: key(), value: value(), round: 1 + int(2), note: int(2) == 0 ? nil : text()))
        case 5: body = .explanationSubmitted(ExplanationSubmitted(key: key(), text: text() + "z", evidence: (0..<int(3)).map { _ in evidence() }))
        case 6: body = .surveyRecorded(SurveyRecorded(key: key(), score: score(), respondents: int(2) == 0 ? nil : int(10_000)))
        case 7: body = .correctionIssued(CorrectionIssued(target: int(2) == 0 ? .seq(Seq(UInt64(1 + int(1_000_000)))) : .id(EventID(code().filter { $0.isASCII } + "1")),
                                                          value: value(), reason: text() + "r"))
        case 8: body = .appealFiled(AppealFiled(appeal: AppealID(code()), key: key(), requested: score(), grounds: text() + "g"))
        case 9:
            let outcome = AppealOutcome.allCases[int(3)]
            body = .appealResolved(AppealResolved(appeal: AppealID(code()), outcome: outcome, score: outcome == .rejected ? nil : score(), reason: text() + "r"))
        case 10: body = .resultsPublished(ResultsPublished(index: IndexCode(code()), year: 1990 + int(60), block: BlockCode(code())))
        case 11:
            let roles = ActorRole.allCases.filter { _ in int(2) == 0 }
            body = .actorRegistered(ActorRegistered(actor: Actor(code()), name: name() + "a", roles: roles.isEmpty ? [.registrar] : roles,
                                                    scope: ActorScope(unit: UnitCode(code()), block: roles.contains(.council) || int(2) == 0 ? BlockCode(code()) : nil,
                                                                      index: int(2) == 0 ? nil : IndexCode(code())),
                                                    key: "k+0a1b2c3d+" + String(repeating: "A", count: 44)))
        case 12: body = .actorRevoked(ActorRevoked(actor: Actor(code()), from: time(), reason: text() + "r"))
        default: body = .batchSigned(BatchSigned(actor: Actor(code()), count: 1 + int(5000), signature: (0..<64).map { _ in UInt8(int(256)) }))
        }
        return Event(at: time(), by: Actor(code()), id: int(2) == 0 ? nil : EventID("id-\(int(1_000_000))"), body: body)
    }
}

@Suite("Event codecs")
struct CodecTests {
    @Test("Random events of every type round-trip through JSON Lines and through the binary record, 3000 of them")
    func randomRoundTrips() throws {
        var rng = RandomEvents(state: 42)
        var decoder = RecordDecoder()
        var seen = Set<EventType>()
        for _ in 0..<3000 {
            let event = rng.event()
            seen.insert(event.type)
            let line = EventJSON.encode(event)
            #expect(!line.contains("\n"), "one event, one line")
            #expect(try EventJSON.decode(line: line) == event)
            let bytes = EventCodec.encode(event)
            #expect(try bytes.withUnsafeBytes { try decoder.decode($0) } == event)
        }
        #expect(seen == Set(EventType.allCases))
    }

    @Test("Vietnamese text keeps its exact bytes, NFC and NFD alike, through both codecs")
    func vietnameseBytes() throws {
        let nfc = "S\u{1EDF} K\u{1EBF} ho\u{1EA1}ch v\u{00E0} \u{0110}\u{1EA7}u t\u{01B0}"
        let nfd = "So\u{31B}\u{309} Ke\u{302}\u{301} hoa\u{323}ch va\u{300} \u{0110}a\u{302}\u{300}u tu\u{31B}"
        #expect(Array(nfc.utf8) != Array(nfd.utf8), "two spellings of one name, with different bytes")
        for name in [nfc, nfd] {
            let event = Event(at: BusinessTime(microsecondsSinceEpoch: 0, offsetMinutes: 420), by: "so-noi-vu",
                              body: .unitRegistered(UnitRegistered(unit: "SKHDT", name: name, block: "department")))
            let line = EventJSON.encode(event)
            #expect(line.utf8.contains(0xE1) || line.utf8.contains(0xCC), "written as UTF-8, not \\u escapes")
            guard case .unitRegistered(let back) = try EventJSON.decode(line: line).body else { Issue.record("wrong type"); continue }
            #expect(Array(back.name.utf8) == Array(name.utf8))
            var decoder = RecordDecoder()
            guard case .unitRegistered(let bin) = try EventCodec.encode(event).withUnsafeBytes({ try decoder.decode($0) }).body else {
                Issue.record("the binary codec gave another event type"); continue
            }
            #expect(Array(bin.name.utf8) == Array(name.utf8))
        }
    }

    @Test("JSON strings escape quote, backslash, C0 controls and DEL wherever they stand, long or short, and copy the rest byte for byte")
    func jsonEscapes() throws {
        func expected(_ s: String) -> String {
            var out: [UInt8] = [0x22]
            for b in s.utf8 {
                switch b {
                case 0x22: out += Array(#"\""#.utf8)
                case 0x5C: out += Array(#"\\"#.utf8)
                case 0x0A: out += Array(#"\n"#.utf8)
                case 0x0D: out += Array(#"\r"#.utf8)
                case 0x09: out += Array(#"\t"#.utf8)
                case 0x00..<0x20, 0x7F: out += Array((#"\u00"# + String(b >> 4, radix: 16) + String(b & 0xF, radix: 16)).utf8)
                default: out.append(b)
                }
            }
            return String(decoding: out + [0x22], as: UTF8.self)
        }
        let plain = "Sở Kế hoạch và Đầu tư, 2023: 92.78 điểm"
        #expect(JSONString.quoted(plain) == "\"" + plain + "\"", "no escape: the bytes as they are")
        for special in ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}"] {
            for length in [0, 1, 7, 8, 15, 16, 17, 33, 64] {
                for at in Set([0, length / 2, length]) {
                    var chars = Array(String(repeating: "ạ", count: length))
                    chars.insert(contentsOf: special, at: at)
                    let s = String(chars)
                    #expect(JSONString.quoted(s) == expected(s), "\(special.unicodeScalars.map(\.value)) at \(at) of \(length)")
                    let parsed = try JSONParser.parse(JSONString.quoted(s))
                    #expect(parsed == .string(s), "reads back")
                }
            }
        }
    }

    @Test("Export writes exact decimals, the original offset, and index always")
    func canonicalLine() throws {
        let line = #"{"type":"survey.recorded","at":"2024-02-19T14:00:00.5+07:00","by":"vien","unit":"HCT","year":2023,"item":"8.4.1","score":2.750}"#
        let event = try EventJSON.decode(line: line)
        #expect(EventJSON.encode(event) == #"{"type":"survey.recorded","at":"2024-02-19T14:00:00.5+07:00","by":"vien","unit":"HCT","index":"PAR","year":2023,"item":"8.4.1","score":2.75}"#)
        let recorded = RecordedEvent(seq: Seq(7), recordedAt: RecordTime(microsecondsSinceEpoch: 1_700_000_000_123_456), event: event)
        let exported = EventJSON.encode(recorded)
        #expect(exported.hasPrefix(#"{"seq":7,"recordedAt":"2023-11-14T22:13:20.123456Z","type""#))
        #expect(try EventJSON.decode(line: exported) == event, "an export re-imports to the same event")
    }

    @Test("A record from a newer codec version is refused with what to do")
    func newerVersion() {
        var bytes = EventCodec.encode(Event(at: BusinessTime(microsecondsSinceEpoch: 0, offsetMinutes: 0), by: "x",
                                            body: .unitRenamed(UnitRenamed(unit: "A", name: "B"))))
        bytes[0] = EventCodec.version + 1
        var decoder = RecordDecoder()
        #expect { _ = try bytes.withUnsafeBytes { try decoder.decode($0) } } throws: { "\($0)".contains("upgrade parledger") }
    }

    @Test("Truncated or padded records are refused, never misread", arguments: [1, 5, 20])
    func damagedRecords(cut: Int) {
        var rng = RandomEvents(state: UInt64(cut))
        var decoder = RecordDecoder()
        for _ in 0..<200 {
            let bytes = EventCodec.encode(rng.event())
            if bytes.count > cut {
                #expect(throws: (any Error).self) { _ = try Array(bytes.dropLast(cut)).withUnsafeBytes { try decoder.decode($0) } }
            }
            #expect(throws: (any Error).self) { _ = try (bytes + [0]).withUnsafeBytes { try decoder.decode($0) } }
        }
    }

    @Test("A binary string is read only when it is UTF-8: valid text of every width keeps its bytes; bad bytes are refused, those a repair would turn into text of the same length too")
    func binaryStrings() throws {
        for text in ["", "PAR", "Sở Kế hoạch và Đầu tư", "Cờ thi đua", "\u{10348}\u{1F3C6}", String(repeating: "ệ", count: 300)] {
            let s = try Array(text.utf8).withUnsafeBytes { try BinaryReader.makeString($0) }
            #expect(Array(s.utf8) == Array(text.utf8), "\(text)")
        }
        // A lone continuation byte, a bad first byte, an overlong slash, a surrogate, a four-byte sequence cut after three bytes
        // (repaired into U+FFFD, also three bytes), and the same cut at the very end.
        let bad: [[UInt8]] = [[0x41, 0x80], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF0, 0x90, 0x80, 0x41], [0x41, 0xF0, 0x90, 0x80]]
        for bytes in bad {
            #expect(throws: BinaryFormatError.self, "\(bytes)") { try bytes.withUnsafeBytes { try BinaryReader.makeString($0) } }
            var record: [UInt8] = []
            record.appendVarint(UInt64(bytes.count)); record += bytes
            #expect { try record.withUnsafeBytes { raw in var r = BinaryReader(raw); return try r.string() } } throws: { "\($0)".contains("invalid UTF-8") }
        }
    }

    @Test("Malformed JSON is refused with the column", arguments: [
        (#"{"type":"unit.renamed",}"#, "column 24"), (#"{"a":1,"a":2}"#, "duplicate key"), (#"{"s":"\ud800"}"#, "surrogate"),
        ("[1,2]", "expected a JSON object"), ("{\"s\":\"tab\tinside\"}", "control character"),
    ])
    func malformedJSON(line: String, says: String) {
        #expect { _ = try EventJSON.decode(line: line) } throws: { "\($0)".contains(says) }
    }
}

@Suite("Exact scores and percents")
struct ScoreTests {
    @Test("Scores parse exactly and print shortest", arguments: [("53.25", 53250), ("0.125", 125), ("-1", -1000), ("90", 90000), ("0.5", 500), ("-0.001", -1)])
    func parse(text: String, thousandths: Int64) throws {
        let score = try #require(Score(text))
        #expect(score.thousandths == thousandths)
        #expect(Score(text)!.description == text)
    }

    @Test("Not scores: too many decimals, exponents, signs, empty parts", arguments: ["1.2345", "1e3", "+1", ".5", "5.", "", "-", "1.2.3", "١"])
    func notScores(text: String) { #expect(Score(text) == nil) }

    @Test("The published example adds up exactly: 53.25 appraised + 33.87 survey = 87.12")
    func daNang() { #expect((Score("53.25")! + Score("33.87")!).description == "87.12") }

    @Test("Percents round half away from zero, to 2 decimals")
    func rounding() {
        // 89.995 % exactly: 17999 / 20000 × 100 → 90.00
        #expect(Percent(points: Score(thousandths: 17_999), max: Score(thousandths: 20_000))!.description == "90.00")
        // 89.994999… %: 1 / 3 of a hundredth below → 89.99
        #expect(Percent(points: Score(thousandths: 89_994), max: Score(points: 100))!.description == "89.99")
        #expect(Percent(points: Score(thousandths: -5), max: Score(points: 1))!.description == "-0.50")
        #expect(Percent(points: Score(points: 1), max: Score(points: 3))!.description == "33.33")
        #expect(Percent(points: Score(points: 2), max: Score(points: 3))!.description == "66.67")
        #expect(Percent(points: .zero, max: .zero) == nil, "nothing applicable: no percent")
        #expect(Percent(hundredths: 9472).format(decimalSeparator: ",") == "94,72")
    }

    @Test("A band is reached exactly at its threshold, not a hundredth below")
    func bandEdge() {
        #expect(Percent(hundredths: 9000).reaches(Score(points: 90)))
        #expect(!Percent(hundredths: 8999).reaches(Score(points: 90)))
        #expect(Percent(hundredths: 8250).reaches(Score("82.5")!))
    }

    @Test("RFC 3339 times keep their instant and offset", arguments: [
        "2024-02-19T14:00:00+07:00", "2024-02-19T07:00:00Z", "1999-12-31T23:59:59.999999-03:30", "2024-02-29T00:00:00.25+07:00",
    ])
    func times(text: String) throws {
        guard case .success(let t) = RFC3339.parse(text) else { Issue.record("refused \(text)"); return }
        #expect(RFC3339.format(t) == text)
    }

    @Test("The same instant in two offsets is the same business time")
    func sameInstant() {
        guard case .success(let a) = RFC3339.parse("2024-02-19T14:00:00+07:00"), case .success(let b) = RFC3339.parse("2024-02-19T07:00:00Z") else {
            Issue.record("refused"); return
        }
        #expect(a.microsecondsSinceEpoch == b.microsecondsSinceEpoch)
        #expect(!(a < b) && !(b < a))
    }
}
