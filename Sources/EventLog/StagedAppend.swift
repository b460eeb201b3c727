import Foundation
import Primitives

/// One long append written as it arrives, acknowledged (or dropped) at the
/// end: an import of millions of events in bounded memory, all or nothing.
///
/// Its frames are written after the acknowledged end of the log, into the
/// last segment and into new segments when that one fills up (each segment
/// still ends with a batch-end frame). None of it is part of the log until
/// ``commit()`` has synced the segments and then recorded the new head in
/// `parledger.head`: readers stop at the acknowledged end, and a process
/// killed before that leaves a tail the next writer cuts. ``abandon()``
/// removes what was staged at once (the log is then byte for byte as it
/// was). The writer's lock is held throughout.
///
/// ```swift
/// let staged = try writer.stage()
/// for chunk in chunks { try staged.add(chunk) }
/// let receipt = try staged.commit()      // or staged.abandon()
/// ```
public final class StagedAppend {
    let writer: LogWriter
    /// The seq of the first record added.
    public let firstSeq: Seq
    /// Records added so far.
    public private(set) var count = 0
    let recordedAt: Int64
    let segmentLimit: Int
    let framePlainLimit: Int
    let level: Int32
    let durable: Bool
    let window = max(1, 2 * Parallel.cores)

    /// The log's last segment as it was when staging began (restored on abandon).
    let start: (fd: Int32, firstSeq: UInt64, size: Int)
    var fd: Int32
    var segmentFirstSeq: UInt64
    var segmentSize: Int
    var created: [(path: String, fd: Int32)] = []
    var previous: [UInt8]
    /// The plain bytes of the frame being filled, its records and first seq.
    var plain: [UInt8] = []
    var plainCount: UInt32 = 0
    var frameFirst: UInt64
    /// Frames filled, waiting to be deflated together.
    var full: [Frame] = []
    /// The window of frames being deflated on the pool while records are
    /// still added: sealed and written when the next window is full, or at
    /// commit, so deflating never holds up the thread that adds records.
    var deflating: (frames: [Frame], deflated: Parallel.Pending<[UInt8]>)?
    /// Sealed frames not yet written.
    var out: [UInt8] = []
    var frames = 0
    var finished = false

    typealias Frame = (plain: [UInt8], count: UInt32, firstSeq: UInt64)

    init(writer: LogWriter, files: LogWriter.Files) {
        self.writer = writer
        let options = writer.options
        (segmentLimit, framePlainLimit, level, durable) = (options.segmentSizeLimit, options.framePlainLimit, options.compressionLevel, options.durable)
        recordedAt = max(options.clock(), files.state.lastRecordedAt)
        let first = files.state.head.seq.rawValue + 1
        firstSeq = Seq(first)
        frameFirst = first
        start = (files.segmentFD, files.segmentFirstSeq, files.segmentSize)
        (fd, segmentFirstSeq, segmentSize) = start
        previous = files.state.head.hash.bytes
        plain.reserveCapacity(framePlainLimit)
    }

    deinit { if !finished { abandon() } }

    /// Adds records at the end of what is staged. Frames are deflated on
    /// every core a window at a time, beside the caller, and written in
    /// order as they are sealed.
    public func add(_ payloads: [[UInt8]]) throws {
        for payload in payloads { try payload.withUnsafeBytes { try add(record: $0) } }
    }

    /// The same for records packed one after another in `bytes`, record
    /// `k` ending at `ends[k]`: no array per record.
    public func add(packed bytes: [UInt8], ends: [Int]) throws {
        try bytes.withUnsafeBytes { all in
            var start = 0
            for end in ends {
                try add(record: UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }

    private func add(record payload: UnsafeRawBufferPointer) throws {
        precondition(!finished, "a staged append that was committed or abandoned takes no more records")
        guard payload.count < Int(UInt32.max) / 2 else {
            throw EventLogError(.tooLarge, "record \(firstSeq.rawValue + UInt64(count)) has \(payload.count) bytes; the limit is 2 GiB")
        }
        if plainCount > 0 && plain.count + payload.count + 12 > framePlainLimit {
            full.append((plain, plainCount, frameFirst))
            frameFirst += UInt64(plainCount)
            plain = []
            plain.reserveCapacity(framePlainLimit)
            plainCount = 0
            if full.count == window {
                try sealDeflated()
                startDeflating()
            }
        }
        LogWriter.appendRecord(payload, to: &plain)
        plainCount += 1
        count += 1
    }

    /// Starts deflating the filled frames on the pool.
    private func startDeflating() {
        let plains = full.map(\.plain), level = self.level
        deflating = (full, Parallel.start(plains.count) { k in Zlib.deflate(plains[k], level: level) })
        full.removeAll()
    }

    /// Waits for the window being deflated, if any, then seals and writes it.
    private func sealDeflated() throws {
        guard let (window, pending) = deflating else { return }
        deflating = nil
        try seal(window, pending.wait(), last: false)
    }

    /// Seals deflated frames in order and writes them. A frame that fills
    /// its segment ends a batch; the next goes into a new segment, named
    /// for its first seq.
    private func seal(_ window: [Frame], _ deflated: [[UInt8]], last: Bool) throws {
        for (k, frame) in window.enumerated() {
            if fd < 0 || segmentSize >= segmentLimit { try rotate(to: frame.firstSeq) }
            let size = FrameHeader.size + deflated[k].count
            let batchEnd = (last && k == window.count - 1) || segmentSize + size >= segmentLimit
            let (bytes, hash) = LogWriter.seal(deflated[k], plainLength: frame.plain.count, count: frame.count, firstSeq: frame.firstSeq,
                                               recordedAt: recordedAt, previousHash: previous, batchEnd: batchEnd)
            out.append(contentsOf: bytes)
            segmentSize += bytes.count
            previous = hash
            frames += 1
            if out.count >= 4 << 20 { try LogWriter.writeAll(out, to: fd); out.removeAll(keepingCapacity: true) }
        }
    }

    /// Ends the current segment (written and synced) and starts the next.
    private func rotate(to first: UInt64) throws {
        if fd >= 0 {
            try LogWriter.writeAll(out, to: fd)
            out.removeAll(keepingCapacity: true)
            if durable, fsync(fd) != 0 {
                throw EventLogError(.io, "fsync failed: \(String(cString: strerror(errno)))", hint: "nothing of this import was kept")
            }
        }
        let path = writer.directory + "/" + SegmentFile.name(for: first)
        let newFD = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard newFD >= 0 else { throw EventLogError(.io, "cannot create segment \(path): \(String(cString: strerror(errno)))") }
        created.append((path, newFD))
        (fd, segmentFirstSeq, segmentSize) = (newFD, first, 0)
    }

    /// Writes the last frame, syncs every segment written (and the
    /// directory, for new ones), then records the new head: from here on
    /// every record added is part of the log.
    public func commit() throws -> AppendReceipt {
        precondition(!finished, "a staged append is committed once")
        guard count > 0 else {
            throw EventLogError(.emptyAppend, "an append needs at least one record", hint: "nothing was written")
        }
        do {
            full.append((plain, plainCount, frameFirst))
            plain = []
            try sealDeflated()
            let plains = full.map(\.plain), level = self.level
            try seal(full, Parallel.map(plains.count) { k in Zlib.deflate(plains[k], level: level) }, last: true)
            full.removeAll()
            try LogWriter.writeAll(out, to: fd)
            out = []
            if durable {
                guard fsync(fd) == 0 else {
                    throw EventLogError(.io, "fsync failed: \(String(cString: strerror(errno)))", hint: "nothing of this import was kept")
                }
                if !created.isEmpty { DurableFile.syncDirectory(writer.directory) }
            }
            let lastSeq = firstSeq.rawValue + UInt64(count) - 1
            let head = LogHead(seq: Seq(lastSeq), hash: FrameHash(previous))
            try writer.files.withLock { files in
                let before = files
                files.state = (head, recordedAt)
                (files.segmentFD, files.segmentFirstSeq, files.segmentSize) = (fd, segmentFirstSeq, segmentSize)
                do {
                    try writer.acknowledge(&files)
                } catch {
                    files = before
                    throw error
                }
                files.frameCount += frames
                files.commitCount += 1
                if durable { files.syncCount += 1 + created.count }
                files.staging = false
            }
            finished = true
            if start.fd >= 0 && start.fd != fd { close(start.fd) }
            for segment in created where segment.fd != fd { close(segment.fd) }
            return AppendReceipt(firstSeq: firstSeq, lastSeq: Seq(lastSeq), recordedAt: recordedAt, head: head)
        } catch {
            abandon()
            throw error
        }
    }

    /// Removes everything staged: the last segment cut back to where it
    /// ended, the segments made since removed. The log is as it was.
    public func abandon() {
        guard !finished else { return }
        finished = true
        _ = deflating?.deflated.wait()   // no work of this append goes on after it
        deflating = nil
        for segment in created {
            close(segment.fd)
            unlink(segment.path)
        }
        if !created.isEmpty { DurableFile.syncDirectory(writer.directory) }
        if start.fd >= 0 {
            _ = ftruncate(start.fd, off_t(start.size))
            if durable { _ = fsync(start.fd) }
        }
        writer.files.withLock { $0.staging = false }
    }
}

extension LogWriter {
    /// Begins a staged append (see ``StagedAppend``). Plain appends through
    /// this writer are refused until it is committed or abandoned.
    public func stage() throws -> StagedAppend {
        try files.withLock { files in
            if files.closed { throw EventLogError(.io, "the writer is closed") }
            if files.staging { throw EventLogError(.locked, "a staged append is already being written through this writer") }
            files.staging = true
            return StagedAppend(writer: self, files: files)
        }
    }
}
