import Primitives
import Foundation

/// A C2SP signed note: UTF-8 text of newline-terminated lines, a blank
/// line, then signature lines `— <key name> <base64(key ID ‖ signature)>`.
/// The signatures cover the text including its final newline.
public struct SignedNote: Equatable, Sendable {
    public struct Signature: Equatable, Sendable {
        public var name: String
        /// Key ID ‖ signature bytes (for a cosignature: key ID ‖ timestamp ‖ signature).
        public var bytes: [UInt8]
        public var line: String { "\u{2014} \(name) \(Base64.encode(bytes))\n" }
    }

    public var text: String
    public var signatures: [Signature]

    public init(text: String, signatures: [Signature] = []) {
        self.text = text; self.signatures = signatures
    }

    /// The note as written to a file.
    public var serialized: String { text + "\n" + signatures.map(\.line).joined() }

    /// Parses a note; `place` names the file in messages.
    public static func parse(_ input: String, place: String) throws -> SignedNote {
        guard let split = input.range(of: "\n\n", options: .backwards) else {
            throw TransparencyError("\(place): not a signed note (no blank line before the signatures)")
        }
        let text = String(input[..<split.lowerBound]) + "\n"
        var signatures: [Signature] = []
        let tail = input[split.upperBound...]
        guard tail.hasSuffix("\n") else { throw TransparencyError("\(place): the last signature line does not end with a newline") }
        for (i, line) in tail.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = text.filter { $0 == "\n" }.count + 2 + i
            guard line.hasPrefix("\u{2014} ") else {
                throw TransparencyError("\(place):\(lineNumber): a signature line starts with an em dash (U+2014) and a space")
            }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, let bytes = Base64.decode(String(fields[1])), bytes.count > 4 else {
                throw TransparencyError("\(place):\(lineNumber): a signature line is `— <key name> <base64 of key ID and signature>`")
            }
            signatures.append(Signature(name: String(fields[0]), bytes: bytes))
        }
        guard !signatures.isEmpty, signatures.count <= 100 else { throw TransparencyError("\(place): a note has 1 to 100 signatures") }
        return SignedNote(text: text, signatures: signatures)
    }

    /// Adds the signature of a note key (type 0x01) over the text.
    public mutating func sign(with key: SignerKey) throws {
        guard key.role == .note else { throw TransparencyError("\(key.name) is a witness (cosigner) key, not a log key") }
        signatures.append(Signature(name: key.name, bytes: key.verifier.keyID + (try key.sign(Array(text.utf8)))))
    }

    /// Checks the signature of `key`; the note must carry one.
    public func verify(_ key: VerifierKey, place: String) throws {
        guard key.role == .note else { throw TransparencyError("\(place): \(key.name) is a witness key; give the log's key") }
        guard let sig = signatures.first(where: { $0.name == key.name && Array($0.bytes.prefix(4)) == key.keyID }) else {
            throw TransparencyError("\(place): no signature by \(key.name) (key ID \(Hex.encode(key.keyID)))",
                                   hint: "the note was signed by another key, or its signature line was removed")
        }
        guard sig.bytes.count == 68, key.isValid(signature: Array(sig.bytes[4...]), for: Array(text.utf8)) else {
            throw TransparencyError("\(place): the signature by \(key.name) does not verify",
                                   hint: "the note's text was altered after it was signed")
        }
    }

    /// The message a tlog-cosignature/v1 signs.
    static func cosignedMessage(_ text: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + Array(text.utf8)
    }

    /// Adds a witness's cosignature (tlog-cosignature, Ed25519, type 0x04).
    public mutating func cosign(with key: SignerKey, timestamp: UInt64) throws {
        guard key.role == .cosigner else { throw TransparencyError("\(key.name) is a log key; a witness cosigns with a key made by `parledger key generate --witness`") }
        var ts: [UInt8] = []
        for s in stride(from: 56, through: 0, by: -8) { ts.append(UInt8(truncatingIfNeeded: timestamp >> UInt64(s))) }
        let signature = try key.sign(Self.cosignedMessage(text, timestamp: timestamp))
        signatures.removeAll { $0.name == key.name && Array($0.bytes.prefix(4)) == key.verifier.keyID }
        signatures.append(Signature(name: key.name, bytes: key.verifier.keyID + ts + signature))
    }

    /// Checks a witness's cosignature and returns its timestamp.
    public func verifyCosignature(_ key: VerifierKey, place: String) throws -> UInt64 {
        guard let sig = signatures.first(where: { $0.name == key.name && Array($0.bytes.prefix(4)) == key.keyID }), sig.bytes.count == 76 else {
            throw TransparencyError("\(place): no cosignature by witness \(key.name) (key ID \(Hex.encode(key.keyID)))")
        }
        let timestamp = sig.bytes[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard key.isValid(signature: Array(sig.bytes[12...]), for: Self.cosignedMessage(text, timestamp: timestamp)) else {
            throw TransparencyError("\(place): the cosignature by witness \(key.name) does not verify")
        }
        return timestamp
    }
}

/// A C2SP tlog-checkpoint: the note text `<origin>\n<tree size>\n<base64 root hash>\n`.
public struct Checkpoint: Equatable, Sendable {
    public var origin: String
    public var size: UInt64
    public var root: [UInt8]
    /// The signed note it came from (with its signatures).
    public var note: SignedNote

    /// An unsigned checkpoint of a tree.
    public init(origin: String, size: UInt64, root: [UInt8]) {
        self.origin = origin; self.size = size; self.root = root
        note = SignedNote(text: "\(origin)\n\(size)\n\(Base64.encode(root))\n")
    }

    /// Parses a signed checkpoint and checks the signature of `key`.
    public static func open(_ input: String, key: VerifierKey, place: String) throws -> Checkpoint {
        let checkpoint = try parse(input, place: place)
        try checkpoint.note.verify(key, place: place)
        return checkpoint
    }

    /// Parses a checkpoint without checking any signature.
    public static func parse(_ input: String, place: String) throws -> Checkpoint {
        let note = try SignedNote.parse(input, place: place)
        let lines = note.text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3, !lines[0].isEmpty else {
            throw TransparencyError("\(place): a checkpoint's text is at least three lines: origin, tree size, root hash")
        }
        guard let size = UInt64(lines[1]), String(size) == lines[1] else {
            throw TransparencyError("\(place):2: the tree size \"\(lines[1])\" is not a decimal number without leading zeros")
        }
        guard let root = Base64.decode(lines[2]), root.count == 32 else {
            throw TransparencyError("\(place):3: the root hash is not base64 of 32 bytes")
        }
        var checkpoint = Checkpoint(origin: lines[0], size: size, root: root)
        checkpoint.note = note
        return checkpoint
    }

    /// Signs the checkpoint with the log's key.
    public func signed(with key: SignerKey) throws -> Checkpoint {
        var copy = self
        try copy.note.sign(with: key)
        return copy
    }

    /// The signed note as text.
    public var text: String { note.serialized }
}
