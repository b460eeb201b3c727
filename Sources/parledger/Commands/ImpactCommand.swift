import Primitives
import ArgumentParser
import Pipelines
import Projections
import ScoreModel

/// `parledger impact --seq N`: what one event did to its unit and its block.
struct ImpactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact",
        abstract: "What one event did: its unit's points, percent, rank and band just before and just after it, and every other unit whose rank, band or award verdict moved.")
    @OptionGroup var location: LogLocation
    @Option(help: ArgumentHelp("The event's seq (`explain` and `history` show them).", valueName: "n")) var seq: UInt64
    @Option(help: ArgumentHelp("The pipeline whose award rules apply.", valueName: "file")) var pipeline: String = "pipelines/nightly.yaml"
    @Option(help: "Output: table (for people) or json.") var format: OutputFormat = .table

    func run() throws {
        let impact: EventImpact
        let rules = try PipelineRunner.load(pipeline).awards
        impact = try PipelineRunner.impact(log: location.log, seq: Seq(seq), rules: rules)
        let moves = [impact.unit] + impact.others
        switch format {
        case .json:
            func standing(_ s: Standing) -> CanonicalJSON {
                .object([("points", .number(s.points.description)), ("max", .number(s.max.description)),
                         ("percent", s.percent.map { .number($0.description) } ?? .null), ("rank", s.rank.map { .number(String($0)) } ?? .null),
                         ("band", s.band.map { .string($0.code) } ?? .null), ("awards", .array(s.awards.map { .string($0) }))])
            }
            func move(_ m: EventImpact.Move) -> CanonicalJSON {
                .object([("unit", .string(m.unit.rawValue)), ("name", .string(m.name)), ("before", standing(m.before)), ("after", standing(m.after)),
                         ("rankMoved", .bool(m.rankMoved)), ("bandMoved", .bool(m.bandMoved)), ("awardsMoved", .bool(m.awardsMoved))])
            }
            printJSON(.object([
                ("seq", .number(String(impact.seq.rawValue))), ("type", .string(impact.type.rawValue)), ("at", .string(RFC3339.format(impact.at))),
                ("by", .string(impact.by.rawValue)), ("index", .string(impact.partition.index.rawValue)), ("year", .number(String(impact.partition.year))),
                ("block", .string(impact.partition.block.rawValue)), ("item", .string(impact.key.item.rawValue)),
                ("target", impact.target.map { .number(String($0.rawValue)) } ?? .null), ("appeal", impact.appeal.map { .string($0.rawValue) } ?? .null),
                ("unit", move(impact.unit)), ("others", .array(impact.others.map(move))),
            ]))
        case .table, .csv:
            var head = "\(impact.seq.label) \(impact.type.rawValue) at \(RFC3339.format(impact.at)) by \(impact.by)"
            if let appeal = impact.appeal { head += ", appeal \(appeal)" }
            if let target = impact.target { head += ", on \(target.label)" }
            print(head)
            print("\(impact.partition): \(impact.unit.name) (\(impact.unit.unit)), item \(impact.key.item)")
            var t = TextTable([.init(""), .init("unit"), .init("name"), .init("points", .right), .init("percent", .right), .init("rank", .right),
                               .init("band"), .init("awards")])
            func arrow<T: Equatable>(_ a: T, _ b: T, _ show: (T) -> String) -> String { a == b ? show(a) : "\(show(a)) → \(show(b))" }
            for m in moves {
                t.append([m.rankMoved || m.bandMoved || m.awardsMoved ? "*" : "", m.unit.rawValue, m.name,
                          arrow(m.before.points, m.after.points) { $0.formatted(minimumDecimals: 2) },
                          arrow(m.before.percent, m.after.percent) { $0?.description ?? "—" },
                          arrow(m.before.rank, m.after.rank) { $0.map(String.init) ?? "—" },
                          arrow(m.before.band?.label, m.after.band?.label) { $0 ?? "—" },
                          arrow(m.before.awards, m.after.awards) { $0.isEmpty ? "—" : $0.joined(separator: ", ") }])
            }
            print(t.render(), terminator: "")
            print(impact.others.isEmpty ? "no other unit's rank, band or award verdict moved"
                  : "\(impact.others.count) other unit\(impact.others.count == 1 ? "'s" : "s'") rank, band or award verdict moved (marked *)")
        }
    }
}
