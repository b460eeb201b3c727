import Primitives
import Crypto
import EventLog
import Foundation
import Projections
import ScoreModel

/// A saved score book at seq N with the hash of the log frame that holds N.
///
/// File (format 3): magic `PLCK`, version 3, seq (8 bytes LE), frame hash
/// (32), SHA-256 of the manifest of the snapshot the run wrote (32; zeros
/// for none), book length (8 bytes LE), the book
/// (``ScoreBook/serialized()``), then a 32-byte authentication code:
/// HMAC-SHA-256 under the runner's ``CheckpointKey`` of the text
/// `parledger checkpoint 3\n` followed by the SHA-256 of each 8 MiB chunk of
/// everything before the code (the chunks hashed on every core).
///
/// What it is trusted for: to stand for the log up to seq N, and to vouch
/// for the snapshot whose manifest it names, for whoever holds the key
/// that made it. It is used only when its code verifies with the reader's
/// key and its frame hash is the log's at N; otherwise it is discarded
/// (with the reason) and the log is replayed. A deliberate edit without the
/// key cannot pass; damage cannot either.
struct Checkpoint {
    static let magic = Array("PLCK".utf8)
    static let version: UInt8 = 3
    static let fixed = 4 + 1 + 8 + 32 + 32 + 8
    var seq: Seq
    var frameHash: FrameHash
    /// SHA-256 of the snapshot manifest written with this checkpoint.
    var manifestHash: [UInt8]
    var book: ScoreBook

    func encoded(key: CheckpointKey) -> [UInt8] {
        var out = Self.magic
        out.append(Self.version)
        withUnsafeBytes(of: seq.rawValue.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: frameHash.bytes)
        out.append(contentsOf: manifestHash.count == 32 ? manifestHash : [UInt8](repeating: 0, count: 32))
        let lengthAt = out.count
        out.append(contentsOf: repeatElement(0, count: 8))
        book.serialize(into: &out)
        let length = UInt64(out.count - lengthAt - 8)
        withUnsafeBytes(of: length.littleEndian) { for (i, b) in $0.enumerated() { out[lengthAt + i] = b } }
        out.append(contentsOf: Self.code(out, body: out.count, key: key))
        return out
    }

    /// What the seal names: the kind and format of the file.
    static let domain = "parledger checkpoint \(version)\n"

    /// The authentication code of `bytes[0..<body]`.
    static func code(_ bytes: [UInt8], body: Int, key: CheckpointKey) -> [UInt8] {
        key.seal(bytes, count: body, domain: domain)
    }

    enum Load { case usable(Checkpoint), discarded(String), none }

    /// Reads a checkpoint and checks it against the log and the key.
    ///
    /// The file is read into memory once and checked there, so what is
    /// authenticated is exactly what is used, whatever happens to the file
    /// meanwhile.
    static func load(_ path: String, reader: LogReader, key: CheckpointKey?, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) -> Load {
        guard FileManager.default.fileExists(atPath: path) else { return .none }
        guard let key else {
            return .discarded("there is no checkpoint key at \(CheckpointKey.defaultPath) to authenticate it with (only the account that runs the pipeline holds one)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { return .discarded("it cannot be read") }
        return check([UInt8](data), reader: reader, key: key, only: only)
    }

    static func check(_ raw: [UInt8], reader: LogReader, key: CheckpointKey, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) -> Load {
        guard raw.count >= fixed + 32 else { return .discarded("it is \(raw.count) bytes long, shorter than a header (a save cut short by a crash?)") }
        guard Array(raw[0..<4]) == magic else { return .discarded("not a checkpoint") }
        guard raw[4] == version else { return .discarded("a checkpoint of format \(raw[4]); this parledger reads format \(version)") }
        func u64(_ at: Int) -> UInt64 { raw.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        // The cheap checks first: a checkpoint of another log is turned away
        // before hundreds of megabytes are hashed.
        let seq = Seq(u64(5))
        let hash = FrameHash(Array(raw[13..<45]))
        let manifestHash = Array(raw[45..<77])
        guard seq <= reader.head.seq else { return .discarded("it is at seq \(seq) but the log ends at \(reader.head.seq)") }
        guard let current = try? reader.frameHash(containing: seq), current == hash else {
            return .discarded("the log at seq \(seq) is not what it was when the checkpoint was saved (rewritten or replaced)")
        }
        let length = u64(77)
        guard UInt64(raw.count - fixed - 32) == length else { return .discarded("its length does not match (a save cut short?)") }
        let body = raw.count - 32
        guard code(raw, body: body, key: key) == Array(raw[body...]) else {
            return .discarded("its authentication code does not verify with the key at \(key.path): it was edited, damaged, or made with another key")
        }
        do {
            let book = try raw.withUnsafeBytes { all -> ScoreBook in
                let bookBytes = UnsafeRawBufferPointer(rebasing: all[fixed..<body])
                do {
                    return try ScoreBook(serialized: bookBytes, only: only)
                } catch is ScoreBook.NotInCheckpoint {
                    return try ScoreBook(serialized: bookBytes)   // a unit registered after the checkpoint: read it all
                }
            }
            return .usable(Checkpoint(seq: seq, frameHash: hash, manifestHash: manifestHash, book: book))
        } catch {
            return .discarded("\(error)")
        }
    }

    /// Saves under a temporary name, then renames. Not fsynced: a checkpoint
    /// is a cache that is checked before use, so one lost or torn by a crash
    /// is discarded (checksum, length) and costs one replay from the start,
    /// while waiting for a few hundred megabytes to reach the disk would cost
    /// every nightly run. The snapshot itself is made durable before this.
    func save(_ path: String, key: CheckpointKey) throws {
        do {
            try DurableFile.replace(path, with: encoded(key: key), durable: false)
        } catch {
            throw PipelineError(code: .badOutput, place: path, message: "cannot save the checkpoint: \(error)",
                                hint: "check the directory's permissions and free space; the snapshot was written, the next run replays the whole log")
        }
    }

}
