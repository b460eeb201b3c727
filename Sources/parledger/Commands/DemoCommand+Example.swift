import DataGen
import EventLog
import Foundation
import Ledger
import Pipelines
import Projections
import ScoreModel

/// `demo --example NAME`: one bundled published ranking, replayed and set
/// beside what was printed.
extension DemoCommand {
    /// The examples of a directory: one per `published/*.csv`, by name.
    static func loadExamples(_ dir: String) throws -> [PublishedExample] {
        let published = dir + "/published"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: published).filter({ $0.hasSuffix(".csv") }).sorted(),
              !names.isEmpty else {
            throw CommandFailure("no published tables (*.csv) in \(published): run from the repository or give --examples DIR")
        }
        return try names.map { name in
            guard let data = FileManager.default.contents(atPath: published + "/" + name) else { throw CommandFailure("cannot read \(published)/\(name)") }
            do {
                return try PublishedExample(PublishedTable(file: name, text: String(decoding: data, as: UTF8.self)))
            } catch let error as PublishedTableError {
                throw CommandFailure("\(published)/\(error)")
            }
        }
    }

    func runExample(_ name: String) throws {
        let all = try Self.loadExamples(examples)
        guard let example = all.first(where: { $0.name == name }) else {
            throw CommandFailure("no example \"\(name)\" in \(examples) (known: \(all.map(\.name).joined(separator: ", ")))")
        }
        let file = examples + "/" + example.eventFile
        guard let bytes = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("cannot read \(file): write it with `parledger generate examples --dir \(examples)`")
        }
        let log = dir + "/" + example.name
        try? FileManager.default.removeItem(atPath: log)
        try LogWriter.create(directory: log)
        let imported = try Ledger.importEvents([ImportSource(name: file, bytes: [UInt8](bytes))], into: log)
        print("example log: \(imported.appended) events from \(file) into \(log)\n")
        let book = try PipelineRunner.replay(log: log, limit: .head).book
        guard let ranking = book.ranking(example.partition) else { throw CommandFailure("\(file) publishes no framework for \(example.partition)") }
        print(Self.comparison(example, ranking), terminator: "")
        let differences = example.differences(Self.computed(ranking), mean: ranking.statistics.mean)
        if differences.isEmpty {
            print("agrees with the published table: order, ranks, percents\(example.rows[0].parts.isEmpty ? "" : ", parts")\(example.printedMean == nil ? "" : " and mean")")
        } else {
            throw CommandFailure("differs from the published table:\n" + differences.map { "  " + $0 }.joined(separator: "\n"))
        }
        print("""

        try:
          parledger rank    --log \(log) --year \(example.partition.year) --block \(example.partition.block)
          parledger explain --log \(log) --unit \(example.rows[1].unit) --year \(example.partition.year)
        """)
    }

    static func computed(_ ranking: Ranking) -> [PublishedExample.Computed] {
        ranking.rows.map { row in
            PublishedExample.Computed(unit: row.unit, rank: row.rank, percent: row.percent,
                                      points: row.areas.map { PublishedExample.Part(item: ItemCode($0.code.rawValue), value: $0.points) })
        }
    }

    /// The published rows and the computed ones side by side, row by row.
    static func comparison(_ example: PublishedExample, _ ranking: Ranking) -> String {
        var out = "\(example.partition.index) \(example.partition.year) · \(example.partition.block) · \(example.rows.count) units · framework \(ranking.framework)\n"
        out += "ranked by: \(ranking.rule)\n"
        out += "source: \(example.sourceURL) (events/examples/published/\(example.table.file))\n"
        let parts = example.rows[0].parts.map(\.item)
        var columns: [TextTable.Column] = [.init("pos", .right), .init("printed rank", .right), .init("printed %", .right)]
        columns += parts.map { .init("printed \($0)", .right) }
        columns += [.init("rank", .right), .init("unit"), .init("name"), .init("points", .right), .init("percent", .right), .init("")]
        var t = TextTable(columns)
        for (i, row) in example.rows.enumerated() {
            let c = i < ranking.rows.count ? ranking.rows[i] : nil
            let same = c?.unit == row.unit && c?.rank == row.rank && c?.percent == row.percent
            t.append([String(row.position), row.printedRank.map(String.init) ?? "(\(row.position))", row.percent.description]
                     + row.parts.map { $0.value.formatted() }
                     + [c?.rank.map(String.init) ?? "—", c?.unit.rawValue ?? "—", c?.name ?? "—", c?.points.formatted(minimumDecimals: 3) ?? "—",
                        c?.percent?.description ?? "—", same ? "=" : "≠"])
        }
        out += t.render()
        out += "mean \(ranking.statistics.mean?.description ?? "—")%"
        if let printed = example.printedMean { out += " (printed \(printed)%)" }
        out += "\n"
        for choice in example.choices { out += "chosen: \(choice)\n" }
        return out
    }
}
