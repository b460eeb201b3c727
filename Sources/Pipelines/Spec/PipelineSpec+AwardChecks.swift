import Projections
import ScoreModel

/// Award rules that can never match are errors, not silent "ineligible"
/// verdicts: an empty range is refused when the pipeline is read, a band no
/// framework has when the run starts (it needs the log's frameworks).
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

    /// Checks every `band:` condition against the frameworks of the
    /// partitions this pipeline selects; throws naming the YAML line, the
    /// band, the framework and the bands it has.
    public func checkAwards(against frameworks: [Partition: Framework]) throws {
        guard projections.contains(.awards) else { return }
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
