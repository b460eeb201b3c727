/// JSON string escaping, the one implementation for every JSON parledger
/// writes (events, snapshots, proofs, kits): `"`, `\` and control characters
/// (C0 and DEL) are escaped; all other text, Vietnamese included, stays
/// UTF-8 as it is.
///
/// ```swift
/// var out: [UInt8] = []
/// JSONString.write("Sở \"Nội\" vụ", into: &out)   // "Sở \"Nội\" vụ" with its quotes
/// ```
public enum JSONString {
    public static func write(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy them whole. A native string's
        // bytes are checked in one loop without branches, which the
        // compiler vectorizes (a snapshot run writes millions of strings).
        let clean = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            var escape: UInt8 = 0
            for b in bytes {
                escape |= (b < 0x20 ? 1 : 0) | (b == 0x7F ? 1 : 0) | (b == UInt8(ascii: "\"") ? 1 : 0) | (b == UInt8(ascii: "\\") ? 1 : 0)
            }
            if escape == 0 { out.append(contentsOf: bytes) }
            return escape == 0
        } ?? {
            let clean = s.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
            if clean { out.append(contentsOf: s.utf8) }
            return clean
        }()
        if clean {
            out.append(UInt8(ascii: "\""))
            return
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(0x5C); out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x00..<0x20, 0x7F:
                out.append(contentsOf: "\\u00".utf8); out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The quoted, escaped string.
    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        write(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
