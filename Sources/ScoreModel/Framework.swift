/// A scoring framework (bộ tiêu chí) for one index, year and block:
/// areas → criteria → items, each item with a maximum score, plus the bands.
///
/// Frameworks are data, published as `framework.published` events; they
/// change every year and differ per block.
public struct Framework: Hashable, Sendable {
    public var id: FrameworkID
    public var index: IndexCode
    public var year: Int
    public var block: BlockCode
    /// The decision that issued it (`"876/QĐ-BNV"`), if given.
    public var decision: String?
    /// Ordered from the highest: a unit's band is the first whose `min` its
    /// percent reaches.
    public var bands: [Band]
    public var areas: [Area]
    /// How its units are ordered and when they share a rank
    /// (``RankingRule/default`` unless the framework names one).
    public var ranking: RankingRule

    public init(id: FrameworkID, index: IndexCode, year: Int, block: BlockCode, decision: String? = nil,
                bands: [Band], areas: [Area], ranking: RankingRule = .default) {
        self.id = id; self.index = index; self.year = year; self.block = block
        self.decision = decision; self.bands = bands; self.areas = areas; self.ranking = ranking
    }

    /// The band a percent falls in, or nil when it reaches none.
    public func band(for percent: Percent) -> Band? {
        bands.first { percent.reaches($0.min) }
    }

    /// Every item, in framework order (flattened at each call).
    public var items: [Item] { areas.flatMap { $0.criteria.flatMap(\.items) } }

    /// How many items there are, without flattening them.
    public var itemCount: Int { areas.reduce(0) { n, area in area.criteria.reduce(n) { $0 + $1.items.count } } }

    /// The sum of every item's maximum.
    public var maxTotal: Score { items.reduce(.zero) { $0 + $1.max } }
}

public struct Band: Hashable, Sendable {
    public var code: String
    public var label: String
    /// The lowest percent in the band (`90`).
    public var min: Score
    public init(code: String, label: String, min: Score) { self.code = code; self.label = label; self.min = min }
}

public struct Area: Hashable, Sendable {
    public var code: AreaCode
    public var name: String
    public var criteria: [Criterion]
    public init(code: AreaCode, name: String, criteria: [Criterion]) { self.code = code; self.name = name; self.criteria = criteria }
}

public struct Criterion: Hashable, Sendable {
    public var code: CriterionCode
    public var name: String
    public var items: [Item]
    public init(code: CriterionCode, name: String, items: [Item]) { self.code = code; self.name = name; self.items = items }
}

/// Where an item's points come from.
public enum ItemSource: String, Hashable, Sendable, CaseIterable {
    /// Self-assessed by the unit, appraised by the council (the default).
    case assessment
    /// Recorded from the sociological survey; units do not score these.
    case survey
}

/// A leaf of the framework (tiêu chí thành phần): what a score is given for.
public struct Item: Hashable, Sendable {
    public var code: ItemCode
    public var name: String
    public var max: Score
    /// The lowest allowed score: 0 by default, below 0 for a penalty item.
    public var min: Score
    public var source: ItemSource
    public init(code: ItemCode, name: String, max: Score, min: Score = .zero, source: ItemSource = .assessment) {
        self.code = code; self.name = name; self.max = max; self.min = min; self.source = source
    }
}
