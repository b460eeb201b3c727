import Primitives

/// A pipeline failure that says what went wrong, where, and what to do.
///
/// `place` is `file:line` (and the key path) for a bad pipeline file, a path
/// for an output problem, or `seq N` for a replay problem.
public struct PipelineError: Diagnostic {
    public typealias Code = DiagnosticCode

    public var code: Code
    /// Where: `pipelines/nightly.yaml:12` or a path or `seq 42`.
    public var place: String
    /// The key path inside a pipeline file (`awards[0].conditions[1].rank`), if any.
    public var key: String?
    public var message: String
    /// What the user can do about it.
    public var hint: String?

    public init(code: Code, place: String, key: String? = nil, message: String, hint: String? = nil) {
        self.code = code; self.place = place; self.key = key; self.message = message; self.hint = hint
    }

    public var parts: DiagnosticParts {
        DiagnosticParts(code: code, place: key.map { "\(place): \($0)" } ?? place, message: message, hint: hint)
    }
}

/// The pipelines' kinds of failure.
extension DiagnosticCode {
    /// The pipeline file is not valid YAML or not a valid pipeline.
    public static let badSpec = DiagnosticCode("bad-spec")
    /// An output path would leave the output directory, or cannot be written.
    public static let badOutput = DiagnosticCode("bad-output")
    /// The log could not be read as far as the run needs.
    public static let log = DiagnosticCode("log")
    /// A snapshot does not match what the log says.
    public static let mismatch = DiagnosticCode("mismatch")
}
