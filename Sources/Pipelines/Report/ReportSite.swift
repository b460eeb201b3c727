import Primitives
import Projections
import ScoreModel

/// The report projection: a static HTML site inside the snapshot, under
/// `report/`, readable from `file://` with no network and no JavaScript.
///
/// - `report/index.html`: indexes, years, blocks, the log head, how to verify;
/// - `report/PAR-department.html`: one block across years (charts);
/// - `report/PAR-2023-department.html`: a block and year: ranking, statistics,
///   the units × areas matrix, charts, corrections and appeals with their impact;
/// - `report/PAR-2023-department/SKHDT.html`: a unit and year: the explain
///   tree with every event, anchored `#seq-N`, and the unit's charts.
///
/// A block's pages (all its years) depend only on that block's figures, so
/// an incremental run renders them again only when one of its years changed.
/// The index alone names the log head, and is rendered on every run.
enum ReportSite {
    static let folder = "report"

    static func seriesPage(_ index: IndexCode, _ block: BlockCode) -> String {
        "\(SnapshotPath.component(index.rawValue))-\(SnapshotPath.component(block.rawValue)).html"
    }
    static func blockName(_ p: Partition) -> String {
        "\(SnapshotPath.component(p.index.rawValue))-\(p.year)-\(SnapshotPath.component(p.block.rawValue))"
    }
    static func blockPage(_ p: Partition) -> String { blockName(p) + ".html" }
    static func unitPage(_ p: Partition, _ unit: UnitCode) -> String { blockName(p) + "/" + SnapshotPath.component(unit.rawValue) + ".html" }

    /// Every file of one (index, block) series, relative to the snapshot.
    static func paths(series: [Partition], book: ScoreBook) -> [String] {
        guard let first = series.first else { return [] }
        var out = [folder + "/" + seriesPage(first.index, first.block)]
        for p in series {
            out.append(folder + "/" + blockPage(p))
            for unit in book.units(in: p.block) { out.append(folder + "/" + unitPage(p, unit.code)) }
        }
        return out
    }

    struct Context {
        var book: ScoreBook
        var spec: PipelineSpec
        var inputs: ReportInputs
        /// The events of the block being rendered (``ReportSite/series(_:rankings:context:)`` reads them).
        var events: [Seq: RecordedEvent] = [:]
        var awardNames: [String: String] { Dictionary(spec.awards.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }) }
    }

    // MARK: - Index

    static func index(partitions: [Partition], rankings: [Partition: Ranking], context c: Context) -> [(String, [UInt8])] {
        var indexes: [[String: Any]] = []
        for index in Set(partitions.map(\.index)).sorted() {
            var series: [[String: Any]] = []
            for block in Set(partitions.filter { $0.index == index }.map(\.block)).sorted() {
                let years = partitions.filter { $0.index == index && $0.block == block }.sorted()
                series.append(["block": block.rawValue, "href": seriesPage(index, block),
                               "years": years.map { p -> [String: Any] in
                                   let r = rankings[p]
                                   var y: [String: Any] = ["year": p.year, "href": blockPage(p), "units": r?.statistics.units ?? 0,
                                                           "mean": ReportText.percentSign(r?.statistics.mean)]
                                   if r?.isProvisional == true { y["provisional"] = true }
                                   return y
                               }])
            }
            indexes.append(["index": index.rawValue, "series": series])
        }
        var ctx = common(title: "Báo cáo Chỉ số cải cách hành chính", root: "", crumbs: [], context: c)
        ctx["headSeq"] = c.inputs.point.seq
        ctx["headHash"] = c.inputs.point.hash
        ctx["eventCount"] = c.inputs.eventCount
        if let asOf = c.inputs.point.asOf { ctx["asOf"] = asOf }
        ctx["pipelineFile"] = "pipelines/\(c.spec.name).yaml"
        ctx["indexes"] = indexes
        return [(folder + "/index.html", ReportTemplates.render("index", ctx)),
                (folder + "/style.css", Array(ReportTemplates.style.utf8))]
    }

    static func common(title: String, root: String, crumbs: [[String: Any]], context c: Context) -> [String: Any] {
        ["pageTitle": title, "root": root, "crumbs": crumbs, "pipeline": c.spec.name]
    }

    // MARK: - A block across years

    /// Every page of one (index, block) series: its years in order.
    static func series(_ partitions: [Partition], rankings: (Partition) -> Ranking?, context: Context) throws -> [(String, [UInt8])] {
        let years = partitions.sorted()
        guard let first = years.first else { return [] }
        var c = context
        var seqs: Set<Seq> = []
        for p in years {
            for unit in c.book.units(in: p.block) { seqs.formUnion(c.book.lineage(unit: unit.code, index: p.index, year: p.year)) }
        }
        c.events = try c.inputs.events(seqs)
        let ranked = years.compactMap { p in rankings(p).map { (p, $0) } }
        var files: [(String, [UInt8])] = []
        let title = "Chỉ số \(first.index.rawValue) · khối \(first.block.rawValue)"
        var ctx = common(title: title, root: "", crumbs: [], context: c)
        ctx["years"] = ranked.map { ["year": $0.0.year, "href": blockPage($0.0), "mean": ReportText.percentSign($0.1.statistics.mean)] as [String: Any] }
        let charts = blockCharts(ranked, c)
        ctx["charts"] = charts.map(\.context)
        files.append((folder + "/" + seriesPage(first.index, first.block), ReportTemplates.render("series", ctx)))
        for (p, ranking) in ranked {
            // The year before in the log, selected or not: as the trend and awards projections compare.
            let before = c.book.partitions.filter { $0.index == p.index && $0.block == p.block && $0.year < p.year }.map(\.year).max()
            let trend = ScoreBook.trend(ranking, before.flatMap { rankings(p.year($0)) })
            files.append((folder + "/" + blockPage(p), block(p, ranking: ranking, trend: trend, charts: charts, context: c)))
            for row in ranking.rows {
                let history = ranked.map { ($0.0.year, $0.1.row(row.unit), $0.1.rows.count) }
                files.append((folder + "/" + unitPage(p, row.unit), unit(p, row: row, ranking: ranking, history: history, context: c)))
            }
        }
        return files
    }

    static func blockCharts(_ ranked: [(Partition, Ranking)], _ c: Context) -> [ReportChart] {
        guard let first = ranked.first?.0 else { return [] }
        let labels = ranked.map { String($0.0.year) }
        let means = ranked.map { $0.1.statistics.mean?.hundredths }
        let lo = (means.compactMap { $0 }.min() ?? 0) / 1000 * 1000
        let name = "\(first.index.rawValue) · khối \(first.block.rawValue)"
        let meanChart = ReportChart.lines(
            id: "mean-\(blockName(first))", title: "Tỷ lệ bình quân của khối qua các năm (\(name))",
            desc: "Bình quân: " + ranked.map { "\($0.0.year): \(ReportText.percentSign($0.1.statistics.mean))" }.joined(separator: "; ") + ".",
            yTitle: "Tỷ lệ (%)", labels: labels, series: [.init(cls: "s0", name: "Bình quân", values: means)],
            lo: lo, hi: 10000, step: max(500, (10000 - lo) / 4 / 500 * 500)) { ReportText.percent(Percent(hundredths: $0)) }
        let bands = ranked.last!.1.statistics.bands.map(\.band)
        let maxUnits = Int64(ranked.map { $0.1.statistics.ranked }.max() ?? 0)
        let series = bands.enumerated().map { i, band in
            ReportChart.Series(cls: "band-\(min(i, 4))", name: band.label,
                               values: ranked.map { r in Int64(r.1.statistics.bands.first { $0.band.code == band.code }?.count ?? 0) })
        }
        let bandChart = ReportChart.stackedBars(
            id: "bands-\(blockName(first))", title: "Số đơn vị theo xếp loại qua các năm (\(name))",
            desc: ranked.map { r in "\(r.0.year): " + r.1.statistics.bands.map { "\($0.band.label) \($0.count)" }.joined(separator: ", ") }
                .joined(separator: "; ") + ".",
            yTitle: "Số đơn vị", labels: labels, series: series, hi: max(maxUnits, 1), step: max(1, (maxUnits + 3) / 4))
        return [meanChart, bandChart]
    }
}
