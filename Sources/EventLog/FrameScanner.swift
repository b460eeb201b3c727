import Primitives
import Crypto

/// One frame found by the scanner, checked: header CRC, payload CRC, seq
/// continuity and (when the previous hash is known) the chain.
struct ScannedFrame {
    let header: FrameHeader
    let offset: Int
    /// The header's bytes, inside the segment's map.
    let headerBytes: UnsafeRawBufferPointer
    /// The compressed payload, inside the segment's map.
    let payload: UnsafeRawBufferPointer
    /// SHA-256 over the header and the compressed payload (computed by a
    /// full scan; a light scan leaves it to ``computeHash()``).
    let hash: [UInt8]
    var end: Int { offset + FrameHeader.size + payload.count }

    /// The frame's SHA-256, from its bytes.
    func computeHash() -> [UInt8] { Self.sha256(headerBytes, payload) }

    static func sha256(_ header: UnsafeRawBufferPointer, _ payload: UnsafeRawBufferPointer) -> [UInt8] {
        var sha = SHA256()
        sha.update(bufferPointer: header)
        sha.update(bufferPointer: payload)
        return Array(sha.finalize())
    }
}

/// How a segment's frames ended.
enum ScanEnd: Equatable {
    /// Every byte belongs to a valid frame.
    case clean
    /// The bytes from `offset` on are an incomplete write (only possible in
    /// the last segment): `reason` says what was wrong with them.
    case torn(offset: Int, reason: String)
}

/// Walks the frames of a segment. A fault in the middle is corruption
/// (thrown, with segment, offset and seq); a fault at the very end of the
/// last segment that looks like an interrupted write is a torn tail.
///
/// A torn tail is: fewer bytes than a header; only zero bytes (a file
/// extended but never written); or a valid header whose frame reaches or
/// passes the end of the file with a payload that is short or fails its CRC.
struct FrameScanner {
    let segment: SegmentFile
    let bytes: UnsafeRawBufferPointer
    let isLastSegment: Bool
    /// A light scan checks header CRCs and seq continuity (payload CRC only
    /// for the last frame, where a torn write shows) but neither hashes
    /// frames nor checks the chain: for finding frames (the head, one frame,
    /// a lookup) where the chain is not being verified.
    var light = false

    /// Calls `body` for each valid frame in order; returns how the segment
    /// ended. `expectedSeq` is the seq the first frame must start at;
    /// `previousHash`, when known, is what its chain field must hold.
    func scan(expectedSeq: inout UInt64, previousHash: inout [UInt8]?, _ body: (ScannedFrame) throws -> Void) throws -> ScanEnd {
        var offset = 0
        let total = bytes.count
        while offset < total {
            let remaining = total - offset
            if remaining < FrameHeader.size {
                return try tail(offset, "only \(remaining) bytes, less than a frame header", seq: expectedSeq)
            }
            let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + FrameHeader.size)])
            let header: FrameHeader
            do {
                header = try FrameHeader.decode(headerBytes)
            } catch {
                if isLastSegment && bytes[offset...].allSatisfy({ $0 == 0 }) {
                    return .torn(offset: offset, reason: "\(remaining) zero bytes after the last frame")
                }
                let what = switch error {
                case .badMagic: "no frame header (bad magic)"
                case .badHeaderCRC: "frame header CRC-32 mismatch"
                case .badVersion(let v): "unknown frame format version \(v)"
                }
                throw corrupt(offset, what, seq: expectedSeq)
            }
            let end = offset + FrameHeader.size + Int(header.compressedLength)
            if end > total {
                return try tail(offset, "frame declares \(header.compressedLength) payload bytes, only \(total - offset - FrameHeader.size) written",
                                seq: header.firstSeq)
            }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + FrameHeader.size)..<end])
            // A light scan checks the payload CRC of the last frame only (a
            // torn write shows there); whoever inflates a frame checks its own.
            guard (light && end < total) || crc32Of(payload) == header.payloadCRC else {
                if end == total { return try tail(offset, "payload CRC-32 mismatch in the last frame", seq: header.firstSeq) }
                throw corrupt(offset, "payload CRC-32 mismatch", seq: header.firstSeq)
            }
            guard header.count > 0 else { throw corrupt(offset, "a frame with no records", seq: header.firstSeq) }
            guard header.firstSeq == expectedSeq else {
                throw corrupt(offset, "frame starts at seq \(header.firstSeq), expected \(expectedSeq)", seq: header.firstSeq)
            }
            if !light, let previousHash, header.previousHash != previousHash {
                throw corrupt(offset, "hash chain broken: the frame does not follow the one before it", seq: header.firstSeq)
            }
            let frame = ScannedFrame(header: header, offset: offset, headerBytes: headerBytes, payload: payload,
                                     hash: light ? [] : ScannedFrame.sha256(headerBytes, payload))
            try body(frame)
            expectedSeq = header.firstSeq + UInt64(header.count)
            if !light { previousHash = frame.hash }
            offset = end
        }
        return .clean
    }

    private func tail(_ offset: Int, _ reason: String, seq: UInt64) throws -> ScanEnd {
        guard isLastSegment else { throw corrupt(offset, reason, seq: seq) }
        return .torn(offset: offset, reason: reason)
    }

    func corrupt(_ offset: Int, _ what: String, seq: UInt64?) -> EventLogError {
        EventLogError(.corrupt, what, segment: segment.name, offset: FrameOffset(rawValue: offset), seq: seq.map { Seq($0) },
                      hint: "the log was changed after it was written; no command reads past a fault. Restore the log directory from a backup: a copy with these bytes intact gives back every event")
    }
}
