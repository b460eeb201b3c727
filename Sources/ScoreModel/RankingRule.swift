/// How a framework orders its units and when two of them share a rank:
/// data of the framework (`"ranking": {"order": "ratio"}` in
/// `framework.published`), because provinces do not all rank alike.
///
/// Under every rule the better unit comes first, units with the same key
/// share a rank (competition style: 1, 2, 2, 4) and are listed by unit code,
/// and a unit with nothing applicable is unranked.
///
/// ```swift
/// let rule = RankingRule(order: .ratio)
/// // 90.021 / 100 ranks above 90.02 / 100, though both print 90.02%
/// rule.compare((Score("90.021")!, Score(points: 100)), (Score("90.02")!, Score(points: 100)))   // .above
/// ```
public struct RankingRule: Hashable, Sendable, CustomStringConvertible {
    /// What units are ordered by.
    public enum Order: String, Hashable, Sendable, CaseIterable {
        /// The percent rounded half away from zero to 2 decimals, as printed:
        /// equal printed percents share a rank. The default, and the only
        /// rule of logs written before rules existed.
        case percent2
        /// The exact ratio points / max (compared by cross-multiplication):
        /// a rank is shared only when the ratios are exactly equal, so ties
        /// of the printed percent are broken below its precision.
        case ratio
        /// The points with their 3 decimals, whatever the maximum: shared
        /// only on equal points. For blocks that publish and rank on points.
        case points3
    }

    public var order: Order

    public init(order: Order) { self.order = order }

    /// Today's rule: 2-decimal percents, equal ones sharing a rank.
    public static let `default` = RankingRule(order: .percent2)

    public var isDefault: Bool { self == .default }

    /// Where one unit stands against another under this rule.
    public enum Standing: Sendable { case above, level, below }

    /// Compares two units' totals (points and applicable maximum, both with
    /// a positive maximum). Exact: no floating point, no rounding except the
    /// 2-decimal percent that `percent2` ranks on by definition.
    ///
    /// - Complexity: O(1); `ratio` multiplies in 128 bits, so no total can overflow.
    public func compare(_ a: (points: Score, max: Score), _ b: (points: Score, max: Score)) -> Standing {
        switch order {
        case .percent2:
            let x = Percent(points: a.points, max: a.max)?.hundredths ?? .min
            let y = Percent(points: b.points, max: b.max)?.hundredths ?? .min
            return x == y ? .level : (x > y ? .above : .below)
        case .ratio:
            // a.points / a.max against b.points / b.max, both maxima positive.
            let l = a.points.thousandths.multipliedFullWidth(by: b.max.thousandths)
            let r = b.points.thousandths.multipliedFullWidth(by: a.max.thousandths)
            return l == r ? .level : ((l.high, l.low) > (r.high, r.low) ? .above : .below)
        case .points3:
            return a.points == b.points ? .level : (a.points > b.points ? .above : .below)
        }
    }

    /// For people: `"percent rounded to 2 decimals, equal percents share a rank"`.
    public var description: String {
        switch order {
        case .percent2: "percent rounded to 2 decimals; equal printed percents share a rank"
        case .ratio: "exact ratio points/max; a rank is shared only when exactly equal"
        case .points3: "points with 3 decimals; a rank is shared only on equal points"
        }
    }
}
