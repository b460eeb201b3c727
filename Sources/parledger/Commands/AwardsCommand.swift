import ArgumentParser
import Pipelines
import Projections
import ScoreModel

struct AwardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "awards", abstract: "Award eligibility of every unit, with the reason for each verdict.")

    @OptionGroup var location: LogLocation
    @OptionGroup var read: ReadOptions
    @Option(help: "The year.") var year: Int
    @Option(help: "Only this block.") var block: String?
    @Option(help: "The index.") var index: String = "PAR"
    @Option(help: ArgumentHelp("The pipeline whose award rules apply.", valueName: "file")) var pipeline: String = "pipelines/nightly.yaml"
    @Flag(help: "List every unit's verdict, not only the eligible ones (table format).") var all = false

    func run() throws {
        let spec: PipelineSpec
        spec = try PipelineRunner.load(pipeline)
        guard !spec.awards.isEmpty else { throw CommandFailure("\(pipeline) declares no awards") }
        let book = try read.book(location)
        let partitions = book.partitions.filter { $0.index.rawValue == index && $0.year == year && (block == nil || $0.block.rawValue == block) }
        guard !partitions.isEmpty else {
            let known = book.partitions.isEmpty ? "none" : book.partitions.map(\.description).joined(separator: "; ")
            throw CommandFailure("no framework for \(index) \(year)\(block.map { " block \($0)" } ?? "") in the log (known: \(known))")
        }
        try spec.checkAwards(against: book.frameworks.filter { partitions.contains($0.key) })
        let results = partitions.map { ($0, book.awards($0, rules: spec.awards)) }
        switch read.format {
        case .json: printJSON(.array(results.map { Render.awardsJSON($0.0, $0.1) }))
        case .csv: printCSV(Render.awardsCSV(results), bom: read.bom)
        case .table: for r in results { print(Self.table(r.0, r.1, all: all)) }
        }
    }

    static func table(_ p: Partition, _ verdicts: [AwardVerdict], all: Bool) -> String {
        var out = "\(p.index) \(p.year) · \(p.block)\n"
        for award in Array(Set(verdicts.map(\.award))).sorted(by: { a, b in
            verdicts.firstIndex { $0.award == a }! < verdicts.firstIndex { $0.award == b }!
        }) {
            let list = verdicts.filter { $0.award == award }
            let eligible = list.filter { $0.status == .eligible }
            let provisional = list.first?.provisional == true ? " (provisional)" : ""
            out += "  \(list[0].awardName): " + (eligible.isEmpty ? "no unit eligible" : eligible.map(\.name).joined(separator: ", ")) + provisional + "\n"
            for v in (all ? list : eligible) {
                out += "    \(v.status == .eligible ? "✔" : "✘") \(v.name) (\(v.unit)): \(v.reason)\n"
            }
        }
        return out
    }
}
