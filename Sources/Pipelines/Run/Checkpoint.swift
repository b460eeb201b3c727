import Primitives
import EventLog
import Foundation
import Projections
import ScoreModel

/// A saved score book at seq N with the hash of the log frame that holds N.
///
/// File (format 4): a ``SealedFile`` (domain `parledger checkpoint 4\n`)
/// whose body is: magic `PLCK`, version 4, seq (8 bytes LE), frame hash
/// (32), SHA-256 of the manifest of the snapshot the run wrote (32; zeros
/// for none), then the book (``ScoreBook/serialized()``) to the end of the
/// body. The file is mapped, not read into memory: a national book of
/// hundreds of megabytes is parsed where it lies, each 8 MiB piece checked
/// against its sealed hash first, and each page let go once it is hashed
/// and again once the parser has passed it.
///
/// What it is trusted for: to stand for the log up to seq N, and to vouch
/// for the snapshot whose manifest it names, for whoever holds the key
/// that made it. It is used only when its seal verifies with the reader's
/// key and its frame hash is the log's at N; otherwise it is discarded
/// (with the reason) and the log is replayed. A deliberate edit without the
/// key cannot pass; damage cannot either.
struct Checkpoint {
    static let magic = Array("PLCK".utf8)
    static let version: UInt8 = 4
    static let fixed = 4 + 1 + 8 + 32 + 32
    var seq: Seq
    var frameHash: FrameHash
    /// SHA-256 of the snapshot manifest written with this checkpoint.
    var manifestHash: [UInt8]
    var book: ScoreBook

    /// What the seal names: the kind and format of the file.
    static let domain = "parledger checkpoint \(version)\n"

    /// The body's first bytes, before the book.
    var header: [UInt8] {
        var out = Self.magic
        out.append(Self.version)
        withUnsafeBytes(of: seq.rawValue.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: frameHash.bytes)
        out.append(contentsOf: manifestHash.count == 32 ? manifestHash : [UInt8](repeating: 0, count: 32))
        return out
    }

    enum Load { case usable(Checkpoint), discarded(String), none }

    /// Maps a checkpoint and checks it against the log and the key.
    ///
    /// Every piece of the body is checked against its sealed hash before the
    /// book is parsed from it, under the file's lock, and a file that others
    /// than its owner may write is refused: what is authenticated is what is
    /// used.
    static func load(_ path: String, reader: LogReader, key: CheckpointKey?, only: (unit: UnitCode, index: IndexCode, year: Int)? = nil) -> Load {
        guard FileManager.default.fileExists(atPath: path) else { return .none }
        guard let key else {
            return .discarded("there is no checkpoint key at \(CheckpointKey.defaultPath) to authenticate it with (only the account that runs the pipeline holds one)")
        }
        let file: SealedFile
        do { file = try SealedFile(path: path, key: key, domain: domain) } catch {
            // Another format's seal names another domain: say which format it is, when it says so.
            let handle = FileHandle(forReadingAtPath: path)
            defer { try? handle?.close() }
            if let header = try? handle?.read(upToCount: 5), header.count == 5, Array(header.prefix(4)) == magic, header.last != version {
                return .discarded("a checkpoint of format \(header.last!); this parledger reads format \(version)")
            }
            return .discarded(error.message)
        }
        guard file.count >= fixed, let header = file.withCheckedBytes(0..<fixed, { Array($0) }) else {
            return .discarded(file.damage ?? "it is \(file.count) bytes long, shorter than a header (a save cut short by a crash?)")
        }
        guard Array(header[0..<4]) == magic else { return .discarded("not a checkpoint") }
        guard header[4] == version else { return .discarded("a checkpoint of format \(header[4]); this parledger reads format \(version)") }
        let seq = header.withUnsafeBytes { Seq(UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 5, as: UInt64.self))) }
        let hash = FrameHash(Array(header[13..<45]))
        let manifestHash = Array(header[45..<77])
        // The cheap checks first: a checkpoint of another log is turned away before hundreds of megabytes are hashed.
        guard seq <= reader.head.seq else { return .discarded("it is at seq \(seq) but the log ends at \(reader.head.seq)") }
        guard let current = try? reader.frameHash(containing: seq), current == hash else {
            return .discarded("the log at seq \(seq) is not what it was when the checkpoint was saved (rewritten or replaced)")
        }
        do {
            // Pages let go as they are hashed and as the parser passes them: the run holds the book, not its file too.
            let book = try file.withCheckedBytesReleasing(fixed..<file.count) { bookBytes, release -> ScoreBook in
                do {
                    return try ScoreBook(serialized: bookBytes, only: only, done: release)
                } catch is ScoreBook.NotInCheckpoint {
                    return try ScoreBook(serialized: bookBytes, done: release)   // a unit registered after the checkpoint: read it all
                }
            }
            guard let book else { return .discarded(file.damage ?? "it cannot be read") }
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
    ///
    /// The book is written as it is serialized, a megabyte at a time, each
    /// piece hashed as it is written: a run's peak memory holds the book,
    /// not the book and its file.
    func save(_ path: String, key: CheckpointKey) throws {
        do {
            let file = try SealedFile.Writer(path: path, key: key, domain: Self.domain)
            try file.append(header)
            try book.serialize { (bytes) throws(EventLogError) in try file.append(bytes) }
            try file.finish()
        } catch {
            throw PipelineError(code: .badOutput, place: path, message: "cannot save the checkpoint: \(error)",
                                hint: "check the directory's permissions and free space; the snapshot was written, the next run replays the whole log")
        }
    }

}
