import ArgumentParser
import Pipelines
import Projections
import ScoreModel

struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank", abstract: "The ranking of a block in a year.",
        discussion: "With --as-announced, the ranking as it stood when the block's results were published.")

    @OptionGroup var location: LogLocation
    @OptionGroup var read: ReadOptions
    @Option(help: "The year.") var year: Int
    @Option(help: "The block (e.g. department, district).") var block: String
    @Option(help: "The index.") var index: String = "PAR"
    @Flag(name: .customLong("as-announced"), help: "Replay the log up to the block's results.published event.")
    var asAnnounced = false

    func run() throws {
        let partition = Partition(index: IndexCode(index), year: year, block: BlockCode(block))
        var book = try read.book(location)
        if asAnnounced {
            guard let publication = book.published[partition] else {
                throw CommandFailure("results of \(partition) are not published in this log; drop --as-announced")
            }
            book = try PipelineRunner.replay(log: location.log, limit: .seq(publication.seq)).book
        }
        guard let ranking = book.ranking(partition) else {
            let known = book.partitions.map(\.description).joined(separator: "; ")
            throw CommandFailure("no framework for \(partition) in the log (known: \(known.isEmpty ? "none" : known))")
        }
        switch read.format {
        case .json: printJSON(Render.rankingRows(ranking, openAppeals: Dictionary(grouping: book.openAppeals(in: partition), by: \.key.unit).mapValues { $0.map(\.id) }))
        case .csv: printCSV(Render.rankingCSV(ranking), bom: read.bom)
        case .table: print(Self.table(ranking), terminator: "")
        }
    }

    static func table(_ r: Ranking) -> String {
        var out = "\(r.partition.index) \(r.partition.year) · \(r.partition.block) · \(r.statistics.units) units · framework \(r.framework)"
        if let at = r.publishedAt, let seq = r.publishedSeq { out += " · published \(RFC3339.format(at)) (\(seq.label))" }
        out += "\n"
        if !r.rule.isDefault { out += "ranked by \(r.rule)\n" }
        var t = TextTable([.init("rank", .right), .init("unit"), .init("name"), .init("points", .right), .init("max", .right),
                           .init("percent", .right), .init("band")])
        for row in r.rows {
            t.append([row.rank.map(String.init) ?? "—", row.unit.rawValue, row.name, row.points.formatted(), row.max.formatted(),
                      row.percent?.description ?? "—", bandLabel(row.band)])
        }
        out += t.render()
        let bands = r.statistics.bands.map { " · \($0.band.label) \($0.count)" }.joined()
        out += "mean \(r.statistics.mean?.description ?? "—")%\(bands)\n"
        for reason in r.provisionalReasons { out += "provisional: \(reason)\n" }
        return out
    }
}
