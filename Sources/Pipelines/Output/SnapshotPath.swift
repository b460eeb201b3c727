/// File names for snapshot files, made from codes that came from events.
///
/// Block and index codes are free text chosen by a province, so they could
/// hold `/`, `..` or characters a file system rejects. Every component is
/// encoded to `[A-Za-z0-9_-]` plus `%XX` for each other byte (`.` included),
/// so no output path can leave the output directory and different codes
/// never collide.
///
/// ```swift
/// SnapshotPath.component("department")   // "department"
/// SnapshotPath.component("../etc")       // "%2E%2E%2Fetc"
/// SnapshotPath.component("Khối sở")      // "Kh%E1%BB%91i%20s%E1%BB%9F"
/// ```
public enum SnapshotPath {
    public static func component(_ text: String) -> String {
        if text.isEmpty { return "%" }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in text.utf8 {
            let safe = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
            if safe {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `ranking/PAR-2023-department.json`: a projection's file for one
    /// (index, year, block).
    public static func file(projection: String, index: String, year: Int, block: String, ext: String) -> String {
        "\(projection)/\(component(index))-\(year)-\(component(block)).\(ext)"
    }

    /// Whether a relative path stays inside the directory it is relative to:
    /// no absolute path, no empty, `.` or `..` component.
    public static func isContained(_ relative: String) -> Bool {
        guard !relative.isEmpty, !relative.hasPrefix("/") else { return false }
        return relative.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".."
        }
    }
}
