#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A segment file: `<first seq, 20 digits>.seg`.
struct SegmentFile: Equatable {
    let name: String
    let path: String
    let firstSeq: UInt64

    static let suffix = ".seg"

    static func name(for firstSeq: UInt64) -> String {
        let digits = String(firstSeq)
        return String(repeating: "0", count: 20 - digits.count) + digits + suffix
    }

    /// The segments of a log directory in seq order. A `.seg` file whose name
    /// is not 20 digits is corruption: someone put or renamed it there.
    static func list(in directory: String) throws(EventLogError) -> [SegmentFile] {
        guard let dir = opendir(directory) else {
            throw EventLogError(.io, "cannot read the log directory \(directory): \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var segments: [SegmentFile] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(suffix) else { continue }
            let stem = name.dropLast(suffix.count)
            guard stem.utf8.count == 20, stem.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let first = UInt64(stem), first >= 1 else {
                throw EventLogError(.corrupt, "a segment file name must be 20 digits, the segment's first seq", segment: name,
                                    hint: "move the file out of the log directory")
            }
            segments.append(SegmentFile(name: name, path: directory + "/" + name, firstSeq: first))
        }
        return segments.sorted { $0.firstSeq < $1.firstSeq }
    }
}

/// A read-only memory map of a file; the bytes stay valid while it lives.
/// A file mapped read-only: its bytes are the page cache's, neither copied
/// nor zero-filled first. Replace such a file by rename, never in place.
public final class MappedFile {
    public let bytes: UnsafeRawBufferPointer
    private let length: Int
    /// The file's owner and mode when it was mapped.
    public let owner: uid_t
    public let mode: mode_t

    public init(path: String) throws(EventLogError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EventLogError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw EventLogError(.io, "cannot stat \(path): \(String(cString: strerror(errno)))") }
        length = Int(info.st_size)
        (owner, mode) = (info.st_uid, info.st_mode)
        if length == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw EventLogError(.io, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        _ = madvise(base, length, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: length)
    }

    /// Lets go of the whole pages that `part` (bytes of this mapping) covers:
    /// they leave the process's memory and are read again from the file if
    /// touched again. The mapping is read-only, so nothing is lost.
    public func release(_ part: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, let start = part.baseAddress, !part.isEmpty else { return }
        precondition(start >= base && start + part.count <= base + bytes.count, "a part of this mapping")
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (start - base + page - 1) / page * page, end = (start - base + part.count) / page * page
        guard end > first else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + first), end - first, MADV_DONTNEED)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), length) }
    }
}
