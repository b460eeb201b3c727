import Projections
import ScoreModel

extension PipelineRunner {
    /// The report's context when the pipeline has the report projection.
    static func reportContext(_ spec: PipelineSpec, book: ScoreBook, report: ReportInputs?) throws -> ReportSite.Context? {
        guard spec.projections.contains(.report) else { return nil }
        guard let report else {
            throw PipelineError(code: .badSpec, place: spec.name, message: "the report projection needs the log's events, and none were read",
                                hint: "run the pipeline with `parledger run`, which reads them")
        }
        return ReportSite.Context(book: book, spec: spec, inputs: report)
    }

    /// Renders the report pages of every (index, block) series among
    /// `partitions`. A series none of whose years changed keeps the previous
    /// snapshot's pages when every one of them can be kept; otherwise all its
    /// pages are rendered again (its charts span its years).
    static func renderReport(_ partitions: [Partition], changed: Set<Partition>?, ranking: (Partition) -> Ranking?,
                             context: ReportSite.Context, into sink: SnapshotWriter.Sink) throws -> (rendered: Int, kept: Int) {
        var series: [String: [Partition]] = [:]
        for p in partitions { series[p.index.rawValue + "\u{0}" + p.block.rawValue, default: []].append(p) }
        var rendered = 0, keptFiles = 0
        for key in series.keys.sorted() {
            let years = series[key]!.sorted()
            var kept: Set<String> = []
            if let changed, !years.contains(where: changed.contains) {
                let paths = ReportSite.paths(series: years, book: context.book)
                for path in paths where try sink.keep(path) { kept.insert(path) }
                keptFiles += kept.count
                if kept.count == paths.count { continue }
            }
            for (path, bytes) in try ReportSite.series(years, rankings: ranking, context: context) where !kept.contains(path) {
                try sink.emit(path, bytes)
                rendered += 1
            }
        }
        return (rendered, keptFiles)
    }

    /// The report's index and style sheet: rendered on every run (the index names the log head).
    static func renderReportIndex(_ partitions: [Partition], context: ReportSite.Context, into sink: SnapshotWriter.Sink) throws {
        var rankings: [Partition: Ranking] = [:]
        for p in partitions { rankings[p] = context.book.ranking(p) }
        for (path, bytes) in ReportSite.index(partitions: partitions, rankings: rankings, context: context) { try sink.emit(path, bytes) }
    }
}
