#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Primitives

/// Writing files so that a crash leaves either the old bytes or the new:
/// the one place for write, fsync, rename and the directory's fsync, used
/// by the log, the snapshots, checkpoints, keys, the witness and sidecars.
///
/// ```swift
/// try DurableFile.replace("events/parledger.log", with: bytes)   // whole or not at all, on disk when it returns
/// ```
public enum DurableFile {
    /// Writes `bytes` to `path` (created or truncated), all of them, and
    /// fsyncs when `sync`. Not atomic: for files nobody reads until the
    /// caller publishes them (a staging directory), or when a torn file is
    /// detected and harmless.
    public static func write(_ bytes: [UInt8], to path: String, sync: Bool, mode: mode_t = 0o644, exclusive: Bool = false) throws(EventLogError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), mode)
        guard fd >= 0 else { throw failure("cannot create", path) }
        defer { close(fd) }
        try bytes.withBytes { (raw) throws(EventLogError) in try writeAll(fd, raw, path: path) }
        if sync { guard fsync(fd) == 0 else { throw failure("cannot sync", path) } }
    }

    /// Writes all of `bytes` to the open file `fd` (at `path`), retrying short and interrupted writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(EventLogError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write", path)
            }
            offset += n
        }
    }

    /// Renames the written file `temporary` over `path`; on failure removes `temporary`.
    static func rename(_ temporary: String, over path: String) throws(EventLogError) {
        guard Glibc.rename(temporary, path) == 0 else {
            let failure = failure("cannot replace", path)
            unlink(temporary)
            throw failure
        }
    }

    /// Replaces `path` with `bytes` atomically: a temporary file beside it is
    /// written (and fsynced when `durable`), renamed over `path`, and the
    /// directory fsynced. Readers see the old file or the new one, whole.
    public static func replace(_ path: String, with bytes: [UInt8], durable: Bool = true, mode: mode_t = 0o644) throws(EventLogError) {
        let temporary = path + ".tmp-\(getpid())"
        do {
            try write(bytes, to: temporary, sync: durable, mode: mode)
        } catch {
            unlink(temporary)
            throw error
        }
        try rename(temporary, over: path)
        if durable { syncDirectory(parent(of: path)) }
    }

    /// fsync of a directory: makes the names created or renamed in it durable.
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func failure(_ what: String, _ path: String) -> EventLogError {
        FileSystemMessage.error(what, path: path, errno: errno)
    }
}
