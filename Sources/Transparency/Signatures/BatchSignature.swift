import Primitives
import Crypto
import Foundation
import ScoreModel

/// The message an actor signs for a batch of events (docs/SIGNATURES.md):
///
/// ```
/// parledger batch signature v1
/// origin cchc.example.gov.vn/par
/// actor council-dt
/// at 2023-11-20T09:00:00+07:00
/// count 3
/// records 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
/// ```
///
/// each line ending in one LF; `records` is the lowercase hex SHA-256 of the
/// covered events' binary records (docs/RECORDS.md), each preceded by its
/// length as 4 bytes little-endian. The origin binds the signature to one
/// log: the same batch imported into another log does not verify.
public enum BatchSignature {
    public static let header = "parledger batch signature v1"

    /// SHA-256 over `u32le length ‖ record` for each record.
    public static func recordsDigest(_ records: [[UInt8]]) -> [UInt8] {
        var hasher = SHA256()
        for record in records {
            withUnsafeBytes(of: UInt32(record.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: record)
        }
        return Array(hasher.finalize())
    }

    /// The signed bytes.
    public static func message(origin: String, actor: Actor, at: BusinessTime, records: [[UInt8]]) -> [UInt8] {
        let text = "\(header)\norigin \(origin)\nactor \(actor.rawValue)\nat \(RFC3339.format(at))\ncount \(records.count)\n"
            + "records \(Hex.encode(recordsDigest(records)))\n"
        return Array(text.utf8)
    }

    /// The `batch.signed` event that signs `events` for the log `origin`.
    public static func sign(_ events: [Event], origin: String, actor: Actor, at: BusinessTime, key: SignerKey) throws -> Event {
        guard key.role == .note else {
            throw TransparencyError("the key \(key.name) is a witness key", hint: "sign with an actor's key made by `parledger key generate` without --witness")
        }
        let records = events.map { EventCodec.encode($0) }
        let signature = try key.sign(message(origin: origin, actor: actor, at: at, records: records))
        return Event(at: at, by: actor, body: .batchSigned(BatchSigned(actor: actor, count: events.count, signature: signature)))
    }

    /// Whether `signed` (the `batch.signed` event) is `actor`'s signature over `records` for `origin`.
    /// Throws when the actor's registered key is not a usable public key.
    public static func verify(_ signed: Event, records: [[UInt8]], origin: String, key: String, place: String) throws -> Bool {
        guard case .batchSigned(let b) = signed.body else { return false }
        let verifier = try VerifierKey.parse(key, place: place)
        guard verifier.role == .note else { throw TransparencyError("\(place): the registered key is a witness key, not an actor's signing key") }
        return verifier.isValid(signature: b.signature, for: message(origin: origin, actor: b.actor, at: signed.at, records: records))
    }
}
