import Projections
import ScoreModel

/// Projections as snapshot files: canonical JSON and CSV twins. Pure:
/// the same figures always give the same bytes.
public enum Render {
    static func num(_ s: Score) -> CanonicalJSON { .number(s.description) }
    static func num(_ p: Percent?) -> CanonicalJSON { p.map { .number($0.description) } ?? .null }
    static func int(_ n: Int?) -> CanonicalJSON { n.map { .number(String($0)) } ?? .null }
    static func str(_ s: String?) -> CanonicalJSON { s.map { .string($0) } ?? .null }

    static func header(_ p: Partition) -> [(key: String, value: CanonicalJSON)] {
        [("index", .string(p.index.rawValue)), ("year", .number(String(p.year))), ("block", .string(p.block.rawValue))]
    }

    /// The keys of a ranking row that every output of one shares, and that
    /// ``SnapshotDiff`` reads back: written and read through these names only.
    public enum RowKey {
        public static let rank = "rank", unit = "unit", name = "name", points = "points", max = "max", percent = "percent", band = "band"
    }

    /// A ranking row's core members, in their order: rank, unit, name,
    /// points, max, percent, band (the band's code).
    static func rowCore(_ row: RankingRow) -> [(key: String, value: CanonicalJSON)] {
        [(RowKey.rank, int(row.rank)), (RowKey.unit, .string(row.unit.rawValue)), (RowKey.name, .string(row.name)),
         (RowKey.points, num(row.points)), (RowKey.max, num(row.max)), (RowKey.percent, num(row.percent)), (RowKey.band, str(row.band?.code))]
    }

    /// The rows of `rank --format json` (docs/CONTRACT.md, "Commands"):
    /// rank, unit, name, points, max, percent, band.
    public static func rankingRows(_ ranking: Ranking) -> CanonicalJSON {
        .array(ranking.rows.map { .object(rowCore($0)) })
    }

    /// `"ranking": {"order": …}` when the framework names a rule; nothing
    /// for the default, as in the framework's own event.
    public static func rankingRule(_ rule: RankingRule) -> [(key: String, value: CanonicalJSON)] {
        rule.isDefault ? [] : [("ranking", .object([("order", .string(rule.order.rawValue))]))]
    }

    public static func rankingJSON(_ r: Ranking) -> CanonicalJSON {
        .object(header(r.partition) + [
            ("framework", .string(r.framework.rawValue)),
        ] + rankingRule(r.rule) + [
            ("published", r.publishedSeq.map { seq in .object([("seq", .number(String(seq.rawValue))), ("at", .string(RFC3339.format(r.publishedAt!)))]) } ?? .null),
            ("provisional", .bool(r.isProvisional)),
            ("provisionalReasons", .array(r.provisionalReasons.map { .string($0) })),
            ("statistics", .object([
                ("units", int(r.statistics.units)), ("ranked", int(r.statistics.ranked)), ("mean", num(r.statistics.mean)),
                ("top", .array(r.statistics.top.map { .string($0.rawValue) })),
                ("bands", .array(r.statistics.bands.map { .object([("band", .string($0.band.code)), ("label", .string($0.band.label)),
                                                                   ("min", num($0.band.min)), ("count", int($0.count))]) })),
            ])),
            ("rows", .array(r.rows.map { row in
                .object(rowCore(row) + [("bandLabel", str(row.band?.label)),
                         ("provisionalItems", int(row.provisionalItems)), ("amendedItems", int(row.amendedItems)),
                         ("areas", .array(row.areas.map { a in
                            .object([("code", .string(a.code.rawValue)), ("name", .string(a.name)), ("points", num(a.points)),
                                     ("max", num(a.max)), ("percent", num(a.percent))])
                         }))])
            })),
        ])
    }

    public static func rankingCSV(_ r: Ranking) -> CSVTable {
        var t = CSVTable(header: ["rank", "unit", "name", "points", "max", "percent", "band", "band_label"])
        for row in r.rows {
            t.append([row.rank.map { .number(String($0)) } ?? .empty, .text(row.unit.rawValue), .text(row.name), .number(row.points.description),
                      .number(row.max.description), row.percent.map { .number($0.description) } ?? .empty,
                      row.band.map { .text($0.code) } ?? .empty, row.band.map { .text($0.label) } ?? .empty])
        }
        return t
    }

    public static func trendJSON(_ t: BlockTrend) -> CanonicalJSON {
        .object(header(t.partition) + [
            ("previousYear", int(t.previousYear)), ("mean", num(t.mean)), ("previousMean", num(t.previousMean)), ("meanChange", num(t.meanChange)),
            ("up", int(t.up)), ("down", int(t.down)), ("same", int(t.same)), ("new", int(t.new)),
            ("bands", .array(t.bands.map { .object([("band", .string($0.band.code)), ("label", .string($0.band.label)), ("count", int($0.count)),
                                                    ("previous", int($0.previous)), ("change", int($0.change))]) })),
            ("units", .array(t.units.map { u in
                .object([("unit", .string(u.unit.rawValue)), ("name", .string(u.name)), ("percent", num(u.percent)), ("previous", num(u.previous)),
                         ("change", num(u.change)), ("rank", int(u.rank)), ("previousRank", int(u.previousRank)), ("placesGained", int(u.placesGained)),
                         ("band", str(u.band?.code)), ("previousBand", str(u.previousBand?.code)),
                         ("areas", .array(u.areas.map { a in
                            .object([("code", .string(a.code.rawValue)), ("name", .string(a.name)), ("percent", num(a.percent)),
                                     ("previous", num(a.previous)), ("change", num(a.change))])
                         }))])
            })),
        ])
    }

    static let trendHeader = ["unit", "name", "percent", "previous", "change", "rank", "previous_rank", "places_gained", "band", "previous_band"]

    public static func trendCSV(_ t: BlockTrend) -> CSVTable {
        var table = CSVTable(header: trendHeader)
        func n(_ p: Percent?) -> CSVTable.Cell { p.map { .number($0.description) } ?? .empty }
        func i(_ v: Int?) -> CSVTable.Cell { v.map { .number(String($0)) } ?? .empty }
        for u in t.units {
            table.append([.text(u.unit.rawValue), .text(u.name), n(u.percent), n(u.previous), n(u.change), i(u.rank), i(u.previousRank),
                          i(u.placesGained), u.band.map { .text($0.code) } ?? .empty, u.previousBand.map { .text($0.code) } ?? .empty])
        }
        return table
    }

    public static func awardsJSON(_ p: Partition, _ verdicts: [AwardVerdict]) -> CanonicalJSON {
        .object(header(p) + [
            ("verdicts", .array(verdicts.map { v in
                .object([("award", .string(v.award)), ("awardName", .string(v.awardName)), ("unit", .string(v.unit.rawValue)),
                         ("name", .string(v.name)), ("status", .string(v.status.rawValue)), ("provisional", .bool(v.provisional)),
                         ("checks", .array(v.checks.map { c in
                            .object([("condition", .string(c.condition.description)), ("value", .string(c.value)), ("passed", .bool(c.passed))])
                         })),
                         ("reason", .string(v.reason))])
            })),
        ])
    }

    public static func awardsCSV(_ verdicts: [AwardVerdict]) -> CSVTable {
        var t = CSVTable(header: ["award", "award_name", "unit", "name", "status", "provisional", "reason"])
        for v in verdicts {
            t.append([.text(v.award), .text(v.awardName), .text(v.unit.rawValue), .text(v.name), .text(v.status.rawValue),
                      .text(v.provisional ? "yes" : "no"), .text(v.reason)])
        }
        return t
    }
}
