import Primitives
import Crypto
import Foundation

/// Settings of a writer.
public struct LogOptions: Sendable {
    /// A new segment starts at the first batch boundary past this size.
    public var segmentSizeLimit: Int = 64 << 20
    /// Frames hold at most this many plain bytes (a larger batch spans
    /// several frames), so a reader's memory stays bounded.
    public var framePlainLimit: Int = 1 << 20
    /// zlib level, 1 (fast) to 9 (small). The default, 4, deflates a
    /// national log in about a third of level 6's time for 10% more bytes
    /// (docs/BENCHMARKS.md); a reader does not care which level wrote a frame.
    public var compressionLevel: Int32 = 4
    /// fsync before acknowledging. Off only for throwaway data.
    public var durable: Bool = true
    /// The writer's clock, µs since the Unix epoch (injectable for tests).
    public var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    public init() {}
}

/// What an acknowledged append got: its seqs and the new head.
public struct AppendReceipt: Hashable, Sendable {
    public let firstSeq: Seq
    public let lastSeq: Seq
    public let recordedAt: Int64
    public let head: LogHead
}

/// What opening a writer found and cut off.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    public let segment: String
    public let offset: FrameOffset
    public let bytesRemoved: Int
    public let reason: String
    public var description: String {
        "recovered: cut \(bytesRemoved) bytes at \(segment) offset \(offset) (\(reason))"
    }
}

/// The one writer of a log directory.
///
/// Holds an exclusive `flock` on `writer.lock` for its lifetime (released by
/// the kernel if the process dies). Each `append` is one batch: all of its
/// records become visible together, after fsync of the segment and then of
/// the acknowledged-head record (`parledger.head`), or none do. Appends from
/// several threads at once are grouped: one leader writes every waiting
/// batch and syncs once (group commit).
///
/// ```swift
/// let writer = try LogWriter(directory: "events")
/// let receipt = try writer.append([Array("hello".utf8)])
/// print(receipt.firstSeq, receipt.head.hash.hex)
/// ```
public final class LogWriter: Sendable {
    public let directory: String
    public let options: LogOptions
    /// What was cut off when the log was opened, if anything.
    public let recovery: RecoveryReport?

    private let lockFD: Int32
    /// The files and the head: touched only by the leader of a group (or a
    /// staged append), under this lock.
    let files: Locked<Files>
    /// Waiting appends and whether a leader is writing them.
    private let queue = Locked<Queue>(Queue())

    struct Files {
        var segmentFD: Int32 = -1
        var segmentFirstSeq: UInt64 = 0
        var segmentSize = 0
        var headFD: Int32 = -1
        var state: (head: LogHead, lastRecordedAt: Int64)
        var closed = false
        /// A staged append is being written: plain appends wait for it to end.
        var staging = false
        var syncCount = 0, frameCount = 0, commitCount = 0
    }

    private struct Queue {
        var waiting: [Pending] = []
        var leaderActive = false
    }

    /// One append waiting for its group to be written.
    private final class Pending: Sendable {
        let payloads: [[UInt8]]
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Result<AppendReceipt, EventLogError>?>(nil)
        init(_ payloads: [[UInt8]]) { self.payloads = payloads }
    }

    /// fsyncs done: fewer than appends when group commit coalesced them.
    public var syncCount: Int { files.withLock { $0.syncCount } }
    /// Frames written since open.
    public var frameCount: Int { files.withLock { $0.frameCount } }
    /// Write rounds since open: one per group of appends committed together.
    public var commitCount: Int { files.withLock { $0.commitCount } }

    /// Creates an empty log in `directory` (made if missing). Fails if a log
    /// is already there.
    public static func create(directory: String) throws {
        if LogLayout.exists(directory) {
            throw EventLogError(.exists, "\(directory) already holds a parledger log", hint: "use it as it is, or choose another --log directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw EventLogError(.io, "cannot create \(directory): \(FileSystemMessage.reason(error) ?? "\(error)")")
        }
        if let segments = try? SegmentFile.list(in: directory), !segments.isEmpty {
            throw EventLogError(.exists, "\(directory) holds segment files but no \(LogLayout.markerName)",
                                hint: "this is not a log made by parledger init; choose an empty directory")
        }
        try DurableFile.replace(directory + "/" + AcknowledgedHead.fileName, with: AcknowledgedHead.none.encoded() + AcknowledgedHead.none.encoded())
        // The marker last: a directory is a log only once it is whole.
        try DurableFile.replace(directory + "/" + LogLayout.markerName, with: Array(LogLayout.markerText().utf8))
    }

    /// Opens the log for appending: takes the lock, then cuts off what an
    /// unacknowledged append left (reported in ``recovery``). Acknowledged
    /// bytes are never cut: damage to them is refused as corruption.
    public init(directory: String, options: LogOptions = LogOptions()) throws {
        self.directory = directory
        self.options = options
        let format = try LogLayout.format(directory)
        let lockPath = directory + "/" + LogLayout.lockName
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EventLogError(.io, "cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            Foundation.close(fd)
            throw EventLogError(.locked, "another writer holds \(lockPath)" + (holder.isEmpty ? "" : ": \(holder)"),
                                hint: "wait for it to finish; a log has one writer at a time")
        }
        lockFD = fd
        let info = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(ISO8601DateFormatter().string(from: Date())): \(CommandLine.arguments.joined(separator: " "))\n"
        _ = ftruncate(fd, 0)
        _ = info.withCString { pwrite(fd, $0, strlen($0), 0) }

        do {
            let layout = try LogLayout.open(directory)
            var report: RecoveryReport?
            if let tail = layout.tail {
                guard format >= 2 else {
                    throw EventLogError(.tornTail, "\(tail.bytes) bytes after the last complete batch (\(tail.reason)) in a format-1 log, which keeps no record of what was acknowledged: they cannot be told apart from damage",
                                        segment: tail.segment, offset: FrameOffset(rawValue: tail.offset),
                                        hint: "check the log with `parledger verify`; restore it from a backup, or export what precedes the tail with --to-seq into a new log")
                }
                report = try Self.cut(tail, directory: directory, keepingSegment: !layout.segments.isEmpty)
            }
            recovery = report
            var files = Files(state: (layout.head, layout.lastRecordedAt))
            if let last = layout.segments.last {
                files.segmentFD = open(last.path, O_WRONLY | O_APPEND | O_CLOEXEC)
                guard files.segmentFD >= 0 else { throw EventLogError(.io, "cannot open \(last.path): \(String(cString: strerror(errno)))") }
                files.segmentFirstSeq = last.firstSeq
                files.segmentSize = Int(lseek(files.segmentFD, 0, SEEK_END))
            }
            let headPath = directory + "/" + AcknowledgedHead.fileName
            if format < 2 {
                // Upgrade: record what is acknowledged now, then declare format 2.
                let ack = AcknowledgedHead(seq: layout.head.seq.rawValue, segmentFirstSeq: files.segmentFirstSeq, end: UInt64(files.segmentSize),
                                           hash: layout.head.hash.bytes, recordedAt: layout.lastRecordedAt)
                try DurableFile.replace(headPath, with: ack.encoded() + ack.encoded())
                // The first line names the format; later lines (settings such as the origin) stay.
                let markerPath = directory + "/" + LogLayout.markerName
                let lines = ((try? String(contentsOfFile: markerPath, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false)
                let rest = lines.dropFirst().joined(separator: "\n")
                try DurableFile.replace(markerPath, with: Array((LogLayout.markerText() + rest).utf8))
            }
            // Opened after any replacement of the file: acknowledgements go to the file the log has.
            files.headFD = open(headPath, O_RDWR | O_CLOEXEC)
            guard files.headFD >= 0 else { throw EventLogError(.io, "cannot open \(headPath): \(String(cString: strerror(errno)))") }
            self.files = Locked(files)
        } catch {
            Foundation.close(lockFD)
            throw error
        }
    }

    /// Cuts the bytes of an unacknowledged append: the end of the last
    /// segment past the acknowledged head, and any segment it created.
    private static func cut(_ tail: LogLayout.Tail, directory: String, keepingSegment: Bool) throws -> RecoveryReport {
        var removed = tail.bytes
        if keepingSegment, tail.bytes > 0 {
            let path = directory + "/" + tail.segment
            guard truncate(path, off_t(tail.offset)) == 0 else {
                throw EventLogError(.io, "cannot cut the unacknowledged tail of \(tail.segment): \(String(cString: strerror(errno)))")
            }
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); Foundation.close(fd) }
        }
        for segment in tail.extraSegments {
            var info = stat()
            if stat(segment.path, &info) == 0 { removed += Int(info.st_size) }
            unlink(segment.path)
        }
        DurableFile.syncDirectory(directory)
        let names = tail.extraSegments.map(\.name)
        return RecoveryReport(segment: keepingSegment ? tail.segment : (names.first ?? tail.segment), offset: FrameOffset(rawValue: tail.offset),
                              bytesRemoved: removed,
                              reason: tail.reason + (names.isEmpty ? "" : "; removed \(names.joined(separator: ", "))"))
    }

    deinit { close() }

    /// Releases the segment and the lock. Appends after close fail.
    public func close() {
        files.withLock { files in
            guard !files.closed else { return }
            files.closed = true
            if files.segmentFD >= 0 { Foundation.close(files.segmentFD) }
            if files.headFD >= 0 { Foundation.close(files.headFD) }
            flock(lockFD, LOCK_UN)
            Foundation.close(lockFD)
        }
    }

    public var head: LogHead { files.withLock { $0.state.head } }

    /// Appends one batch, all or nothing; returns once it is durable.
    public func append(_ payloads: [[UInt8]]) throws -> AppendReceipt {
        guard !payloads.isEmpty else {
            throw EventLogError(.emptyAppend, "an append needs at least one record", hint: "nothing was written")
        }
        let mine = Pending(payloads)
        let lead = queue.withLock { queue -> Bool in
            queue.waiting.append(mine)
            if queue.leaderActive { return false }
            queue.leaderActive = true
            return true
        }
        if lead {
            // Write groups until no append is waiting; the last check and
            // giving up the lead happen under one lock, so none is left behind.
            while true {
                let group = queue.withLock { queue -> [Pending] in
                    let group = queue.waiting
                    queue.waiting = []
                    if group.isEmpty { queue.leaderActive = false }
                    return group
                }
                if group.isEmpty { break }
                let batches = group.map(\.payloads)
                let results = files.withLock { files in commit(batches, &files) }
                for (pending, result) in zip(group, results) {
                    pending.result.withLock { $0 = result }
                    pending.done.signal()
                }
            }
        }
        mine.done.wait()
        return try mine.result.withLock { $0! }.get()
    }

    // MARK: - Writing (only the leader runs this, holding `files`)

    private func commit(_ group: [[[UInt8]]], _ files: inout Files) -> [Result<AppendReceipt, EventLogError>] {
        if files.closed { return group.map { _ in .failure(EventLogError(.io, "the writer is closed")) } }
        if files.staging {
            return group.map { _ in .failure(EventLogError(.locked, "a staged append is being written through this writer", hint: "commit or abandon it first")) }
        }
        files.commitCount += 1
        let start = files
        var buffer: [UInt8] = []
        var receipts: [AppendReceipt] = []
        var created: [String] = []
        var retired: [Int32] = []
        do {
            for payloads in group {
                let firstSeq = files.state.head.seq.rawValue + 1
                let estimate = payloads.reduce(0) { $0 + $1.count + 12 }
                if files.segmentFD < 0 || (files.segmentSize + buffer.count > 0 && files.segmentSize + buffer.count + estimate / 2 > options.segmentSizeLimit) {
                    try flush(&buffer, &files)
                    let path = directory + "/" + SegmentFile.name(for: firstSeq)
                    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
                    guard fd >= 0 else { throw EventLogError(.io, "cannot create segment \(path): \(String(cString: strerror(errno)))") }
                    if files.segmentFD >= 0 { retired.append(files.segmentFD) }
                    created.append(path)
                    (files.segmentFD, files.segmentFirstSeq, files.segmentSize) = (fd, firstSeq, 0)
                    if options.durable { DurableFile.syncDirectory(directory) }
                }
                let now = max(options.clock(), files.state.lastRecordedAt)
                let frames = try encodeFrames(payloads, firstSeq: firstSeq, recordedAt: now, previousHash: files.state.head.hash.bytes)
                for frame in frames { buffer.append(contentsOf: frame.bytes) }
                files.frameCount += frames.count
                let lastSeq = firstSeq + UInt64(payloads.count) - 1
                files.state = (LogHead(seq: Seq(lastSeq), hash: FrameHash(frames.last!.hash)), now)
                receipts.append(AppendReceipt(firstSeq: Seq(firstSeq), lastSeq: Seq(lastSeq), recordedAt: now, head: files.state.head))
            }
            try flush(&buffer, &files)
            try acknowledge(&files)
            for fd in retired { Foundation.close(fd) }
            return receipts.map { .success($0) }
        } catch {
            // Nothing of the group is acknowledged: put the files back as they were.
            if files.segmentFD != start.segmentFD, files.segmentFD >= 0 { Foundation.close(files.segmentFD) }
            for fd in retired where fd != start.segmentFD { Foundation.close(fd) }
            for path in created { unlink(path) }
            if !created.isEmpty { DurableFile.syncDirectory(directory) }
            if start.segmentFD >= 0 { _ = ftruncate(start.segmentFD, off_t(start.segmentSize)); _ = fsync(start.segmentFD) }
            let counts = (files.syncCount, files.frameCount, files.commitCount)
            files = start
            (files.syncCount, files.frameCount, files.commitCount) = counts
            let failure = (error as? EventLogError) ?? EventLogError(.io, "\(error)")
            return group.map { _ in .failure(failure) }
        }
    }

    /// Records the new head in `parledger.head` (the slot not holding the
    /// newest) and syncs it: from here on the group is acknowledged.
    func acknowledge(_ files: inout Files) throws {
        let ack = AcknowledgedHead(seq: files.state.head.seq.rawValue, segmentFirstSeq: files.segmentFirstSeq, end: UInt64(files.segmentSize),
                                   hash: files.state.head.hash.bytes, recordedAt: files.state.lastRecordedAt)
        let slot = AcknowledgedHead.slotToWrite(directory)
        let bytes = ack.encoded()
        let n = bytes.withUnsafeBytes { pwrite(files.headFD, $0.baseAddress, $0.count, off_t(slot * AcknowledgedHead.slotSize)) }
        guard n == bytes.count else {
            throw EventLogError(.io, "cannot record the acknowledged head: \(String(cString: strerror(errno)))", hint: "check free space; nothing of this batch was kept")
        }
        if options.durable {
            guard fsync(files.headFD) == 0 else {
                throw EventLogError(.io, "fsync of the acknowledged head failed: \(String(cString: strerror(errno)))", hint: "nothing of this batch was kept")
            }
            files.syncCount += 1
        }
    }

    private func flush(_ buffer: inout [UInt8], _ files: inout Files) throws {
        guard !buffer.isEmpty else { return }
        try Self.writeAll(buffer, to: files.segmentFD)
        if options.durable {
            guard fsync(files.segmentFD) == 0 else {
                throw EventLogError(.io, "fsync failed: \(String(cString: strerror(errno)))", hint: "nothing of this batch was kept")
            }
            files.syncCount += 1
        }
        files.segmentSize += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Splits a batch into frames of at most `framePlainLimit` plain bytes;
    /// only the last carries the batch-end flag. Frames are deflated a few
    /// at a time on every core (a window of them, so memory stays bounded),
    /// then sealed in order: header, CRC and the hash chain.
    private func encodeFrames(_ payloads: [[UInt8]], firstSeq: UInt64, recordedAt: Int64, previousHash: [UInt8]) throws
        -> [(bytes: [UInt8], hash: [UInt8])] {
        var frames: [(bytes: [UInt8], hash: [UInt8])] = []
        var previous = previousHash
        var frameFirst = firstSeq
        let window = max(1, 2 * Parallel.cores)
        /// Plain frames waiting to be deflated: bytes and record count.
        var pending: [(plain: [UInt8], count: UInt32)] = []
        let level = options.compressionLevel
        func flush(lastOfBatch: Bool) {
            guard !pending.isEmpty else { return }
            let plains = pending.map(\.plain)
            let deflated = Parallel.map(plains.count) { k in Zlib.deflate(plains[k], level: level) }
            for (k, frame) in pending.enumerated() {
                let last = lastOfBatch && k == pending.count - 1
                let (bytes, hash) = Self.seal(deflated[k], plainLength: frame.plain.count, count: frame.count, firstSeq: frameFirst,
                                              recordedAt: recordedAt, previousHash: previous, batchEnd: last)
                frames.append((bytes, hash))
                previous = hash
                frameFirst += UInt64(frame.count)
            }
            pending.removeAll()
        }
        var plain: [UInt8] = []
        plain.reserveCapacity(min(options.framePlainLimit, payloads.reduce(0) { $0 + $1.count + 4 }))
        var count: UInt32 = 0
        for (i, payload) in payloads.enumerated() {
            guard payload.count < Int(UInt32.max) / 2 else {
                throw EventLogError(.tooLarge, "record \(firstSeq + UInt64(i)) has \(payload.count) bytes; the limit is 2 GiB")
            }
            if count > 0 && plain.count + payload.count + 12 > options.framePlainLimit {
                pending.append((plain, count))
                plain = []
                plain.reserveCapacity(options.framePlainLimit)
                count = 0
                if pending.count == window { flush(lastOfBatch: false) }
            }
            Self.appendRecord(payload, to: &plain)
            count += 1
        }
        pending.append((plain, count))
        flush(lastOfBatch: true)
        return frames
    }

    /// One record in a frame's plain bytes: its recordedAt delta (0: every
    /// record of an append has the append's time), its length, its bytes.
    static func appendRecord(_ payload: some Collection<UInt8>, to plain: inout [UInt8]) {
        Varint.append(0, to: &plain)   // recordedAt − the frame's first recordedAt
        Varint.append(UInt64(payload.count), to: &plain)
        plain.append(contentsOf: payload)
    }

    /// A deflated frame sealed: its header (CRCs, the link to the previous
    /// frame) and payload, and its hash (the next frame's link).
    static func seal(_ compressed: [UInt8], plainLength: Int, count: UInt32, firstSeq: UInt64, recordedAt: Int64, previousHash: [UInt8],
                     batchEnd: Bool) -> (bytes: [UInt8], hash: [UInt8]) {
        let crc = compressed.withUnsafeBytes { crc32Of($0) }
        let header = FrameHeader(flags: batchEnd ? FrameHeader.batchEndFlag : 0, firstSeq: firstSeq, count: count,
                                 plainLength: UInt32(plainLength), compressedLength: UInt32(compressed.count), payloadCRC: crc,
                                 recordedMin: recordedAt, recordedMax: recordedAt, previousHash: previousHash)
        var bytes = header.encoded()
        bytes.append(contentsOf: compressed)
        return (bytes, Array(SHA256.hash(data: bytes)))
    }

    /// Writes all of `bytes` to `fd` (retrying short writes and EINTR).
    static func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw EventLogError(.io, "cannot write the log: \(String(cString: strerror(errno)))",
                                    hint: "check free space; nothing of this batch was kept")
            }
            written += n
        }
    }
}
