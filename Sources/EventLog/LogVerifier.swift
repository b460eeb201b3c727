import Primitives

/// What a full check of a log found.
public struct LogReport: Sendable {
    public var head: LogHead = .empty
    public var segments = 0
    public var frames = 0
    public var events: UInt64 = 0
    public var compressedBytes = 0
    public var plainBytes = 0
    /// Bytes on disk, headers included.
    public var fileBytes = 0

    /// Plain bytes per compressed byte (2.0 means half the size).
    public var ratio: Double { compressedBytes == 0 ? 0 : Double(plainBytes) / Double(compressedBytes) }
}

/// Checks a whole log: every frame's header and payload CRC, every record
/// inside (inflated and parsed), seqs dense across segments, and the SHA-256
/// chain from the first frame to the head.
public enum LogVerifier {
    /// The report, or the first fault as an ``EventLogError`` naming
    /// segment, offset and seq. A torn tail is a fault here (code
    /// `.tornTail`); a writer would cut it off.
    public static func verify(directory: String) throws -> LogReport {
        try scan(directory: directory, deep: true)
    }

    /// Figures from the frame headers alone (no inflate): fast, for `stat`.
    public static func stat(directory: String) throws -> LogReport {
        try scan(directory: directory, deep: false)
    }

    static func scan(directory: String, deep: Bool) throws -> LogReport {
        let layout = try LogLayout.open(directory)
        var report = LogReport()
        report.segments = layout.segments.count
        var expected: UInt64 = 1
        var previous: [UInt8]? = [UInt8](repeating: 0, count: 32)
        let inflater = Inflater()
        for (i, segment) in layout.segments.enumerated() {
            if segment.firstSeq != expected && !(i == layout.segments.count - 1 && layout.committedEnd == 0) {
                throw EventLogError(.corrupt, "segment starts at seq \(segment.firstSeq), expected \(expected)", segment: segment.name,
                                    offset: FrameOffset(rawValue: 0), hint: "a segment is missing or was renamed; restore the log from a backup")
            }
            let file = try MappedFile(path: segment.path)
            report.fileBytes += file.bytes.count
            let isLast = i == layout.segments.count - 1
            let bytes = isLast ? UnsafeRawBufferPointer(rebasing: file.bytes[0..<layout.committedEnd]) : file.bytes
            let scanner = FrameScanner(segment: segment, bytes: bytes, isLastSegment: false)
            _ = try scanner.scan(expectedSeq: &expected, previousHash: &previous) { frame in
                report.frames += 1
                report.events += UInt64(frame.header.count)
                report.compressedBytes += frame.payload.count
                report.plainBytes += Int(frame.header.plainLength)
                report.head = LogHead(seq: Seq(frame.header.lastSeq), hash: FrameHash(frame.hash))
                guard deep else { return }
                guard let plain = inflater.inflate(frame.payload, plainLength: Int(frame.header.plainLength)) else {
                    throw scanner.corrupt(frame.offset, "payload does not inflate to its declared \(frame.header.plainLength) bytes",
                                          seq: frame.header.firstSeq)
                }
                var offset = 0
                for _ in 0..<frame.header.count {
                    guard Varint.read(plain, &offset) != nil, let length = Varint.read(plain, &offset), offset + Int(length) <= plain.count else {
                        throw scanner.corrupt(frame.offset, "a record inside the frame is malformed", seq: frame.header.firstSeq)
                    }
                    offset += Int(length)
                }
                guard offset == plain.count else {
                    throw scanner.corrupt(frame.offset, "\(plain.count - offset) stray bytes after the frame's records", seq: frame.header.firstSeq)
                }
            }
            withExtendedLifetime(file) {}
        }
        if let tail = layout.tail {
            throw EventLogError(.tornTail, LogReader.describe(tail), segment: tail.segment,
                                offset: FrameOffset(rawValue: tail.offset),
                                hint: "an append was interrupted or the last frame was damaged; the next writer (e.g. `parledger import`) cuts these bytes off, losing only that unacknowledged batch")
        }
        return report
    }
}
