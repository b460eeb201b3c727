import ScoreModel

/// A condition of an award, as declared in a pipeline file.
public enum AwardCondition: Hashable, Sendable, CustomStringConvertible {
    /// Rank at most N in the block (`rank: { max: 1 }`).
    case rankAtMost(Int)
    /// Rank at least N (`rank: { min: 2, max: 3 }` for the runners-up).
    case rankAtLeast(Int)
    /// Band among these codes (`band: { in: [excellent] }`).
    case bandIn([String])
    /// Percent at least this (`percent: { min: 90 }`).
    case percentAtLeast(Score)
    /// Change from the previous year at least this, in points (`percentChange: { min: 0 }`).
    case changeAtLeast(Score)
    /// Results of the block and year published (`published: true`).
    case published
    /// At most N open appeals by the unit in the year (`openAppeals: { max: 0 }`).
    case openAppealsAtMost(Int)

    public var description: String {
        switch self {
        case .rankAtMost(let n): "rank ≤ \(n)"
        case .rankAtLeast(let n): "rank ≥ \(n)"
        case .bandIn(let codes): "band in [\(codes.joined(separator: ", "))]"
        case .percentAtLeast(let s): "percent ≥ \(s)"
        case .changeAtLeast(let s): "change from previous year ≥ \(s) points"
        case .published: "results published"
        case .openAppealsAtMost(let n): "open appeals ≤ \(n)"
        }
    }
}

/// An award and the conditions a unit must meet for it.
public struct AwardRule: Hashable, Sendable {
    public var code: String
    public var name: String
    public var conditions: [AwardCondition]
    public init(code: String, name: String, conditions: [AwardCondition]) { self.code = code; self.name = name; self.conditions = conditions }
}

/// One condition checked for one unit.
public struct ConditionCheck: Hashable, Sendable {
    public var condition: AwardCondition
    /// The unit's value, as shown (`"1"`, `"excellent"`, `"+2.66"`, `"none"`).
    public var value: String
    public var passed: Bool
}

/// A unit's verdict for an award, with the reason.
public struct AwardVerdict: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        case eligible
        case notEligible = "not-eligible"
    }
    public var award: String
    public var awardName: String
    public var unit: UnitCode
    public var name: String
    public var status: Status
    /// True while the block's figures may still change (unpublished, or an appeal open).
    public var provisional: Bool
    public var checks: [ConditionCheck]
    /// A sentence a person can read.
    public var reason: String
}

extension ScoreBook {
    /// Verdicts of every unit of a partition for every rule, in rule order
    /// then ranking order.
    public func awards(_ partition: Partition, rules: [AwardRule]) -> [AwardVerdict] {
        guard let ranking = ranking(partition) else { return [] }
        let trend = self.trend(partition)
        return Self.awards(ranking: ranking, trend: trend, openAppeals: openAppeals(in: partition), rules: rules)
    }

    /// The pure evaluation, from figures already computed.
    public static func awards(ranking: Ranking, trend: BlockTrend?, openAppeals: [AppealState], rules: [AwardRule]) -> [AwardVerdict] {
        var verdicts: [AwardVerdict] = []
        let provisional = ranking.isProvisional
        for rule in rules {
            for row in ranking.rows {
                let unitTrend = trend?.units.first { $0.unit == row.unit }
                let open = openAppeals.filter { $0.key.unit == row.unit }.count
                var checks: [ConditionCheck] = []
                for condition in rule.conditions {
                    switch condition {
                    case .rankAtMost(let n):
                        checks.append(ConditionCheck(condition: condition, value: row.rank.map(String.init) ?? "unranked", passed: (row.rank ?? .max) <= n))
                    case .rankAtLeast(let n):
                        checks.append(ConditionCheck(condition: condition, value: row.rank.map(String.init) ?? "unranked", passed: (row.rank ?? 0) >= n))
                    case .bandIn(let codes):
                        checks.append(ConditionCheck(condition: condition, value: row.band?.code ?? "none", passed: row.band.map { codes.contains($0.code) } ?? false))
                    case .percentAtLeast(let min):
                        checks.append(ConditionCheck(condition: condition, value: row.percent?.description ?? "none",
                                                     passed: row.percent.map { $0.reaches(min) } ?? false))
                    case .changeAtLeast(let min):
                        let change = unitTrend?.change
                        checks.append(ConditionCheck(condition: condition, value: change.map { signed($0) } ?? "no previous year",
                                                     passed: change.map { $0.reaches(min) } ?? false))
                    case .published:
                        checks.append(ConditionCheck(condition: condition, value: ranking.publishedSeq.map { "yes (\($0.label))" } ?? "no",
                                                     passed: ranking.publishedSeq != nil))
                    case .openAppealsAtMost(let n):
                        checks.append(ConditionCheck(condition: condition, value: String(open), passed: open <= n))
                    }
                }
                let failed = checks.filter { !$0.passed }
                let status: AwardVerdict.Status = failed.isEmpty ? .eligible : .notEligible
                var reason = failed.isEmpty
                    ? "meets every condition: " + checks.map { "\($0.condition) (\($0.value))" }.joined(separator: "; ")
                    : "fails " + failed.map { "\($0.condition) (has \($0.value))" }.joined(separator: "; ")
                if provisional { reason += "; provisional: " + ranking.provisionalReasons.joined(separator: "; ") }
                verdicts.append(AwardVerdict(award: rule.code, awardName: rule.name, unit: row.unit, name: row.name, status: status,
                                             provisional: provisional, checks: checks, reason: reason))
            }
        }
        return verdicts
    }
}

/// `+2.66`, `-0.50`, `0.00`.
public func signed(_ p: Percent) -> String { (p.hundredths > 0 ? "+" : "") + p.description }
