import Foundation
import ScoreModel

/// What changed between two snapshot directories: units, ranks, bands,
/// percents and award verdicts, for appeals reviews and nightly change reports.
///
/// Every file of both manifests is compared: JSON files by their rows and
/// verdicts; a CSV file whose JSON twin is in both snapshots by its hash
/// (its rows are the twin's), any other CSV file by its rows. Files are
/// paired by projection and partition (from the manifests), so snapshots of
/// both manifest formats compare. Snapshots made by different pipeline
/// configurations compare too, with a warning.
public enum SnapshotDiff {
    public struct Change: Hashable, Sendable, CustomStringConvertible {
        /// The snapshot file (`ranking/PAR-2023-department.json`).
        public var file: String
        public var unit: String
        /// `rank`, `percent`, `band`, `unit`, `file`, `content`, or `award <code>`.
        public var field: String
        public var before: String
        public var after: String
        public var description: String { "\(file): \(unit): \(field) \(before) → \(after)" }
    }

    public struct Report: Sendable {
        public var changes: [Change]
        /// Why the comparison may say more than what changed in the log
        /// (the two snapshots come from different pipelines or configs).
        public var warnings: [String]
    }

    public static func diff(_ a: String, _ b: String) throws -> [Change] { try compare(a, b).changes }

    public static func compare(_ a: String, _ b: String) throws -> Report {
        let left = try manifest(a), right = try manifest(b)
        var warnings: [String] = []
        if left.pipeline != right.pipeline || left.configHash != right.configHash {
            warnings.append("the snapshots come from different pipeline configurations (\(left.pipeline) \(left.configHash.prefix(12))… in \(a), "
                            + "\(right.pipeline) \(right.configHash.prefix(12))… in \(b)): files, rules and verdicts may differ because of that, not the log")
        }
        let before = files(left, other: right), after = files(right, other: left)
        var changes: [Change] = []
        for key in Set(before.keys).union(after.keys).sorted() {
            let old = before[key], new = after[key]
            let file = new?.path ?? old!.path
            guard let old, let new else {
                changes.append(Change(file: file, unit: "—", field: "file", before: old == nil ? "absent" : "present", after: new == nil ? "absent" : "present"))
                continue
            }
            if old.sha256 == new.sha256 { continue }
            if key.hasSuffix(".csv"), let oldTwin = before[String(key.dropLast(4)) + ".json"], let newTwin = after[String(key.dropLast(4)) + ".json"] {
                if oldTwin.sha256 == newTwin.sha256 {
                    changes.append(Change(file: file, unit: "—", field: "content", before: String(old.sha256.prefix(12)), after: String(new.sha256.prefix(12))))
                }
                continue   // its rows changed with its twin's, reported there
            }
            let o = try rows(a + "/" + old.path), n = try rows(b + "/" + new.path)
            for unit in Set(o.keys).union(n.keys).sorted() {
                let ou = o[unit] ?? [:], nu = n[unit] ?? [:]
                if ou.isEmpty || nu.isEmpty {
                    changes.append(Change(file: file, unit: unit, field: "unit", before: ou.isEmpty ? "absent" : "present", after: nu.isEmpty ? "absent" : "present"))
                    continue
                }
                for field in Set(ou.keys).union(nu.keys).sorted() where ou[field] != nu[field] {
                    changes.append(Change(file: file, unit: unit, field: field, before: ou[field] ?? "—", after: nu[field] ?? "—"))
                }
            }
        }
        return Report(changes: changes, warnings: warnings)
    }

    static func manifest(_ dir: String) throws -> Manifest {
        let path = dir + "/" + Manifest.fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(code: .mismatch, place: dir, message: "not a snapshot directory (no manifest.json)")
        }
        return try Manifest.parse([UInt8](data), file: path)
    }

    /// The manifest's files by what they hold: `ranking/PAR\02023\0department.json`.
    /// A format-/1 name (no partition in its entry, `-` unescaped) is
    /// matched with the partitions `other` names.
    static func files(_ m: Manifest, other: Manifest) -> [String: Manifest.File] {
        var legacy: [String: Manifest.PartitionName] = [:]
        if m.format == "parledger-snapshot/1" {
            for file in other.files {
                guard let p = file.partition, let dot = file.path.lastIndex(of: ".") else { continue }
                legacy[SnapshotPath.legacyName(index: p.index, year: p.year, block: p.block, ext: String(file.path[file.path.index(after: dot)...]))] = p
            }
        }
        var out: [String: Manifest.File] = [:]
        for file in m.files {
            let parts = file.path.split(separator: "/")
            guard parts.count == 2, let dot = parts[1].lastIndex(of: ".") else { out[file.path] = file; continue }
            let ext = parts[1][dot...]
            if let p = file.partition ?? legacy[String(parts[1])] ?? SnapshotPath.partition(ofName: String(parts[1])) {
                out["\(parts[0])/\(p.index)\u{0}\(p.year)\u{0}\(p.block)\(ext)"] = file
            } else {
                out[file.path] = file
            }
        }
        return out
    }

    /// unit → field → value, from a ranking (rows), trend (units) or awards
    /// (verdicts) file, JSON or CSV.
    static func rows(_ path: String) throws -> [String: [String: String]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(code: .mismatch, place: path, message: "listed in the manifest but not readable")
        }
        if path.hasSuffix(".csv") { return try csvRows([UInt8](data), path) }
        guard case .object(let root) = try JSONParser.parse(String(decoding: data, as: UTF8.self)) else {
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
                typealias K = Render.RowKey
                out[text(field(row, K.unit)), default: [:]].merge([K.rank: text(field(row, K.rank)), K.percent: text(field(row, K.percent)),
                                                                  K.band: text(field(row, K.band))]) { $1 }
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

    /// The same from a CSV file: ranking and trend rows by unit (every
    /// column but the name), award verdicts as `award <code>`.
    static func csvRows(_ bytes: [UInt8], _ path: String) throws -> [String: [String: String]] {
        guard let (header, rows) = CSVTable.parse(bytes), let unit = header.firstIndex(of: "unit") else {
            throw PipelineError(code: .mismatch, place: path, message: "not a snapshot CSV file (no unit column, or rows of other lengths than the header)")
        }
        var out: [String: [String: String]] = [:]
        if let award = header.firstIndex(of: "award"), let status = header.firstIndex(of: "status") {
            let provisional = header.firstIndex(of: "provisional")
            for row in rows {
                out[row[unit], default: [:]]["award " + row[award]] = row[status] + (provisional.map { row[$0] == "yes" } == true ? " (provisional)" : "")
            }
            return out
        }
        for row in rows {
            for (i, column) in header.enumerated() where i != unit && column != "name" { out[row[unit], default: [:]][column] = row[i] }
        }
        return out
    }
}
