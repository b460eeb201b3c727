import Foundation

/// Reads an input the way a shell user expects: a regular file, a FIFO, a
/// process substitution (`<(zcat x.jsonl.gz)`), a character device or `-`
/// for standard input; read to its end with read(2), so a stream without
/// a size reads as well as a file.
enum InputFile {
    /// The bytes of `path`; a failure says the path and the reason in words.
    static func read(_ path: String) throws -> [UInt8] {
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno))); nothing was imported") }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CommandFailure("cannot read \(path): it is a directory, not a file of events; nothing was imported")
        }
        var out: [UInt8] = []
        if (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 { out.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno))); nothing was imported")
            }
            out.append(contentsOf: chunk[..<n])
        }
        return out
    }
}
