import Dispatch
import Foundation
import Primitives
import EventLog
import ScoreModel

/// A file (or stdin) to import: its name for messages and its bytes, or a
/// stream that gives them a piece at a time.
public struct ImportSource: Sendable {
    public var name: String
    public var bytes: [UInt8]
    /// When set, the input is read from here instead of `bytes`, a chunk at
    /// a time: an import's memory does not grow with its input.
    public var stream: (any ImportStream)?
    public init(name: String, bytes: [UInt8]) { self.name = name; self.bytes = bytes }
    public init(name: String, stream: any ImportStream) { self.name = name; self.bytes = []; self.stream = stream }
}

/// An input read in pieces (a file, a pipe, standard input).
public protocol ImportStream: Sendable {
    /// Fills the start of `buffer`; returns how many bytes it put there, 0 at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
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
    /// Where the validation state came from, and whether it was saved.
    public var state = ValidationStateReport()
}

/// How an import came by the validation state of the log before it (a
/// saved state and the events after it, or a replay of the whole log),
/// and whether it saved the state after it.
public struct ValidationStateReport: Sendable {
    /// The seq of the saved state the import started from; nil when it replayed the log from the start.
    public var savedAt: Seq?
    /// The events replayed to build the state (after the saved state, or all of them).
    public var replayed = 0
    /// Whether the state after this import was saved beside the log.
    public var saved = false
    /// Why a saved state was not used, or the new one not saved, in words.
    public var notices: [String] = []
    /// The file the saved state's table is read from, as the import goes.
    var file: SealedFile?
    public init() {}
}

extension Ledger {
    /// The most issues an import lists before it counts the rest.
    public static let issueLimit = 50
    /// The bytes of input decoded in one round (cut at a line end).
    static let chunkBytes = 4 << 20

    /// Decodes, validates and appends every line of every source as one
    /// batch: all or nothing. On any issue nothing is written and the error
    /// lists the issues (file, line, field, reason).
    ///
    /// The input is streamed: each chunk of lines is decoded (on every
    /// core), validated and written as frames past the log's acknowledged
    /// end (``StagedAppend``), so memory does not grow with the input. The
    /// frames become part of the log only when everything passed; on any
    /// issue, or any error, they are removed and the log is byte for byte
    /// as it was.
    ///
    /// `gate` checks the batch's signatures (and the log's policy) before
    /// anything is acknowledged; without one, a file with `batch.signed`
    /// lines is refused, since its signatures cannot be checked.
    ///
    /// With `stateKey` (the runner's ``CheckpointKey``) the validation
    /// state comes from the sealed state saved beside the log
    /// (``ValidationStateFile``) and the events after it, and is saved
    /// again after the import when at least `stateSaveInterval` events
    /// (default ``stateSaveInterval``) were folded since; without one, or when the saved state does not
    /// check out, the whole log is replayed.
    public static func importEvents(_ sources: [ImportSource], into directory: String, options: LogOptions = LogOptions(),
                                    gate: (any ImportGate)? = nil, stateKey: CheckpointKey? = nil,
                                    stateSaveInterval: Int = Ledger.stateSaveInterval) throws -> ImportReport {
        // A missing log is named before any work is done.
        _ = try LogReader(directory: directory)
        let writer = try LogWriter(directory: directory, options: options)
        defer { writer.close() }
        let reader = try LogReader(directory: directory)
        let (before, stateReport) = try validationState(reader, directory: directory, key: stateKey)
        // Handed over, not shared: the first change to a table would otherwise copy it whole.
        var run = ImportRun(state: consume before, gate: gate)
        let staged = try writer.stage()
        do {
            for (file, source) in sources.enumerated() {
                run.startFile(source.name, index: file)
                try run.stage(staged)   // what the file before it held back, now validated
                // The next chunks are decoded on the pool, ``decodeAhead``
                // of them at a time, while this thread validates and
                // stages the one before: the pool has work while this
                // thread validates, and this thread seldom waits for it.
                var chunks = LineChunks(source)
                var ahead: [(chunk: LineChunks.Chunk, parts: Parallel.Pending<DecodedPart>)] = []
                defer { for pending in ahead { _ = pending.parts.wait() } }
                func readAhead() throws {
                    while ahead.count < decodeAhead, let chunk = try chunks.next() {
                        ahead.append((chunk, Parallel.start(partCount(chunk)) { k in decodePart(chunk, part: k) }))
                    }
                }
                try readAhead()
                var line = 0   // lines of the file before the chunk: counted by the decoding, not again here
                while !ahead.isEmpty {
                    let pending = ahead.removeFirst().parts
                    try readAhead()
                    line = try run.take(pending.take(), firstLine: line, staged: staged)
                }
            }
            try run.finish(staged: staged)
        } catch {
            staged.abandon()
            throw error
        }
        if let damage = stateReport.file?.damage {
            // A lookup (a correction's target, an appeal, an id) read the saved state and it did not match its seal (or its layout): nothing it decided is trusted.
            staged.abandon()
            unlink(ValidationStateFile.path(directory))
            throw LedgerError(message: "the saved validation state (\(ValidationStateFile.path(directory))) changed while this import used it: \(damage); nothing was imported, and the file was removed",
                              hint: "import the files again (the log is replayed); find out who writes the log directory")
        }
        if !run.issues.isEmpty {
            staged.abandon()
            run.issues.sort { ($0.file, $0.line) < ($1.file, $1.line) }
            let count = run.issues.count + run.more
            throw LedgerError(message: "import refused: \(count) problem\(count == 1 ? "" : "s") found; nothing was imported",
                              hint: "fix the lines above and import the files again", issues: run.issues, moreIssues: run.more)
        }
        guard staged.count > 0 else {
            staged.abandon()
            return ImportReport(appended: 0, skipped: run.skipped, firstSeq: nil, head: writer.head, recovery: writer.recovery, state: stateReport)
        }
        let receipt = try staged.commit()
        var report = ImportReport(appended: staged.count, skipped: run.skipped, firstSeq: receipt.firstSeq,
                                  head: receipt.head, recovery: writer.recovery, state: stateReport)
        // Saved while the writer's lock is held, so the state is the log's at this head.
        if let stateKey, receipt.head.seq.rawValue - (stateReport.savedAt?.rawValue ?? 0) >= UInt64(stateSaveInterval) {
            // The save reads every borrowed entry (its pieces checked then), so it can find damage the import did not.
            let bytes = Result { try ValidationStateFile.encoded(run.state, head: receipt.head, key: stateKey) }
            do {
                if let damage = stateReport.file?.damage {
                    unlink(ValidationStateFile.path(directory))
                    report.state.notices.append("the saved validation state changed while this import used it (\(damage)); it was removed, not saved again: the events were imported, checked against parts of it that matched their seal, and the next import replays the log")
                } else {
                    try DurableFile.replace(ValidationStateFile.path(directory), with: try bytes.get(), durable: false)
                    report.state.saved = true
                }
            } catch {
                report.state.notices.append("the validation state could not be saved (\(error)); the events were imported, and the next import replays the log")
            }
        }
        return report
    }

    /// An import saves the validation state when at least this many events
    /// (65,536) were folded since the saved one it started from: saving a
    /// national state (78 MB) costs about half a second of CPU, while
    /// replaying this many events costs less than a tenth of a second.
    public static let stateSaveInterval = 1 << 16

    /// The validation state of the log: from the saved state and the events
    /// after it when it checks out, else from a replay of the whole log.
    static func validationState(_ reader: LogReader, directory: String, key: CheckpointKey?) throws -> (LedgerState, ValidationStateReport) {
        var report = ValidationStateReport()
        var saved: LedgerState?
        switch ValidationStateFile.load(directory: directory, reader: reader, key: key) {
        case .usable(let state, let file):
            saved = state
            report.file = file
        case .discarded(let why):
            report.notices.append("the saved validation state (\(ValidationStateFile.fileName)) was not used: \(why); the log was replayed")
        case .none:
            break
        }
        // Taken out of the optional, so the state's tables are not shared (and copied whole) when the replay changes them.
        if var state = saved.take() {
            report.savedAt = Seq(state.nextSeq.rawValue - 1)
            try replay(reader, from: state.nextSeq) { state.apply($0) }
            report.replayed = Int(reader.head.seq.rawValue - report.savedAt!.rawValue)
            return (state, report)
        }
        let state = try state(of: reader)
        report.replayed = Int(reader.head.seq.rawValue)
        return (state, report)
    }

    /// How many chunks an import decodes ahead of the one it validates:
    /// two, so that the pool always has the next one to decode while this
    /// thread validates (about 4 MiB of input each).
    static let decodeAhead = 2

    /// How many parts a chunk is cut into to be decoded on every core.
    static func partCount(_ chunk: LineChunks.Chunk) -> Int { chunk.bytes.count < (1 << 20) ? 1 : Parallel.cores }

    /// Part `k` of a chunk cut at line ends, decoded; line numbers are
    /// counted from the part's start (``DecodedPart/lines`` adds them up).
    static func decodePart(_ chunk: LineChunks.Chunk, part k: Int) -> DecodedPart {
        if let long = chunk.overlong {
            return DecodedPart(events: [], errors: long.blank ? [] : [(1, .tooLong(long.bytes))], lines: 1)
        }
        let bytes = chunk.bytes
        let parts = partCount(chunk)
        func cut(_ k: Int) -> Int {
            if k == 0 { return 0 }
            if k == parts { return bytes.count }
            var at = max(1, bytes.count * k / parts)
            while at < bytes.count && bytes[at - 1] != 0x0A { at += 1 }
            return at
        }
        let (from, to) = (cut(k), max(cut(k), cut(k + 1)))
        var events: [(Int, Event)] = [], errors: [(Int, EventJSON.LineError)] = []
        events.reserveCapacity((to - from) / 150)
        let lines = bytes.withUnsafeBytes { all in
            forEachLine(UnsafeRawBufferPointer(rebasing: all[from..<to]), skippingBOM: k == 0 && chunk.startsFile) { number, line in
                do throws(EventJSON.LineError) { events.append((number, try EventJSON.decode(line: line))) } catch { errors.append((number, error)) }
            }
        }
        return DecodedPart(events: events, errors: errors, lines: lines)
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
            let end = ByteScan.firstIndex(of: 0x0A, in: all, from: start)
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

/// One part of a chunk, decoded on its own thread.
struct DecodedPart: Sendable {
    var events: [(Int, Event)]
    var errors: [(Int, EventJSON.LineError)]
    var lines: Int
}

/// An input cut into chunks of whole lines (about ``Ledger/chunkBytes``
/// each; a chunk holds at least one line, however long).
struct LineChunks {
    struct Chunk: Sendable {
        var bytes: [UInt8]
        /// The chunk starts the file (a byte-order mark may lead it).
        var startsFile: Bool
        /// Instead of bytes: one line longer than an event may be, read
        /// past without being kept (its length; whether it held only blanks).
        var overlong: (bytes: Int, blank: Bool)?
    }
    let source: ImportSource
    var offset = 0
    var carry: [UInt8] = []
    var ended = false
    var first = true
    /// Where the rest of an overlong line is read into, to be counted.
    var buffer: [UInt8] = []

    init(_ source: ImportSource) { self.source = source }

    mutating func next() throws -> Chunk? {
        var bytes: [UInt8]
        if let stream = source.stream {
            // Read straight into the chunk, after the partial line the previous chunk left, until it is full or the input ends.
            let capacity = carry.count + Ledger.chunkBytes
            var reached = false
            bytes = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = 0
                for b in carry { buffer.initializeElement(at: count, to: b); count += 1 }
                while count < capacity {
                    let n = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[count...]))
                    if n == 0 { reached = true; break }
                    count += n
                }
            }
            carry = []
            if reached { ended = true }
            // A line that is already too long is read past, not kept: memory stays bounded.
            if bytes.count > EventLimits.lineBytes + 2,
               bytes.withUnsafeBytes({ ByteScan.firstIndex(of: 0x0A, in: $0, from: 0) == $0.count }) {
                return try skipLine(bytes, stream)
            }
            if !ended, let last = bytes.lastIndex(of: 0x0A) {
                carry = Array(bytes[(last + 1)...])
                bytes.removeSubrange((last + 1)...)
            }
        } else {
            guard offset < source.bytes.count else { return nil }
            var end = min(source.bytes.count, offset + Ledger.chunkBytes)
            while end < source.bytes.count && source.bytes[end - 1] != 0x0A { end += 1 }
            bytes = Array(source.bytes[offset..<end])
            offset = end
        }
        guard !bytes.isEmpty else { return nil }
        let chunk = Chunk(bytes: bytes, startsFile: first)
        first = false
        return chunk
    }

    /// Reads to the end of a line too long to be an event, counting its
    /// bytes (without the line end, or a byte-order mark at the file's start).
    private mutating func skipLine(_ start: [UInt8], _ stream: any ImportStream) throws -> Chunk {
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }
        var count = start.count
        if first && start.starts(with: [0xEF, 0xBB, 0xBF]) { count -= 3 }
        var blank = start.dropFirst(first && start.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0).allSatisfy(isBlank)
        var last = start.last
        if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: 1 << 16) }
        while !ended {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { ended = true; break }
            let end = buffer[..<n].firstIndex(of: 0x0A) ?? n
            count += end
            blank = blank && buffer[..<end].allSatisfy(isBlank)
            if end > 0 { last = buffer[end - 1] }
            if end < n {
                carry = Array(buffer[(end + 1)..<n])
                break
            }
        }
        if last == 0x0D { count -= 1 }
        let chunk = Chunk(bytes: [], startsFile: first, overlong: (count, blank))
        first = false
        return chunk
    }
}
