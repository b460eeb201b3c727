import ArgumentParser
import Pipelines

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "What changed between two snapshot directories: units, ranks, percents, bands, award verdicts.",
        discussion: "Exit status as diff(1): 0 when nothing changed, 1 when something did, 2 when the snapshots cannot be compared.")

    @Argument(help: ArgumentHelp("The earlier snapshot directory.", valueName: "a")) var a: String
    @Argument(help: ArgumentHelp("The later snapshot directory.", valueName: "b")) var b: String
    @Option(help: "Output: table, json or csv.") var format: OutputFormat = .table
    @Flag(help: "With --format csv: begin with a UTF-8 byte-order mark, for Excel.") var bom = false

    func validate() throws {
        if bom && format != .csv { throw ValidationError("--bom goes with --format csv") }
    }

    func run() throws {
        let report: SnapshotDiff.Report
        do { report = try SnapshotDiff.compare(a, b) } catch { throw fail(error, exitCode: 2) }
        for warning in report.warnings { printErr("parledger: warning: \(warning)") }
        let changes = report.changes
        switch format {
        case .json:
            printJSON(.array(changes.map { .object([("file", .string($0.file)), ("unit", .string($0.unit)), ("field", .string($0.field)),
                                                    ("before", .string($0.before)), ("after", .string($0.after))]) }))
        case .csv:
            var t = CSVTable(header: ["file", "unit", "field", "before", "after"])
            for c in changes { t.append([.text(c.file), .text(c.unit), .text(c.field), .text(c.before), .text(c.after)]) }
            printCSV(t, bom: bom)
        case .table:
            if changes.isEmpty { print("no changes") } else {
                var t = TextTable([.init("file"), .init("unit"), .init("field"), .init("before", .right), .init("after", .right)])
                for c in changes { t.append([c.file, c.unit, c.field, c.before, c.after]) }
                print(t.render(), terminator: "")
            }
        }
        if !changes.isEmpty { throw ExitCode(1) }
    }
}
