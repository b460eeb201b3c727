import Primitives
import ScoreModel

/// One area of one unit: its points, maximum and percent.
public struct AreaScore: Hashable, Sendable {
    public var code: AreaCode
    public var name: String
    public var points: Score
    public var max: Score
    public var percent: Percent?
}

/// One row of a ranking.
public struct RankingRow: Hashable, Sendable {
    /// Shared by units level under the framework's ranking rule (1, 2, 2, 4);
    /// nil when nothing applies to the unit.
    public var rank: Int?
    public var unit: UnitCode
    public var name: String
    public var points: Score
    public var max: Score
    public var percent: Percent?
    public var band: Band?
    public var areas: [AreaScore]
    /// Items counted with only a self-assessment or nothing at all.
    public var provisionalItems: Int
    /// Items changed by a correction or an appeal after publication.
    public var amendedItems: Int
}

/// Figures of a block: how many in each band, the mean, the top.
public struct BlockStatistics: Hashable, Sendable {
    public var units: Int
    public var ranked: Int
    /// Every band of the framework, highest first, with its count (zeros included).
    public var bands: [(band: Band, count: Int)]
    /// The mean of the units' 2-decimal percents, rounded half away from zero.
    public var mean: Percent?
    /// The unit(s) at rank 1.
    public var top: [UnitCode]

    public static func == (a: BlockStatistics, b: BlockStatistics) -> Bool {
        a.units == b.units && a.ranked == b.ranked && a.mean == b.mean && a.top == b.top
            && a.bands.map(\.band) == b.bands.map(\.band) && a.bands.map(\.count) == b.bands.map(\.count)
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(units); hasher.combine(mean) }

    public func count(of band: String) -> Int { bands.first { $0.band.code == band }?.count ?? 0 }
}

/// The ranking of one (index, year, block).
public struct Ranking: Hashable, Sendable {
    public var partition: Partition
    public var framework: FrameworkID
    /// The framework's rule: what the rows are ordered by, when ranks are shared.
    public var rule: RankingRule
    public var rows: [RankingRow]
    public var statistics: BlockStatistics
    /// When results were published, if they were.
    public var publishedSeq: Seq?
    public var publishedAt: BusinessTime?
    public var openAppeals: [AppealID]
    /// Why the figures may still change (empty when final).
    public var provisionalReasons: [String]
    public var isProvisional: Bool { !provisionalReasons.isEmpty }

    public func row(_ unit: UnitCode) -> RankingRow? { rows.first { $0.unit == unit } }
}

extension ScoreBook {
    /// The ranking of a partition, or nil when it has no framework.
    ///
    /// Every registered unit of the block is listed (an item with no event
    /// counts 0, status missing). Ordered by the framework's ranking rule
    /// (by default the 2-decimal percent), best first; units level under
    /// the rule share a rank and are listed by unit code.
    public func ranking(_ partition: Partition) -> Ranking? {
        guard let framework = frameworks[partition], let number = partitionNumbers[partition] else { return nil }
        let publication = published[partition]
        var rows: [RankingRow] = []
        for unit in units(in: partition.block) {
            var points = Score.zero, max = Score.zero, provisional = 0, amended = 0
            var areas: [AreaScore] = []
            let first = sheet(unit: unit.code, partition: number).map(Int.init)
            var position = 0
            let slotsOfItems = itemSlots[Int(number)]
            for area in framework.areas {
                var ap = Score.zero, am = Score.zero
                for criterion in area.criteria {
                    for item in criterion.items {
                        let offset = Int(slotsOfItems[position].offset)
                        position += 1
                        let e: EffectiveScore
                        if let first {
                            e = effective(slot: first + offset, source: item.source)
                            if let publication, self.amended(slot: first + offset, after: publication.seq) { amended += 1 }
                        } else {
                            e = EffectiveScore(value: .score(.zero), status: .missing)
                        }
                        if e.status == .missing || e.status == .selfAssessed { provisional += 1 }
                        guard e.isApplicable else { continue }
                        ap += e.points
                        am += item.max
                    }
                }
                areas.append(AreaScore(code: area.code, name: area.name, points: ap, max: am, percent: Percent(points: ap, max: am)))
                points += ap
                max += am
            }
            let percent = Percent(points: points, max: max)
            rows.append(RankingRow(rank: nil, unit: unit.code, name: unit.name, points: points, max: max, percent: percent,
                                   band: percent.flatMap { framework.band(for: $0) }, areas: areas,
                                   provisionalItems: provisional, amendedItems: amended))
        }
        let rule = framework.ranking
        // The default rule compares the percents already computed (no division per comparison).
        func standing(_ a: RankingRow, _ b: RankingRow) -> RankingRule.Standing {
            guard rule.order == .percent2, let x = a.percent, let y = b.percent else { return rule.compare((a.points, a.max), (b.points, b.max)) }
            return x == y ? .level : (x > y ? .above : .below)
        }
        rows.sort { a, b in
            switch (a.percent != nil, b.percent != nil) {
            case (true, true):
                switch standing(a, b) {
                case .above: true
                case .below: false
                case .level: a.unit < b.unit
                }
            case (true, false): true
            case (false, true): false
            case (false, false): a.unit < b.unit
            }
        }
        // Competition ranks: a unit level with the one before shares its rank.
        for i in rows.indices where rows[i].percent != nil {
            let level = i > 0 && rows[i - 1].percent != nil
                && standing(rows[i], rows[i - 1]) == .level
            rows[i].rank = level ? rows[i - 1].rank : i + 1
        }
        let ranked = rows.filter { $0.percent != nil }
        let bands = framework.bands.map { band in (band, ranked.filter { $0.band?.code == band.code }.count) }
        let mean = ranked.isEmpty ? nil
            : Percent(hundredths: Percent.divideRounded(ranked.reduce(Int64(0)) { $0 + $1.percent!.hundredths }, by: Int64(ranked.count)))
        let statistics = BlockStatistics(units: rows.count, ranked: ranked.count, bands: bands, mean: mean,
                                         top: ranked.filter { $0.rank == 1 }.map(\.unit))
        let open = openAppeals(in: partition)
        var reasons: [String] = []
        if publication == nil { reasons.append("results of \(partition) are not published yet") }
        if !open.isEmpty { reasons.append("\(open.count) appeal\(open.count == 1 ? " is" : "s are") open: \(open.map(\.id.rawValue).joined(separator: ", "))") }
        let unappraised = rows.reduce(0) { $0 + $1.provisionalItems }
        if publication == nil && unappraised > 0 { reasons.append("\(unappraised) item scores are self-assessed or missing") }
        return Ranking(partition: partition, framework: framework.id, rule: rule, rows: rows, statistics: statistics,
                       publishedSeq: publication?.seq, publishedAt: publication?.at, openAppeals: open.map(\.id),
                       provisionalReasons: reasons)
    }
}
