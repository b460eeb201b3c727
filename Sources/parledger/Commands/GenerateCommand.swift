import ArgumentParser
import DataGen
import Foundation
import ScoreModel

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate seeded data sets as JSON Lines.",
        subcommands: [Demo.self])

    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the demo province (PAR Index 2022–2023, 17 departments, 12 districts) as JSON Lines files.",
            discussion: "The files in events/demo/ are this command's output with the default seed; a test keeps them in step.")

        @Option(help: ArgumentHelp("Directory for the files.", valueName: "dir"))
        var out: String = "events/demo"

        @Option(help: "Seed of the generator.")
        var seed: UInt64 = 2023

        func run() throws {
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                for file in DemoProvince.files(seed: seed) {
                    let text = file.events.map { EventJSON.encode($0) + "\n" }.joined()
                    try Data(text.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent(file.name), options: .atomic)
                    print("\(out)/\(file.name): \(file.events.count) events")
                }
            } catch {
                throw fail(error)
            }
        }
    }
}
