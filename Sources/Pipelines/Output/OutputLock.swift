import EventLog
import Foundation

/// One writer per snapshot output at a time: an exclusive `flock(2)` on
/// `.<name>.lock` beside the output directory, held for a whole run (the
/// kernel drops it if the process dies). A second run into the same output
/// is refused with the holder's line, as the log's writer lock does.
public final class OutputLock: Sendable {
    public let path: String
    private let fd: Int32

    /// Takes the lock of the output `directory`, or throws naming its holder.
    public init(output directory: String) throws {
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(code: .badOutput, place: parent.path, message: "cannot create the output's parent directory: \(FileSystemMessage.describe(error) ?? "\(error)")",
                                hint: "check the path and its permissions")
        }
        path = parent.appendingPathComponent(".\(target.lastPathComponent).lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PipelineError(code: .badOutput, place: path, message: "cannot open the output lock: \(String(cString: strerror(errno)))",
                                hint: "check the directory's permissions")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw PipelineError(code: .badOutput, place: target.path,
                                message: "another run is writing this output" + (holder.isEmpty ? "" : " (\(holder))"),
                                hint: "wait for it to finish; one run writes an output at a time")
        }
        let line = "pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date())): \(CommandLine.arguments.joined(separator: " "))\n"
        _ = ftruncate(fd, 0)
        _ = line.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
