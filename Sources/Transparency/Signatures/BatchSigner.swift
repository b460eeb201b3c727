import Foundation
import Ledger
import ScoreModel

/// `parledger sign`: a JSON Lines submission with one `batch.signed` line
/// appended, signing all of its events for one log.
public enum BatchSigner {
    /// The signed file: `bytes` as they are (a final line end added if
    /// missing), then the `batch.signed` line. A line that does not decode
    /// is refused with its file and line, as import would refuse it.
    public static func sign(_ bytes: [UInt8], file: String, key: SignerKey, actor: Actor, origin: String,
                            at: BusinessTime = now()) throws -> [UInt8] {
        try LogOrigin.validate(origin)
        var events: [Event] = []
        var number = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var text = Array(line)
            if number == 1, text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
            if text.last == 0x0D { text.removeLast() }
            guard text.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            let event: Event
            do {
                event = try text.withUnsafeBytes { try EventJSON.decode(line: $0) }
            } catch {
                throw TransparencyError("\(file):\(number): \(error)", hint: "fix the line, then sign the file")
            }
            if case .batchSigned = event.body {
                throw TransparencyError("\(file):\(number): the file is already signed (a batch.signed line)", hint: "sign the unsigned file")
            }
            events.append(event)
        }
        guard !events.isEmpty else { throw TransparencyError("\(file): no events to sign") }
        guard events.count <= Ledger.maxEventsPerSignature else {
            throw TransparencyError("\(file): \(events.count) events are more than one signature may cover (\(Ledger.maxEventsPerSignature))",
                                    hint: "split the file into parts of at most \(Ledger.maxEventsPerSignature) events and sign each; nothing was written")
        }
        let signed = try BatchSignature.sign(events, origin: origin, actor: actor, at: at, key: key)
        var out = bytes
        if let last = out.last, last != 0x0A { out.append(0x0A) }
        out += Array((EventJSON.encode(signed) + "\n").utf8)
        return out
    }

    /// The writer's clock as a business time in UTC, to the second.
    public static func now() -> BusinessTime {
        BusinessTime(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970) * 1_000_000, offsetMinutes: 0)
    }
}
