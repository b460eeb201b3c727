import ArgumentParser

@main
struct Parledger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parledger",
        abstract: "An append-only, tamper-evident log of public-administration reform scores, and the batch jobs that replay it.",
        version: Version.text,
        subcommands: [InitCommand.self, ImportCommand.self, ExportCommand.self, VerifyCommand.self, StatCommand.self, GenerateCommand.self, RunCommand.self, RankCommand.self, TrendCommand.self, AwardsCommand.self, DemoCommand.self, ExplainCommand.self, HistoryCommand.self, AppealCommand.self, VerifySnapshotCommand.self, DiffCommand.self,
                      KeyCommand.self, SignCommand.self, CheckpointCommand.self, ProveCommand.self, CheckProofCommand.self, WitnessCommand.self, AuditKitCommand.self, CheckKitCommand.self]
    )
}
