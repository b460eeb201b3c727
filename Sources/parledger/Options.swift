import ArgumentParser
import Foundation
import EventLog

/// `--log DIR`, shared by every command.
struct LogLocation: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The log directory.", valueName: "dir"))
    var log: String = "events"
}

/// Prints an error the way every command does: on stderr, then exits non-zero.
func fail(_ error: any Error, exitCode: Int32 = 1) -> ExitCode {
    let text = FileSystemMessage.describe(error).map { $0 + (FileSystemMessage.hint(error).map { " (\($0))" } ?? "") } ?? "\(error)"
    Terminal.writeError("parledger: error: \(text)\n")
    return ExitCode(exitCode)
}

func printErr(_ text: String) {
    Terminal.writeError(text + "\n")
}

/// Bytes for people: `1.2 MiB`.
func humanBytes(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(n)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
}

/// A failure message of the command itself (a missing file, a bad flag value).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func fail(_ message: String) -> ExitCode { fail(CommandFailure(message)) }
