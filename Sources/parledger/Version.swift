import EventLog
import Pipelines
import ScoreModel

/// What `parledger --version` prints: the tool's version and every format
/// version it reads, so that an audit can say which reader checked a log.
enum Version {
    /// The tool's version (semantic versioning).
    static let tool = "0.1.0"

    static var text: String {
        """
        parledger \(tool)
        log: formats \(LogFormat.readable.lowerBound)–\(LogFormat.readable.upperBound) (writes \(LogFormat.written)), frame format \(LogFormat.frameVersion) (docs/FORMAT.md)
        records: event record versions 1–\(EventCodec.version) (docs/RECORDS.md)
        snapshots: reads manifests \(Manifest.readableFormats.joined(separator: ", ")); writes \(Manifest.currentFormat)
        """
    }
}
