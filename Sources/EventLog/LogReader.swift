import Primitives

/// One record, borrowed from the reader for the length of a callback.
public struct LogRecordView {
    public let seq: Seq
    /// The writer's clock when the record was appended, µs since the Unix epoch.
    public let recordedAt: Int64
    /// The record's bytes; valid only inside the callback.
    public let payload: UnsafeRawBufferPointer
}

/// What the raw path tells about a frame.
public struct FrameInfo: Sendable {
    public let segment: String
    public let offset: FrameOffset
    public let firstSeq: Seq
    public let count: Int
    public let plainLength: Int
    public let compressedLength: Int
    public let hash: [UInt8]
    /// The writer's clock of the frame's first record (records carry deltas from it).
    public let recordedMin: Int64
}

/// Inflates frames handed out by ``LogReader/forEachFrame(from:through:_:)``
/// and walks their records: one per thread, so that frames can be inflated
/// and decoded on several cores while the records are used in seq order.
public final class FrameRecords {
    private let inflater = Inflater()

    public init() {}

    /// Calls `body` for each record of the frame with `from ≤ seq ≤ through`.
    public func forEachRecord(of frame: FrameInfo, compressed: UnsafeRawBufferPointer, from: Seq = Seq(1), through: Seq = Seq(.max),
                              _ body: (LogRecordView) throws -> Void) throws {
        try forEachRecord(compressed, plainLength: frame.plainLength, firstSeq: frame.firstSeq.rawValue, count: frame.count,
                          recordedMin: frame.recordedMin, from: from.rawValue, through: through.rawValue, segment: frame.segment,
                          offset: frame.offset, body)
    }

    /// Inflates a frame's payload and walks its records (`segment` nil: the
    /// caller names it).
    func forEachRecord(_ compressed: UnsafeRawBufferPointer, plainLength: Int, firstSeq: UInt64, count: Int, recordedMin: Int64,
                       from: UInt64, through: UInt64, segment: String?, offset: FrameOffset, _ body: (LogRecordView) throws -> Void) throws {
        guard let plain = inflater.inflate(compressed, plainLength: plainLength) else {
            throw EventLogError(.corrupt, "frame payload does not inflate to its declared length", segment: segment, offset: offset,
                                seq: Seq(firstSeq), hint: "the log was changed after it was written; restore it from a backup")
        }
        var at = 0
        var seq = firstSeq
        for _ in 0..<count {
            if seq > through { return }
            guard let delta = Varint.read(plain, &at), let length = Varint.read(plain, &at), at + Int(length) <= plain.count else {
                throw EventLogError(.corrupt, "record \(seq) is malformed inside its frame", segment: segment, offset: offset,
                                    seq: Seq(firstSeq), hint: "restore the log from a backup")
            }
            if seq >= from {
                try body(LogRecordView(seq: Seq(seq), recordedAt: recordedMin + Int64(delta),
                                       payload: UnsafeRawBufferPointer(rebasing: plain[at..<(at + Int(length))])))
            }
            at += Int(length)
            seq += 1
        }
    }
}

/// Reads a log without changing it: records from any seq, frames for the
/// raw path, the head.
///
/// Memory stays flat however long the log is: one segment is mapped at a
/// time and one frame inflated at a time into a reused buffer.
///
/// ```swift
/// let reader = try LogReader(directory: "events")
/// try reader.forEachRecord(from: Seq(1)) { record in
///     print(record.seq, record.payload.count)
/// }
/// ```
public final class LogReader {
    public let directory: String
    let layout: LogLayout
    private let inflater = Inflater()
    private let records = FrameRecords()

    /// Opens the log read-only. A torn tail is left in place and reported by
    /// ``tornTail``; it is never read.
    public init(directory: String) throws {
        self.directory = directory
        self.layout = try LogLayout.open(directory)
    }

    public var head: LogHead { layout.head }

    /// The name of the marker file that makes a directory a log (it holds
    /// the format line, and the origin line of docs/TRANSPARENCY.md).
    public static var markerName: String { LogLayout.markerName }

    /// Whether `directory` holds a log (its marker file).
    public static func exists(directory: String) -> Bool { LogLayout.exists(directory) }

    /// A description of bytes after the head that are not part of the log
    /// (a torn frame or an unfinished batch), if any. A writer cuts them off.
    public var tornTail: EventLogError? {
        guard let tail = layout.tail else { return nil }
        return EventLogError(.tornTail, Self.describe(tail), segment: tail.segment,
                             offset: FrameOffset(rawValue: tail.offset),
                             hint: "an append was interrupted; the next writer (e.g. `parledger import`) cuts these bytes off")
    }

    static func describe(_ tail: LogLayout.Tail) -> String {
        var text = "\(tail.bytes) bytes after the last acknowledged batch: \(tail.reason)"
        if !tail.extraSegments.isEmpty { text += " (and segment \(tail.extraSegments.map(\.name).joined(separator: ", ")))" }
        return text
    }

    /// Calls `body` for every record with `from ≤ seq ≤ through` (through
    /// defaults to the head), in seq order.
    public func forEachRecord(from: Seq = Seq(1), through: Seq? = nil, _ body: (LogRecordView) throws -> Void) throws {
        let last = min(through?.rawValue ?? layout.head.seq.rawValue, layout.head.seq.rawValue)
        guard from.rawValue <= last else { return }
        try forEachCheckedFrame(from: from.rawValue, through: last) { frame, _ in
            try records.forEachRecord(frame, from: from.rawValue, through: last, body)
        }
    }

    /// Calls `body` for the records with these seqs (sorted, ascending), in
    /// order. Only the frames that hold one of them are inflated: a lookup
    /// of a few hundred events reads a few frames, not the log. Frames are
    /// checked by CRC; the hash chain is checked by replays and `verify`.
    public func forEachRecord(seqs: [Seq], _ body: (LogRecordView) throws -> Void) throws {
        let wanted = seqs.filter { $0.rawValue >= 1 && $0.rawValue <= layout.head.seq.rawValue }
        guard let first = wanted.first, let last = wanted.last else { return }
        var next = 0
        // Frames are found with CRCs checked but not hashed: a lookup of a
        // few hundred events does not re-verify the chain of the whole log
        // (replays and `verify` do).
        try forEachCheckedFrame(from: first.rawValue, through: last.rawValue, light: true) { frame, _ in
            let frameLast = frame.header.firstSeq + UInt64(frame.header.count) - 1
            while next < wanted.count && wanted[next].rawValue < frame.header.firstSeq { next += 1 }
            guard next < wanted.count, wanted[next].rawValue <= frameLast else { return }
            guard crc32Of(frame.payload) == frame.header.payloadCRC else {
                throw EventLogError(.corrupt, "payload CRC-32 mismatch", offset: FrameOffset(rawValue: frame.offset), seq: Seq(frame.header.firstSeq),
                                    hint: "the log was changed after it was written; restore it from a backup")
            }
            try records.forEachRecord(frame, from: wanted[next].rawValue, through: min(frameLast, last.rawValue)) { record in
                guard next < wanted.count, record.seq == wanted[next] else { return }
                try body(record)
                while next < wanted.count && wanted[next] <= record.seq { next += 1 }
            }
        }
    }

    /// The raw path: every frame up to the head with its compressed bytes,
    /// checked but not inflated — for measuring zlib alone on the same log.
    /// With `from`/`through`, only the frames that hold records in that
    /// range (the bytes are valid only inside the callback).
    public func forEachFrame(from: Seq = Seq(1), through: Seq? = nil, _ body: (FrameInfo, UnsafeRawBufferPointer) throws -> Void) throws {
        let last = min(through?.rawValue ?? layout.head.seq.rawValue, layout.head.seq.rawValue)
        guard last > 0, from.rawValue <= last else { return }
        try forEachCheckedFrame(from: max(1, from.rawValue), through: last) { frame, segment in
            let info = FrameInfo(segment: segment.name, offset: FrameOffset(rawValue: frame.offset), firstSeq: Seq(frame.header.firstSeq),
                                 count: Int(frame.header.count), plainLength: Int(frame.header.plainLength),
                                 compressedLength: Int(frame.header.compressedLength), hash: frame.hash, recordedMin: frame.header.recordedMin)
            try body(info, frame.payload)
        }
    }

    /// Inflates every frame and discards the bytes: zlib's own speed on this log.
    /// Returns the plain bytes produced.
    public func inflateAll() throws -> Int {
        var total = 0
        try forEachFrame { info, compressed in
            guard inflater.inflate(compressed, plainLength: info.plainLength) != nil else {
                throw EventLogError(.corrupt, "frame payload does not inflate", segment: info.segment, offset: info.offset, seq: info.firstSeq)
            }
            total += info.plainLength
        }
        return total
    }

    /// The hash of the frame holding `seq` (the chain up to it), or nil
    /// when `seq` is past the head. Checkpoints keep it to notice a rewritten log.
    public func frameHash(containing seq: Seq) throws -> FrameHash? {
        guard seq.rawValue >= 1, seq.rawValue <= layout.head.seq.rawValue else { return nil }
        var found: FrameHash?
        // The frame's own hash commits to the chain before it; checking the
        // chain itself is for replays and `verify`.
        try forEachCheckedFrame(from: seq.rawValue, through: seq.rawValue, light: true) { frame, _ in found = FrameHash(frame.computeHash()) }
        return found
    }

    /// Walks checked frames that overlap `[from, through]`, starting at the
    /// segment that holds `from` (segment names are the sparse index).
    private func forEachCheckedFrame(from: UInt64, through: UInt64, light: Bool = false, _ body: (ScannedFrame, SegmentFile) throws -> Void) throws {
        let segments = layout.segments
        guard !segments.isEmpty else { return }
        var startIndex = 0
        for (i, segment) in segments.enumerated() where segment.firstSeq <= from { startIndex = i }
        var previous: [UInt8]? = nil
        var expected = segments[startIndex].firstSeq
        for i in startIndex..<segments.count {
            let segment = segments[i]
            guard segment.firstSeq <= through else { return }
            if segment.firstSeq != expected {
                throw EventLogError(.corrupt, "segment starts at seq \(segment.firstSeq), expected \(expected)", segment: segment.name,
                                    offset: FrameOffset(rawValue: 0), hint: "a segment is missing or was renamed; restore the log from a backup")
            }
            let file = try MappedFile(path: segment.path)
            let isLast = i == segments.count - 1
            // Only the committed part of the last segment is the log.
            let bytes = isLast ? UnsafeRawBufferPointer(rebasing: file.bytes[0..<layout.committedEnd]) : file.bytes
            var scanner = FrameScanner(segment: segment, bytes: bytes, isLastSegment: false)
            scanner.light = light
            struct Done: Error {}
            do {
                _ = try scanner.scan(expectedSeq: &expected, previousHash: &previous) { frame in
                    if frame.header.lastSeq < from { return }
                    if frame.header.firstSeq > through { throw Done() }
                    do {
                        try body(frame, segment)
                    } catch var error as EventLogError where error.segment == nil {
                        error.segment = segment.name
                        throw error
                    }
                }
            } catch is Done {
                return
            }
            withExtendedLifetime(file) {}
        }
    }
}

extension FrameRecords {
    /// The records of a frame found by a scan.
    func forEachRecord(_ frame: ScannedFrame, from: UInt64, through: UInt64, _ body: (LogRecordView) throws -> Void) throws {
        try forEachRecord(frame.payload, plainLength: Int(frame.header.plainLength), firstSeq: frame.header.firstSeq, count: Int(frame.header.count),
                          recordedMin: frame.header.recordedMin, from: from, through: through, segment: nil,
                          offset: FrameOffset(rawValue: frame.offset), body)
    }
}
