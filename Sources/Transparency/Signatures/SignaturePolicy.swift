import Foundation

/// A log's signature policy, the line `signatures: required` of its marker
/// `parledger.log` (written by `parledger init --require-signatures`): every
/// batch imported must be signed by a registered actor within its roles.
public enum SignaturePolicy {
    static let line = "signatures: required"

    /// Whether the log in `directory` requires signatures.
    public static func required(directory: String) -> Bool {
        LogOrigin.markerLines(directory: directory)?.contains(line) ?? false
    }

    /// Makes the log require signatures (once; it is never turned off by parledger).
    public static func require(directory: String) throws {
        guard !required(directory: directory) else { return }
        try LogOrigin.appendMarkerLine(line, directory: directory)
    }
}
