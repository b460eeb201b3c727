import EventLog
import Primitives
import Crypto
import Foundation

/// What a key signs, as the C2SP signature type byte: a log's notes
/// (signed-note, 0x01) or a witness's cosignatures (tlog-cosignature, 0x04).
/// The type enters the key ID, so one kind of key never passes for the other.
public enum KeyRole: UInt8, Sendable {
    case note = 0x01
    case cosigner = 0x04
}

/// The public half: a C2SP verifier key, `<name>+<key ID, 8 hex>+<base64(type ‖ 32-byte Ed25519 key)>`.
///
/// ```
/// cchc.example.gov.vn/par+8b2a1f0c+AejhE7i0p…
/// ```
public struct VerifierKey: Equatable, Sendable {
    public var name: String
    public var role: KeyRole
    public var publicKey: [UInt8]

    public init(name: String, role: KeyRole, publicKey: [UInt8]) {
        self.name = name; self.role = role; self.publicKey = publicKey
    }

    /// SHA-256(name ‖ 0x0A ‖ type ‖ public key)[0..<4]: the C2SP key ID.
    public var keyID: [UInt8] { Self.keyID(name: name, role: role, publicKey: publicKey) }

    static func keyID(name: String, role: KeyRole, publicKey: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, role.rawValue] + publicKey).prefix(4))
    }

    /// The text form (one line, no newline).
    public var text: String { "\(name)+\(Hex.encode(keyID))+\(Base64.encode([role.rawValue] + publicKey))" }

    /// Parses a verifier key; `place` names where it came from.
    public static func parse(_ text: String, place: String) throws -> VerifierKey {
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = line.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            throw TransparencyError("\(place): not a verifier key (expected name+keyid+key)",
                                   hint: line.hasPrefix("PRIVATE+KEY") ? "this is a private key: give the .pub file" : "give a key made by `parledger key generate`")
        }
        guard let raw = Base64.decode(parts[2]), raw.count == 33, let role = KeyRole(rawValue: raw[0]) else {
            throw TransparencyError("\(place): the key is not base64 of an Ed25519 key (type 0x01 or 0x04 and 32 bytes)")
        }
        let key = VerifierKey(name: parts[0], role: role, publicKey: Array(raw[1...]))
        try checkName(key.name, place: place)
        guard Hex.encode(key.keyID) == parts[1] else {
            throw TransparencyError("\(place): key ID \(parts[1]) does not match the name and key (expected \(Hex.encode(key.keyID)))",
                                   hint: "the key file was altered")
        }
        return key
    }

    /// Key names: non-empty UTF-8 without spaces or '+' (signed-note).
    static func checkName(_ name: String, place: String) throws {
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0 != "+" && $0.value >= 0x21 }) else {
            throw TransparencyError("\(place): key name \"\(name)\" must be non-empty, without spaces or '+'")
        }
    }

    func isValid(signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// The private half, kept in a file only its owner can read:
/// `PRIVATE+KEY+<name>+<key ID>+<base64(type ‖ 32-byte Ed25519 seed)>`
/// (the form of Go's golang.org/x/mod/sumdb/note signer keys).
public struct SignerKey: Sendable {
    public let name: String
    public let role: KeyRole
    /// The 32-byte Ed25519 seed.
    let seed: [UInt8]
    private var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: seed) }

    /// A new random key.
    public init(name: String, role: KeyRole) throws {
        try VerifierKey.checkName(name, place: "the key name")
        self.name = name; self.role = role; seed = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    }

    public var verifier: VerifierKey { VerifierKey(name: name, role: role, publicKey: Array(key.publicKey.rawRepresentation)) }

    public var text: String {
        "PRIVATE+KEY+\(name)+\(Hex.encode(verifier.keyID))+\(Base64.encode([role.rawValue] + seed))"
    }

    public static func parse(_ text: String, place: String) throws -> SignerKey {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw TransparencyError("\(place): not a private key (expected PRIVATE+KEY+name+keyid+key)",
                                   hint: "give the .key file written by `parledger key generate`")
        }
        guard let raw = Base64.decode(parts[4]), raw.count == 33, let role = KeyRole(rawValue: raw[0]),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw[1...]) else {
            throw TransparencyError("\(place): the key is not base64 of an Ed25519 seed (type 0x01 or 0x04 and 32 bytes)")
        }
        let signer = SignerKey(name: parts[2], role: role, seed: Array(key.rawRepresentation))
        try VerifierKey.checkName(signer.name, place: place)
        guard Hex.encode(signer.verifier.keyID) == parts[3] else {
            throw TransparencyError("\(place): key ID \(parts[3]) does not match the name and key", hint: "the key file was altered")
        }
        return signer
    }

    init(name: String, role: KeyRole, seed: [UInt8]) {
        self.name = name; self.role = role; self.seed = seed
    }

    func sign(_ message: [UInt8]) throws -> [UInt8] { Array(try key.signature(for: message)) }

    /// Writes `<path>.key` (mode 0600) and `<path>.pub`; refuses to overwrite either.
    public func write(to path: String) throws -> (privateFile: String, publicFile: String) {
        let privateFile = path + ".key", publicFile = path + ".pub"
        for file in [privateFile, publicFile] where FileManager.default.fileExists(atPath: file) {
            throw TransparencyError("\(file) already exists", hint: "choose another --out; a key is never overwritten")
        }
        do {
            try DurableFile.write(Array((text + "\n").utf8), to: privateFile, sync: true, mode: 0o600, exclusive: true)
        } catch {
            unlink(privateFile)
            throw TransparencyError("cannot write the private key: \(error)")
        }
        do {
            try DurableFile.write(Array((verifier.text + "\n").utf8), to: publicFile, sync: true, exclusive: true)
        } catch {
            unlink(privateFile)
            throw TransparencyError("cannot write the public key: \(error)")
        }
        return (privateFile, publicFile)
    }

    /// Reads a private key file, refusing one that others can read.
    public static func read(file: String) throws -> SignerKey {
        var st = stat()
        guard stat(file, &st) == 0 else { throw TransparencyError("cannot read key \(file): \(String(cString: strerror(errno)))") }
        guard st.st_mode & 0o077 == 0 else {
            throw TransparencyError("\(file): the private key can be read by others (mode \(String(st.st_mode & 0o777, radix: 8)))",
                                   hint: "run `chmod 600 \(file)`; if others may have read it, generate a new key")
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw TransparencyError("cannot read key \(file)") }
        return try parse(String(decoding: data, as: UTF8.self), place: file)
    }
}

/// Reads a verifier key file.
public func readVerifierKey(file: String) throws -> VerifierKey {
    guard let data = FileManager.default.contents(atPath: file) else { throw TransparencyError("cannot read key \(file)", hint: "give the .pub file of a key") }
    return try VerifierKey.parse(String(decoding: data, as: UTF8.self), place: file)
}

