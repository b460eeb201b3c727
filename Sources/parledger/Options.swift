import Primitives
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
    // A file-system error in words (path and reason), through the same
    // renderer as every other failure; any other error describes itself.
    let text = FileSystemMessage.describe(error).map { DiagnosticParts(code: .io, message: $0, hint: FileSystemMessage.hint(error)).text } ?? "\(error)"
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
struct CommandFailure: Diagnostic {
    let message: String
    var hint: String?
    init(_ message: String, hint: String? = nil) { self.message = message; self.hint = hint }
    var parts: DiagnosticParts { DiagnosticParts(code: .command, message: message, hint: hint) }
}

extension DiagnosticCode {
    /// A command's own refusal: a missing file, a flag value it cannot use.
    static let command = DiagnosticCode("command")
}

func fail(_ message: String) -> ExitCode { fail(CommandFailure(message)) }
