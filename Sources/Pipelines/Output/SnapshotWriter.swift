import Crypto
import Foundation
import EventLog

/// Writes a run's files and its manifest into an output directory, all or
/// nothing.
///
/// The files are written and fsynced in a new sibling directory, then
/// swapped in with renames, so a reader sees the old snapshot or the new
/// one, never a mix; a failure leaves the old one in place. A directory
/// that is not empty and holds no `manifest.json` is never replaced: it is
/// not ours.
public enum SnapshotWriter {
    /// Writes `set` into `directory` with a manifest; returns the manifest.
    @discardableResult
    public static func write(_ set: SnapshotSet, pipeline: String, configHash: String, log: Manifest.LogPoint,
                             to directory: String) throws -> Manifest {
        try write(pipeline: pipeline, configHash: configHash, log: log, to: directory) { emit in
            for file in set.sorted { try emit(file.path, file.bytes, set.partitions[file.path]) }
        }
    }

    /// Writes the files that `produce` emits, one at a time (so a national
    /// run never holds its whole output in memory), with a manifest.
    @discardableResult
    public static func write(pipeline: String, configHash: String, log: Manifest.LogPoint, to directory: String,
                             files produce: (_ emit: (String, [UInt8], Manifest.PartitionName?) throws -> Void) throws -> Void) throws -> Manifest {
        try write(pipeline: pipeline, configHash: configHash, log: log, to: directory, keeping: nil) { sink in
            try produce { path, bytes, partition in try sink.emit(path, bytes, partition: partition) }
        }
    }

    /// Where a run puts its files: new bytes, or a file kept unchanged from
    /// the snapshot being replaced.
    /// Safe to call from several threads: the writer keeps its bookkeeping under a lock.
    public struct Sink {
        let emitFile: (String, [UInt8], Manifest.PartitionName?) throws -> Void
        let keepFile: (String) throws -> Bool
        /// Writes a file of the new snapshot; `partition` goes into its manifest entry.
        public func emit(_ path: String, _ bytes: [UInt8], partition: Manifest.PartitionName? = nil) throws { try emitFile(path, bytes, partition) }
        /// Carries `path` over from the snapshot being replaced (a hard
        /// link, or a copy where links are refused) with its manifest entry.
        /// False when that snapshot has no such file, or its size is not the
        /// one its manifest says: the caller writes it instead.
        public func keep(_ path: String) throws -> Bool { try keepFile(path) }
    }

    /// Writes a snapshot whose unchanged files may be carried over from
    /// `previous`, the manifest of the snapshot now in `directory` (the
    /// caller vouches that those files are still what the new run would
    /// write). Files are kept by hard link: no bytes are rendered, hashed or
    /// written for them.
    @discardableResult
    public static func write(pipeline: String, configHash: String, log: Manifest.LogPoint, to directory: String, keeping previous: Manifest?,
                             files produce: (Sink) throws -> Void) throws -> Manifest {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw PipelineError(code: .badOutput, place: target.path, message: "the output path exists and is not a directory",
                                    hint: "choose another --out")
            }
            let contents = (try? fm.contentsOfDirectory(atPath: target.path)) ?? []
            if !contents.isEmpty && !contents.contains(Manifest.fileName) {
                throw PipelineError(code: .badOutput, place: target.path,
                                    message: "the output directory is not empty and holds no \(Manifest.fileName): it is not a snapshot directory",
                                    hint: "choose a new or empty directory with --out")
            }
        }
        let parent = target.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).new-\(pid)")
        let retired = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(pid)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)

        var entries: [Manifest.File] = []
        var paths = SnapshotSet()   // checks each path: inside the directory, not the manifest, not twice
        var folders: Set<String> = []
        let kept = Dictionary((previous?.files ?? []).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        // The sink may be called from several rendering threads: the
        // bookkeeping is under a lock, the hashing and writing are not.
        let lock = NSLock()
        func place(_ path: String) throws -> String {
            lock.lock()
            defer { lock.unlock() }
            try paths.add(path, [])
            let url = staging.appendingPathComponent(path)
            let folder = url.deletingLastPathComponent().path
            if folders.insert(folder).inserted { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            return url.path
        }
        func record(_ entry: Manifest.File) { lock.lock(); entries.append(entry); lock.unlock() }
        let sink = Sink(emitFile: { path, bytes, partition in
            let file = try place(path)
            try writeFile(bytes, to: file, sync: false)
            record(Manifest.File(path: path, bytes: bytes.count, sha256: sha256Hex(bytes), partition: partition))
        }, keepFile: { path in
            guard let entry = kept[path] else { return false }
            let source = target.appendingPathComponent(path).path
            var info = stat()
            guard stat(source, &info) == 0, Int(info.st_size) == entry.bytes, (info.st_mode & S_IFMT) == S_IFREG else { return false }
            let file = try place(path)
            if link(source, file) != 0 { try fm.copyItem(atPath: source, toPath: file) }
            record(entry)
            return true
        })
        do {
            try produce(sink)
            entries.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
            // Every file on disk before the manifest and the swap: one
            // filesystem-wide sync instead of an fsync per file.
            try syncAll(staging.path, files: entries.map { staging.appendingPathComponent($0.path).path })
            let manifest = Manifest(pipeline: pipeline, configHash: configHash, log: log, files: entries)
            try writeDurably(manifest.serialized(), to: staging.appendingPathComponent(Manifest.fileName).path)
            syncDirectory(staging.path)

            if fm.fileExists(atPath: target.path) {
                try fm.moveItem(at: target, to: retired)
            }
            try fm.moveItem(at: staging, to: target)
            syncDirectory(parent.path)
            try? fm.removeItem(at: retired)
            return manifest
        } catch let error as PipelineError {
            try? fm.removeItem(at: staging)
            throw error
        } catch {
            try? fm.removeItem(at: staging)
            if !fm.fileExists(atPath: target.path), fm.fileExists(atPath: retired.path) {
                try? fm.moveItem(at: retired, to: target)
            }
            throw PipelineError(code: .badOutput, place: target.path, message: "could not write the snapshot: \(FileSystemMessage.describe(error) ?? "\(error)")",
                                hint: "\(FileSystemMessage.hint(error) ?? "check the directory's permissions and free space"); the previous snapshot is unchanged")
        }
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let h = String(byte, radix: 16)
            return byte < 16 ? "0" + h : h
        }.joined()
    }

    static func writeDurably(_ bytes: [UInt8], to path: String) throws {
        try writeFile(bytes, to: path, sync: true)
    }

    /// `syncfs(2)` where the C library has it (Linux), looked up at run time.
    private static let syncfsFunction: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Makes written files durable: syncfs on the directory's filesystem,
    /// or an fsync of each file where there is no syncfs.
    static func syncAll(_ directory: String, files: [String]) throws {
        if let syncfs = syncfsFunction {
            let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(fd) }
            guard syncfs(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            return
        }
        for path in files {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }

    static func writeFile(_ bytes: [UInt8], to path: String, sync: Bool) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                Foundation.write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            offset += n
        }
        if sync { guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) } }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }
}
