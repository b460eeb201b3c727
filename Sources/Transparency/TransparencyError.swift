import Primitives

/// A failure of a transparency check or command: what failed, where (a
/// file, an event's seq, a line of a note) and what to do.
///
/// ```
/// kit.json: event #812: its inclusion proof does not lead to the checkpoint's root
///   — the event's record bytes were altered after the kit was made
/// ```
public struct TransparencyError: Diagnostic, Equatable {
    public var message: String
    /// What the user can do.
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message; self.hint = hint
    }

    public var parts: DiagnosticParts { DiagnosticParts(code: .unverified, message: message, hint: hint) }
}

extension DiagnosticCode {
    /// A proof, signature, checkpoint or kit does not check, or cannot be made.
    public static let unverified = DiagnosticCode("unverified")
}
