import Foundation
import Ledger

/// Reads an input the way a shell user expects: a regular file, a FIFO, a
/// process substitution (`<(zcat x.jsonl.gz)`), a character device or `-`
/// for standard input; read to its end with read(2), so a stream without
/// a size reads as well as a file.
enum InputFile {
    /// The bytes of `path`; a failure says the path and the reason in words.
    static func read(_ path: String) throws -> [UInt8] {
        let input = try open(path)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            if n == 0 { break }
            out.append(contentsOf: chunk[..<n])
        }
        return out
    }

    /// `path` opened for an import that reads it a piece at a time; a
    /// path that cannot be opened, or a directory, is refused here, before
    /// the log is touched.
    static func open(_ path: String) throws -> Descriptor {
        let fd = path == "-" ? STDIN_FILENO : Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno))); nothing was imported") }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            if fd != STDIN_FILENO { close(fd) }
            throw CommandFailure("cannot read \(path): it is a directory, not a file of events; nothing was imported")
        }
        return Descriptor(fd: fd, path: path)
    }

    /// An open input, closed when the last reference goes.
    final class Descriptor: ImportStream {
        let fd: Int32
        let path: String
        init(fd: Int32, path: String) { self.fd = fd; self.path = path }
        deinit { if fd != STDIN_FILENO { close(fd) } }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            while true {
                let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno))); nothing was imported")
            }
        }
    }
}
