/// The files of one pipeline run, in memory, before they are written:
/// relative path → bytes. Paths are checked when added.
public struct SnapshotSet: Sendable {
    public private(set) var files: [(path: String, bytes: [UInt8])] = []
    private var paths: Set<String> = []
    /// The partition of each file that belongs to one (for the manifest).
    public private(set) var partitions: [String: Manifest.PartitionName] = [:]

    public init() {}

    public mutating func add(_ path: String, _ bytes: [UInt8], partition: Manifest.PartitionName? = nil) throws {
        guard SnapshotPath.isContained(path) else {
            throw PipelineError(code: .badOutput, place: path, message: "an output path must stay inside the output directory")
        }
        guard path != Manifest.fileName else {
            throw PipelineError(code: .badOutput, place: path, message: "\(Manifest.fileName) is written by the runner")
        }
        guard paths.insert(path).inserted else {
            throw PipelineError(code: .badOutput, place: path, message: "two outputs of the run have the same path")
        }
        files.append((path, bytes))
        if let partition { partitions[path] = partition }
    }

    /// Files in byte order of their paths: the order of the manifest.
    public var sorted: [(path: String, bytes: [UInt8])] {
        files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }
}
