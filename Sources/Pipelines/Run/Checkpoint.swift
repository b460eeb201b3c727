import Crypto
import EventLog
import Foundation
import Projections

/// A saved score book at seq N with the hash of the log frame that holds N.
///
/// File: magic `PLCK`, version 1, seq (8 bytes LE), frame hash (32), book
/// length (8 bytes LE), the book (``ScoreBook/serialized()``), then SHA-256
/// of everything before it. A checkpoint whose hash does not match its bytes,
/// or whose frame hash is not the log's at N (the log was rewritten), is
/// thrown away: the run starts from scratch.
struct Checkpoint {
    static let magic = Array("PLCK".utf8)
    var seq: UInt64
    var frameHash: [UInt8]
    var book: ScoreBook

    func encoded() -> [UInt8] {
        var out = Self.magic
        out.append(1)
        withUnsafeBytes(of: seq.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: frameHash)
        let lengthAt = out.count
        out.append(contentsOf: repeatElement(0, count: 8))
        book.serialize(into: &out)
        let length = UInt64(out.count - lengthAt - 8)
        withUnsafeBytes(of: length.littleEndian) { for (i, b) in $0.enumerated() { out[lengthAt + i] = b } }
        out.append(contentsOf: SHA256.hash(data: out))
        return out
    }

    enum Load { case usable(Checkpoint), discarded(String), none }

    /// Reads a checkpoint and checks it against the log.
    static func load(_ path: String, reader: LogReader) -> Load {
        let fixed = 4 + 1 + 8 + 32 + 8
        // The header alone first: a checkpoint of another log is turned away
        // before hundreds of megabytes are read and hashed.
        guard let header = readWhole(path, limit: fixed) else { return .none }
        guard header.count == fixed else { return .discarded("it is \(header.count) bytes long, shorter than a header (a save cut short by a crash?)") }
        guard Array(header[0..<4]) == magic, header[4] == 1 else { return .discarded("not a checkpoint of this version") }
        let headerSeq = header[5..<13].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerSeq <= reader.head.seq.rawValue else { return .discarded("it is at seq \(headerSeq) but the log ends at \(reader.head.seq)") }
        guard let current = try? reader.frameHash(containing: Seq(headerSeq)), current == Array(header[13..<45]) else {
            return .discarded("the log at seq \(headerSeq) is not what it was when the checkpoint was saved (rewritten or replaced)")
        }
        guard let bytes = readWhole(path) else { return .none }
        guard bytes.count >= fixed + 32, Array(bytes[0..<fixed]) == header else { return .discarded("it changed while it was read") }
        return bytes.withUnsafeBytes { raw in
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 32)])
            let seq = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 5, as: UInt64.self))
            let hash = Array(raw[13..<45])
            let length = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 45, as: UInt64.self))
            guard UInt64(body.count - fixed) == length else { return .discarded("its length does not match") }
            guard Array(SHA256.hash(data: body)) == Array(raw[(raw.count - 32)...]) else { return .discarded("its checksum does not match (damaged file)") }
            do {
                return .usable(Checkpoint(seq: seq, frameHash: hash, book: try ScoreBook(serialized: UnsafeRawBufferPointer(rebasing: body[fixed...]))))
            } catch {
                return .discarded("\(error)")
            }
        }
    }

    /// A whole file in one buffer (no intermediate copy), or nil when it cannot be read.
    static func readWhole(_ path: String, limit: Int = .max) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let size = min(Int(info.st_size), limit)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failed = true; break }
                done += n
            }
            initialized = done
        }
        return failed ? nil : bytes
    }

    /// Saves under a temporary name, then renames. Not fsynced: a checkpoint
    /// is a cache that is checked before use, so one lost or torn by a crash
    /// is discarded (checksum, length) and costs one replay from the start,
    /// while waiting for a few hundred megabytes to reach the disk would cost
    /// every nightly run. The snapshot itself is made durable before this.
    func save(_ path: String) throws {
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try SnapshotWriter.writeFile(encoded(), to: tmp, sync: false)
        } catch {
            unlink(tmp)
            throw PipelineError(code: .badOutput, place: path, message: "cannot save the checkpoint: \(error)",
                                hint: "check the directory's permissions and free space; the snapshot was written, the next run replays the whole log")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw PipelineError(code: .badOutput, place: path, message: "cannot save the checkpoint: \(String(cString: strerror(errno)))")
        }
    }
}
