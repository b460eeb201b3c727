import Primitives

/// The fast decoder: the common JSON lines read straight from their bytes.
///
/// Why it exists: the tree decoder (``JSONParser`` building a ``JSONValue``
/// per line, then ``Fields`` reading members out of it) allocated an array
/// of members and a string per key and value; on a national import of six
/// million lines that was half of the CPU. This decoder matches the keys as
/// bytes, remembers where each value lies in the line, and builds the
/// ``Event`` directly, checking every field with the same functions as the
/// tree decoder (``CodeAlphabet``, ``RFC3339``, ``EventID``, ``Score``,
/// `Int`, the same limits).
///
/// The decline rule, which keeps ``EventJSON/decode(line:)`` exactly as it
/// was: this decoder only *accepts* a line it is sure of, and returns nil
/// ("declines") for anything else, so that the tree decoder runs and gives
/// its own result, its error messages included. It declines
/// - a type it does not read (`framework.published`, `actor.registered`,
///   `actor.revoked`, `batch.signed`: rare, and nested);
/// - any `\` in a string (escapes are left to the tree decoder), a control
///   character or invalid UTF-8 in a string;
/// - a key it does not know, or that is not allowed for the line's type, a
///   key given twice, a required key missing;
/// - a value of another kind than the field takes (`null`, an object, a
///   list that holds anything but strings), a number with an exponent or
///   outside the JSON grammar;
/// - any field the tree decoder would refuse (a bad code, time, id, score,
///   year, round, count, length, …): the tree decoder then says why.
///
/// Since every accepted line is valid JSON whose members the tree decoder
/// reads to the same values through the same checks, an accepted line
/// decodes to the same ``Event`` both ways (the codec tests check this over
/// real lines and thousands of seeded mutations of them).
extension EventJSON {
    /// The event `line` holds, or nil when the fast decoder declines it
    /// (then ``treeDecode(line:)`` decides). Expects a line within ``EventLimits/lineBytes``.
    static func fastDecode(line: UnsafeRawBufferPointer) -> Event? {
        withUnsafeTemporaryAllocation(of: FastLine.Slot.self, capacity: FastLine.Key.allCases.count) { slots in
            guard let base = slots.baseAddress else { return nil }
            var scanner = FastLine(bytes: line, slots: base)
            guard scanner.scan() else { return nil }
            return scanner.event()
        }
    }
}

/// One line scanned once: where each known key's value lies (``Slot``),
/// then read field by field into an event.
struct FastLine {
    /// Every key of the types the fast decoder reads.
    enum Key: Int, CaseIterable {
        case type, at, by, id, seq, recordedAt
        case unit, index, year, item, score, notApplicable, evidence, note, round, text, respondents
        case name, block, parent, target, reason, appeal, requested, grounds, outcome

        var bit: UInt32 { 1 << UInt32(rawValue) }
        var name: String { "\(self)" }
        /// Keys by their length in bytes (all under 16), with their bytes
        /// as two little-endian words, zero past the key's end.
        static let byLength: [[(key: Key, low: UInt64, high: UInt64)]] = {
            var table = Array(repeating: [(key: Key, low: UInt64, high: UInt64)](), count: 16)
            for key in allCases {
                let bytes = Array(key.name.utf8)
                let (low, high) = words(bytes.count) { bytes[$0] }
                table[bytes.count].append((key, low, high))
            }
            return table
        }()

        /// The first `count` (< 16) bytes given by `byte` as two little-endian words.
        static func words(_ count: Int, _ byte: (Int) -> UInt8) -> (low: UInt64, high: UInt64) {
            var low: UInt64 = 0, high: UInt64 = 0
            for k in 0..<count {
                if k < 8 { low |= UInt64(byte(k)) << (8 * k) } else { high |= UInt64(byte(k)) << (8 * (k - 8)) }
            }
            return (low, high)
        }
    }

    /// Where a value lies in the line: its bytes (a string without its
    /// quotes, a number's text, a list from `[` to `]`).
    struct Slot {
        enum Kind: UInt8 { case string, number, bool, list }
        var kind: Kind
        var start: Int
        var end: Int
        /// A boolean's value; for a string, whether it is all ASCII.
        var flag: Bool
        /// A list's strings.
        var count: Int
    }

    /// The types the fast decoder reads, by the bytes of their name, with
    /// the keys each may and must have, from the decoder's one table
    /// (``EventType/allowed``).
    static let types: [(name: [UInt8], type: EventType, allowed: UInt32, required: UInt32)] = {
        let keys = Dictionary(uniqueKeysWithValues: Key.allCases.map { ($0.name, $0) })
        var types: [(name: [UInt8], type: EventType, allowed: UInt32, required: UInt32)] = []
        next: for type in EventType.allCases {
            var allowed: UInt32 = 0, required: UInt32 = 0
            for field in EventType.allowed[type]! {
                guard let key = keys[field.name] else { continue next }   // a type with fields of its own (frameworks, actors)
                allowed |= key.bit
                if field.required { required |= key.bit }
            }
            types.append((Array(type.rawValue.utf8), type, allowed, required))
        }
        return types
    }()

    let bytes: UnsafeRawBufferPointer
    let slots: UnsafeMutablePointer<Slot>
    var i = 0
    /// The keys seen (bits of ``Key``).
    var present: UInt32 = 0

    init(bytes: UnsafeRawBufferPointer, slots: UnsafeMutablePointer<Slot>) {
        self.bytes = bytes
        self.slots = slots
    }

    // MARK: Scanning: one object of known keys, values of plain kinds.

    /// Scans the line: true when it is one JSON object whose keys are all
    /// known, once each, and whose values the fast decoder can read.
    mutating func scan() -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return false }
        i += 1
        skipSpace()
        guard i < bytes.count else { return false }
        if bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let (start, end, ascii) = string(), ascii,
                      let key = Self.key(bytes, start, end), present & key.bit == 0 else { return false }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
                i += 1
                skipSpace()
                guard let slot = value() else { return false }
                (slots + key.rawValue).initialize(to: slot)
                present |= key.bit
                guard let more = separator(closing: UInt8(ascii: "}")) else { return false }
                if !more { break }
            }
        }
        skipSpace()
        return i == bytes.count
    }

    /// The known key that bytes `start..<end` of `line` spell, if any:
    /// compared as two words (read whole when the line has 16 bytes from
    /// `start`, as it does but for its last few).
    static func key(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Key? {
        let count = end - start
        guard count < Key.byLength.count else { return nil }
        var low: UInt64, high: UInt64
        if start + 16 <= line.count {
            func mask(_ n: Int) -> UInt64 { (UInt64(1) << (8 * n)) &- 1 }   // n = 8: every bit (a shift by 64 gives 0)
            low = ByteScan.word(line, at: start) & mask(min(count, 8))
            high = ByteScan.word(line, at: start + 8) & mask(max(count - 8, 0))
        } else {
            (low, high) = Key.words(count) { line[start + $0] }
        }
        for candidate in Key.byLength[count] where candidate.low == low && candidate.high == high { return candidate.key }
        return nil
    }

    /// After a member or an element: past a comma (true, another follows),
    /// past the `closing` bracket (false), or nil for anything else.
    mutating func separator(closing: UInt8) -> Bool? {
        skipSpace()
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: ",") { i += 1; return true }
        guard bytes[i] == closing else { return nil }
        i += 1
        return false
    }

    /// JSON white space, as the tree parser skips it.
    mutating func skipSpace() {
        while i < bytes.count {
            let b = bytes[i]
            guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
            i += 1
        }
    }

    mutating func value() -> Slot? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            guard let (start, end, ascii) = string() else { return nil }
            return Slot(kind: .string, start: start, end: end, flag: ascii, count: 0)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = i
            guard number() else { return nil }
            return Slot(kind: .number, start: start, end: i, flag: false, count: 0)
        case UInt8(ascii: "t"):
            guard literal("true") else { return nil }
            return Slot(kind: .bool, start: i, end: i, flag: true, count: 0)
        case UInt8(ascii: "f"):
            guard literal("false") else { return nil }
            return Slot(kind: .bool, start: i, end: i, flag: false, count: 0)
        case UInt8(ascii: "["):
            let start = i
            i += 1
            skipSpace()
            guard i < bytes.count else { return nil }
            var count = 0
            if bytes[i] == UInt8(ascii: "]") {
                i += 1
            } else {
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), string() != nil else { return nil }
                    count += 1
                    guard let more = separator(closing: UInt8(ascii: "]")) else { return nil }
                    if !more { break }
                }
            }
            return Slot(kind: .list, start: start, end: i, flag: false, count: count)
        default:
            return nil   // null, an object, or not JSON
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
        i += n
        return true
    }

    /// A number in the JSON grammar without an exponent:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)?`.
    mutating func number() -> Bool {
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { return false }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while i < bytes.count && isDigit(bytes[i]) { i += 1 } }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { return false }
            while i < bytes.count && isDigit(bytes[i]) { i += 1 }
        }
        return i == bytes.count || (bytes[i] != UInt8(ascii: "e") && bytes[i] != UInt8(ascii: "E"))
    }

    /// A string without escapes or control characters, in valid UTF-8
    /// (`i` on its opening quote): its bytes without the quotes, and
    /// whether they are all ASCII.
    mutating func string() -> (start: Int, end: Int, ascii: Bool)? {
        i += 1
        let start = i
        var high: UInt8 = 0
        while i < bytes.count {
            // Eight bytes at a time, to the first quote, backslash, control character or non-ASCII byte.
            if i + 8 <= bytes.count {
                let w = ByteScan.word(bytes, at: i)
                let special = ByteScan.matches(w, UInt8(ascii: "\"")) | ByteScan.matches(w, UInt8(ascii: "\\"))
                    | ByteScan.below(w, 0x20) | ByteScan.high(w)
                if special == 0 { i += 8; continue }
                i += ByteScan.first(special)
            }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let end = i
                i += 1
                if high < 0x80 { return (start, end, true) }
                return Self.isValidUTF8(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) ? (start, end, false) : nil
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
            high |= b
            i += 1
        }
        return nil
    }

    /// Strict UTF-8 (Unicode table 3-7): no overlong forms, no surrogates,
    /// nothing above U+10FFFF; what `String(validating:)` accepts.
    static func isValidUTF8(_ s: UnsafeRawBufferPointer) -> Bool {
        var k = 0
        let n = s.count
        func continuation(_ at: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool { at < n && s[at] >= low && s[at] <= high }
        while k < n {
            let b = s[k]
            switch b {
            case 0x00...0x7F: k += 1
            case 0xC2...0xDF:
                guard continuation(k + 1) else { return false }
                k += 2
            case 0xE0...0xEF:
                let (low, high): (UInt8, UInt8) = b == 0xE0 ? (0xA0, 0xBF) : b == 0xED ? (0x80, 0x9F) : (0x80, 0xBF)
                guard continuation(k + 1, low, high), continuation(k + 2) else { return false }
                k += 3
            case 0xF0...0xF4:
                let (low, high): (UInt8, UInt8) = b == 0xF0 ? (0x90, 0xBF) : b == 0xF4 ? (0x80, 0x8F) : (0x80, 0xBF)
                guard continuation(k + 1, low, high), continuation(k + 2), continuation(k + 3) else { return false }
                k += 4
            default: return false
            }
        }
        return true
    }

    // MARK: Reading the fields: the tree decoder's checks, declining instead of throwing.

    func has(_ key: Key) -> Bool { present & key.bit != 0 }

    func slot(_ key: Key, _ kind: Slot.Kind) -> Slot? {
        guard has(key) else { return nil }
        let slot = slots[key.rawValue]
        return slot.kind == kind ? slot : nil
    }

    func raw(_ slot: Slot) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[slot.start..<slot.end]) }

    func text(_ slot: Slot) -> String { String(decoding: raw(slot), as: UTF8.self) }

    func string(_ key: Key, maxLength: Int = EventLimits.textBytes) -> String? {
        guard let slot = slot(key, .string), slot.end - slot.start <= maxLength else { return nil }
        return text(slot)
    }

    func nonEmpty(_ key: Key) -> String? {
        guard let s = string(key), !s.isEmpty else { return nil }
        return s
    }

    /// A name: one line of visible text.
    func oneLine(_ key: Key) -> String? {
        guard let s = nonEmpty(key), !s.unicodeScalars.contains(where: CodeAlphabet.isInvisibleControl) else { return nil }
        return s
    }

    func optionalString(_ key: Key) -> String?? {
        guard has(key) else { return .some(nil) }
        guard let s = string(key) else { return nil }
        return .some(s)
    }

    /// A code (``CodeAlphabet``): plain ASCII ones are checked on their bytes.
    func code(_ key: Key) -> String? {
        guard let slot = slot(key, .string), slot.end > slot.start, slot.end - slot.start <= 200 else { return nil }
        let s = text(slot)
        guard CodeAlphabet.isPlainASCII(raw(slot)) || CodeAlphabet.problem(in: s) == nil else { return nil }
        return s
    }

    func integer(_ key: Key, in range: ClosedRange<Int>) -> Int? {
        guard let slot = slot(key, .number), let n = Int(text(slot)), range.contains(n) else { return nil }
        return n
    }

    func score(_ key: Key) -> Score? {
        guard let slot = slot(key, .number) else { return nil }
        return Score(text(slot))
    }

    func time(_ key: Key) -> BusinessTime? {
        guard let slot = slot(key, .string), slot.end - slot.start <= 64,
              case .success(let t) = RFC3339.parse(raw(slot), text: text(slot)) else { return nil }
        return t
    }

    /// The line's type, when it is one the fast decoder reads, and its keys.
    func type() -> (type: EventType, allowed: UInt32, required: UInt32)? {
        guard let slot = slot(.type, .string) else { return nil }
        let name = raw(slot)
        for entry in Self.types where entry.name.count == name.count && entry.name.withUnsafeBytes({ $0.elementsEqual(name) }) {
            return (entry.type, entry.allowed, entry.required)
        }
        return nil
    }

    /// `score` or `notApplicable: true`, exactly one of them.
    func scoreValue() -> ScoreValue? {
        switch (has(.score), has(.notApplicable)) {
        case (true, false): return score(.score).map { .score($0) }
        case (false, true): return slot(.notApplicable, .bool)?.flag == true ? .notApplicable : nil
        default: return nil
        }
    }

    /// At most ``EventLimits/evidenceCount`` strings, each non-empty and at
    /// most ``EventLimits/evidenceBytes`` (checked while scanning: no escapes, valid UTF-8).
    func evidence() -> [String]? {
        guard has(.evidence) else { return [] }
        guard let slot = slot(.evidence, .list), slot.count <= EventLimits.evidenceCount else { return nil }
        var out: [String] = []
        out.reserveCapacity(slot.count)
        var k = slot.start
        while out.count < slot.count {
            while bytes[k] != UInt8(ascii: "\"") { k += 1 }
            let start = k + 1
            k = start
            while bytes[k] != UInt8(ascii: "\"") { k += 1 }
            guard k > start, k - start <= EventLimits.evidenceBytes else { return nil }
            out.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<k]), as: UTF8.self))
            k += 1
        }
        return out
    }

    func itemKey() -> ItemKey? {
        guard let unit = code(.unit), let year = integer(.year, in: EventJSON.years), let item = code(.item) else { return nil }
        var index = "PAR"
        if has(.index) {
            guard let code = code(.index) else { return nil }
            index = code
        }
        return ItemKey(unit: UnitCode(unit), index: IndexCode(index), year: year, item: ItemCode(item))
    }

    func event() -> Event? {
        guard let (type, allowed, required) = type(), present & ~allowed == 0, present & required == required,
              let at = time(.at), let by = code(.by) else { return nil }
        var id: EventID?
        if has(.id) {
            guard let text = string(.id, maxLength: 200), EventID.isValid(text) else { return nil }
            id = EventID(text)
        }
        if has(.seq) && integer(.seq, in: 1...Int.max) == nil { return nil }
        if has(.recordedAt) && time(.recordedAt) == nil { return nil }
        guard let body = body(type) else { return nil }
        return Event(at: at, by: Actor(by), id: id, body: body)
    }

    func body(_ type: EventType) -> EventBody? {
        switch type {
        case .assessmentSubmitted:
            guard let key = itemKey(), let value = scoreValue(), let evidence = evidence(), let note = optionalString(.note) else { return nil }
            return .assessmentSubmitted(AssessmentSubmitted(key: key, value: value, evidence: evidence, note: note))
        case .appraisalRecorded:
            guard let round = integer(.round, in: 1...2), let key = itemKey(), let value = scoreValue(), let note = optionalString(.note) else { return nil }
            return .appraisalRecorded(AppraisalRecorded(key: key, value: value, round: round, note: note))
        case .explanationSubmitted:
            guard let key = itemKey(), let text = nonEmpty(.text), let evidence = evidence() else { return nil }
            return .explanationSubmitted(ExplanationSubmitted(key: key, text: text, evidence: evidence))
        case .surveyRecorded:
            guard let key = itemKey(), let score = score(.score) else { return nil }
            var respondents: Int?
            if has(.respondents) {
                guard let n = integer(.respondents, in: 0...1_000_000_000) else { return nil }
                respondents = n
            }
            return .surveyRecorded(SurveyRecorded(key: key, score: score, respondents: respondents))
        case .unitRegistered:
            guard let unit = code(.unit), let name = oneLine(.name), let block = code(.block) else { return nil }
            var parent: UnitCode?
            if has(.parent) {
                guard let code = code(.parent) else { return nil }
                parent = UnitCode(code)
            }
            return .unitRegistered(UnitRegistered(unit: UnitCode(unit), name: name, block: BlockCode(block), parent: parent))
        case .unitRenamed:
            guard let unit = code(.unit), let name = oneLine(.name) else { return nil }
            return .unitRenamed(UnitRenamed(unit: UnitCode(unit), name: name))
        case .correctionIssued:
            guard let text = string(.target, maxLength: 200), let value = scoreValue(), let reason = nonEmpty(.reason) else { return nil }
            let target: EventRef
            if text.hasPrefix("#") {
                guard let seq = Seq(label: text) else { return nil }
                target = .seq(seq)
            } else {
                guard EventID.isValid(text) else { return nil }
                target = .id(EventID(text))
            }
            return .correctionIssued(CorrectionIssued(target: target, value: value, reason: reason))
        case .appealFiled:
            guard let appeal = code(.appeal), let key = itemKey(), let requested = score(.requested), let grounds = nonEmpty(.grounds) else { return nil }
            return .appealFiled(AppealFiled(appeal: AppealID(appeal), key: key, requested: requested, grounds: grounds))
        case .appealResolved:
            guard let text = string(.outcome, maxLength: 20), let outcome = AppealOutcome(rawValue: text),
                  let appeal = code(.appeal), let reason = nonEmpty(.reason) else { return nil }
            var score: Score?
            if outcome == .rejected {
                guard !has(.score) else { return nil }
            } else {
                guard let granted = self.score(.score) else { return nil }
                score = granted
            }
            return .appealResolved(AppealResolved(appeal: AppealID(appeal), outcome: outcome, score: score, reason: reason))
        case .resultsPublished:
            guard let year = integer(.year, in: EventJSON.years), let block = code(.block) else { return nil }
            var index = "PAR"
            if has(.index) {
                guard let code = code(.index) else { return nil }
                index = code
            }
            return .resultsPublished(ResultsPublished(index: IndexCode(index), year: year, block: BlockCode(block)))
        case .frameworkPublished, .actorRegistered, .actorRevoked, .batchSigned:
            return nil   // not in `types`
        }
    }
}
