import Foundation
import Ledger
import Pipelines
import ScoreModel
import Testing

/// Snapshot file names: one per (index, year, block), never shared, never
/// too long for the file system, understood through the manifest.
@Suite("Snapshot layout: names that never collide and always fit")
struct SnapshotLayoutTests {
    static func framework(index: String, year: Int, block: String) -> String {
        #"{"type":"framework.published","at":"2023-03-15T08:00:00+07:00","by":"ubnd","framework":"F_\#(index)_\#(year)_\#(block)","index":"\#(index)","year":\#(year),"block":"\#(block)","bands":[{"code":"excellent","label":"Xuất sắc","min":90},{"code":"rest","label":"Khác","min":0}],"areas":[{"code":"1","name":"Chỉ đạo","criteria":[{"code":"1.1","name":"Kế hoạch","items":[{"code":"1.1.1","name":"Ban hành kế hoạch","max":10}]}]}]}"#
    }
    static func unit(_ code: String, block: String) -> String {
        #"{"type":"unit.registered","at":"2023-01-05T08:00:00+07:00","by":"so-noi-vu","unit":"\#(code)","name":"Đơn vị \#(code)","block":"\#(block)"}"#
    }
    static func assess(_ unit: String, index: String, year: Int) -> String {
        #"{"type":"assessment.submitted","at":"2023-12-10T08:00:00+07:00","by":"x","unit":"\#(unit)","index":"\#(index)","year":\#(year),"item":"1.1.1","score":7}"#
    }
    static let spec = try! PipelineSpec.parse(yaml: "pipeline: layout\nprojections: [ranking, trend]\noutputs: [json, csv]\n", file: "layout.yaml")

    @Test("(PAR-2023, 2024, department) and (PAR, 2023, 2024-department) get two files, and verify-snapshot and diff read them")
    func dashesDoNotCollide() throws {
        let s = try AuditTests.Scratch([
            Self.unit("A", block: "department"), Self.unit("B", block: "2024-department"),
            Self.framework(index: "PAR-2023", year: 2024, block: "department"), Self.framework(index: "PAR", year: 2023, block: "2024-department"),
            Self.assess("A", index: "PAR-2023", year: 2024), Self.assess("B", index: "PAR", year: 2023),
        ])
        let out = s.path + "/snap"
        let report = try PipelineRunner.run(Self.spec, log: s.log, out: out)
        let paths = report.manifest.files.map(\.path)
        #expect(paths.contains("ranking/PAR%2D2023-2024-department.json"))
        #expect(paths.contains("ranking/PAR-2023-2024%2Ddepartment.json"))
        #expect(Set(paths).count == 8)
        let entry = try #require(report.manifest.files.first { $0.path == "ranking/PAR-2023-2024%2Ddepartment.csv" })
        #expect(entry.partition == Manifest.PartitionName(index: "PAR", year: 2023, block: "2024-department"))
        #expect(SnapshotPath.partition(ofName: "PAR%2D2023-2024-department.json") == Manifest.PartitionName(index: "PAR-2023", year: 2024, block: "department"))
        #expect(try SnapshotVerifier.verify(snapshot: out, spec: Self.spec, log: s.log).ok)
        #expect(try SnapshotDiff.diff(out, out).isEmpty)
    }

    @Test("A block code of 153 bytes of Vietnamese gives a short name ending in a hash, and the run, verify-snapshot and diff work")
    func longCodesFit() throws {
        let block = String(repeating: "ệ", count: 51)   // 153 bytes of UTF-8
        let other = String(repeating: "ệ", count: 50) + "a"
        let s = try AuditTests.Scratch([
            Self.unit("A", block: block), Self.unit("B", block: other),
            Self.framework(index: "PAR", year: 2023, block: block), Self.framework(index: "PAR", year: 2023, block: other),
            Self.assess("A", index: "PAR", year: 2023), Self.assess("B", index: "PAR", year: 2023),
        ])
        let out = s.path + "/snap"
        let report = try PipelineRunner.run(Self.spec, log: s.log, out: out)
        #expect(report.manifest.files.count == 8)
        for file in report.manifest.files {
            let name = try #require(file.path.split(separator: "/").last)
            #expect(name.utf8.count <= SnapshotPath.maxNameBytes, "\(name)")
            #expect(name.contains("~"))
            #expect(file.partition?.block == block || file.partition?.block == other)
            #expect(FileManager.default.fileExists(atPath: out + "/" + file.path))
        }
        #expect(try SnapshotVerifier.verify(snapshot: out, spec: Self.spec, log: s.log).ok)
        #expect(try SnapshotDiff.diff(out, out).isEmpty)
        // JSON and CSV twins share their stem.
        let stems = Set(report.manifest.files.map { $0.path.split(separator: ".").dropLast().joined(separator: ".") })
        #expect(stems.count == 4)
    }

    @Test("A snapshot of manifest format /1 (dashes unescaped, no partitions) still verifies, and diffs against /2 with no change")
    func legacyFormat() throws {
        let s = try AuditTests.Scratch([
            Self.unit("B", block: "2024-department"), Self.framework(index: "PAR", year: 2023, block: "2024-department"),
            Self.assess("B", index: "PAR", year: 2023),
        ])
        let now = s.path + "/now", old = s.path + "/old"
        let report = try PipelineRunner.run(Self.spec, log: s.log, out: now)
        try FileManager.default.copyItem(atPath: now, toPath: old)
        var legacy = report.manifest
        legacy.format = "parledger-snapshot/1"
        for i in legacy.files.indices {
            let path = SnapshotPath.path(legacy.files[i].path, partition: legacy.files[i].partition, inFormat: legacy.format)
            try FileManager.default.moveItem(atPath: old + "/" + legacy.files[i].path, toPath: old + "/" + path)
            legacy.files[i].path = path
            legacy.files[i].partition = nil
        }
        legacy.files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        try Data(legacy.serialized()).write(to: URL(fileURLWithPath: old + "/manifest.json"))
        #expect(legacy.files.contains { $0.path == "ranking/PAR-2023-2024-department.json" })
        let verified = try SnapshotVerifier.verify(snapshot: old, spec: Self.spec, log: s.log)
        #expect(verified.ok, "\(verified.problems)")
        #expect(try SnapshotDiff.diff(old, now).isEmpty)
        #expect(try SnapshotDiff.diff(now, old).isEmpty)
    }

    @Test("Names are percent-encoded codes: no path leaves the directory, `-` and `.` escaped")
    func components() {
        #expect(SnapshotPath.component("department") == "department")
        #expect(SnapshotPath.component("PAR-2023") == "PAR%2D2023")
        #expect(SnapshotPath.component("a.b") == "a%2Eb")
        #expect(SnapshotPath.name(index: "PAR", year: 2023, block: "department", ext: "json") == "PAR-2023-department.json")
        let long = SnapshotPath.name(index: "PAR", year: 2023, block: String(repeating: "x", count: 200), ext: "json")
        #expect(long.utf8.count == SnapshotPath.maxNameBytes)
        let cut = SnapshotPath.name(index: "PAR", year: 2023, block: String(repeating: "ệ", count: 60), ext: "csv")
        #expect(!cut.split(separator: "~")[0].hasSuffix("%") && !cut.split(separator: "~")[0].dropLast().hasSuffix("%"))
    }
}
