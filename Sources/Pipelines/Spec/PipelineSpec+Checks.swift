import Projections
import ScoreModel

/// A pipeline that cannot give what it says is an error, not an empty or
/// silently "ineligible" result: a selection that matches nothing in the
/// log; an award range no unit can meet (refused when the file is read); a
/// band a selected framework does not have (when the run starts: it needs
/// the log's frameworks).
extension PipelineSpec {
    /// Where a rule's `band:` condition is in the pipeline file, to name it
    /// when the log's frameworks do not have one of its bands.
    public struct BandPlace: Hashable, Sendable {
        public var award: String
        public var codes: [String]
        /// `pipelines/nightly.yaml:21`.
        public var place: String
        /// `awards[0].conditions[1].band.in`.
        public var key: String?
    }

    /// What a run checks before it writes anything: the selection matches
    /// something in the log, and every award rule can be met there.
    public func check(against frameworks: [Partition: Framework]) throws {
        try checkSelection(against: Array(frameworks.keys))
        try checkAwards(against: frameworks)
    }

    /// Throws when the pipeline selects no partition of the log, naming
    /// the part of the selection that matches nothing and what the log has.
    public func checkSelection(against partitions: [Partition]) throws {
        guard !partitions.contains(where: selects) else { return }
        guard !partitions.isEmpty else {
            throw PipelineError(code: .badSpec, place: "pipeline \(name)", message: "the log holds no framework yet, so there is nothing to rank",
                                hint: "import framework.published events first")
        }
        func list<T: Comparable>(_ values: Set<T>, _ text: (T) -> String) -> String { values.sorted().map(text).joined(separator: ", ") }
        var why: [String] = []
        if case .only(let wanted) = indexes, Set(partitions.map(\.index)).isDisjoint(with: wanted) {
            why.append("indexes [\(list(wanted) { $0.rawValue })] are not in the log (it has \(list(Set(partitions.map(\.index))) { $0.rawValue }))")
        }
        if case .only(let wanted) = years, Set(partitions.map(\.year)).isDisjoint(with: wanted) {
            why.append("years [\(list(wanted) { String($0) })] are not in the log (it has \(list(Set(partitions.map(\.year))) { String($0) }))")
        }
        if case .only(let wanted) = blocks, Set(partitions.map(\.block)).isDisjoint(with: wanted) {
            why.append("blocks [\(list(wanted) { $0.rawValue })] are not in the log (it has \(list(Set(partitions.map(\.block))) { $0.rawValue }))")
        }
        if why.isEmpty { why.append("no partition of the log has the selected index, year and block together") }
        throw PipelineError(code: .badSpec, place: "pipeline \(name)", key: "select",
                            message: "selects nothing: " + why.joined(separator: "; "),
                            hint: "the log has: " + partitions.sorted().map(\.description).joined(separator: "; "))
    }

    /// Checks every `band:` condition against the frameworks of the
    /// partitions this pipeline selects; throws naming the YAML line, the
    /// band, the framework and the bands it has.
    public func checkAwards(against frameworks: [Partition: Framework]) throws {
        let selected = frameworks.filter { selects($0.key) }.sorted { $0.key < $1.key }
        for band in bandPlaces {
            for code in band.codes {
                let lacking = selected.filter { entry in !entry.value.bands.contains { $0.code == code } }
                guard let first = lacking.first else { continue }
                let has = first.value.bands.map(\.code).joined(separator: ", ")
                let more = lacking.count > 1 ? " and \(lacking.count - 1) other partition\(lacking.count == 2 ? "" : "s")" : ""
                throw PipelineError(code: .badSpec, place: band.place, key: band.key,
                                    message: "award \(band.award): band \"\(code)\" is not a band of framework \(first.value.id) (\(first.key))\(more), so no unit there could ever pass this condition",
                                    hint: "bands of \(first.value.id): \(has)")
            }
        }
    }

    /// A rule's conditions taken together: refuses a set no unit can meet
    /// (rank ≥ 3 with rank ≤ 2, two band lists with no band in common).
    static func checkTogether(_ conditions: [(condition: AwardCondition, node: SpecNode)]) throws {
        var atLeast: (Int, SpecNode)?, atMost: (Int, SpecNode)?, bands: (Set<String>, SpecNode)?
        for (condition, node) in conditions {
            switch condition {
            case .rankAtLeast(let n): if atLeast == nil || n > atLeast!.0 { atLeast = (n, node) }
            case .rankAtMost(let n): if atMost == nil || n < atMost!.0 { atMost = (n, node) }
            case .bandIn(let codes):
                let set = Set(codes)
                if let (before, first) = bands, before.isDisjoint(with: set) {
                    throw node.error("no band is in both [\(codes.joined(separator: ", "))] and the list on line \(first.line), so no unit can pass",
                                     hint: "give one band: condition with the bands that qualify")
                }
                bands = (bands.map { $0.0.intersection(set) } ?? set, bands?.1 ?? node)
            default: break
            }
            if let (low, lowNode) = atLeast, let (high, highNode) = atMost, low > high {
                let later = lowNode.line > highNode.line ? lowNode : highNode
                throw later.error("rank ≥ \(low) and rank ≤ \(high) together: an empty range, no unit can pass",
                                  hint: "the smaller bound first: rank: { min: \(high), max: \(low) }")
            }
        }
    }
}
