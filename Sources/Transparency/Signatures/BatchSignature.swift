import EventLog
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
    public static func recordsDigest<Records: Sequence>(_ records: Records) -> [UInt8] where Records.Element == [UInt8] {
        var digest = RecordsDigest()
        for record in records { digest.add(record) }
        return digest.finalize()
    }

    /// The `records` digest fed record by record: lengths and records go
    /// through one 64 KiB buffer, so SHA-256 is updated a few times per
    /// batch, not twice per record.
    public struct RecordsDigest {
        private var hasher = SHA256()
        private var buffer: [UInt8] = []
        private static let chunk = 1 << 16

        public init() { buffer.reserveCapacity(Self.chunk + 4) }

        public mutating func add(_ record: [UInt8]) {
            withUnsafeBytes(of: UInt32(record.count).littleEndian) { buffer.append(contentsOf: $0) }
            if record.count >= Self.chunk {
                flush()
                hasher.update(data: record)
                return
            }
            buffer.append(contentsOf: record)
            if buffer.count >= Self.chunk { flush() }
        }

        private mutating func flush() {
            hasher.update(data: buffer)
            buffer.removeAll(keepingCapacity: true)
        }

        public mutating func finalize() -> [UInt8] {
            flush()
            return Array(hasher.finalize())
        }
    }

    /// The signed bytes.
    public static func message<Records: Sequence>(origin: String, actor: Actor, at: BusinessTime, records: Records) -> [UInt8] where Records.Element == [UInt8] {
        var count = 0
        var digest = RecordsDigest()
        for record in records { digest.add(record); count += 1 }
        let text = "\(header)\norigin \(origin)\nactor \(actor.rawValue)\nat \(RFC3339.format(at))\ncount \(count)\n"
            + "records \(Hex.encode(digest.finalize()))\n"
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
    public static func verify<Records: Sequence>(_ signed: Event, records: Records, origin: String, key: String, place: String) throws -> Bool
    where Records.Element == [UInt8] {
        try verify(signed, records: records, origin: origin, key: signingKey(key, place: place))
    }

    /// The same with the key already parsed (``signingKey(_:place:)``), as
    /// a check of many batches by few actors does once per actor.
    public static func verify<Records: Sequence>(_ signed: Event, records: Records, origin: String, key: VerifierKey) -> Bool
    where Records.Element == [UInt8] {
        guard case .batchSigned(let b) = signed.body else { return false }
        return key.isValid(signature: b.signature, for: message(origin: origin, actor: b.actor, at: signed.at, records: records))
    }

    /// An actor's registered key text, parsed; a witness key is refused.
    public static func signingKey(_ key: String, place: String) throws -> VerifierKey {
        let verifier = try VerifierKey.parse(key, place: place)
        guard verifier.role == .note else { throw TransparencyError("\(place): the registered key is a witness key, not an actor's signing key") }
        return verifier
    }

    /// Parsed keys by their text, for one check of many batches (an import
    /// checks its groups one by one, from another thread: hence the lock).
    final class KeyCache: Sendable {
        private let keys = Locked<[String: VerifierKey]>([:])
        func key(_ text: String, place: String) throws -> VerifierKey {
            if let known = keys.withLock({ $0[text] }) { return known }
            let parsed = try BatchSignature.signingKey(text, place: place)
            keys.withLock { $0[text] = parsed }
            return parsed
        }
    }
}
