import Primitives
import ArgumentParser
import Pipelines
import Projections
import ScoreModel
import Transparency

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "How a unit's score was reached: the tree of points and the events behind each item.")

    @OptionGroup var location: LogLocation
    @OptionGroup var read: ReadOptions
    @Option(help: "The unit code.") var unit: String
    @Option(help: "The year.") var year: Int
    @Option(help: "The index.") var index: String = "PAR"
    @Option(help: "Only this item.") var item: String?
    @OptionGroup var signer: SignerOptions

    func run() throws {
        let (book, known) = try read.bookAndEvents(location, only: (UnitCode(unit), IndexCode(index), year))
        if let problem = WhatExists.problem(book, unit: unit, index: index, year: year, item: item) { throw CommandFailure(problem) }
        let seqs = book.lineage(unit: UnitCode(unit), index: IndexCode(index), year: year, item: item.map { ItemCode($0) })
        var events = known
        if !seqs.allSatisfy({ known[$0] != nil }) { events = try PipelineRunner.events(log: location.log, seqs: seqs) }
        guard let explanation = book.explain(unit: UnitCode(unit), index: IndexCode(index), year: year, item: item.map { ItemCode($0) },
                                             lookup: { events[$0] }) else {
            throw CommandFailure("no framework scores \(unit) in \(index) \(year)")
        }
        if let item, explanation.areas.isEmpty { throw CommandFailure("item \(item) is not in framework \(explanation.framework)") }
        let signers = try signer.lookup(location, seqs)
        switch read.format {
        case .json: printJSON(Self.json(explanation, signers: signers))
        case .csv:
            var t = CSVTable(header: ["area", "criterion", "item", "name", "points", "max", "status", "events"])
            for a in explanation.areas { for c in a.criteria { for i in c.items {
                t.append([.text(a.area.code.rawValue), .text(c.criterion.code.rawValue), .text(i.item.code.rawValue), .text(i.item.name),
                          i.effective.isApplicable ? .number(i.effective.points.description) : .empty, .number(i.item.max.description),
                          .text(i.effective.status.rawValue), .text(i.events.map { $0.seq.label }.joined(separator: " "))])
            } } }
            printCSV(t, bom: read.bom)
        case .table: print(Self.text(explanation, signers: signers), terminator: "")
        }
    }

    static func value(_ e: EffectiveScore) -> String { e.isApplicable ? e.points.formatted() : "n/a" }

    static func text(_ x: Explanation, signers: [Seq: VerifiedSigner]? = nil) -> String {
        var out = "\(x.unit.name) (\(x.unit.code)) · \(x.partition) · framework \(x.framework)\n"
        if let item = x.item {
            // One item: its points and maximum; a percent or band of one item would read as the unit's.
            out += "item \(item): \(x.max == .zero ? "not applicable" : "\(x.points.formatted()) of \(x.max.formatted()) points")"
            out += " (the unit's total, band and rank: explain without --item)\n"
        } else {
            out += "total \(x.points.formatted()) / \(x.max.formatted()) = \(x.percent?.description ?? "—")%"
            if let band = x.band { out += " · \(band.label)" }
            if let rank = x.rank { out += " · rank \(rank)" + (x.rule.isDefault ? "" : " (by \(x.rule))") }
            out += "\n"
        }
        for a in x.areas {
            out += x.item != nil ? "\n\(a.area.code)  \(a.area.name)\n"
                : "\n\(a.area.code)  \(a.area.name): \(a.points.formatted()) / \(a.max.formatted())\(a.percent.map { " (\($0)%)" } ?? "")\n"
            for c in a.criteria {
                out += x.item != nil ? "  \(c.criterion.code)  \(c.criterion.name)\n"
                    : "  \(c.criterion.code)  \(c.criterion.name): \(c.points.formatted()) / \(c.max.formatted())\n"
                for i in c.items {
                    var line = "    \(i.item.code)  \(i.item.name): \(value(i.effective)) / \(i.item.max.formatted())  [\(i.effective.status.rawValue)"
                    if let r = i.effective.round { line += " round \(r)" }
                    if i.amendedAfterPublication { line += ", amended after publication" }
                    out += line + "]\n"
                    for e in i.events {
                        out += "      \(e.seq.label)  \(RFC3339.format(e.at))  \(e.by)  \(e.type.rawValue)"
                        if let v = e.value { out += "  \(v)" }
                        out += "  — \(e.role)"
                        if let signers { out += "  [" + (signers[e.seq].map { "signed by \($0.label)" } ?? "unsigned") + "]" }
                        if let t = e.text { out += "  “\(TextTable.printable(t))”" }
                        out += "\n"
                    }
                }
            }
        }
        return out
    }

    static func json(_ x: Explanation, signers: [Seq: VerifiedSigner]? = nil) -> CanonicalJSON {
        func line(_ e: EventLine) -> CanonicalJSON {
            .object([("seq", .number(String(e.seq.rawValue))), ("at", .string(RFC3339.format(e.at))), ("by", .string(e.by.rawValue)),
                     ("type", .string(e.type.rawValue)), ("value", e.value.map { .string($0) } ?? .null), ("text", e.text.map { .string($0) } ?? .null),
                     ("role", .string(e.role))] + signerMembers(signers, e.seq))
        }
        return .object([
            ("unit", .string(x.unit.code.rawValue)), ("name", .string(x.unit.name)), ("index", .string(x.partition.index.rawValue)),
            ("year", .number(String(x.partition.year))), ("block", .string(x.partition.block.rawValue)), ("framework", .string(x.framework.rawValue)),
            ("points", .number(x.points.description)), ("max", .number(x.max.description)),
            ("percent", x.percent.map { .number($0.description) } ?? .null), ("band", x.band.map { .string($0.code) } ?? .null),
            ("rank", x.rank.map { .number(String($0)) } ?? .null),
        ] + Render.rankingRule(x.rule) + [
            ("areas", .array(x.areas.map { a in
                .object([("code", .string(a.area.code.rawValue)), ("name", .string(a.area.name)), ("points", .number(a.points.description)),
                         ("max", .number(a.max.description)),
                         ("criteria", .array(a.criteria.map { c in
                            .object([("code", .string(c.criterion.code.rawValue)), ("name", .string(c.criterion.name)),
                                     ("points", .number(c.points.description)), ("max", .number(c.max.description)),
                                     ("items", .array(c.items.map { i in
                                        .object([("code", .string(i.item.code.rawValue)), ("name", .string(i.item.name)),
                                                 ("points", i.effective.isApplicable ? .number(i.effective.points.description) : .null),
                                                 ("max", .number(i.item.max.description)), ("status", .string(i.effective.status.rawValue)),
                                                 ("round", i.effective.round.map { .number(String($0)) } ?? .null),
                                                 ("amendedAfterPublication", .bool(i.amendedAfterPublication)),
                                                 ("events", .array(i.events.map(line)))])
                                     }))])
                         }))])
            })),
        ])
    }
}
