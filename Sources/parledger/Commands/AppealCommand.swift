import Primitives
import ArgumentParser
import Pipelines
import Projections
import ScoreModel

struct AppealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appeal", abstract: "Appeals: list them, or weigh one.", subcommands: [List.self, WhatIf.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open and resolved appeals, with their state.")
        @OptionGroup var location: LogLocation
        @OptionGroup var read: ReadOptions
        @Flag(help: "Only open appeals.") var open = false
        @OptionGroup var signer: SignerOptions

        func run() throws {
            let book = try read.book(location)
            let appeals = book.appeals.values.filter { !open || $0.isOpen }.sorted { $0.filed < $1.filed }
            if appeals.isEmpty {
                throw CommandFailure(book.appeals.isEmpty ? "the log holds no appeal" : "no open appeal: all \(book.appeals.count) appeals are resolved (`appeal list` shows them)")
            }
            let signers = try signer.lookup(location, Set(appeals.flatMap { [$0.filed] + ($0.resolvedSeq.map { [$0] } ?? []) }))
            func by(_ seq: Seq?) -> String { seq.flatMap { signers?[$0]?.label } ?? "unsigned" }
            switch read.format {
            case .json:
                printJSON(.array(appeals.map { a in
                    .object([("appeal", .string(a.id.rawValue)), ("unit", .string(a.key.unit.rawValue)), ("index", .string(a.key.index.rawValue)),
                             ("year", .number(String(a.key.year))), ("item", .string(a.key.item.rawValue)),
                             ("current", book.effective(a.key).isApplicable ? .number(book.effective(a.key).points.description) : .null),
                             ("requested", .number(a.requested.description)),
                             ("filed", .number(String(a.filed.rawValue))), ("state", .string(a.resolution?.outcome.rawValue ?? "open")),
                             ("score", a.resolution?.score.map { .number($0.description) } ?? .null)]
                            + signerMembers(signers, a.filed, prefix: "filedBy")
                            + signerMembers(signers, a.resolvedSeq, prefix: "resolvedBy"))
                }))
            case .csv:
                var t = CSVTable(header: ["appeal", "unit", "index", "year", "item", "current", "requested", "filed", "state", "score"])
                for a in appeals {
                    let current = book.effective(a.key)
                    t.append([.text(a.id.rawValue), .text(a.key.unit.rawValue), .text(a.key.index.rawValue), .number(String(a.key.year)),
                              .text(a.key.item.rawValue), current.isApplicable ? .number(current.points.description) : .empty, .number(a.requested.description), .number(String(a.filed.rawValue)),
                              .text(a.resolution?.outcome.rawValue ?? "open"), a.resolution?.score.map { .number($0.description) } ?? .empty])
                }
                printCSV(t, bom: read.bom)
            case .table:
                var t = TextTable([.init("appeal"), .init("unit"), .init("year", .right), .init("item"), .init("current", .right),
                                   .init("requested", .right), .init("filed", .right), .init("state")]
                                  + (signers == nil ? [] : [.init("filed by"), .init("resolved by")]))
                for a in appeals {
                    let state = a.resolution.map { r in r.outcome.rawValue + (r.score.map { " → \($0)" } ?? "") } ?? "open"
                    t.append([a.id.rawValue, a.key.unit.rawValue, String(a.key.year), a.key.item.rawValue, ExplainCommand.value(book.effective(a.key)),
                              a.requested.description, a.filed.label, state]
                             + (signers == nil ? [] : [by(a.filed), a.resolvedSeq == nil ? "" : by(a.resolvedSeq)]))
                }
                print(t.render(), terminator: "")
            }
        }
    }

    struct WhatIf: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "what-if",
            abstract: "The ranking and award verdicts of the appeal's block and year, today and as if the appeal were upheld as requested.")
        @OptionGroup var location: LogLocation
        @OptionGroup var read: ReadOptions
        @Argument(help: "The appeal id.") var appeal: String
        @Option(help: ArgumentHelp("The pipeline whose award rules apply.", valueName: "file")) var pipeline: String = "pipelines/nightly.yaml"

        func run() throws {
            let book = try read.book(location)
            guard let state = book.appeals[AppealID(appeal)], let unit = book.units[state.key.unit] else {
                throw CommandFailure("no appeal \(appeal) in the log; `parledger appeal list` shows them")
            }
            let spec = try PipelineRunner.load(pipeline)
            let p = Partition(index: state.key.index, year: state.key.year, block: unit.block)
            try spec.checkAwards(against: book.frameworks.filter { $0.key == p })
            guard let w = book.whatIf(appeal: AppealID(appeal), rules: spec.awards) else { throw CommandFailure("no framework for \(p)") }
            let (today, after, awardsToday, awardsAfter, changed) = (w.today, w.ifUpheld, w.awardsToday, w.awardsIfUpheld, w.changed)
            switch read.format {
            case .json:
                printJSON(.object([
                    ("appeal", .string(appeal)), ("unit", .string(state.key.unit.rawValue)), ("item", .string(state.key.item.rawValue)),
                    ("current", .number(w.current.points.description)), ("requested", .number(state.requested.description)),
                    ("changed", .array(changed.sorted().map { .string($0.rawValue) })),
                    ("today", Render.rankingRows(today)), ("ifUpheld", Render.rankingRows(after)),
                    ("awardsToday", Render.awardsJSON(p, awardsToday)), ("awardsIfUpheld", Render.awardsJSON(p, awardsAfter)),
                ]))
            case .csv:
                var t = CSVTable(header: ["appeal", "index", "year", "block", "unit", "name", "changed", "today_percent", "today_rank", "today_band",
                                          "if_upheld_percent", "if_upheld_rank", "if_upheld_band", "awards_today", "awards_if_upheld"])
                func cells(_ r: RankingRow?) -> [CSVTable.Cell] {
                    [r?.percent.map { .number($0.description) } ?? .empty, r?.rank.map { .number(String($0)) } ?? .empty, r?.band.map { .text($0.code) } ?? .empty]
                }
                for row in after.rows {
                    let a1 = AppealWhatIf.eligible(awardsToday, row.unit).map(\.award).joined(separator: " ")
                    let a2 = AppealWhatIf.eligible(awardsAfter, row.unit).map(\.award).joined(separator: " ")
                    t.append([.text(appeal), .text(p.index.rawValue), .number(String(p.year)), .text(p.block.rawValue), .text(row.unit.rawValue),
                              .text(row.name), .text(changed.contains(row.unit) ? "yes" : "no")] + cells(today.row(row.unit)) + cells(row)
                             + [.text(a1), .text(a2)])
                }
                printCSV(t, bom: read.bom)
            case .table:
                print("appeal \(appeal): \(unit.name) (\(unit.code)), item \(state.key.item), \(ExplainCommand.value(w.current)) → requested \(state.requested)")
                print("\(p): \(changed.isEmpty ? "no rank, band or award changes if it is upheld" : "\(changed.count) unit\(changed.count == 1 ? "'s" : "s'") rank, band or awards change (marked *)")\n")
                var t = TextTable([.init(""), .init("unit"), .init("name"), .init("today", .right), .init("rank", .right), .init("band"),
                                   .init("if upheld", .right), .init("rank", .right), .init("band"), .init("awards today"), .init("awards if upheld")])
                for row in after.rows {
                    let old = today.row(row.unit)
                    let a1 = AppealWhatIf.eligible(awardsToday, row.unit).map(\.awardName).joined(separator: ", ")
                    let a2 = AppealWhatIf.eligible(awardsAfter, row.unit).map(\.awardName).joined(separator: ", ")
                    t.append([changed.contains(row.unit) ? "*" : "", row.unit.rawValue, row.name, old?.percent?.description ?? "—",
                              old?.rank.map(String.init) ?? "—", bandLabel(old?.band), row.percent?.description ?? "—",
                              row.rank.map(String.init) ?? "—", bandLabel(row.band), a1, a2])
                }
                print(t.render(), terminator: "")
            }
        }
    }
}
