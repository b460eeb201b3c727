import ArgumentParser
import Pipelines
import Projections
import ScoreModel

struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend", abstract: "Year-over-year changes of a block, or of one unit across its years.")

    @OptionGroup var location: LogLocation
    @OptionGroup var read: ReadOptions
    @Option(help: "The block.") var block: String?
    @Option(help: "One unit, across every year.") var unit: String?
    @Option(help: "The first year (with --block).") var from: Int?
    @Option(help: "The last year (with --block).") var to: Int?
    @Option(help: "The index.") var index: String = "PAR"

    func validate() throws {
        if (block == nil) == (unit == nil) { throw ValidationError("give --block B or --unit U") }
        if let from, let to, from > to { throw ValidationError("--from \(from) is after --to \(to): the range is empty; give the earlier year first") }
        if unit != nil && (from != nil || to != nil) { throw ValidationError("--from and --to go with --block; --unit shows every year") }
    }

    func run() throws {
        let book = try read.book(location)
        if let unit {
            try unitSeries(book, UnitCode(unit))
            return
        }
        let partitions = book.partitions.filter {
            $0.index.rawValue == index && $0.block.rawValue == block && $0.year >= (from ?? .min) && $0.year <= (to ?? .max)
        }
        guard !partitions.isEmpty else {
            let years = book.partitions.filter { $0.index.rawValue == index && $0.block.rawValue == block }.map { String($0.year) }
            let known = years.isEmpty ? "the log has: " + (book.partitions.isEmpty ? "no framework" : book.partitions.map(\.description).joined(separator: "; "))
                : "block \(block!) has \(index) years \(years.joined(separator: ", "))"
            throw CommandFailure("no framework for block \(block!) in \(index)\(from.map { " from \($0)" } ?? "")\(to.map { " to \($0)" } ?? "") in the log (\(known))")
        }
        let trends = partitions.compactMap { book.trend($0) }
        switch read.format {
        case .json: printJSON(.array(trends.map(Render.trendJSON)))
        case .csv: printCSV(Render.trendCSV(trends), bom: read.bom)
        case .table: for t in trends { print(Self.table(t)) }
        }
    }

    static func headline(_ t: BlockTrend) -> String {
        var lines: [String] = []
        let p = t.partition
        guard let previous = t.previousYear else { return "\(p.index) \(p.year) · \(p.block): no earlier year to compare with" }
        lines.append("\(p.index) \(p.year) · \(p.block) against \(previous)")
        if let mean = t.mean, let change = t.meanChange {
            lines.append("  mean \(mean)%, \(change.hundredths >= 0 ? "up" : "down") \(Percent(hundredths: abs(change.hundredths))) points (from \(t.previousMean!)%)")
        }
        for b in t.bands where b.count > 0 || b.previous > 0 {
            let d = b.change == 0 ? "as many as" : b.change > 0 ? "\(b.change) more than" : "\(-b.change) fewer than"
            lines.append("  \(b.band.label): \(b.count), \(d) \(previous)")
        }
        lines.append("  \(t.up) up, \(t.down) down, \(t.same) unchanged" + (t.new > 0 ? ", \(t.new) new" : ""))
        return lines.joined(separator: "\n")
    }

    static func table(_ t: BlockTrend) -> String {
        let out = headline(t) + "\n"
        var table = TextTable([.init("unit"), .init("name"), .init("percent", .right), .init("change", .right), .init("rank", .right),
                               .init("places", .right), .init("band")])
        for u in t.units {
            table.append([u.unit.rawValue, u.name, u.percent?.description ?? "—", u.change.map(signed) ?? "new",
                          u.rank.map(String.init) ?? "—", u.placesGained.map { $0 > 0 ? "+\($0)" : String($0) } ?? "",
                          bandLabel(u.band) + (u.previousBand != nil && u.previousBand?.code != u.band?.code ? " (was \(bandLabel(u.previousBand)))" : "")])
        }
        return out + table.render()
    }

    func unitSeries(_ book: ScoreBook, _ unit: UnitCode) throws {
        let series = book.series(unit: unit, index: IndexCode(index))
        guard let first = series.first else {
            let known = book.units[unit] == nil ? "no such unit in the log" : "the unit has no \(index) framework for its block"
            throw CommandFailure("no figures for unit \(unit) in \(index) (\(known))")
        }
        switch read.format {
        case .json:
            printJSON(.array(series.map { s in
                .object([("year", .number(String(s.partition.year))), ("percent", s.row.percent.map { .number($0.description) } ?? .null),
                         ("rank", s.row.rank.map { .number(String($0)) } ?? .null), ("of", .number(String(s.of))),
                         ("band", s.row.band.map { .string($0.code) } ?? .null)])
            }))
        case .csv:
            var t = CSVTable(header: ["year", "percent", "rank", "of", "band"])
            for s in series {
                t.append([.number(String(s.partition.year)), s.row.percent.map { .number($0.description) } ?? .empty,
                          s.row.rank.map { .number(String($0)) } ?? .empty, .number(String(s.of)), s.row.band.map { .text($0.code) } ?? .empty])
            }
            printCSV(t, bom: read.bom)
        case .table:
            print("\(first.row.name) (\(unit)) · \(index) · block \(first.partition.block)")
            var t = TextTable([.init("year", .right), .init("percent", .right), .init("change", .right), .init("rank", .right), .init("band")])
            var previous: (Percent?, Int?) = (nil, nil)
            for s in series {
                let change = s.row.percent.flatMap { p in previous.0.map { signed(p - $0) } } ?? ""
                t.append([String(s.partition.year), s.row.percent?.description ?? "—", change,
                          s.row.rank.map { "\($0)/\(s.of)" } ?? "—", bandLabel(s.row.band)])
                previous = (s.row.percent, s.row.rank)
            }
            print(t.render(), terminator: "")
        }
    }
}
