import EventLog
import Foundation
import Projections
import ScoreModel

/// A saved score book at seq N with the hash of the log frame that holds N.
///
/// File: magic `PLCK`, version 2, seq (8 bytes LE), frame hash (32), book
/// length (8 bytes LE), the book (``ScoreBook/serialized()``), then the
/// CRC-32 of everything before it (4 bytes LE). A checkpoint whose CRC does
/// not match its bytes, or whose frame hash is not the log's at N (the log
/// was rewritten), is thrown away: the run starts from scratch.
///
/// A checkpoint is a cache, not evidence: the CRC catches damage (a torn
/// save, a flipped bit), not a deliberate edit — no checksum stored beside
/// the data could. What an inspection relies on is the log's hash chain:
/// `--no-checkpoint` on a read command, `run --full` and `verify-snapshot`
/// derive every figure from the log alone. (Version 1 ended with a SHA-256,
/// which cost 40% of an `explain` and protected no better.)
struct Checkpoint {
    static let magic = Array("PLCK".utf8)
    static let version: UInt8 = 2
    var seq: UInt64
    var frameHash: [UInt8]
    var book: ScoreBook

    func encoded() -> [UInt8] {
        var out = Self.magic
        out.append(Self.version)
        withUnsafeBytes(of: seq.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: frameHash)
        let lengthAt = out.count
        out.append(contentsOf: repeatElement(0, count: 8))
        book.serialize(into: &out)
        let length = UInt64(out.count - lengthAt - 8)
        withUnsafeBytes(of: length.littleEndian) { for (i, b) in $0.enumerated() { out[lengthAt + i] = b } }
        let crc = out.withUnsafeBytes { CRC32.checksum($0) }
        withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    enum Load { case usable(Checkpoint), discarded(String), none }

    /// Reads a checkpoint and checks it against the log.
    static func load(_ path: String, reader: LogReader, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) -> Load {
        guard FileManager.default.fileExists(atPath: path) else { return .none }
        // Mapped, not read: the book is built straight from the page cache.
        // Checkpoints are replaced by rename, so the mapped file never changes.
        guard let file = try? MappedFile(path: path) else { return .discarded("it cannot be read") }
        return withExtendedLifetime(file) { check(file.bytes, reader: reader, only: only) }
    }

    static func check(_ raw: UnsafeRawBufferPointer, reader: LogReader, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) -> Load {
        let fixed = 4 + 1 + 8 + 32 + 8
        guard raw.count >= fixed else { return .discarded("it is \(raw.count) bytes long, shorter than a header (a save cut short by a crash?)") }
        guard Array(raw[0..<4]) == magic, raw[4] == version else { return .discarded("not a checkpoint of this version") }
        // The cheap checks first: a checkpoint of another log is turned away
        // before hundreds of megabytes are checksummed.
        let seq = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 5, as: UInt64.self))
        let hash = Array(raw[13..<45])
        guard seq <= reader.head.seq.rawValue else { return .discarded("it is at seq \(seq) but the log ends at \(reader.head.seq)") }
        guard let current = try? reader.frameHash(containing: Seq(seq)), current == hash else {
            return .discarded("the log at seq \(seq) is not what it was when the checkpoint was saved (rewritten or replaced)")
        }
        let length = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 45, as: UInt64.self))
        guard raw.count >= fixed + 4, UInt64(raw.count - fixed - 4) == length else { return .discarded("its length does not match") }
        let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
        let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self))
        guard CRC32.checksum(body) == stored else { return .discarded("its checksum does not match (damaged file)") }
        let bookBytes = UnsafeRawBufferPointer(rebasing: body[fixed...])
        do {
            let book: ScoreBook
            do {
                book = try ScoreBook(serialized: bookBytes, only: only)
            } catch is ScoreBook.NotInCheckpoint {
                book = try ScoreBook(serialized: bookBytes)   // a unit registered after the checkpoint: read it all
            }
            return .usable(Checkpoint(seq: seq, frameHash: hash, book: book))
        } catch {
            return .discarded("\(error)")
        }
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
            throw PipelineError(code: .badOutput, place: path, message: "cannot save the checkpoint: \(FileSystemMessage.describe(error) ?? "\(error)")",
                                hint: "\(FileSystemMessage.hint(error) ?? "check the directory's permissions and free space"); the snapshot was written, the next run replays the whole log")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw PipelineError(code: .badOutput, place: path, message: "cannot save the checkpoint: \(String(cString: strerror(errno)))")
        }
    }
}
