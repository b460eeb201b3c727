import EventLog
import Foundation

/// A log's origin: the first line of its checkpoints (C2SP tlog-checkpoint),
/// naming the log, e.g. `cchc.example.gov.vn/par`. Kept in the log's marker
/// file `parledger.log` as the line `origin: <origin>` after the format line.
public enum LogOrigin {
    static var markerName: String { LogReader.markerName }
    static let prefix = "origin: "

    /// Checks an origin: 1–255 printable characters, no spaces, no '+'.
    public static func validate(_ origin: String) throws {
        guard !origin.isEmpty, origin.utf8.count <= 255,
              origin.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !$0.properties.isWhitespace && $0 != "+" }) else {
            throw TransparencyError("origin \"\(origin)\" must be 1 to 255 characters without spaces or '+'",
                                   hint: "use a schema-less URL that names the log, e.g. cchc.example.gov.vn/par")
        }
    }

    /// The origin recorded for the log in `directory`; an error when there is none.
    public static func read(directory: String) throws -> String {
        let marker = directory + "/" + markerName
        guard let data = FileManager.default.contents(atPath: marker) else {
            throw TransparencyError("no parledger log in \(directory)", hint: "create one with `parledger init --log \(directory) --origin NAME`")
        }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            return String(line.dropFirst(prefix.count))
        }
        throw TransparencyError("the log in \(directory) has no origin, so it cannot sign checkpoints",
                               hint: "name it once with `parledger init --log \(directory) --origin NAME` (e.g. cchc.example.gov.vn/par); the log's events are not changed")
    }

    /// Records the origin of an existing log (once: a log's origin never changes).
    public static func set(_ origin: String, directory: String) throws {
        try validate(origin)
        let marker = directory + "/" + markerName
        guard let data = FileManager.default.contents(atPath: marker) else {
            throw TransparencyError("no parledger log in \(directory)", hint: "create one with `parledger init --log \(directory)`")
        }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let existing = lines.first(where: { $0.hasPrefix(prefix) }) {
            let current = String(existing.dropFirst(prefix.count))
            if current == origin { return }
            throw TransparencyError("the log in \(directory) already has the origin \(current)",
                                   hint: "an origin never changes: checkpoints already signed name it")
        }
        try appendMarkerLine(prefix + origin, directory: directory)
    }

    /// The marker's lines, or nil when there is no log.
    static func markerLines(directory: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + markerName) else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Adds a `key: value` line to the marker, atomically (a new file renamed over it).
    static func appendMarkerLine(_ line: String, directory: String) throws {
        let marker = directory + "/" + markerName
        guard var lines = markerLines(directory: directory) else {
            throw TransparencyError("no parledger log in \(directory)", hint: "create one with `parledger init --log \(directory)`")
        }
        lines.append(line)
        do {
            try DurableFile.replace(marker, with: Array((lines.joined(separator: "\n") + "\n").utf8))
        } catch {
            throw TransparencyError("cannot change the marker: \(error)")
        }
    }
}
