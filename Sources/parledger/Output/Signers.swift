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
    /// attributed to anyone.
    func lookup(_ location: LogLocation, _ seqs: Set<Seq>) throws -> [Seq: VerifiedSigner]? {
        guard signers || SignaturePolicy.required(directory: location.log) else { return nil }
        return try SignatureAudit.run(directory: location.log, collecting: seqs).signers
    }
}

extension VerifiedSigner {
    /// `hoi-dong-district (council)`.
    var label: String { actor.rawValue + (role.map { " (\($0.rawValue))" } ?? "") }
}

/// The JSON members of an event's signer: `signer` and `signerRole`, null when no signature covers it.
func signerMembers(_ signers: [Seq: VerifiedSigner]?, _ seq: Seq, prefix: String = "signer") -> [(String, CanonicalJSON)] {
    guard let signers else { return [] }
    let s = signers[seq]
    return [(prefix, s.map { .string($0.actor.rawValue) } ?? .null), (prefix + "Role", s?.role.map { .string($0.rawValue) } ?? .null)]
}
