import Primitives
import EventLog
import ScoreModel

/// A file (or stdin) to import: its name for messages and its bytes.
public struct ImportSource: Sendable {
    public var name: String
    public var bytes: [UInt8]
    public init(name: String, bytes: [UInt8]) { self.name = name; self.bytes = bytes }
}

/// What an import did.
public struct ImportReport: Sendable {
    /// Events appended.
    public var appended: Int
    /// Lines skipped because the same event was already in the log.
    public var skipped: Int
    public var firstSeq: Seq?
    public var head: LogHead
    /// A torn tail the writer cut off on opening, if any.
    public var recovery: RecoveryReport?
}

extension Ledger {
    /// The most issues an import lists before it counts the rest.
    public static let issueLimit = 50

    /// Decodes, validates and appends every line of every source as one
    /// batch: all or nothing. On any issue nothing is written and the error
    /// lists the issues (file, line, field, reason).
    ///
    /// `gate` checks the batch's signatures (and the log's policy) before
    /// anything is written; without one, a file with `batch.signed` lines
    /// is refused, since its signatures cannot be checked.
    public static func importEvents(_ sources: [ImportSource], into directory: String, options: LogOptions = LogOptions(),
                                    gate: (any ImportGate)? = nil) throws -> ImportReport {
        // A missing log is named before any work is done.
        _ = try LogReader(directory: directory)
        // Decode first: a file with broken lines is refused before the log is touched.
        var batch: [(line: Int, event: Event)] = []
        var origins: [(file: String, line: Int)] = []
        var issues: [ImportIssue] = []
        var more = 0
        let estimate = sources.reduce(0) { $0 + $1.bytes.count / 160 }   // ~200 bytes a line: grow once or twice, not 20 times
        batch.reserveCapacity(estimate)
        origins.reserveCapacity(estimate)
        for source in sources {
            for part in decodeLines(source.bytes) {
                for (number, event) in part.events {
                    origins.append((source.name, number))
                    batch.append((origins.count, event))
                }
                for (number, error) in part.errors {
                    if issues.count < issueLimit { issues.append(error.at(file: source.name, line: number)) } else { more += 1 }
                }
            }
        }
        let writer = try LogWriter(directory: directory, options: options)
        defer { writer.close() }
        let reader = try LogReader(directory: directory)
        var state = try state(of: reader)
        let coverage = Coverage(batch, origins: origins)
        issues += coverage.issues
        // Validation sees the batch as one sequence; map its positions back to file:line.
        // Signatures, if any, are checked on another thread meanwhile.
        var result = ValidationResult()
        let signed = try checkSignatures(batch, origins: origins, coverage: coverage, actorsBefore: state.actors, gate: gate) {
            result = state.validate(batch, file: "", limit: issueLimit, signers: coverage.signers)
        }
        issues += signed.issues
        for issue in result.issues {
            let origin = origins[issue.line - 1]
            if issues.count < issueLimit {
                issues.append(ImportIssue(file: origin.file, line: origin.line, field: issue.field, message: issue.message))
            } else {
                more += 1
            }
        }
        more += result.moreIssues
        var payloads: [[UInt8]] = []
        if issues.isEmpty {
            payloads.reserveCapacity(result.accepted.count)
            if signed.records.isEmpty {
                for event in result.accepted { payloads.append(EventCodec.encode(event)) }
            } else {
                for line in result.acceptedLines { payloads.append(signed.records[line - 1]) }
            }
            if !coverage.groups.isEmpty || gate != nil {
                issues += gated(&result, &payloads, coverage, batch: batch, origins: origins, gate: gate)
            }
        }
        issues.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        if !issues.isEmpty {
            let count = issues.count + more
            throw LedgerError(message: "import refused: \(count) problem\(count == 1 ? "" : "s") found; nothing was imported",
                              hint: "fix the lines above and import the files again", issues: issues, moreIssues: more)
        }
        if result.accepted.isEmpty {
            return ImportReport(appended: 0, skipped: result.skipped.count, firstSeq: nil, head: writer.head, recovery: writer.recovery)
        }
        let receipt = try writer.append(payloads)
        return ImportReport(appended: result.accepted.count, skipped: result.skipped.count, firstSeq: receipt.firstSeq,
                            head: receipt.head, recovery: writer.recovery)
    }

    /// The decoded lines of a file, in order: the file cut at line ends into
    /// one part per core, each decoded on its own thread, with line numbers
    /// counted across parts.
    static func decodeLines(_ bytes: [UInt8]) -> [(events: [(Int, Event)], errors: [(Int, EventJSON.LineError)])] {
        let parts = bytes.count < (1 << 20) ? 1 : Parallel.cores
        // Cut points just after a line end; a BOM stays with the first part.
        var cuts = [0]
        for k in 1..<max(1, parts) {
            var at = max(cuts.last!, bytes.count * k / parts)
            while at < bytes.count && bytes[at - 1] != 0x0A { at += 1 }
            cuts.append(at)
        }
        cuts.append(bytes.count)
        let bounds = cuts
        let results = Parallel.map(parts) { k in
            var events: [(Int, Event)] = [], errors: [(Int, EventJSON.LineError)] = []
            let lines = bytes.withUnsafeBytes { all in
                forEachLine(UnsafeRawBufferPointer(rebasing: all[bounds[k]..<bounds[k + 1]]), skippingBOM: k == 0) { number, line in
                    do throws(EventJSON.LineError) { events.append((number, try EventJSON.decode(line: line))) } catch { errors.append((number, error)) }
                }
            }
            return DecodedPart(events: events, errors: errors, lines: lines)
        }
        var out: [(events: [(Int, Event)], errors: [(Int, EventJSON.LineError)])] = []
        var before = 0
        for r in results {
            out.append((r.events.map { ($0.0 + before, $0.1) }, r.errors.map { ($0.0 + before, $0.1) }))
            before += r.lines
        }
        return out
    }

    /// Calls `body` for each non-blank line (1-based numbers), without the
    /// line end (`\n` or `\r\n`) and without a UTF-8 byte-order mark at the
    /// start of the file.
    static func forEachLine(_ bytes: [UInt8], _ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in _ = try forEachLine(all, skippingBOM: true, body) }
    }

    /// The same over raw bytes; returns the number of lines (blank ones included).
    @discardableResult
    static func forEachLine(_ all: UnsafeRawBufferPointer, skippingBOM: Bool, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows -> Int {
        var start = 0
        if skippingBOM && all.count >= 3 && all[0] == 0xEF && all[1] == 0xBB && all[2] == 0xBF { start = 3 }
        var number = 0
        while start < all.count {
            var end = start
            while end < all.count && all[end] != 0x0A { end += 1 }
            number += 1
            var stop = end
            if stop > start && all[stop - 1] == 0x0D { stop -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: all[start..<stop])
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) { try body(number, line) }
            start = end + 1
        }
        return number
    }

    /// Writes the log as JSON Lines (with `seq` and `recordedAt`), one
    /// `write` call per line, from `from` through `through`.
    public static func export(directory: String, from: Seq = Seq(1), through: Seq? = nil, _ write: (String) throws -> Void) throws {
        try replay(directory: directory, from: from, limit: through.map { .seq($0) } ?? .head) { recorded in
            try write(EventJSON.encode(recorded))
        }
    }
}

/// One part of an import file, decoded on its own thread.
private struct DecodedPart: Sendable {
    var events: [(Int, Event)]
    var errors: [(Int, EventJSON.LineError)]
    var lines: Int
}
