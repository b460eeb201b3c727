import Crypto
import Projections
import ScoreModel

/// A batch pipeline, as declared in `pipelines/*.yaml`: which projections,
/// for which indexes, years and blocks, with which award rules, in which
/// formats.
///
/// ```yaml
/// pipeline: nightly
/// projections: [ranking, trend, awards]
/// select: { indexes: all, years: all, blocks: all }
/// awards:
///   - code: emulation-flag
///     name: Cờ thi đua
///     conditions:
///       - rank: { max: 1 }
///       - band: { in: [excellent] }
/// outputs: [json, csv]
/// ```
public struct PipelineSpec: Hashable, Sendable {
    public enum Projection: String, Hashable, Sendable, CaseIterable { case ranking, trend, awards, report }
    public enum Format: String, Hashable, Sendable, CaseIterable { case json, csv }

    /// `all`, or the listed values.
    public enum Selection<Value: Hashable & Sendable>: Hashable, Sendable {
        case all
        case only(Set<Value>)
        public func contains(_ value: Value) -> Bool {
            switch self {
            case .all: true
            case .only(let set): set.contains(value)
            }
        }
    }

    public var name: String
    public var description: String?
    public var projections: [Projection]
    public var indexes: Selection<IndexCode>
    public var years: Selection<Int>
    public var blocks: Selection<BlockCode>
    public var awards: [AwardRule]
    public var formats: [Format]
    /// Where each `band:` condition is in the file (not part of the config hash).
    public var bandPlaces: [BandPlace] = []

    public func selects(_ p: Partition) -> Bool { indexes.contains(p.index) && years.contains(p.year) && blocks.contains(p.block) }

    /// SHA-256 (hex) of the canonical form: two files that mean the same have the same hash.
    public var configHash: String { SnapshotWriter.sha256Hex(canonical.serialized()) }

    var canonical: CanonicalJSON {
        func selection<V>(_ s: Selection<V>, _ text: (V) -> String) -> CanonicalJSON {
            switch s {
            case .all: .string("all")
            case .only(let set): .array(set.map(text).sorted().map { .string($0) })
            }
        }
        return .object([
            ("pipeline", .string(name)),
            ("projections", .array(projections.map { .string($0.rawValue) })),
            ("indexes", selection(indexes) { $0.rawValue }),
            ("years", selection(years) { String($0) }),
            ("blocks", selection(blocks) { $0.rawValue }),
            ("awards", .array(awards.map { rule in
                .object([("code", .string(rule.code)), ("name", .string(rule.name)),
                         ("conditions", .array(rule.conditions.map { .string($0.description) }))])
            })),
            ("outputs", .array(formats.map { .string($0.rawValue) })),
        ])
    }

    /// Reads a pipeline file; every complaint names `file:line` and the key.
    public static func parse(yaml: String, file: String) throws -> PipelineSpec {
        let root = try SpecNode.parse(yaml: yaml, file: file)
        let m = try root.mapping(allowed: ["pipeline", "description", "projections", "select", "awards", "outputs"],
                                 required: ["pipeline", "projections"])
        let name = try m["pipeline"]!.string()
        guard isPlainName(name) else {
            throw m["pipeline"]!.error("a pipeline name is lower-case letters, digits, - and _ (it names the output directory)")
        }
        var projections: [Projection] = []
        for node in try m["projections"]!.listOrScalar() {
            let text = try node.string()
            guard let p = Projection(rawValue: text) else {
                throw node.error("unknown projection \"\(text)\"", hint: "expected one of: \(Projection.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !projections.contains(p) { projections.append(p) }
        }
        var indexes: Selection<IndexCode> = .all, years: Selection<Int> = .all, blocks: Selection<BlockCode> = .all
        if let select = m["select"] {
            let s = try select.mapping(allowed: ["indexes", "years", "blocks"])
            if let node = s["indexes"] { indexes = try selection(node) { IndexCode(try $0.string()) } }
            if let node = s["years"] { years = try selection(node) { try $0.int() } }
            if let node = s["blocks"] { blocks = try selection(node) { BlockCode(try $0.string()) } }
        }
        var awards: [AwardRule] = []
        var bandPlaces: [BandPlace] = []
        if let list = m["awards"] {
            for node in try list.list() {
                let a = try node.mapping(allowed: ["code", "name", "conditions"], required: ["code", "name", "conditions"])
                let code = try a["code"]!.string()
                if awards.contains(where: { $0.code == code }) { throw a["code"]!.error("award \"\(code)\" is declared twice") }
                var conditions: [AwardCondition] = []
                var placed: [(condition: AwardCondition, node: SpecNode)] = []
                for c in try a["conditions"]!.list() {
                    for parsed in try condition(c) {
                        conditions.append(parsed)
                        placed.append((parsed, c))
                        if case .bandIn(let codes) = parsed {
                            let at = (try? c.mapping(allowed: conditionKeys)["band"]?.mapping(allowed: ["in"])["in"]) ?? c
                            bandPlaces.append(BandPlace(award: code, codes: codes, place: "\(at.file):\(at.line)", key: at.path))
                        }
                    }
                }
                guard !conditions.isEmpty else { throw a["conditions"]!.error("an award needs at least one condition") }
                try checkTogether(placed)
                awards.append(AwardRule(code: code, name: try a["name"]!.string(), conditions: conditions))
            }
        }
        if projections.contains(.awards) && awards.isEmpty {
            throw m["projections"]!.error("the awards projection needs award rules", hint: "add an awards: list, or remove awards from projections")
        }
        var formats: [Format] = [.json, .csv]
        if let node = m["outputs"] {
            formats = []
            for f in try node.listOrScalar() {
                let text = try f.string()
                guard let format = Format(rawValue: text) else { throw f.error("unknown output format \"\(text)\"", hint: "expected json or csv") }
                if !formats.contains(format) { formats.append(format) }
            }
        }
        return PipelineSpec(name: name, description: try m["description"]?.string(), projections: projections, indexes: indexes,
                            years: years, blocks: blocks, awards: awards, formats: formats, bandPlaces: bandPlaces)
    }

    static func selection<V>(_ node: SpecNode, _ value: (SpecNode) throws -> V) throws -> Selection<V> {
        if node.isScalar, try node.string() == "all" { return .all }
        return .only(Set(try node.listOrScalar().map(value)))
    }

    static let conditionKeys = ["rank", "band", "percent", "percentChange", "published", "openAppeals"]

    /// One entry of `conditions:` — a mapping with one key.
    static func condition(_ node: SpecNode) throws -> [AwardCondition] {
        let m = try node.mapping(allowed: conditionKeys)
        guard m.count == 1, let (key, value) = m.first else {
            throw node.error("each condition has exactly one key", hint: "write one condition per list item: - rank: { max: 1 }")
        }
        func bounds(_ allowed: [String]) throws -> [String: SpecNode] {
            let b = try value.mapping(allowed: allowed)
            guard !b.isEmpty else { throw value.error("give \(allowed.joined(separator: " or "))") }
            return b
        }
        func score(_ n: SpecNode) throws -> Score {
            guard let s = Score(try n.string()) else { throw n.error("expected a number with at most 3 decimals") }
            return s
        }
        switch key {
        case "rank":
            let b = try bounds(["min", "max"])
            var out: [AwardCondition] = []
            for (bound, n) in b.sorted(by: { $0.key > $1.key }) where try n.int() < 1 {
                throw n.error("rank \(bound) \(try n.int()): ranks start at 1, so this range is empty or says nothing", hint: "rank 1 is the first")
            }
            if let low = b["min"], let high = b["max"], try low.int() > high.int() {
                throw value.error("rank min \(try low.int()) is above max \(try high.int()): an empty range, no unit can pass",
                                  hint: "rank: { min: \(try high.int()), max: \(try low.int()) }")
            }
            if let n = b["min"] { out.append(.rankAtLeast(try n.int())) }
            if let n = b["max"] { out.append(.rankAtMost(try n.int())) }
            return out
        case "band":
            let b = try value.mapping(allowed: ["in"], required: ["in"])
            let codes = try b["in"]!.listOrScalar().map { try $0.string() }
            guard !codes.isEmpty else { throw b["in"]!.error("an empty list of bands: no unit can pass", hint: "name the bands that qualify: in: [excellent]") }
            return [.bandIn(codes)]
        case "percent":
            let node = try value.mapping(allowed: ["min"], required: ["min"])["min"]!
            let min = try score(node)
            guard min <= Score(points: 100) else { throw node.error("percent min \(min) is above 100: no unit can pass") }
            return [.percentAtLeast(min)]
        case "percentChange":
            let node = try value.mapping(allowed: ["min"], required: ["min"])["min"]!
            let min = try score(node)
            guard min <= Score(points: 100) else { throw node.error("percentChange min \(min) is above 100 points: no unit can pass") }
            return [.changeAtLeast(min)]
        case "published":
            guard try value.bool() else { throw value.error("only published: true is meaningful; remove the condition instead") }
            return [.published]
        default:
            let node = try value.mapping(allowed: ["max"], required: ["max"])["max"]!
            guard try node.int() >= 0 else { throw node.error("openAppeals max \(try node.int()) is below 0: no unit can pass") }
            return [.openAppealsAtMost(try node.int())]
        }
    }
}
