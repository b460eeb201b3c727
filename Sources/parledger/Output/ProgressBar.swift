import Foundation

/// A progress bar on stderr for long replays, drawn only when stderr is a
/// terminal (never in pipes, logs or CI) and only for logs long enough to
/// wait for.
enum ProgressBar {
    static var enabled: Bool { isatty(STDERR_FILENO) == 1 }

    /// A callback for the runner, or nil when no bar should be drawn.
    static func make(label: String) -> ((UInt64, UInt64) -> Void)? {
        guard enabled else { return nil }
        return { done, total in
            guard total >= 200_000 else { return }
            let width = 30
            let filled = total == 0 ? width : Int(done * UInt64(width) / total)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            var line = "\r\(label) \(bar) \(done * 100 / max(total, 1))%  \(done)/\(total) events"
            if done >= total { line += "\r" + String(repeating: " ", count: line.count) + "\r" }
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
