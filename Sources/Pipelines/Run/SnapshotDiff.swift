import Foundation
import ScoreModel

/// What changed between two snapshot directories: units, ranks, bands,
/// percents and award verdicts, for appeals reviews and nightly change reports.
public enum SnapshotDiff {
    public struct Change: Hashable, Sendable, CustomStringConvertible {
        /// The snapshot file (`ranking/PAR-2023-department.json`).
        public var file: String
        public var unit: String
        /// `rank`, `percent`, `band`, `unit`, or `award <code>`.
        public var field: String
        public var before: String
        public var after: String
        public var description: String { "\(file): \(unit): \(field) \(before) → \(after)" }
    }

    public static func diff(_ a: String, _ b: String) throws -> [Change] {
        let fm = FileManager.default
        for dir in [a, b] where !fm.fileExists(atPath: dir + "/" + Manifest.fileName) {
            throw PipelineError(code: .mismatch, place: dir, message: "not a snapshot directory (no manifest.json)")
        }
        func jsonFiles(_ dir: String) -> [String] {
            ((fm.enumerator(atPath: SnapshotWriter.resolve(dir))?.allObjects as? [String]) ?? []).filter { $0.hasSuffix(".json") && $0 != Manifest.fileName }.sorted()
        }
        var changes: [Change] = []
        let left = Set(jsonFiles(a)), right = Set(jsonFiles(b))
        for file in left.union(right).sorted() {
            let old = left.contains(file) ? try rows(a + "/" + file) : [:]
            let new = right.contains(file) ? try rows(b + "/" + file) : [:]
            for unit in Set(old.keys).union(new.keys).sorted() {
                let o = old[unit] ?? [:], n = new[unit] ?? [:]
                if o.isEmpty || n.isEmpty {
                    changes.append(Change(file: file, unit: unit, field: "unit", before: o.isEmpty ? "absent" : "present", after: n.isEmpty ? "absent" : "present"))
                    continue
                }
                for field in Set(o.keys).union(n.keys).sorted() where o[field] != n[field] {
                    changes.append(Change(file: file, unit: unit, field: field, before: o[field] ?? "—", after: n[field] ?? "—"))
                }
            }
        }
        return changes
    }

    /// unit → field → value, from a ranking (rows) or awards (verdicts) file.
    static func rows(_ path: String) throws -> [String: [String: String]] {
        guard let data = FileManager.default.contents(atPath: path), case .object(let root) = try JSONParser.parse(String(decoding: data, as: UTF8.self)) else {
            throw PipelineError(code: .mismatch, place: path, message: "not a snapshot JSON file")
        }
        func text(_ v: JSONValue?) -> String {
            switch v {
            case .string(let s)?: s
            case .number(let n)?: n
            case .bool(let b)?: String(b)
            default: "—"
            }
        }
        func field(_ members: [(key: String, value: JSONValue)], _ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
        var out: [String: [String: String]] = [:]
        if case .array(let rows)? = field(root, "rows") {
            for case .object(let row) in rows {
                out[text(field(row, "unit")), default: [:]].merge(["rank": text(field(row, "rank")), "percent": text(field(row, "percent")),
                                                                  "band": text(field(row, "band"))]) { $1 }
            }
        }
        if case .array(let verdicts)? = field(root, "verdicts") {
            for case .object(let v) in verdicts {
                let status = text(field(v, "status")) + (field(v, "provisional") == .bool(true) ? " (provisional)" : "")
                out[text(field(v, "unit")), default: [:]]["award " + text(field(v, "award"))] = status
            }
        }
        if case .array(let units)? = field(root, "units") {
            for case .object(let u) in units {
                out[text(field(u, "unit")), default: [:]]["change"] = text(field(u, "change"))
            }
        }
        return out
    }
}
