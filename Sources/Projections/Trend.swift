import ScoreModel

/// One unit's change from the previous year.
public struct UnitTrend: Hashable, Sendable {
    public struct AreaChange: Hashable, Sendable {
        public var code: AreaCode
        public var name: String
        public var percent: Percent?
        public var previous: Percent?
        /// In percentage points; nil when either year has no percent.
        public var change: Percent?
    }

    public var unit: UnitCode
    public var name: String
    public var percent: Percent?
    public var previous: Percent?
    public var change: Percent?
    public var rank: Int?
    public var previousRank: Int?
    /// Places gained (positive: rose in the ranking).
    public var placesGained: Int?
    public var band: Band?
    public var previousBand: Band?
    public var areas: [AreaChange]
    /// No figure for the previous year.
    public var isNew: Bool { previous == nil }
}

/// A block's change from the previous year.
public struct BlockTrend: Hashable, Sendable {
    public struct BandChange: Hashable, Sendable {
        public var band: Band
        public var count: Int
        public var previous: Int
        public var change: Int { count - previous }
    }

    public var partition: Partition
    /// The year compared with (the latest earlier year with a framework), if any.
    public var previousYear: Int?
    public var mean: Percent?
    public var previousMean: Percent?
    public var meanChange: Percent?
    public var bands: [BandChange]
    public var up: Int
    public var down: Int
    public var same: Int
    public var new: Int
    public var units: [UnitTrend]
}

extension ScoreBook {
    /// The trend of a partition against the latest earlier year of the same
    /// index and block; nil when the partition has no framework.
    public func trend(_ partition: Partition) -> BlockTrend? {
        guard let now = ranking(partition) else { return nil }
        let before = frameworks.keys.previous(of: partition).flatMap { ranking($0) }
        return Self.trend(now, before)
    }

    /// The trend between two rankings of the same block.
    public static func trend(_ now: Ranking, _ before: Ranking?) -> BlockTrend {
        var units: [UnitTrend] = []
        var up = 0, down = 0, same = 0, new = 0
        for row in now.rows {
            let old = before?.row(row.unit)
            let change: Percent? = if let p = row.percent, let q = old?.percent { p - q } else { nil }
            let places: Int? = if let r = row.rank, let q = old?.rank { q - r } else { nil }
            var areas: [UnitTrend.AreaChange] = []
            for area in row.areas {
                let oldArea = old?.areas.first { $0.code == area.code }
                let d: Percent? = if let p = area.percent, let q = oldArea?.percent { p - q } else { nil }
                areas.append(UnitTrend.AreaChange(code: area.code, name: area.name, percent: area.percent, previous: oldArea?.percent, change: d))
            }
            if let change {
                if change.hundredths > 0 { up += 1 } else if change.hundredths < 0 { down += 1 } else { same += 1 }
            } else if row.percent != nil {
                new += 1
            }
            units.append(UnitTrend(unit: row.unit, name: row.name, percent: row.percent, previous: old?.percent, change: change,
                                   rank: row.rank, previousRank: old?.rank, placesGained: places, band: row.band, previousBand: old?.band,
                                   areas: areas))
        }
        let bands = now.statistics.bands.map { entry in
            BlockTrend.BandChange(band: entry.band, count: entry.count, previous: before?.statistics.count(of: entry.band.code) ?? 0)
        }
        let meanChange: Percent? = if let m = now.statistics.mean, let p = before?.statistics.mean { m - p } else { nil }
        return BlockTrend(partition: now.partition, previousYear: before?.partition.year, mean: now.statistics.mean,
                          previousMean: before?.statistics.mean, meanChange: meanChange, bands: bands,
                          up: up, down: down, same: same, new: new, units: units)
    }

    /// One unit across every year of an index that has a framework for it.
    public func series(unit: UnitCode, index: IndexCode = .par) -> [(partition: Partition, row: RankingRow, of: Int)] {
        guard let info = units[unit] else { return [] }
        return frameworks.keys.filter { $0.index == index && $0.block == info.block }.sorted().compactMap { p in
            guard let r = ranking(p), let row = r.row(unit) else { return nil }
            return (p, row, r.statistics.ranked)
        }
    }
}
