import ArgumentParser
import DataGen
import Foundation
import Ledger
import ScoreModel
import Transparency

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate seeded data sets as JSON Lines.",
        subcommands: [Demo.self, Signed.self, Examples.self, National.self])

    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the demo province (PAR Index 2022–2023, 17 departments, 12 districts) as JSON Lines files.",
            discussion: "The files in events/demo/ are this command's output with the default seed; a test keeps them in step.")

        @Option(help: ArgumentHelp("Directory for the files.", valueName: "dir"))
        var out: String = "events/demo"

        @Option(help: "Seed of the generator.")
        var seed: UInt64 = 2023

        func run() throws {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for file in DemoProvince.files(seed: seed) {
                let text = file.events.map { EventJSON.encode($0) + "\n" }.joined()
                try Data(text.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent(file.name), options: .atomic)
                print("\(out)/\(file.name): \(file.events.count) events")
            }
        }
    }

    struct Signed: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the demo province as signed submissions for one log (docs/SIGNATURES.md).",
            discussion: """
            Two files: 01-registrar.jsonl (the registrar registers itself, the units, the frameworks \
            and the actors: a council per block, an account per unit, a survey institute, an appeals \
            board) and 02-submissions.jsonl (each actor's events, signed as batches). Import them one \
            after the other into a log made with `init --origin ORIGIN --require-signatures`. The \
            keys are THROWAWAY TEST KEYS derived from a public phrase: never use them for a real log.
            """)

        @Option(help: ArgumentHelp("Directory for the files.", valueName: "dir")) var out: String
        @Option(help: ArgumentHelp("The origin of the log the batches are signed for.", valueName: "name"))
        var origin: String = SignedProvince.demoOrigin
        @Option(help: ArgumentHelp("Sign these events (JSON Lines, e.g. from `generate national`) instead of the demo province's.", valueName: "file"))
        var events: String?

        func run() throws {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var input = DemoProvince.events()
            if let events {
                input = []
                let bytes = try InputFile.read(events)
                for (n, line) in bytes.split(separator: 0x0A).enumerated() {
                    do { input.append(try Array(line).withUnsafeBytes { try EventJSON.decode(line: $0) }) } catch {
                        throw CommandFailure("\(events):\(n + 1): \(error)")
                    }
                }
            }
            let files = try SignedProvince.submissions(input, origin: origin, at: SignedProvince.demoTime)
            for (name, text) in zip(SignedProvince.fileNames, files) {
                try Data(text.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent(name), options: .atomic)
                print("\(out)/\(name): \(text.split(separator: "\n").count) lines, signed for \(origin)")
            }
        }
    }

    struct Examples: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the bundled examples as JSON Lines, one file per published table in DIR/published/.",
            discussion: """
            Each table becomes units, a framework, appraisal and survey points whose exact values \
            round to the printed figures, and its publication. Where the print does not fix a value \
            the generator chooses one and says so. The files in events/examples/ are this command's \
            output; a test keeps them in step.
            """)

        @Option(help: ArgumentHelp("The examples directory (tables read from DIR/published/).", valueName: "dir"))
        var dir: String = "events/examples"

        func run() throws {
            for example in try DemoCommand.loadExamples(dir) {
                let text = example.events.map { EventJSON.encode($0) + "\n" }.joined()
                let path = dir + "/" + example.eventFile
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                print("\(path): \(example.events.count) events")
                for choice in example.choices { print("  chosen: \(choice)") }
            }
        }
    }

    struct National: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A seeded national data set (default 63 provinces × 130 units × 80 items × 5 years, about 6.3 million events, in business time order).",
            discussion: """
            --out writes JSON Lines (- for standard output); --log appends straight into a log \
            (binary records in durable batches of 100,000, without the importer's checks: the \
            generator's events are valid by construction, as its tests check).
            """)

        @Option(help: "Provinces (1–63).") var provinces = 63
        @Option(help: "Units per province (15% departments, 8% districts, the rest communes).") var units = 130
        @Option(help: "Items per framework (a multiple of 10).") var items = 80
        @Option(help: "First year.") var from = 2019
        @Option(help: "Last year.") var to = 2023
        @Option(help: "Seed.") var seed: UInt64 = 1
        @Option(help: "Revisions: about 2×N corrections and N appeals per 1,000 unit-items (1 the usual share, 50 a heavy one; 0–500).") var revisions = 1
        @Option(help: ArgumentHelp("Write JSON Lines to this file (- for standard output).", valueName: "file")) var out: String?
        @Option(help: ArgumentHelp("Append into this log (created if missing).", valueName: "dir")) var log: String?

        func validate() throws {
            guard (out == nil) != (log == nil) else { throw ValidationError("give --out FILE or --log DIR") }
            guard (1...63).contains(provinces), units >= 3, items >= 20, items % 10 == 0, from <= to, (0...500).contains(revisions) else {
                throw ValidationError("--provinces 1–63, --units ≥ 3, --items a multiple of 10 ≥ 20, --from ≤ --to, --revisions 0–500")
            }
        }

        func run() throws {
            let set = NationalDataSet(provinces: provinces, unitsPerProvince: units, items: items, years: from...to, seed: seed, revisions: revisions)
            var count = 0
            if let out {
                let sink: FileHandle
                if out == "-" { sink = .standardOutput } else {
                    guard FileManager.default.createFile(atPath: out, contents: nil) else { throw CommandFailure("cannot create \(out)") }
                    sink = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
                }
                var buffer: [UInt8] = []
                try set.generate { event in
                    buffer.append(contentsOf: EventJSON.encode(event).utf8)
                    buffer.append(0x0A)
                    count += 1
                    if buffer.count >= 1 << 20 { sink.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
                }
                sink.write(Data(buffer))
                if out != "-" { try sink.close(); printErr("\(out): \(count) events") }
            } else if let log {
                let seeded = try Ledger.seed(directory: log) { emit in try set.generate(emit) }
                print("\(log): \(seeded.count) events, head \(seeded.head)")
            }
        }
    }
}
