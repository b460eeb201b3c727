import Crypto
import Foundation
import Primitives

/// The secret that authenticates the caches parledger keeps so that it
/// need not replay a log: the runner's checkpoints (the score book at seq
/// N), the partition index and the validation state beside the log.
///
/// A checkpoint (the score book at seq N) lets a run or a read command skip
/// replaying the log. It sits in the snapshot folder, where anyone who can
/// write there could edit it; a checksum beside it proves nothing, since
/// the editor recomputes it. So each checkpoint carries an HMAC-SHA-256
/// made with this key, which lives outside the log and the snapshots, in a
/// file only the account running the nightly job can read (mode 0600). A
/// checkpoint whose code does not verify with the reader's key is thrown
/// away and the log is replayed: a forger without the key changes no
/// figure, and a reader without the key (an auditor's account) trusts the
/// log alone.
///
/// Where the key is: `PARLEDGER_CHECKPOINT_KEY` (a file path) when set,
/// else `$XDG_STATE_HOME/parledger/checkpoint.key`, else
/// `~/.local/state/parledger/checkpoint.key`. A run makes it when missing
/// (32 random bytes, hex); read commands and imports never make one.
public struct CheckpointKey: Sendable {
    /// The secret's 32 bytes.
    let secret: [UInt8]
    public let path: String

    /// A key held in memory (`path` names it in messages): for a program
    /// that keeps its secret elsewhere, and for tests.
    public init(secret: [UInt8], path: String) {
        precondition(secret.count >= 16, "a checkpoint key has at least 16 bytes")
        self.secret = secret; self.path = path
    }

    /// The default location (see the type's documentation).
    public static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["PARLEDGER_CHECKPOINT_KEY"], !path.isEmpty { return path }
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/state")
        return state + "/parledger/checkpoint.key"
    }

    /// The key at `path`, or nil when there is none (or it is unreadable,
    /// which for a reader means the same: no checkpoint can be trusted).
    public static func load(_ path: String = defaultPath) -> CheckpointKey? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        return CheckpointKey(secret: bytes, path: path)
    }

    /// The key at `path`, made first when there is none: a new random key
    /// written to a private temporary file and linked into place, so two
    /// runs starting at once end up with the same key.
    public static func loadOrCreate(_ path: String = defaultPath) throws -> CheckpointKey {
        if let key = load(path) { return key }
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CheckpointKeyError(place: folder, message: "cannot create the folder of the checkpoint key: \(FileSystemMessage.describe(error) ?? "\(error)")",
                                hint: "set PARLEDGER_CHECKPOINT_KEY to a file path the runner may write")
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let temporary = path + ".tmp-\(getpid())"
        defer { unlink(temporary) }
        do {
            try DurableFile.write(Array((Hex.encode(bytes) + "\n").utf8), to: temporary, sync: true, mode: 0o600, exclusive: true)
        } catch {
            throw CheckpointKeyError(place: temporary, message: "cannot write the checkpoint key: \(error)",
                                hint: "set PARLEDGER_CHECKPOINT_KEY to a file path the runner may write")
        }
        _ = link(temporary, path)   // fails when another run made it first: theirs is used
        guard let key = load(path) else {
            throw CheckpointKeyError(place: path, message: "the checkpoint key is not 64 hex digits",
                                hint: "remove the file; the next run makes a new key (its checkpoints are then replaced)")
        }
        return key
    }

    /// HMAC-SHA-256 of `parts`, in order, under this key.
    public func code(_ parts: [[UInt8]]) -> [UInt8] {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        for part in parts { mac.update(data: part) }
        return Array(mac.finalize())
    }
}

/// The checkpoint key cannot be made or read where it should be.
public struct CheckpointKeyError: Diagnostic {
    public var place: String
    public var message: String
    public var hint: String
    public var parts: DiagnosticParts { DiagnosticParts(code: .io, place: place, message: message, hint: hint) }
}
