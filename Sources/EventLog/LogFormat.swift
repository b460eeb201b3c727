/// The on-disk format versions this build of the storage engine reads and
/// writes, for `parledger --version` and for auditors to cite.
public enum LogFormat {
    /// The frame header's format version (docs/FORMAT.md).
    public static let frameVersion = Int(FrameHeader.version)
    /// The log formats (the marker's `format N`) this build reads, and the one it writes.
    public static let readable = LogLayout.readableFormats
    public static let written = LogLayout.currentFormat
}
