import Foundation

/// Settings of a writer.
public struct LogOptions: Sendable {
    /// A new segment starts at the first batch boundary past this size.
    public var segmentSizeLimit: Int = 64 << 20
    /// Frames hold at most this many plain bytes (a larger batch spans
    /// several frames), so a reader's memory stays bounded.
    public var framePlainLimit: Int = 1 << 20
    /// zlib level, 1 (fast) to 9 (small).
    public var compressionLevel: Int32 = 6
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
/// records become visible together, after fsync, or none do. Appends from
/// several threads at once are grouped: one leader writes every waiting
/// batch and syncs once (group commit).
///
/// ```swift
/// let writer = try LogWriter(directory: "events")
/// let receipt = try writer.append([Array("hello".utf8)])
/// print(receipt.firstSeq, receipt.head.hashHex)
/// ```
public final class LogWriter: @unchecked Sendable {
    public let directory: String
    public let options: LogOptions
    /// What was cut off when the log was opened, if anything.
    public let recovery: RecoveryReport?

    private let lockFD: Int32
    private var segmentFD: Int32 = -1
    private var segmentSize = 0
    private var state: (head: LogHead, lastRecordedAt: Int64)
    private var closed = false
    /// Segments created and descriptors retired by the group being written:
    /// undone or closed when it ends.
    private var createdSegments: [String] = []
    private var retiredFDs: [Int32] = []

    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var leaderActive = false
    /// fsyncs done: fewer than appends when group commit coalesced them.
    public private(set) var syncCount = 0
    /// Frames written since open.
    public private(set) var frameCount = 0
    /// Write rounds since open: one per group of appends committed together.
    public private(set) var commitCount = 0

    private final class Pending {
        let payloads: [[UInt8]]
        var result: Result<AppendReceipt, EventLogError>?
        init(_ payloads: [[UInt8]]) { self.payloads = payloads }
    }

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
        try writeFileDurably(directory + "/" + LogLayout.markerName, Array(LogLayout.markerText.utf8))
        syncDirectory(directory)
    }

    /// Opens the log for appending: takes the lock, then cuts off a torn
    /// tail or unfinished batch (reported in ``recovery``).
    public init(directory: String, options: LogOptions = LogOptions()) throws {
        self.directory = directory
        self.options = options
        guard LogLayout.exists(directory) else {
            throw EventLogError(.notFound, "no parledger log in \(directory)", hint: "create one with `parledger init --log \(directory)`")
        }
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
            var layout = try LogLayout.open(directory)
            var report: RecoveryReport?
            if let tail = layout.tail, let last = layout.segments.last {
                guard truncate(last.path, off_t(tail.offset)) == 0 else {
                    throw EventLogError(.io, "cannot cut the torn tail of \(last.name): \(String(cString: strerror(errno)))")
                }
                report = RecoveryReport(segment: last.name, offset: FrameOffset(rawValue: tail.offset), bytesRemoved: tail.bytes, reason: tail.reason)
                if tail.offset == 0 {
                    unlink(last.path)
                    layout.segments.removeLast()
                }
                syncDirectory(directory)
            }
            recovery = report
            state = (layout.head, layout.lastRecordedAt)
            if let last = layout.segments.last {
                segmentFD = open(last.path, O_WRONLY | O_APPEND | O_CLOEXEC)
                guard segmentFD >= 0 else { throw EventLogError(.io, "cannot open \(last.path): \(String(cString: strerror(errno)))") }
                if report != nil { _ = fsync(segmentFD) }
                segmentSize = Int(lseek(segmentFD, 0, SEEK_END))
            }
        } catch {
            Foundation.close(lockFD)
            throw error
        }
    }

    deinit { close() }

    /// Releases the segment and the lock. Appends after close fail.
    public func close() {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        closed = true
        if segmentFD >= 0 { Foundation.close(segmentFD) }
        flock(lockFD, LOCK_UN)
        Foundation.close(lockFD)
    }

    public var head: LogHead {
        condition.lock(); defer { condition.unlock() }
        return state.head
    }

    /// Appends one batch, all or nothing; returns once it is durable.
    public func append(_ payloads: [[UInt8]]) throws -> AppendReceipt {
        guard !payloads.isEmpty else {
            throw EventLogError(.io, "an append needs at least one record")
        }
        let mine = Pending(payloads)
        condition.lock()
        queue.append(mine)
        while mine.result == nil {
            if !leaderActive {
                leaderActive = true
                let group = queue
                queue = []
                condition.unlock()
                let results = commit(group)
                condition.lock()
                for (pending, result) in zip(group, results) { pending.result = result }
                leaderActive = false
                condition.broadcast()
            } else {
                condition.wait()
            }
        }
        condition.unlock()
        return try mine.result!.get()
    }

    // MARK: - Writing (only the leader runs this)

    private func commit(_ group: [Pending]) -> [Result<AppendReceipt, EventLogError>] {
        if closed { return group.map { _ in .failure(EventLogError(.io, "the writer is closed")) } }
        commitCount += 1
        let startSize = segmentSize
        let startState = state
        let startFD = segmentFD
        var buffer: [UInt8] = []
        var receipts: [AppendReceipt] = []
        createdSegments = []
        retiredFDs = []
        do {
            for pending in group {
                let firstSeq = state.head.seq.rawValue + 1
                let estimate = pending.payloads.reduce(0) { $0 + $1.count + 12 }
                if segmentFD < 0 || (segmentSize + buffer.count > 0 && segmentSize + buffer.count + estimate / 2 > options.segmentSizeLimit) {
                    try flush(&buffer)
                    try rotate(firstSeq: firstSeq)
                }
                let now = max(options.clock(), state.lastRecordedAt)
                let frames = try encodeFrames(pending.payloads, firstSeq: firstSeq, recordedAt: now, previousHash: state.head.hash)
                for frame in frames { buffer.append(contentsOf: frame.bytes) }
                frameCount += frames.count
                let lastSeq = firstSeq + UInt64(pending.payloads.count) - 1
                state = (LogHead(seq: Seq(lastSeq), hash: frames.last!.hash), now)
                receipts.append(AppendReceipt(firstSeq: Seq(firstSeq), lastSeq: Seq(lastSeq), recordedAt: now, head: state.head))
            }
            try flush(&buffer)
            for fd in retiredFDs { Foundation.close(fd) }
            return receipts.map { .success($0) }
        } catch {
            // Nothing of the group is acknowledged: put the files back as they were.
            if segmentFD != startFD, segmentFD >= 0 { Foundation.close(segmentFD) }
            for fd in retiredFDs where fd != startFD { Foundation.close(fd) }
            for path in createdSegments { unlink(path) }
            if !createdSegments.isEmpty { syncDirectory(directory) }
            segmentFD = startFD
            if segmentFD >= 0 { _ = ftruncate(segmentFD, off_t(startSize)); _ = fsync(segmentFD) }
            segmentSize = startSize
            state = startState
            let failure = (error as? EventLogError) ?? EventLogError(.io, "\(error)")
            return group.map { _ in .failure(failure) }
        }
    }

    private func flush(_ buffer: inout [UInt8]) throws {
        guard !buffer.isEmpty else { return }
        var written = 0
        while written < buffer.count {
            let n = buffer.withUnsafeBytes { write(segmentFD, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw EventLogError(.io, "cannot write the log: \(String(cString: strerror(errno)))",
                                    hint: "check free space; nothing of this batch was kept")
            }
            written += n
        }
        if options.durable {
            guard fsync(segmentFD) == 0 else {
                throw EventLogError(.io, "fsync failed: \(String(cString: strerror(errno)))", hint: "nothing of this batch was kept")
            }
            syncCount += 1
        }
        segmentSize += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    private func rotate(firstSeq: UInt64) throws {
        let path = directory + "/" + SegmentFile.name(for: firstSeq)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EventLogError(.io, "cannot create segment \(path): \(String(cString: strerror(errno)))") }
        if segmentFD >= 0 { retiredFDs.append(segmentFD) }
        createdSegments.append(path)
        segmentFD = fd
        segmentSize = 0
        if options.durable { syncDirectory(directory) }
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
                let compressed = deflated[k]
                let crc = compressed.withUnsafeBytes { crc32Of($0) }
                let last = lastOfBatch && k == pending.count - 1
                let header = FrameHeader(flags: last ? FrameHeader.batchEndFlag : 0, firstSeq: frameFirst, count: frame.count,
                                         plainLength: UInt32(frame.plain.count), compressedLength: UInt32(compressed.count), payloadCRC: crc,
                                         recordedMin: recordedAt, recordedMax: recordedAt, previousHash: previous)
                var bytes = header.encoded()
                bytes.append(contentsOf: compressed)
                let hash = Array(SHA256Hasher.hash(bytes))
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
            Varint.append(0, to: &plain)   // recordedAt − the frame's first recordedAt
            Varint.append(UInt64(payload.count), to: &plain)
            plain.append(contentsOf: payload)
            count += 1
        }
        pending.append((plain, count))
        flush(lastOfBatch: true)
        return frames
    }
}

import Crypto

enum SHA256Hasher {
    static func hash(_ bytes: [UInt8]) -> SHA256.Digest { SHA256.hash(data: bytes) }
}

func writeFileDurably(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw EventLogError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard n == bytes.count, fsync(fd) == 0 else { throw EventLogError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
}

func syncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 { _ = fsync(fd); close(fd) }
}
