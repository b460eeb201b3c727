import CZlib

/// One deflate stream per frame, through the system zlib.
enum Zlib {
    /// Compresses `input` as a zlib stream (RFC 1950) at `level`.
    static func deflate(_ input: [UInt8], level: Int32) -> [UInt8] {
        var stream = z_stream()
        guard CZlib_deflateInit(&stream, level) == Z_OK else { fatalError("zlib deflateInit failed") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let produced: Int = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                let status = CZlib.deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "zlib deflate did not finish: \(status)")
                return Int(stream.total_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}

/// A reusable inflater: one z_stream reset per frame, one output buffer
/// grown to the largest frame, so replay allocates nothing per frame.
final class Inflater {
    private var stream = z_stream()
    private(set) var buffer: UnsafeMutableRawBufferPointer
    private var initialized = false

    init() {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        guard CZlib_inflateInit(&stream) == Z_OK else { fatalError("zlib inflateInit failed") }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        buffer.deallocate()
    }

    /// Inflates `input` into the internal buffer; returns the plain bytes
    /// (valid until the next call) or nil when the stream is not a complete
    /// zlib stream of exactly `plainLength` bytes.
    func inflate(_ input: UnsafeRawBufferPointer, plainLength: Int) -> UnsafeRawBufferPointer? {
        if buffer.count < plainLength + 1 {
            buffer.deallocate()
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: plainLength + 1, alignment: 16)
        }
        guard inflateReset(&stream) == Z_OK else { return nil }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        // One byte of slack: a stream longer than declared is caught, not truncated.
        stream.avail_out = uInt(plainLength + 1)
        let status = CZlib.inflate(&stream, Z_FINISH)
        guard status == Z_STREAM_END, Int(stream.total_out) == plainLength, stream.avail_in == 0 else { return nil }
        return UnsafeRawBufferPointer(rebasing: buffer[0..<plainLength])
    }
}
