/// A pipeline failure that says what went wrong, where, and what to do.
///
/// `place` is `file:line` (and the key path) for a bad pipeline file, a path
/// for an output problem, or `seq N` for a replay problem.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }
        /// The pipeline file is not valid YAML or not a valid pipeline.
        public static let badSpec = Code("bad-spec")
        /// An output path would leave the output directory, or cannot be written.
        public static let badOutput = Code("bad-output")
        /// The log could not be read as far as the run needs.
        public static let log = Code("log")
        /// A snapshot does not match what the log says.
        public static let mismatch = Code("mismatch")
    }

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

    public var description: String {
        var text = place
        if let key { text += ": \(key)" }
        text += ": \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }
}
