import Crypto

/// File names for snapshot files, made from codes that came from events.
///
/// A partition's file is `<projection>/<index>-<year>-<block>.<ext>`. Index
/// and block codes may hold any character of the code alphabet (letters in
/// any script, digits, space, `-`, `.`, `_`, `:`), so each is encoded to
/// `[A-Za-z0-9_]` plus `%XX` for every other UTF-8 byte, `-` and `.`
/// included. The two `-` between the parts are then the only ones in the
/// name: two different (index, year, block) never share a name, and no name
/// can leave the output directory.
///
/// A name longer than ``maxNameBytes`` is cut and ends in `~` and 16 hex
/// digits of the SHA-256 of the whole name (`~` is never in an encoded
/// part, so a shortened name never equals a full one); the manifest names
/// every file's partition, so a shortened name is still understood.
///
/// ```swift
/// SnapshotPath.component("department")   // "department"
/// SnapshotPath.component("PAR-2023")     // "PAR%2D2023"
/// SnapshotPath.component("Khối sở")      // "Kh%E1%BB%91i%20s%E1%BB%9F"
/// ```
public enum SnapshotPath {
    /// The longest file name written, in bytes: under every common file
    /// system's limit (255 bytes; eCryptfs 143).
    public static let maxNameBytes = 140

    public static func component(_ text: String) -> String {
        if text.isEmpty { return "%" }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in text.utf8 {
            let safe = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
            if safe {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `ranking/PAR-2023-department.json`: a projection's file for one
    /// (index, year, block), at most ``maxNameBytes`` after the folder.
    public static func file(projection: String, index: String, year: Int, block: String, ext: String) -> String {
        "\(projection)/\(name(index: index, year: year, block: block, ext: ext))"
    }

    /// The file name without its folder: `PAR-2023-department.json`.
    public static func name(index: String, year: Int, block: String, ext: String) -> String {
        let stem = "\(component(index))-\(year)-\(component(block))"
        if stem.utf8.count + 1 + ext.utf8.count <= maxNameBytes { return "\(stem).\(ext)" }
        let digest = SHA256.hash(data: Array(stem.utf8)).prefix(8).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
        var keep = Array(stem.utf8.prefix(maxNameBytes - 1 - ext.utf8.count - 1 - digest.count))
        // Never cut inside a %XX escape.
        if let percent = keep.suffix(2).lastIndex(of: UInt8(ascii: "%")) { keep.removeSubrange(percent...) }
        return "\(String(decoding: keep, as: UTF8.self))~\(digest).\(ext)"
    }

    /// The name format `parledger-snapshot/1` gave the same file: `-` left
    /// as it is in codes, no length bound (so a name could be shared or too
    /// long; read only to check and compare old snapshots).
    public static func legacyName(index: String, year: Int, block: String, ext: String) -> String {
        func v1(_ text: String) -> String { component(text).replacingOccurrences(of: "%2D", with: "-") }
        return "\(v1(index))-\(year)-\(v1(block)).\(ext)"
    }

    /// `path` (a current-format path of `partition`'s file) as a snapshot of
    /// manifest format `format` names it.
    public static func path(_ path: String, partition: Manifest.PartitionName?, inFormat format: String) -> String {
        guard format == "parledger-snapshot/1", let partition, let slash = path.firstIndex(of: "/"), let dot = path.lastIndex(of: ".") else { return path }
        let ext = String(path[path.index(after: dot)...])
        return "\(path[..<slash])/\(legacyName(index: partition.index, year: partition.year, block: partition.block, ext: ext))"
    }

    /// The (index, year, block) of a file name that was not shortened; nil
    /// for a shortened one (its manifest entry names the partition) or a
    /// name that is not a partition's.
    public static func partition(ofName name: String) -> Manifest.PartitionName? {
        guard !name.contains("~"), let dot = name.lastIndex(of: ".") else { return nil }
        let parts = name[..<dot].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = Int(parts[1]), let index = decode(parts[0]), let block = decode(parts[2]) else { return nil }
        return Manifest.PartitionName(index: index, year: year, block: block)
    }

    static func decode(_ part: Substring) -> String? {
        var out: [UInt8] = []
        var bytes = Array(part.utf8)[...]
        while let b = bytes.popFirst() {
            if b != UInt8(ascii: "%") { out.append(b); continue }
            guard bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            out.append(v); bytes = bytes.dropFirst(2)
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Whether a relative path stays inside the directory it is relative to:
    /// no absolute path, no empty, `.` or `..` component.
    public static func isContained(_ relative: String) -> Bool {
        guard !relative.isEmpty, !relative.hasPrefix("/") else { return false }
        // By bytes, as the file system reads a path: a `/` followed by a combining mark is still a separator
        // there, though it is not a `Character` of its own.
        return relative.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && !part.elementsEqual(".".utf8) && !part.elementsEqual("..".utf8)
        }
    }
}
