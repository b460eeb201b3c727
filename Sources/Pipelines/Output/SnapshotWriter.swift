import Crypto
import Foundation

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
        do {
            for file in set.sorted {
                let url = staging.appendingPathComponent(file.path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try writeDurably(file.bytes, to: url.path)
                entries.append(Manifest.File(path: file.path, bytes: file.bytes.count, sha256: sha256Hex(file.bytes)))
            }
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
            throw PipelineError(code: .badOutput, place: target.path, message: "could not write the snapshot: \(error.localizedDescription)",
                                hint: "check the directory's permissions and free space; the previous snapshot is unchanged")
        }
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let h = String(byte, radix: 16)
            return byte < 16 ? "0" + h : h
        }.joined()
    }

    static func writeDurably(_ bytes: [UInt8], to path: String) throws {
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
        guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }
}
