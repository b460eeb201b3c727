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

/// What an incremental run vouches for when it does not save the whole
/// book again: that the checkpoint at seq N, with the log's events after
/// it folded on top, stands for the log up to seq M, and that the snapshot
/// whose manifest it names (by SHA-256) was made from it.
///
/// A national book is hundreds of megabytes; a night adds a fraction of a
/// percent of its events. Saving the book again after each night would
/// cost about as much as replaying the whole log, so a run whose checkpoint
/// is behind by few events (``Checkpoint/tailLimit(_:)``) writes this small
/// file beside the checkpoint instead, and the next run folds the events
/// from N again before it goes on from M.
///
/// File (format 1): a ``SealedFile`` (domain `parledger checkpoint tail 1\n`)
/// whose body is: magic `PLCT`, version 1, the checkpoint's seq N (8 bytes
/// LE) and the hash of the log frame that holds N (32), seq M (8), the hash
/// of the frame that holds M (32), SHA-256 of the snapshot's manifest (32).
/// It is used only with the checkpoint it names (same N and frame hash),
/// when its seal verifies and the log still holds M as it was; otherwise
/// the run renders every partition, with a notice saying why.
struct CheckpointTail: Equatable {
    static let magic = Array("PLCT".utf8)
    static let version: UInt8 = 1
    static let size = 4 + 1 + 8 + 32 + 8 + 32 + 32
    static let domain = "parledger checkpoint tail \(version)\n"
    var base: Seq
    var baseHash: FrameHash
    var seq: Seq
    var frameHash: FrameHash
    var manifestHash: [UInt8]

    static func path(checkpoint: String) -> String { checkpoint + ".tail" }

    var body: [UInt8] {
        var out = Self.magic
        out.append(Self.version)
        withUnsafeBytes(of: base.rawValue.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: baseHash.bytes)
        withUnsafeBytes(of: seq.rawValue.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: frameHash.bytes)
        out.append(contentsOf: manifestHash)
        return out
    }

    init(base: Seq, baseHash: FrameHash, seq: Seq, frameHash: FrameHash, manifestHash: [UInt8]) {
        (self.base, self.baseHash, self.seq, self.frameHash, self.manifestHash) = (base, baseHash, seq, frameHash, manifestHash)
    }

    /// The body's fields; nil when it is not a tail of this format.
    init?(body b: [UInt8]) {
        guard b.count == Self.size, Array(b[0..<4]) == Self.magic, b[4] == Self.version else { return nil }
        func seq(at o: Int) -> Seq { b.withUnsafeBytes { Seq(UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: o, as: UInt64.self))) } }
        self.init(base: seq(at: 5), baseHash: FrameHash(Array(b[13..<45])), seq: seq(at: 45), frameHash: FrameHash(Array(b[53..<85])),
                  manifestHash: Array(b[85..<117]))
    }

    enum Load { case usable(CheckpointTail), discarded(String), none }

    /// The tail beside `checkpoint`, checked against the key, the checkpoint
    /// it goes with and the log.
    static func load(checkpoint: String, base: Checkpoint, reader: LogReader, key: CheckpointKey) -> Load {
        let path = Self.path(checkpoint: checkpoint)
        guard FileManager.default.fileExists(atPath: path) else { return .none }
        let file: SealedFile
        do { file = try SealedFile(path: path, key: key, domain: domain) } catch { return .discarded(error.message) }
        guard let bytes = file.withCheckedBytes(0..<file.count, { Array($0) }) else { return .discarded(file.damage ?? "it cannot be read") }
        guard let tail = CheckpointTail(body: bytes) else { return .discarded("not a checkpoint tail of format \(version)") }
        // A tail of an earlier checkpoint (the book was saved whole since): not this one's.
        guard tail.base == base.seq, tail.baseHash == base.frameHash else { return .none }
        guard tail.seq >= tail.base, tail.seq <= reader.head.seq,
              let current = try? reader.frameHash(containing: tail.seq), current == tail.frameHash else {
            return .discarded("the log at seq \(tail.seq) is not what it was when the tail was saved (rewritten or replaced)")
        }
        return .usable(tail)
    }

    /// Saves under a temporary name, then renames; not fsynced (a cache, as the checkpoint).
    func save(_ path: String, key: CheckpointKey) throws {
        do {
            let file = try SealedFile.Writer(path: path, key: key, domain: Self.domain)
            try file.append(body)
            try file.finish()
        } catch {
            throw PipelineError(code: .badOutput, place: path, message: "cannot save the checkpoint's tail: \(error)",
                                hint: "check the directory's permissions and free space; the snapshot was written, the next run renders every partition")
        }
    }
}

extension Checkpoint {
    /// How many events a run may fold on top of a checkpoint at `seq` and
    /// still vouch for its snapshot with a ``CheckpointTail`` instead of
    /// saving the whole book again: 1% of the log the checkpoint holds, so
    /// that the events folded again by each run cost at most about 1% of a
    /// full replay.
    static func tailLimit(_ seq: Seq) -> UInt64 { seq.rawValue / 100 }
}
