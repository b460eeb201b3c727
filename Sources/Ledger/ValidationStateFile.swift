import Foundation
import Primitives
import EventLog
import ScoreModel

/// The validation state of the log at seq N, saved beside it
/// (`validation.state` in the log directory), so that an import starts
/// from it and replays only the events after N instead of the whole log:
/// one event into a national log of six million takes milliseconds, not
/// the seconds of a replay.
///
/// File (format 1; integers little-endian), a ``SealedFile`` whose body is:
///
/// ```
/// "PLSTATE" 1            8 bytes: magic and format
/// seq                    u64: the state holds the log's events 1…seq
/// frame hash             32 bytes: the log's frame holding seq
/// borrowed at            u64: where, in the state, its tables' entries (appeals, ids, scoring events) begin
/// state                  LedgerState.serialized(), to the end of the body
/// ```
///
/// then the piece hashes, the body's length, the piece size (``piece``, 1 MiB) and the seal (domain
/// "parledger validation state 1\n").
///
/// It is a cache, trusted only as far as it is checked: it is used when its
/// seal verifies with the runner's checkpoint key (so an edit by anyone
/// without the key, or damage, is noticed) and its frame hash is the log's
/// at seq N (so a log rewritten, rolled back or replaced is noticed). Any
/// other file is discarded with the reason and the log is replayed, as it
/// is without a key. The tables' entries (the appeals, the event ids, the
/// scoring events: most of a national state) are neither copied nor hashed
/// when the file is opened: an entry is read from the mapped file, its
/// piece checked then, when a lookup (an appeal, an id, a correction's
/// target) asks for it. It is written after an import is acknowledged, under a
/// temporary name and renamed, not synced: lost to a crash, it costs one
/// replay.
struct ValidationStateFile {
    static let fileName = "validation.state"
    static let magic = Array("PLSTATE".utf8) + [1]
    static let domain = "parledger validation state 1\n"
    static let fixed = 8 + 8 + 32 + 8

    static func path(_ directory: String) -> String { directory + "/" + fileName }

    /// The pieces the file is sealed in: 1 MiB, not the runner's 8, since
    /// an import checks only the pieces it reads (the first ones, and a few
    /// per lookup), and each then costs under a millisecond to check, not
    /// four; a national state has about a hundred (3 KiB of hashes). The
    /// size is in the file, so a file of other pieces reads alike.
    static let piece = 1 << 20

    enum Load {
        /// The state, and the file its table is read from (whose ``SealedFile/damage`` must be nil before the state is trusted).
        case usable(LedgerState, SealedFile)
        case discarded(String)
        case none
    }

    static func u64(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }

    /// The saved state, checked against the log and the key.
    static func load(directory: String, reader: LogReader, key: CheckpointKey?) -> Load {
        let path = path(directory)
        guard FileManager.default.fileExists(atPath: path) else { return .none }
        guard let key else { return .discarded("there is no checkpoint key at \(CheckpointKey.defaultPath) to check its seal with") }
        let file: SealedFile
        do { file = try SealedFile(path: path, key: key, domain: domain) } catch { return .discarded(error.message) }
        guard file.count >= fixed, let header = file.withCheckedBytes(0..<fixed, { Array($0) }) else {
            return .discarded(file.damage ?? "it is \(file.count) bytes long, shorter than its header")
        }
        guard header[0..<8].elementsEqual(magic) else {
            return .discarded(header[0..<7].elementsEqual(magic[0..<7]) ? "it is of format \(header[7]); this parledger reads format \(magic[7])" : "it is not a validation state file")
        }
        let (seq, borrowedAt) = header.withUnsafeBytes { (Seq(u64($0, 8)), Int(clamping: u64($0, 48))) }
        guard seq <= reader.head.seq else { return .discarded("it holds the log up to seq \(seq), but the log ends at \(reader.head.seq) (rolled back or replaced?)") }
        guard seq.rawValue >= 1, let current = try? reader.frameHash(containing: seq), current.bytes.elementsEqual(header[16..<48]) else {
            return .discarded("the log at seq \(seq) is not what it was when the state was saved (rewritten or replaced)")
        }
        guard borrowedAt <= file.count - fixed else { return .discarded("its tables' entries begin past its end") }
        let borrowing = LedgerState.Borrowing(borrowedAt: borrowedAt, borrowedBytes: file.count - fixed - borrowedAt, source: Borrowed(file: file))
        do {
            // Only the bytes before the tables' entries are read (and checked) now.
            let state = try file.withCheckedBytes(fixed..<(fixed + borrowedAt)) { try LedgerState(serialized: $0, borrowing: borrowing) }
            guard let state else { return .discarded(file.damage ?? "its state cannot be read") }
            guard state.nextSeq.rawValue == seq.rawValue + 1 else {
                return .discarded("it says seq \(seq) but its state ends at \(state.nextSeq.rawValue - 1)")
            }
            return .usable(state, file)
        } catch {
            return .discarded("\(error)")
        }
    }

    /// The state's bytes in the file (after its header), read where a lookup asks.
    struct Borrowed: BorrowedBytes {
        let file: SealedFile
        func withBytes<R: Sendable>(_ offset: Int, _ count: Int, _ body: @Sendable (UnsafeRawBufferPointer) -> R) -> R? {
            guard offset >= 0, count >= 0, offset <= file.count - fixed - count else {
                malformed("a read of \(count) bytes at \(offset) runs past its state's \(file.count - fixed) bytes")
                return nil
            }
            return file.withCheckedBytes((fixed + offset)..<(fixed + offset + count), body)
        }
        func malformed(_ reason: String) { file.distrust(reason) }
    }

    /// The file's bytes for `state`, which holds the log up to `head`.
    /// Throws when `state` was borrowed from a saved file whose bytes it
    /// needs cannot be had as saved (the file's ``SealedFile/damage`` then says why).
    static func encoded(_ state: LedgerState, head: LogHead, key: CheckpointKey, piece: Int = piece) throws -> [UInt8] {
        precondition(state.nextSeq.rawValue == head.seq.rawValue + 1, "the state must hold the log up to its head")
        var out = magic
        withUnsafeBytes(of: head.seq.rawValue.littleEndian) { out.append(contentsOf: $0) }
        out += head.hash.bytes
        out += [UInt8](repeating: 0, count: 8)
        let borrowedAt = UInt64(try state.serialize(into: &out) - fixed)
        for i in 0..<8 { out[48 + i] = UInt8(truncatingIfNeeded: borrowedAt >> UInt64(8 * i)) }
        SealedFile.seal(&out, key: key, domain: domain, piece: piece)
        return out
    }
}
