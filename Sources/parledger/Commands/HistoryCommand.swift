import ArgumentParser
import Pipelines
import Projections
import ScoreModel
import Transparency

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every event that touched one item, in order, with the value after each.")

    @OptionGroup var location: LogLocation
    @OptionGroup var read: ReadOptions
    @Option(help: "The unit code.") var unit: String
    @Option(help: "The year.") var year: Int
    @Option(help: "The item code.") var item: String
    @Option(help: "The index.") var index: String = "PAR"
    @OptionGroup var signer: SignerOptions

    func run() throws {
        let (book, known) = try read.bookAndEvents(location, only: (UnitCode(unit), IndexCode(index), year))
        let key = ItemKey(unit: UnitCode(unit), index: IndexCode(index), year: year, item: ItemCode(item))
        if let problem = WhatExists.problem(book, unit: unit, index: index, year: year, item: item) { throw CommandFailure(problem) }
        guard book.item(key) != nil else { throw CommandFailure("no item \(item) for unit \(unit) in \(index) \(year)") }
        // The events the partition index already read, else the item's lineage from the log.
        let lineage = Set(book.ledger(key)?.lineage ?? [])
        var events = known
        if !lineage.allSatisfy({ known[$0] != nil }) { events = try PipelineRunner.events(log: location.log, seqs: lineage) }
        let history = book.history(key, lookup: { events[$0] }) ?? []
        guard !history.isEmpty else {
            throw CommandFailure("no event has touched item \(item) of \(unit) in \(index) \(year) yet: it counts 0 (status \(book.effective(key).status.rawValue))")
        }
        let signers = try signer.lookup(location, Set(history.map(\.line.seq)))
        switch read.format {
        case .json:
            printJSON(.array(history.map { h in
                .object([("seq", .number(String(h.line.seq.rawValue))), ("at", .string(RFC3339.format(h.line.at))), ("by", .string(h.line.by.rawValue)),
                         ("type", .string(h.line.type.rawValue)), ("value", h.line.value.map { .string($0) } ?? .null),
                         ("text", h.line.text.map { .string($0) } ?? .null),
                         ("after", h.after.isApplicable ? .number(h.after.points.description) : .string("not applicable")),
                         ("status", .string(h.after.status.rawValue))] + signerMembers(signers, h.line.seq))
            }))
        case .csv:
            var t = CSVTable(header: ["seq", "at", "by", "type", "value", "text", "after", "status"] + (signers == nil ? [] : ["signer", "signerRole", "signerRevokedFrom", "signerRevocation"]))
            for h in history {
                let s = signers?[h.line.seq]
                t.append([.number(String(h.line.seq.rawValue)), .text(RFC3339.format(h.line.at)), .text(h.line.by.rawValue), .text(h.line.type.rawValue),
                          h.line.value.map { .text($0) } ?? .empty, h.line.text.map { .text($0) } ?? .empty,
                          .text(ExplainCommand.value(h.after)), .text(h.after.status.rawValue)]
                         + (signers == nil ? [] : [s.map { .text($0.actor.rawValue) } ?? .empty, s?.role.map { .text($0.rawValue) } ?? .empty,
                                                   s?.revoked.map { .text(RFC3339.format($0.from)) } ?? .empty,
                                                   s?.revoked.map { .number(String($0.revocation.rawValue)) } ?? .empty]))
            }
            printCSV(t, bom: read.bom)
        case .table:
            print("\(book.units[key.unit]!.name) (\(unit)) · \(index) \(year) · item \(item) \(book.item(key)!.name)")
            var t = TextTable([.init("seq", .right), .init("at"), .init("by")] + (signers == nil ? [] : [.init("signed by")])
                              + [.init("event"), .init("value", .right), .init("after", .right), .init("status"), .init("note")])
            for h in history {
                let signed = signers.map { [$0[h.line.seq]?.label ?? "unsigned"] } ?? []
                t.append([h.line.seq.label, RFC3339.format(h.line.at), h.line.by.rawValue] + signed
                         + [h.line.type.rawValue, h.line.value ?? "", ExplainCommand.value(h.after), h.after.status.rawValue, h.line.text ?? ""])
            }
            print(t.render(), terminator: "")
        }
    }
}
