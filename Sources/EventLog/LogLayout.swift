#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What opening a log directory finds: its segments, its head, and any
/// tail that is not part of the log (a torn frame or an unfinished batch).
struct LogLayout {
    static let markerName = "parledger.log"
    static let markerText = "parledger event log, format 1\n"
    static let lockName = "writer.lock"

    var segments: [SegmentFile]
    var head: LogHead
    /// recordedAt of the head's record (0 for an empty log).
    var lastRecordedAt: Int64
    /// Bytes of the last segment that belong to the log.
    var committedEnd: Int
    /// A tail past `committedEnd`, if any: where it starts and why it is not part of the log.
    var tail: (offset: Int, bytes: Int, reason: String)?

    static func exists(_ directory: String) -> Bool {
        access(directory + "/" + markerName, F_OK) == 0
    }

    /// Reads the layout without changing anything. Only the last segment
    /// (or two) is scanned: older segments are immutable and checked by verify.
    static func open(_ directory: String) throws(EventLogError) -> LogLayout {
        guard exists(directory) else {
            throw EventLogError(.notFound, "no parledger log in \(directory)", hint: "create one with `parledger init --log \(directory)`")
        }
        let segments = try SegmentFile.list(in: directory)
        guard let last = segments.last else {
            return LogLayout(segments: [], head: .empty, lastRecordedAt: 0, committedEnd: 0, tail: nil)
        }
        var index = segments.count - 1
        var tail: (offset: Int, bytes: Int, reason: String)?
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
                        tail = (committedEnd, file.bytes.count - committedEnd, "an unfinished batch, then \(reason)")
                    } else {
                        tail = (offset, file.bytes.count - offset, reason)
                    }
                case .clean:
                    if committedEnd < file.bytes.count {
                        tail = (committedEnd, file.bytes.count - committedEnd, "an unfinished batch (its last frame was never written)")
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
                return LogLayout(segments: segments, head: LogHead(seq: Seq(committed.seq), hash: hash),
                                 lastRecordedAt: committed.recordedAt,
                                 committedEnd: index == segments.count - 1 ? committed.end : 0, tail: tail)
            }
            // The last segment holds no whole batch: the head is in the one before.
            if index == 0 {
                return LogLayout(segments: segments, head: .empty, lastRecordedAt: 0, committedEnd: 0, tail: tail)
            }
            index -= 1
            _ = last
        }
    }
}
