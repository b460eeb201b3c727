#if canImport(Glibc)
import Primitives
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What opening a log directory finds: its format, the segments that hold
/// the log, its head, and any tail that is not part of the log (bytes or
/// segments of an append that was never acknowledged).
struct LogLayout {
    static let markerName = "parledger.log"
    static let markerPrefix = "parledger event log, format "
    /// The format this build writes: 2 (format 1 plus the acknowledged-head record).
    static let currentFormat = 2
    static let readableFormats = 1...2
    static func markerText(format: Int = currentFormat) -> String { markerPrefix + "\(format)\n" }
    static let lockName = "writer.lock"

    /// Bytes that are not part of the log: from `offset` of `segment` on,
    /// and every segment in `extraSegments`.
    struct Tail {
        var segment: String
        var offset: Int
        var bytes: Int
        var reason: String
        var extraSegments: [SegmentFile] = []
    }

    var format: Int
    /// The segments holding the log, in seq order (not those of the tail).
    var segments: [SegmentFile]
    var head: LogHead
    /// recordedAt of the head's record (0 for an empty log).
    var lastRecordedAt: Int64
    /// Bytes of the last of `segments` that belong to the log.
    var committedEnd: Int
    var tail: Tail?
    /// Where each frame of a segment begins (by the segment's first seq), as
    /// the opening walk found them: a lookup starts at the frame it needs
    /// instead of walking the segment's headers again. Empty for segments
    /// the walk did not visit (a format-1 log's older segments).
    var frameStarts: [UInt64: [FrameStart]] = [:]

    struct FrameStart {
        var firstSeq: UInt64
        var offset: Int
    }

    static func exists(_ directory: String) -> Bool {
        access(directory + "/" + markerName, F_OK) == 0
    }

    /// The format the marker declares; a marker this build cannot read is refused.
    static func format(_ directory: String) throws(EventLogError) -> Int {
        guard exists(directory) else {
            throw EventLogError(.notFound, "no parledger log in \(directory)", hint: "create one with `parledger init --log \(directory)`")
        }
        let path = directory + "/" + markerName
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EventLogError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        let text = String(decoding: bytes.prefix(max(0, n)), as: UTF8.self)
        let first = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard first.hasPrefix(markerPrefix), let format = Int(first.dropFirst(markerPrefix.count)) else {
            throw EventLogError(.unsupported, "\(path) does not start with \"\(markerPrefix)N\": not a parledger log marker",
                                hint: "this directory was not made by `parledger init`; point --log at a parledger log")
        }
        guard readableFormats.contains(format) else {
            throw EventLogError(.unsupported, "\(path) declares log format \(format); this parledger reads formats \(readableFormats.lowerBound) to \(readableFormats.upperBound)",
                                hint: "use the parledger version that wrote this log (`parledger --version` names the formats each reads)")
        }
        return format
    }

    /// Reads the layout without changing anything. Every segment's frame
    /// headers are walked (cheap: no inflating, no hashing but the head's
    /// frame), so a missing, renamed, empty or foreign segment is found here,
    /// before any command reads an event.
    static func open(_ directory: String) throws(EventLogError) -> LogLayout {
        let format = try format(directory)
        let all = try SegmentFile.list(in: directory)
        if format == 1 { return try openLegacy(directory, all) }
        let ack = try AcknowledgedHead.read(directory)
        guard ack.seq > 0 else {
            let tail = all.isEmpty ? nil : Tail(segment: all[0].name, offset: 0, bytes: 0,
                                                reason: "segments of an append that was never acknowledged", extraSegments: all)
            return LogLayout(format: format, segments: [], head: .empty, lastRecordedAt: 0, committedEnd: 0, tail: tail)
        }
        let ackName = SegmentFile.name(for: ack.segmentFirstSeq)
        guard let ackIndex = all.firstIndex(where: { $0.firstSeq == ack.segmentFirstSeq }) else {
            throw EventLogError(.corrupt, "the segment holding the last acknowledged seq \(ack.seq) is missing", segment: ackName,
                                seq: Seq(ack.seq), hint: "restore the log directory from a backup; nothing was read")
        }
        if all[0].firstSeq != 1 {
            throw EventLogError(.corrupt, "the log's first segment starts at seq \(all[0].firstSeq), not 1: the segments before it are missing",
                                segment: all[0].name, offset: FrameOffset(rawValue: 0), seq: Seq(all[0].firstSeq),
                                hint: "restore the missing segments from a backup; nothing was read")
        }
        var expected: UInt64 = 1
        var previous: [UInt8]? = nil
        var frameStarts: [UInt64: [FrameStart]] = [:]
        for i in 0...ackIndex {
            let segment = all[i]
            if segment.firstSeq != expected {
                throw EventLogError(.corrupt, "segment starts at seq \(segment.firstSeq), expected \(expected): a segment is missing or was renamed",
                                    segment: segment.name, offset: FrameOffset(rawValue: 0), seq: Seq(expected),
                                    hint: "restore the log directory from a backup; nothing was read")
            }
            let file = try MappedFile(path: segment.path)
            let isAck = i == ackIndex
            if file.bytes.count == 0 {
                throw EventLogError(.corrupt, "an empty segment inside the log", segment: segment.name, offset: FrameOffset(rawValue: 0),
                                    seq: Seq(segment.firstSeq), hint: "restore the log directory from a backup")
            }
            if isAck && file.bytes.count < Int(ack.end) {
                throw EventLogError(.corrupt, "the segment is \(file.bytes.count) bytes long, but acknowledged appends end at byte \(ack.end): acknowledged events are missing",
                                    segment: segment.name, offset: FrameOffset(rawValue: file.bytes.count), seq: Seq(ack.seq),
                                    hint: "restore the log directory from a backup; nothing was read")
            }
            let bytes = isAck ? UnsafeRawBufferPointer(rebasing: file.bytes[0..<Int(ack.end)]) : file.bytes
            var scanner = FrameScanner(segment: segment, bytes: bytes, isLastSegment: false)
            scanner.light = true
            var last: ScannedFrame?
            var starts: [FrameStart] = []
            _ = try scanFrames(scanner, expected: &expected, previous: &previous) {
                last = $0
                starts.append(FrameStart(firstSeq: $0.header.firstSeq, offset: $0.offset))
            }
            frameStarts[segment.firstSeq] = starts
            guard let last, last.header.isBatchEnd else {
                throw EventLogError(.corrupt, "the segment does not end with a complete batch", segment: segment.name,
                                    offset: FrameOffset(rawValue: last?.offset ?? 0), seq: last.map { Seq($0.header.firstSeq) },
                                    hint: "the log was changed after it was written; restore it from a backup")
            }
            if isAck {
                let hash = withExtendedLifetime(file) { last.computeHash() }
                guard last.header.lastSeq == ack.seq, hash == ack.hash else {
                    throw EventLogError(.corrupt, "the frame ending at byte \(ack.end) is not the one acknowledged for seq \(ack.seq) (its hash or seqs differ)",
                                        segment: segment.name, offset: FrameOffset(rawValue: last.offset), seq: Seq(last.header.firstSeq),
                                        hint: "an acknowledged frame was changed; restore the log from a backup (a copy with this byte intact gives back every event)")
                }
                var tail: Tail?
                let extra = Array(all[(ackIndex + 1)...])
                // An append interrupted after creating segments leaves them
                // named after the acknowledged seq (the first for the next
                // seq, unless a staged import first filled the acknowledged
                // segment past its end): none can hold an acknowledged record.
                if let first = extra.first, first.firstSeq <= ack.seq {
                    throw EventLogError(.corrupt, "a segment after the last acknowledged one (seq \(ack.seq)) must be named for a later seq",
                                        segment: first.name, offset: FrameOffset(rawValue: 0),
                                        hint: "move the file out of the log directory: it is not part of this log")
                }
                if file.bytes.count > Int(ack.end) || !extra.isEmpty {
                    tail = Tail(segment: segment.name, offset: Int(ack.end), bytes: file.bytes.count - Int(ack.end),
                                reason: "bytes of an append that was never acknowledged", extraSegments: extra)
                }
                return LogLayout(format: format, segments: Array(all[0...ackIndex]), head: LogHead(seq: Seq(ack.seq), hash: FrameHash(ack.hash)),
                                 lastRecordedAt: ack.recordedAt, committedEnd: Int(ack.end), tail: tail, frameStarts: frameStarts)
            }
            withExtendedLifetime(file) {}
        }
        fatalError("unreachable: the acknowledged segment is in the walk")
    }

    private static func scanFrames(_ scanner: FrameScanner, expected: inout UInt64, previous: inout [UInt8]?,
                                   _ body: (ScannedFrame) -> Void) throws(EventLogError) -> ScanEnd {
        do {
            return try scanner.scan(expectedSeq: &expected, previousHash: &previous) { body($0) }
        } catch let error as EventLogError {
            throw error
        } catch {
            throw EventLogError(.io, "\(error)", segment: scanner.segment.name)
        }
    }

    /// A format-1 log (no acknowledged-head record): only the last segment
    /// (or two) is scanned, and a damaged last frame cannot be told from an
    /// interrupted write. Read as it is; a writer upgrades it to format 2
    /// only when it has no tail (it never cuts one on a guess).
    private static func openLegacy(_ directory: String, _ segments: [SegmentFile]) throws(EventLogError) -> LogLayout {
        guard let last = segments.last else {
            return LogLayout(format: 1, segments: [], head: .empty, lastRecordedAt: 0, committedEnd: 0, tail: nil)
        }
        var index = segments.count - 1
        var tail: Tail?
        while true {
            let segment = segments[index]
            let file = try MappedFile(path: segment.path)
            // Light: the head needs the last whole batch and its frame's
            // hash, not the chain (readers and verify check that).
            var scanner = FrameScanner(segment: segment, bytes: file.bytes, isLastSegment: index == segments.count - 1)
            scanner.light = true
            var expected = segment.firstSeq
            var previous: [UInt8]? = nil
            var committed: (end: Int, seq: UInt64, frame: ScannedFrame, recordedAt: Int64)?
            let end: ScanEnd
            do {
                end = try scanner.scan(expectedSeq: &expected, previousHash: &previous) { frame in
                    if frame.header.isBatchEnd {
                        committed = (frame.end, frame.header.lastSeq, frame, frame.header.recordedMax)
                    }
                }
            } catch let error as EventLogError {
                throw error
            } catch {
                throw EventLogError(.io, "\(error)", segment: segment.name)
            }
            if index == segments.count - 1 {
                let committedEnd = committed?.end ?? 0
                switch end {
                case .torn(let offset, let reason):
                    if offset > committedEnd {
                        tail = Tail(segment: segment.name, offset: committedEnd, bytes: file.bytes.count - committedEnd, reason: "an unfinished batch, then \(reason)")
                    } else {
                        tail = Tail(segment: segment.name, offset: offset, bytes: file.bytes.count - offset, reason: reason)
                    }
                case .clean:
                    if committedEnd < file.bytes.count {
                        tail = Tail(segment: segment.name, offset: committedEnd, bytes: file.bytes.count - committedEnd, reason: "an unfinished batch (its last frame was never written)")
                    }
                }
            } else if committed == nil || committed!.end != file.bytes.count {
                // Segments rotate at batch boundaries: an older segment must end with a whole batch.
                throw EventLogError(.corrupt, "a rotated segment does not end with a complete batch", segment: segment.name,
                                    offset: FrameOffset(rawValue: committed?.end ?? 0),
                                    hint: "the log was changed after it was written; restore it from a backup")
            }
            if let committed {
                let hash = withExtendedLifetime(file) { committed.frame.computeHash() }
                return LogLayout(format: 1, segments: segments, head: LogHead(seq: Seq(committed.seq), hash: FrameHash(hash)),
                                 lastRecordedAt: committed.recordedAt,
                                 committedEnd: index == segments.count - 1 ? committed.end : 0, tail: tail)
            }
            // The last segment holds no whole batch: the head is in the one before.
            if index == 0 {
                return LogLayout(format: 1, segments: segments, head: .empty, lastRecordedAt: 0, committedEnd: 0, tail: tail)
            }
            index -= 1
            _ = last
        }
    }
}
