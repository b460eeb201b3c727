import Foundation
import Testing
@testable import EventLog

@Suite("CRC-32 on every core")
struct CRC32Tests {
    @Test("The parallel checksum equals zlib's one pass, across chunk boundaries, and notices one flipped bit",
          arguments: [0, 1, 4096, 16 << 20, (16 << 20) + 1, (8 << 20) * 3 + 12345])
    func equalsOnePass(size: Int) {
        // Pseudo-random bytes, eight at a time (xorshift: quick even in a debug build).
        var bytes = [UInt8](repeating: 0, count: size)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(size)
        bytes.withUnsafeMutableBytes { raw in
            var i = 0
            while i < size {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                withUnsafeBytes(of: state) { word in for k in 0..<min(8, size - i) { raw[i + k] = word[k] } }
                i += 8
            }
        }
        let parallel = bytes.withUnsafeBytes { CRC32.checksum($0) }
        #expect(parallel == bytes.withUnsafeBytes { crc32Of($0) })
        guard size > 0 else { return }
        bytes[size - 1 - size / 3] ^= 0x04
        #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } != parallel)
    }
}
