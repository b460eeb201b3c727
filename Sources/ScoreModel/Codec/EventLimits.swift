/// How big one event may be. A log is read by everyone who audits it: one
/// event with a million evidence strings would make every replay, export
/// and explain pay for it, so the importer refuses it, naming the line.
///
/// | what | at most |
/// |---|---|
/// | one event (its JSON line) | 1 MiB |
/// | `evidence` | 100 strings, each 1–2,000 bytes |
/// | a code | 200 bytes (``CodeAlphabet``) |
/// | a name, label, note, text, reason, grounds, decision | 64 KiB |
public enum EventLimits {
    public static let lineBytes = 1 << 20
    public static let evidenceCount = 100
    public static let evidenceBytes = 2_000
    public static let textBytes = 64 << 10
}

extension Fields {
    /// `evidence`: a list of at most ``EventLimits/evidenceCount`` non-empty
    /// strings of at most ``EventLimits/evidenceBytes`` each.
    func evidence() throws -> [String] {
        guard has("evidence") else { return [] }
        let items = try list("evidence")
        guard items.count <= EventLimits.evidenceCount else {
            throw FieldError(name("evidence"), "\(items.count) entries: an event holds at most \(EventLimits.evidenceCount) pieces of evidence (cite a folder or a list document instead)")
        }
        let strings = try strings("evidence")
        for (i, s) in strings.enumerated() {
            guard !s.isEmpty else { throw FieldError("\(name("evidence"))[\(i)]", "must not be empty") }
            guard s.utf8.count <= EventLimits.evidenceBytes else {
                throw FieldError("\(name("evidence"))[\(i)]", "\(s.utf8.count) bytes: a piece of evidence is at most \(EventLimits.evidenceBytes) bytes (a reference, not the document)")
            }
        }
        return strings
    }
}
