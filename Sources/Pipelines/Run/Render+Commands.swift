import Projections
import ScoreModel

/// The shapes the read commands print: one CSV table per command (a
/// spreadsheet opens one table: one header, a column for every key), and
/// JSON rows that carry what the table shows.
extension Render {
    /// One table from several: each part's rows after the key cells that
    /// tell them apart (`index`, `year`, `block`), under one header.
    public static func combined(keys: [String], _ parts: [(keys: [CSVTable.Cell], table: CSVTable)], emptyHeader: [String]) -> CSVTable {
        var out = CSVTable(header: keys + (parts.first?.table.header ?? emptyHeader))
        for part in parts { for row in part.table.rows { out.append(part.keys + row) } }
        return out
    }

    static func partitionCells(_ p: Partition) -> [CSVTable.Cell] { [.text(p.index.rawValue), .number(String(p.year)), .text(p.block.rawValue)] }

    /// `trend --block --format csv`: every year of the block in one table.
    public static func trendCSV(_ trends: [BlockTrend]) -> CSVTable {
        combined(keys: ["index", "year", "block", "previous_year"],
                 trends.map { t in (partitionCells(t.partition) + [t.previousYear.map { .number(String($0)) } ?? .empty], trendCSV(t)) },
                 emptyHeader: trendHeader)
    }

    /// `awards --format csv`: every block's verdicts in one table.
    public static func awardsCSV(_ results: [(Partition, [AwardVerdict])]) -> CSVTable {
        combined(keys: ["index", "year", "block"], results.map { (partitionCells($0.0), awardsCSV($0.1)) }, emptyHeader: awardsCSV([AwardVerdict]()).header)
    }

    /// The rows of `rank --format json` (docs/CONTRACT.md, "Commands": rank,
    /// unit, name, points, max, percent, band), with what the table also
    /// shows: whether the ranking is provisional and why, whether the block's
    /// results are published, and the unit's open appeals.
    public static func rankingRows(_ ranking: Ranking, openAppeals: [UnitCode: [AppealID]]) -> CanonicalJSON {
        guard case .array(let rows) = rankingRows(ranking) else { return rankingRows(ranking) }
        return .array(zip(ranking.rows, rows).map { row, json in
            guard case .object(let members) = json else { return json }
            return .object(members + [
                ("provisional", .bool(ranking.isProvisional)),
                ("provisionalReasons", .array(ranking.provisionalReasons.map { .string($0) })),
                ("published", .bool(ranking.publishedSeq != nil)),
                ("openAppeals", .array((openAppeals[row.unit] ?? []).map { .string($0.rawValue) })),
            ])
        })
    }
}
