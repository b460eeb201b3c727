import ScoreModel

/// An appeal's block and year today and as if the appeal were upheld as
/// requested: both rankings, both sets of award verdicts, and the units
/// whose rank, band or awards would change.
public struct AppealWhatIf: Sendable {
    public var appeal: AppealID
    public var state: AppealState
    public var partition: Partition
    /// The disputed item's effective score today.
    public var current: EffectiveScore
    public var today: Ranking
    public var ifUpheld: Ranking
    public var awardsToday: [AwardVerdict]
    public var awardsIfUpheld: [AwardVerdict]
    /// Units whose rank, band or eligible awards differ between the two.
    public var changed: Set<UnitCode>

    /// The awards a unit is eligible for in `verdicts`.
    public static func eligible(_ verdicts: [AwardVerdict], _ unit: UnitCode) -> [AwardVerdict] {
        verdicts.filter { $0.unit == unit && $0.status == .eligible }
    }
}

extension ScoreBook {
    /// The what-if of an appeal under these award rules; nil when the log
    /// has no such appeal, or its block and year no framework.
    public func whatIf(appeal id: AppealID, rules: [AwardRule]) -> AppealWhatIf? {
        guard let state = appeals[id], let unit = units[state.key.unit] else { return nil }
        let p = Partition(index: state.key.index, year: state.key.year, block: unit.block)
        guard let upheld = assumingUpheld(id), let today = ranking(p), let after = upheld.ranking(p) else { return nil }
        let awardsToday = awards(p, rules: rules), awardsAfter = upheld.awards(p, rules: rules)
        let changed = Set(today.rows.compactMap { row -> UnitCode? in
            let other = after.row(row.unit)
            let names = { (list: [AwardVerdict]) in AppealWhatIf.eligible(list, row.unit).map(\.award) }
            return other?.rank != row.rank || other?.band?.code != row.band?.code || names(awardsToday) != names(awardsAfter) ? row.unit : nil
        })
        return AppealWhatIf(appeal: id, state: state, partition: p, current: effective(state.key), today: today, ifUpheld: after,
                            awardsToday: awardsToday, awardsIfUpheld: awardsAfter, changed: changed)
    }
}
