import Crypto
import Foundation
import Primitives

/// A large cache file sealed piece by piece, so that opening it checks
/// only what is read.
///
/// Layout: the body; the SHA-256 of each piece of the body, in order (32
/// bytes each); the body's length (u64 LE); the piece size (u32 LE, 8 MiB
/// unless asked otherwise); a 32-byte seal: HMAC-SHA-256 under the
/// ``CheckpointKey`` of the domain text (the file's kind and format), the
/// length's and piece size's 12 bytes and the piece hashes. Opening
/// checks the seal over the piece hashes (microseconds), then a piece's
/// bytes against its hash the first time any byte of it is read. So a
/// six-million-event validation state opens in the time of the pieces it
/// uses, and no byte is handed out that the key's holder did not seal.
///
/// The file is mapped. A mapping sees what is written into the file in
/// place, so a file anyone but its owner (the account opening it) may write
/// is refused; a piece is checked, then copied out, under one lock.
/// Writers replace such a file by rename (``DurableFile/replace(_:with:durable:mode:)``),
/// which an open mapping does not see.
public final class SealedFile: Sendable {
    /// The size of the pieces a seal hashes, each on a core of its own.
    public static let defaultPiece = 8 << 20

    struct Pieces {
        let map: MappedFile
        var checked: [Bool]
        var damage: String?
    }
    private let pieces: Locked<Pieces>
    private let hashes: [[UInt8]]
    private let piece: Int
    /// The body's length.
    public let count: Int

    /// Appends the piece hashes, the length, the piece size and the seal to `body`.
    public static func seal(_ body: inout [UInt8], key: CheckpointKey, domain: String, piece: Int = defaultPiece) {
        precondition(piece >= 64 && piece <= Int(UInt32.max), "a piece of 64 bytes to 4 GiB")
        body += trailer(count: body.count, piece: piece, hashes: pieceHashes(body, count: body.count, piece: piece), key: key, domain: domain)
    }

    /// What follows a body of `count` bytes whose pieces hash to `hashes`.
    static func trailer(count: Int, piece: Int, hashes: [[UInt8]], key: CheckpointKey, domain: String) -> [UInt8] {
        var sizes: [UInt8] = []
        withUnsafeBytes(of: UInt64(count).littleEndian) { sizes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(piece).littleEndian) { sizes.append(contentsOf: $0) }
        return hashes.flatMap { $0 } + sizes + key.code([Array(domain.utf8), sizes] + hashes)
    }

    /// Maps the file and checks its seal over the piece hashes; the reason
    /// it cannot be used, in words, is the thrown problem's message.
    public init(path: String, key: CheckpointKey, domain: String) throws(SealedFileProblem) {
        let map: MappedFile
        do { map = try MappedFile(path: path) } catch { throw SealedFileProblem("it cannot be read (\(error.message))") }
        guard map.owner == geteuid(), map.mode & 0o022 == 0 else {
            throw SealedFileProblem("accounts other than this one may write it (owner uid \(map.owner), mode \(String(map.mode & 0o777, radix: 8))), so its checked bytes could change while in use")
        }
        let raw = map.bytes
        let trailer = 8 + 4 + 32
        guard raw.count >= trailer + 32 else { throw SealedFileProblem("it is \(raw.count) bytes long, too short to hold a seal (a save cut short?)") }
        let length = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - trailer, as: UInt64.self))
        let piece = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - trailer + 8, as: UInt32.self)))
        guard piece >= 64, length < UInt64(raw.count) else { throw SealedFileProblem("its length does not match (a save cut short?)") }
        let pieces = max(1, (Int(length) + piece - 1) / piece)
        guard UInt64(raw.count) == length + UInt64(32 * pieces + trailer) else {
            throw SealedFileProblem("its length does not match (a save cut short?)")
        }
        let count = Int(length)
        var hashes: [[UInt8]] = []
        for i in 0..<pieces { hashes.append(Array(raw[(count + 32 * i)..<(count + 32 * i + 32)])) }
        let sizes = Array(raw[(raw.count - trailer)..<(raw.count - 32)])
        guard key.code([Array(domain.utf8), sizes] + hashes).elementsEqual(raw[(raw.count - 32)...]) else {
            throw SealedFileProblem("its seal does not verify with the key at \(key.path): it was edited, damaged, or made with another key")
        }
        self.count = count
        self.hashes = hashes
        self.piece = piece
        self.pieces = Locked(Pieces(map: map, checked: [Bool](repeating: false, count: pieces)))
    }

    /// The SHA-256 of each piece of `bytes[0..<count]`, hashed on every core.
    static func pieceHashes(_ bytes: [UInt8], count: Int, piece: Int) -> [[UInt8]] {
        let pieces = max(1, (count + piece - 1) / piece)
        return Parallel.map(pieces) { i in
            bytes.withUnsafeBytes { raw in
                Array(SHA256.hash(data: UnsafeRawBufferPointer(rebasing: raw[(i * piece)..<min((i + 1) * piece, count)])))
            }
        }
    }

    /// Checks the pieces that `range` touches (once each), then calls `body`
    /// with those bytes of the body; nil when a piece does not match its hash
    /// (``damage`` then says which).
    public func withCheckedBytes<R: Sendable>(_ range: Range<Int>, _ body: @Sendable (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        try pieces.withLock { p -> R? in
            guard check(range, in: &p, releasing: false) else { return nil }
            return try body(UnsafeRawBufferPointer(rebasing: p.map.bytes[range]))
        }
    }

    /// Like ``withCheckedBytes(_:_:)``, for a body of hundreds of megabytes
    /// read once from its start to its end (a checkpoint parsed into memory):
    /// each piece's pages are let go as soon as it is hashed, and `body` is
    /// handed, with the bytes, a function that lets go of the pages of bytes
    /// it is done with. So the process holds the pages it is reading, not
    /// the whole file beside what it builds from it.
    ///
    /// Letting go of a page of a read-only mapping drops it from this
    /// process, not from the file: a byte read again is read again from the
    /// file (the page cache), as any byte of a mapping may be. The file is
    /// one only its owner may write (see the type's note).
    public func withCheckedBytesReleasing<R: Sendable>(_ range: Range<Int>, _ body: @Sendable (UnsafeRawBufferPointer, (UnsafeRawBufferPointer) -> Void) throws -> R) rethrows -> R? {
        try pieces.withLock { p -> R? in
            guard check(range, in: &p, releasing: true) else { return nil }
            let map = p.map
            return try body(UnsafeRawBufferPointer(rebasing: map.bytes[range]), { done in map.release(done) })
        }
    }

    /// Hashes the pieces of `range` not checked yet (letting go of each one's
    /// pages after, with `releasing`); false, with ``damage`` set, when one
    /// does not match.
    private func check(_ range: Range<Int>, in p: inout Pieces, releasing: Bool) -> Bool {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "a read within the body")
        guard !range.isEmpty else { return true }
        for i in (range.lowerBound / piece)...((range.upperBound - 1) / piece) where !p.checked[i] {
            let bytes = UnsafeRawBufferPointer(rebasing: p.map.bytes[(i * piece)..<min((i + 1) * piece, count)])
            guard SHA256.hash(data: bytes).elementsEqual(hashes[i]) else {
                p.damage = p.damage ?? "its bytes \(i * piece)..<\(min((i + 1) * piece, count)) no longer match their sealed hash (changed or damaged since it was saved)"
                return false
            }
            p.checked[i] = true
            if releasing { p.map.release(bytes) }
        }
        return true
    }

    /// `body[offset..<(offset + count)]`, checked; nil when it does not match its seal.
    public func read(_ offset: Int, _ count: Int) -> [UInt8]? {
        withCheckedBytes(offset..<(offset + count)) { Array($0) }
    }

    /// What a read found changed, if anything.
    public var damage: String? { pieces.withLock { $0.damage } }

    /// Records that checked bytes do not hold what their reader expects
    /// (which only the key's holder could have sealed), so that the file is
    /// not trusted: ``damage`` says `reason` from now on (unless a piece was
    /// found changed first).
    public func distrust(_ reason: String) {
        pieces.withLock { p in p.damage = p.damage ?? reason }
    }
}

extension SealedFile {
    /// Writes a sealed file as its body is made, so that a body of hundreds
    /// of megabytes is never held whole: each piece is hashed as it is
    /// written, and the trailer follows the last. The bytes are those of
    /// ``SealedFile/seal(_:key:domain:piece:)`` over the same body.
    ///
    /// The file is written under a temporary name beside `path` and renamed
    /// over it by ``finish()`` (not fsynced: what is sealed is a cache, checked
    /// before use); a writer dropped or failed before `finish` leaves `path`
    /// as it was and removes what it wrote.
    ///
    /// ```swift
    /// let file = try SealedFile.Writer(path: path, key: key, domain: "parledger checkpoint 4\n")
    /// try file.append(header)
    /// try book.serialize { try file.append($0) }
    /// try file.finish()
    /// ```
    public final class Writer {
        let path: String, temporary: String
        let key: CheckpointKey, domain: String, piece: Int
        private var fd: Int32
        private var hashes: [[UInt8]] = []
        private var hasher = SHA256()
        private var inPiece = 0
        /// The body's bytes written so far.
        public private(set) var count = 0

        public init(path: String, key: CheckpointKey, domain: String, piece: Int = defaultPiece, mode: mode_t = 0o644) throws(EventLogError) {
            precondition(piece >= 64 && piece <= Int(UInt32.max), "a piece of 64 bytes to 4 GiB")
            (self.path, self.key, self.domain, self.piece) = (path, key, domain, piece)
            temporary = path + ".tmp-\(getpid())"
            fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
            guard fd >= 0 else { throw FileSystemMessage.error("cannot create", path: temporary, errno: errno) }
        }

        deinit {
            if fd >= 0 { close(fd); unlink(temporary) }
        }

        /// Appends `bytes` to the body.
        public func append(_ bytes: UnsafeRawBufferPointer) throws(EventLogError) {
            var rest = bytes
            while !rest.isEmpty {
                let n = min(rest.count, piece - inPiece)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: rest[..<n]))
                inPiece += n
                if inPiece == piece { hashes.append(Array(hasher.finalize())); hasher = SHA256(); inPiece = 0 }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
            try write(bytes)
            count += bytes.count
        }

        public func append(_ bytes: [UInt8]) throws(EventLogError) {
            try bytes.withBytes { (raw) throws(EventLogError) in try append(raw) }
        }

        /// Writes the piece hashes, the sizes and the seal, and renames the file over `path`.
        public func finish() throws(EventLogError) {
            precondition(fd >= 0, "a sealed file is finished once")
            if inPiece > 0 || hashes.isEmpty { hashes.append(Array(hasher.finalize())) }
            let tail = SealedFile.trailer(count: count, piece: piece, hashes: hashes, key: key, domain: domain)
            try tail.withBytes { (raw) throws(EventLogError) in try write(raw) }
            close(fd)
            fd = -1
            try DurableFile.rename(temporary, over: path)
        }

        private func write(_ bytes: UnsafeRawBufferPointer) throws(EventLogError) {
            try DurableFile.writeAll(fd, bytes, path: temporary)
        }
    }
}

/// Why a sealed file cannot be used, in words.
public struct SealedFileProblem: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
