import Crypto
import EventLog
import Foundation
import Primitives

/// Writes a run's files and its manifest into an output, all or nothing.
///
/// The output path (`snapshots/nightly`) is a symbolic link to a sibling
/// directory (`.nightly.snap-…`). A run writes and syncs a new directory,
/// then points the link at it with one `rename(2)`: a reader always sees
/// the old snapshot or the new one, whole, and a process killed at any
/// instant leaves one of them in place. The directory the link left is then
/// removed; whatever an interrupted run left behind is removed by the next
/// run of the same output. One run writes an output at a time
/// (``OutputLock``). A directory that is not empty and holds no
/// `manifest.json` is never replaced: it is not ours.
public enum SnapshotWriter {
    /// Writes `set` into `directory` with a manifest; returns the manifest.
    @discardableResult
    public static func write(_ set: SnapshotSet, pipeline: String, configHash: String, log: Manifest.LogPoint,
                             to directory: String) throws -> Manifest {
        let files = set.sorted, partitions = set.partitions
        return try write(pipeline: pipeline, configHash: configHash, log: log, to: directory, keeping: nil) { sink in
            for file in files { try sink.emit(file.path, file.bytes, partition: partitions[file.path]) }
        }
    }

    /// Where a run puts its files: new bytes, or a file kept unchanged from
    /// the snapshot being replaced. Safe to use from several threads.
    public struct Sink: Sendable {
        let emitFile: @Sendable (String, [UInt8], Manifest.PartitionName?) throws -> Void
        let keepFile: @Sendable (String) throws -> Bool
        /// Writes a file of the new snapshot; `partition` goes into its manifest entry.
        public func emit(_ path: String, _ bytes: [UInt8], partition: Manifest.PartitionName? = nil) throws { try emitFile(path, bytes, partition) }
        /// Carries `path` over from the snapshot being replaced (a hard
        /// link, or a copy where links are refused) with its manifest entry.
        /// False when that snapshot has no such file, or its content does
        /// not hash to what its manifest says: the caller renders it instead.
        public func keep(_ path: String) throws -> Bool { try keepFile(path) }
    }

    /// The new snapshot's directory while it is written: the paths taken,
    /// the folders made and the manifest entries, under one lock.
    private final class Staging: Sendable {
        struct Book { var paths = SnapshotSet(); var folders: Set<String> = []; var entries: [Manifest.File] = [] }
        /// The directory's path, without a trailing slash.
        let root: String
        let book = Locked(Book())
        init(_ url: URL) { root = SnapshotWriter.plainPath(url) }

        /// Claims `path` (inside the directory, not the manifest, not twice)
        /// and returns where to write it. Joined as text: the paths are
        /// relative and checked by ``SnapshotSet/add(_:_:partition:)``, and
        /// `URL`'s parsing of each took a sixth of an incremental run's
        /// work outside hashing.
        func place(_ path: String) throws -> String {
            let file = root + "/" + path
            let folder = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { root + "/" + String(path[..<$0]) } ?? root
            // The folder is made under the lock: no other thread may write
            // into it before it exists.
            try book.withLock { book in
                try book.paths.add(path, [])
                guard book.folders.insert(folder).inserted else { return }
                do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                catch { throw PipelineError(code: .badOutput, place: folder, message: "cannot create a snapshot folder: \(FileSystemMessage.describe(error) ?? "\(error)")") }
            }
            return file
        }

        func record(_ entry: Manifest.File) { book.withLock { $0.entries.append(entry) } }
        var entries: [Manifest.File] { book.withLock { $0.entries } }
    }

    /// Writes a snapshot whose unchanged files may be carried over from
    /// `previous`, the manifest of the snapshot now in `directory`. A file
    /// is carried over (by hard link) only when its bytes still hash to its
    /// entry in `previous`: a file edited since, whatever its size, is
    /// rendered anew. The caller vouches for `previous` itself (the runner
    /// checks it against its authenticated checkpoint).
    ///
    /// `lock` is the output's lock when the caller already holds it (a run
    /// holds it from its start); otherwise it is taken here.
    @discardableResult
    public static func write(pipeline: String, configHash: String, log: Manifest.LogPoint, to directory: String, keeping previous: Manifest?,
                             lock: OutputLock? = nil, files produce: (Sink) throws -> Void) throws -> Manifest {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let held = try lock ?? OutputLock(output: directory)
        let parent = target.deletingLastPathComponent()
        let name = target.lastPathComponent
        var current: URL?   // the directory the output is now
        if let link = try? fm.destinationOfSymbolicLink(atPath: target.path) {
            current = URL(fileURLWithPath: link, relativeTo: parent).standardizedFileURL
        } else {
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
                current = target
            }
        }
        removeStale(parent: parent, name: name, keeping: current)
        let stamp = "\(Int64(Date().timeIntervalSince1970 * 1_000_000))-\(getpid())"
        let fresh = parent.appendingPathComponent(".\(name).snap-\(stamp)")
        do { try fm.createDirectory(at: fresh, withIntermediateDirectories: true) }
        catch { throw PipelineError(code: .badOutput, place: fresh.path, message: "cannot create the new snapshot: \(FileSystemMessage.describe(error) ?? "\(error)")",
                                    hint: "check the directory's permissions and free space") }
        let staging = Staging(fresh)
        let kept = Dictionary((previous?.files ?? []).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let source = current.map(plainPath)
        let sink = Sink(emitFile: { path, bytes, partition in
            let file = try staging.place(path)
            try DurableFile.write(bytes, to: file, sync: false)
            staging.record(Manifest.File(path: path, bytes: bytes.count, sha256: sha256Hex(bytes), partition: partition))
        }, keepFile: { path in
            guard let entry = kept[path], let source else { return false }
            let from = source + "/" + path
            // The content, not the size: a same-size edit is not carried over.
            // Hashed where it was read, not copied into an array first (a night keeps hundreds of megabytes).
            guard let bytes = FileManager.default.contents(atPath: from), Hex.encode(SHA256.hash(data: bytes)) == entry.sha256 else { return false }
            let file = try staging.place(path)
            if link(from, file) != 0 { try DurableFile.write([UInt8](bytes), to: file, sync: false) }
            staging.record(entry)
            return true
        })
        do {
            try produce(sink)
            let entries = staging.entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
            // Every file on disk before the manifest and the swap: one
            // filesystem-wide sync instead of an fsync per file.
            try syncAll(fresh.path, files: entries.map { fresh.appendingPathComponent($0.path).path })
            let manifest = Manifest(pipeline: pipeline, configHash: configHash, log: log, files: entries)
            try DurableFile.write(manifest.serialized(), to: fresh.appendingPathComponent(Manifest.fileName).path, sync: true)
            DurableFile.syncDirectory(fresh.path)
            try swap(target, to: fresh, replacing: current)
            withExtendedLifetime(held) {}
            return manifest
        } catch let error as PipelineError {
            try? fm.removeItem(at: fresh)
            throw error
        } catch {
            try? fm.removeItem(at: fresh)
            let system = error as? EventLogError
            throw PipelineError(code: .badOutput, place: target.path,
                                message: "could not write the snapshot: \(system?.message ?? FileSystemMessage.describe(error) ?? "\(error)")",
                                hint: "\(system?.hint ?? FileSystemMessage.hint(error) ?? "check the directory's permissions and free space"); the previous snapshot is unchanged")
        }
    }

    /// Points the output link at `fresh` with one rename, then removes the
    /// directory it pointed at. A real directory left by an older parledger
    /// is first moved aside (the one moment the path is missing, once).
    private static func swap(_ target: URL, to fresh: URL, replacing current: URL?) throws {
        let fm = FileManager.default
        let parent = target.deletingLastPathComponent()
        let name = target.lastPathComponent
        var old = current
        if let current, current == target {
            let aside = parent.appendingPathComponent(".\(name).snap-legacy-\(getpid())")
            guard rename(target.path, aside.path) == 0 else { throw FileSystemMessage.error("cannot move aside", path: target.path, errno: errno) }
            old = aside
        }
        let temporary = parent.appendingPathComponent(".\(name).link-\(getpid())").path
        unlink(temporary)
        guard symlink(fresh.lastPathComponent, temporary) == 0 else { throw FileSystemMessage.error("cannot create the link", path: temporary, errno: errno) }
        guard rename(temporary, target.path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileSystemMessage.error("cannot switch the link", path: target.path, errno: code)
        }
        DurableFile.syncDirectory(parent.path)
        if let old, old != fresh { try? fm.removeItem(at: old) }
    }

    /// Removes what interrupted runs of this output left: snapshot
    /// directories the link does not point at, temporary links, and the
    /// staging directories of older versions.
    private static func removeStale(parent: URL, name: String, keeping current: URL?) {
        let fm = FileManager.default
        let prefixes = [".\(name).snap-", ".\(name).link-", ".\(name).new-", ".\(name).old-"]
        for entry in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where prefixes.contains(where: { entry.hasPrefix($0) }) {
            let url = parent.appendingPathComponent(entry).standardizedFileURL
            if url == current { continue }
            try? fm.removeItem(at: url)
        }
    }

    /// The directory an output path stands for now: the link's target, or
    /// the path itself.
    public static func resolve(_ directory: String) -> String {
        URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
    }

    /// A directory's path without a trailing slash, for joining relative paths to as text.
    static func plainPath(_ url: URL) -> String { url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path }

    public static func sha256Hex(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }

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
            guard fd >= 0 else { throw FileSystemMessage.error("cannot open", path: directory, errno: errno) }
            defer { close(fd) }
            guard syncfs(fd) == 0 else { throw FileSystemMessage.error("cannot sync", path: directory, errno: errno) }
            return
        }
        for path in files {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileSystemMessage.error("cannot open", path: path, errno: errno) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw FileSystemMessage.error("cannot sync", path: path, errno: errno) }
        }
    }

}
