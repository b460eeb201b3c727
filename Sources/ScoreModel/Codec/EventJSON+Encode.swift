import Primitives

/// Events out: one canonical JSON line per event.
///
/// Key order is fixed: `seq`, `recordedAt` (for recorded events), `type`,
/// `at`, `by`, `id`, then the type's own fields in the order of
/// ``EventType/fields``. Text is raw UTF-8 (Vietnamese is not \u-escaped);
/// scores are exact decimals; `index` is always written. Re-importing an
/// export gives the same events.
extension EventJSON {
    public static func encode(_ event: Event) -> String {
        var w = LineWriter()
        w.begin()
        w.members(of: event)
        return w.end()
    }

    public static func encode(_ recorded: RecordedEvent) -> String {
        var w = LineWriter()
        w.begin()
        w.number("seq", String(recorded.seq.rawValue))
        w.string("recordedAt", RFC3339.format(recorded.recordedAt))
        w.members(of: recorded.event)
        return w.end()
    }
}

struct LineWriter {
    var out: [UInt8] = []
    var first = true

    mutating func begin() { out.reserveCapacity(256); out.append(UInt8(ascii: "{")) }
    mutating func end() -> String { out.append(UInt8(ascii: "}")); return String(decoding: out, as: UTF8.self) }

    mutating func key(_ k: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        Self.quote(k, into: &out)
        out.append(UInt8(ascii: ":"))
    }

    mutating func string(_ k: String, _ v: String) { key(k); Self.quote(v, into: &out) }
    mutating func number(_ k: String, _ v: String) { key(k); out.append(contentsOf: v.utf8) }
    mutating func bool(_ k: String, _ v: Bool) { key(k); out.append(contentsOf: (v ? "true" : "false").utf8) }
    mutating func strings(_ k: String, _ v: [String]) {
        key(k)
        out.append(UInt8(ascii: "["))
        for (i, s) in v.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.quote(s, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
    mutating func raw(_ k: String, _ json: [UInt8]) { key(k); out.append(contentsOf: json) }

    mutating func value(_ v: ScoreValue) {
        switch v {
        case .score(let s): number("score", s.description)
        case .notApplicable: bool("notApplicable", true)
        }
    }

    mutating func item(_ key: ItemKey) {
        string("unit", key.unit.rawValue)
        string("index", key.index.rawValue)
        number("year", String(key.year))
        string("item", key.item.rawValue)
    }

    mutating func members(of event: Event) {
        string("type", event.type.rawValue)
        string("at", RFC3339.format(event.at))
        string("by", event.by.rawValue)
        if let id = event.id { string("id", id.rawValue) }
        switch event.body {
        case .unitRegistered(let e):
            string("unit", e.unit.rawValue); string("name", e.name); string("block", e.block.rawValue)
            if let p = e.parent { string("parent", p.rawValue) }
        case .unitRenamed(let e):
            string("unit", e.unit.rawValue); string("name", e.name)
        case .frameworkPublished(let f):
            string("framework", f.id.rawValue); string("index", f.index.rawValue); number("year", String(f.year))
            string("block", f.block.rawValue)
            if let d = f.decision { string("decision", d) }
            raw("bands", Self.array(f.bands) { b in
                var w = LineWriter(); w.begin(); w.string("code", b.code); w.string("label", b.label); w.number("min", b.min.description); return Array(w.end().utf8)
            })
            raw("areas", Self.array(f.areas) { a in
                var w = LineWriter(); w.begin(); w.string("code", a.code.rawValue); w.string("name", a.name)
                w.raw("criteria", Self.array(a.criteria) { c in
                    var w = LineWriter(); w.begin(); w.string("code", c.code.rawValue); w.string("name", c.name)
                    w.raw("items", Self.array(c.items) { i in
                        var w = LineWriter(); w.begin(); w.string("code", i.code.rawValue); w.string("name", i.name)
                        w.number("max", i.max.description)
                        if i.min != .zero { w.number("min", i.min.description) }
                        if i.source != .assessment { w.string("source", i.source.rawValue) }
                        return Array(w.end().utf8)
                    })
                    return Array(w.end().utf8)
                })
                return Array(w.end().utf8)
            })
            if !f.ranking.isDefault {
                var w = LineWriter(); w.begin(); w.string("order", f.ranking.order.rawValue)
                raw("ranking", Array(w.end().utf8))
            }
        case .assessmentSubmitted(let e):
            item(e.key); value(e.value)
            if !e.evidence.isEmpty { strings("evidence", e.evidence) }
            if let n = e.note { string("note", n) }
        case .appraisalRecorded(let e):
            item(e.key); number("round", String(e.round)); value(e.value)
            if let n = e.note { string("note", n) }
        case .explanationSubmitted(let e):
            item(e.key); string("text", e.text)
            if !e.evidence.isEmpty { strings("evidence", e.evidence) }
        case .surveyRecorded(let e):
            item(e.key); number("score", e.score.description)
            if let r = e.respondents { number("respondents", String(r)) }
        case .correctionIssued(let e):
            string("target", e.target.description); value(e.value); string("reason", e.reason)
        case .appealFiled(let e):
            string("appeal", e.appeal.rawValue); item(e.key); number("requested", e.requested.description); string("grounds", e.grounds)
        case .appealResolved(let e):
            string("appeal", e.appeal.rawValue); string("outcome", e.outcome.rawValue)
            if let s = e.score { number("score", s.description) }
            string("reason", e.reason)
        case .resultsPublished(let e):
            string("index", e.index.rawValue); number("year", String(e.year)); string("block", e.block.rawValue)
        case .actorRegistered(let e):
            string("actor", e.actor.rawValue); string("name", e.name); strings("roles", e.roles.map(\.rawValue))
            if let u = e.scope.unit { string("unit", u.rawValue) }
            if let b = e.scope.block { string("block", b.rawValue) }
            if let i = e.scope.index { string("index", i.rawValue) }
            string("key", e.key)
        case .actorRevoked(let e):
            string("actor", e.actor.rawValue); string("from", RFC3339.format(e.from)); string("reason", e.reason)
        case .batchSigned(let e):
            string("actor", e.actor.rawValue); number("count", String(e.count)); string("signature", Hex.encode(e.signature))
        }
    }

    static func array<T>(_ items: [T], _ element: (T) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: element(item))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// A JSON string (``JSONString``).
    static func quote(_ s: String, into out: inout [UInt8]) { JSONString.write(s, into: &out) }
}
