import Primitives

/// A log failure with the place it happened and what to do about it.
///
/// ```
/// corrupt log: 00000000000000000001.seg offset 4096 (frame of seq 120): CRC-32 mismatch
///   — the log was changed after it was written; restore it from a backup
/// ```
public struct EventLogError: Diagnostic {
    public typealias Code = DiagnosticCode

    public var code: Code
    public var message: String
    /// The segment file name, when the fault is inside one.
    public var segment: String?
    public var offset: FrameOffset?
    /// The first seq of the frame concerned, when known.
    public var seq: Seq?
    /// What the user can do.
    public var hint: String?

    public init(_ code: Code, _ message: String, segment: String? = nil, offset: FrameOffset? = nil, seq: Seq? = nil, hint: String? = nil) {
        self.code = code; self.message = message; self.segment = segment; self.offset = offset; self.seq = seq; self.hint = hint
    }

    /// `00000000000000000001.seg offset 4096 (frame of seq 120)`
    public var place: String? {
        guard let segment else { return nil }
        var text = segment
        if let offset { text += " offset \(offset)" }
        if let seq { text += " (frame of seq \(seq))" }
        return text
    }

    public var parts: DiagnosticParts {
        let title: String? = switch code {
        case .corrupt: "corrupt log"
        case .tornTail: "torn tail"
        default: nil
        }
        return DiagnosticParts(code: code, title: title, place: place, message: message, hint: hint)
    }
}

/// The log's kinds of failure.
extension DiagnosticCode {
    /// A byte before the tail is not what was written: the log was changed.
    public static let corrupt = DiagnosticCode("corrupt")
    /// The last frame is incomplete (a write was cut short); a writer cuts it off.
    public static let tornTail = DiagnosticCode("torn-tail")
    /// Another process holds the writer lock.
    public static let locked = DiagnosticCode("locked")
    /// No log in the directory.
    public static let notFound = DiagnosticCode("not-found")
    /// `init` on a directory that already holds a log.
    public static let exists = DiagnosticCode("exists")
    /// The operating system refused a read, write or sync.
    public static let io = DiagnosticCode("io")
    /// The directory declares a log format this build cannot read.
    public static let unsupported = DiagnosticCode("unsupported")
    /// An append with nothing in it.
    public static let emptyAppend = DiagnosticCode("empty-append")
    /// A frame or record is larger than the format allows.
    public static let tooLarge = DiagnosticCode("too-large")
}
