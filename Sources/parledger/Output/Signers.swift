import Primitives
import ArgumentParser
import Pipelines
import ScoreModel
import Transparency

/// `--signers`: show who signed each event, verified from the log
/// (docs/SIGNATURES.md). On by itself for a log that requires signatures.
struct SignerOptions: ParsableArguments {
    @Flag(help: "Show the verified signer and role of each event (checks every signature of the log; on by default when the log requires signatures).")
    var signers = false

    /// The verified signers of `seqs`, or nil when they are not shown. A log
    /// whose signatures do not verify is an error: what it says cannot be
    /// attributed to anyone. A shown event whose batch was signed at or
    /// after its signer's revocation is flagged, and warned about on
    /// standard error, once per batch.
    func lookup(_ location: LogLocation, _ seqs: Set<Seq>) throws -> [Seq: VerifiedSigner]? {
        guard signers || SignaturePolicy.required(directory: location.log) else { return nil }
        let found = try SignatureAudit.run(directory: location.log, collecting: seqs).signers
        for batch in Set(found.values.compactMap(\.revoked)).sorted(by: { $0.batch < $1.batch }) {
            printErr("parledger: warning: \(batch)")
        }
        return found
    }
}

extension VerifiedSigner {
    /// `hoi-dong-district (council)`, `hoi-dong-district (council; REVOKED from 2023-05-30T00:00:00+07:00 by #812)`.
    var label: String {
        let details = [role?.rawValue, revoked.map { "REVOKED from \(RFC3339.format($0.from)) by \($0.revocation.label)" }].compactMap { $0 }
        return actor.rawValue + (details.isEmpty ? "" : " (\(details.joined(separator: "; ")))")
    }
}

/// The JSON members of an event's signer: `signer`, `signerRole` and
/// `signerRevoked` (the revocation that covers the batch's time:
/// `{"revocation": seq, "from": time, "reason": text}`), null when no
/// signature covers it (or no revocation).
func signerMembers(_ signers: [Seq: VerifiedSigner]?, _ seq: Seq?, prefix: String = "signer") -> [(String, CanonicalJSON)] {
    guard let signers else { return [] }
    let s = seq.flatMap { signers[$0] }
    let revoked: CanonicalJSON = s?.revoked.map {
        .object([("revocation", .number(String($0.revocation.rawValue))), ("from", .string(RFC3339.format($0.from))), ("reason", .string($0.reason))])
    } ?? .null
    return [(prefix, s.map { .string($0.actor.rawValue) } ?? .null), (prefix + "Role", s?.role.map { .string($0.rawValue) } ?? .null),
            (prefix + "Revoked", revoked)]
}
