import ArgumentParser
import Foundation

@main
struct Parledger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parledger",
        abstract: "An append-only, tamper-evident log of public-administration reform scores, and the batch jobs that replay it.",
        version: Version.text,
        subcommands: [InitCommand.self, ImportCommand.self, ExportCommand.self, VerifyCommand.self, StatCommand.self, GenerateCommand.self, RunCommand.self, RankCommand.self, TrendCommand.self, AwardsCommand.self, DemoCommand.self, ExplainCommand.self, HistoryCommand.self, AppealCommand.self, VerifySnapshotCommand.self, DiffCommand.self,
                      KeyCommand.self, CheckpointCommand.self, ProveCommand.self, CheckProofCommand.self, WitnessCommand.self, AuditKitCommand.self, CheckKitCommand.self, SignCommand.self,
                      ImpactCommand.self]
    )

    /// The one place a command's failure is reported: a command throws, and
    /// this prints `parledger: error: …` (what, where, what to do) on
    /// standard error and exits non-zero. Errors of the argument parser
    /// (usage, `--help`, `--version`) are reported by it, as usual.
    static func main() {
        var command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)   // the command said what it had to
        } catch where exitCode(for: error) != .failure {
            // The argument parser's own outcomes (`--help` reaching a
            // command, a usage error, a clean exit) are printed by it.
            exit(withError: error)
        } catch {
            Foundation.exit(fail(error).rawValue)
        }
    }
}
