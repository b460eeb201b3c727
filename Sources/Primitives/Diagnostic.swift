/// A failure a person reads: what went wrong, where, and what to do.
///
/// Every error a parledger library throws to a user conforms (the log's, the
/// typed log's, the pipelines', the transparency checks', the command
/// line's): each says its ``DiagnosticParts`` and ``DiagnosticParts/text``
/// is the one way they are written.
public protocol Diagnostic: Error, CustomStringConvertible, Sendable {
    var parts: DiagnosticParts { get }
}

extension Diagnostic {
    public var description: String { parts.text }
}

/// The parts of a failure, and its one rendering:
///
/// ```
/// TITLE: PLACE: MESSAGE — HINT
/// ```
///
/// or, for a failure with several findings (a refused import's lines),
///
/// ```
/// TITLE: PLACE: MESSAGE
///   DETAIL
///   DETAIL
/// HINT
/// ```
public struct DiagnosticParts: Hashable, Sendable {
    /// A stable, lower-case name of the kind of failure (`corrupt`,
    /// `bad-spec`, `refused`), for scripts and tests.
    public var code: DiagnosticCode
    /// What kind of fault, when the message alone would not say it
    /// (`corrupt log`, `torn tail`).
    public var title: String?
    /// Where: `file:line`, `segment offset N (frame of seq S)`, a path, `#42`.
    public var place: String?
    /// What went wrong, in words.
    public var message: String
    /// One line each under the message (the problems an import found).
    public var details: [String]
    /// What the person can do about it.
    public var hint: String?

    public init(code: DiagnosticCode, title: String? = nil, place: String? = nil, message: String,
                details: [String] = [], hint: String? = nil) {
        self.code = code; self.title = title; self.place = place; self.message = message
        self.details = details; self.hint = hint
    }

    public var text: String {
        var text = ""
        if let title { text += title + ": " }
        if let place { text += place + ": " }
        text += message
        if details.isEmpty {
            if let hint { text += " — " + hint }
            return text
        }
        for line in details { text += "\n  " + line }
        if let hint { text += "\n" + hint }
        return text
    }
}

/// The kind of a failure: one catalogue for every module, each adding its
/// codes as static members (`DiagnosticCode.corrupt`, `.badSpec`).
public struct DiagnosticCode: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }
}
