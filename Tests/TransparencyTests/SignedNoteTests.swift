import Foundation
import Testing
@testable import Transparency

@Suite("Keys, signed notes, checkpoints (C2SP signed-note, tlog-checkpoint, tlog-cosignature)")
struct SignedNoteTests {
    static let root = Array(0..<32).map { UInt8($0) }

    @Test("a checkpoint, its key ID and a witness cosignature verify with Python's cryptography (independent Ed25519), and a note it signs verifies here",
          .enabled(if: Python.has("cryptography") || Python.required, "needs python3 with cryptography (bash .ci/run installs it)"))
    func cryptographyInterop() throws {
        let key = try SignerKey(name: "cchc.example.gov.vn/par", role: .note)
        let witness = try SignerKey(name: "witness.example.org/w1", role: .cosigner)
        var checkpoint = try Checkpoint(origin: "cchc.example.gov.vn/par", size: 6973, root: Self.root).signed(with: key)
        try checkpoint.note.cosign(with: witness, timestamp: 1_700_000_000)
        // The script follows the C2SP rules from the text alone: key ID =
        // SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]; a note signature covers the
        // text; a cosignature covers "cosignature/v1\ntime T\n" ‖ text.
        let script = """
        import sys, base64, hashlib, struct
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey, Ed25519PrivateKey
        from cryptography.hazmat.primitives import serialization
        vkey, wkey, note = sys.stdin.read().split("\\n", 2)
        def parse_vkey(v):
            name, kid, b = v.split("+", 2); raw = base64.b64decode(b)
            assert hashlib.sha256(name.encode() + b"\\n" + raw[:1] + raw[1:]).digest()[:4].hex() == kid, "key id"
            return name, raw[0], bytes.fromhex(kid), Ed25519PublicKey.from_public_bytes(raw[1:])
        name, t, kid, pub = parse_vkey(vkey); assert t == 1
        wname, wt, wkid, wpub = parse_vkey(wkey); assert wt == 4
        text, sigs = note[:note.rindex("\\n\\n") + 1], note[note.rindex("\\n\\n") + 2:]
        found = 0
        for line in sigs.splitlines():
            assert line.startswith("\\u2014 ")
            n, b = line[2:].split(" "); raw = base64.b64decode(b)
            if n == name and raw[:4] == kid: pub.verify(raw[4:], text.encode()); found += 1
            if n == wname and raw[:4] == wkid:
                ts = struct.unpack(">Q", raw[4:12])[0]
                wpub.verify(raw[12:], b"cosignature/v1\\ntime %d\\n" % ts + text.encode()); found += 1
        assert found == 2, found
        # Now sign a note here, for the Swift side to verify.
        k = Ed25519PrivateKey.generate()
        pk = k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        kid = hashlib.sha256(b"py.example/log\\n\\x01" + pk).digest()[:4]
        body = "py.example/log\\n42\\n" + base64.b64encode(bytes(32)).decode() + "\\n"
        print("py.example/log+" + kid.hex() + "+" + base64.b64encode(b"\\x01" + pk).decode())
        print(body + "\\n\\u2014 py.example/log " + base64.b64encode(kid + k.sign(body.encode())).decode(), end="\\n")
        """
        let r = try Python.run(script, input: key.verifier.text + "\n" + witness.verifier.text + "\n" + checkpoint.text)
        try #require(r.status == 0, "python: \(r.err)")
        let lines = r.out.split(separator: "\n", maxSplits: 1).map(String.init)
        let theirs = try VerifierKey.parse(lines[0], place: "python's key")
        let opened = try Checkpoint.open(lines[1], key: theirs, place: "python's note")
        #expect(opened.origin == "py.example/log" && opened.size == 42 && opened.root == [UInt8](repeating: 0, count: 32))
        #expect(try checkpoint.note.verifyCosignature(witness.verifier, place: "note") == 1_700_000_000)
    }

    @Test("a checkpoint with its text altered, signed by another key, or with a malformed line is refused with the reason")
    func refusals() throws {
        let key = try SignerKey(name: "log.example/a", role: .note)
        let other = try SignerKey(name: "log.example/a", role: .note)
        let checkpoint = try Checkpoint(origin: "log.example/a", size: 10, root: Self.root).signed(with: key)
        #expect(try Checkpoint.open(checkpoint.text, key: key.verifier, place: "cp").size == 10)
        let altered = checkpoint.text.replacingOccurrences(of: "\n10\n", with: "\n11\n")
        #expect(throws: TransparencyError("cp: the signature by log.example/a does not verify", hint: "the note's text was altered after it was signed")) {
            try Checkpoint.open(altered, key: key.verifier, place: "cp")
        }
        #expect(throws: TransparencyError.self) { try Checkpoint.open(checkpoint.text, key: other.verifier, place: "cp") }
        do { _ = try Checkpoint.open(checkpoint.text, key: other.verifier, place: "cp") } catch let e as TransparencyError {
            #expect(e.message.contains("no signature by log.example/a (key ID \(hex(other.verifier.keyID)))"))
        }
        let leadingZero = checkpoint.text.replacingOccurrences(of: "\n10\n", with: "\n010\n")
        #expect(throws: TransparencyError("cp:2: the tree size \"010\" is not a decimal number without leading zeros")) {
            try Checkpoint.open(leadingZero, key: key.verifier, place: "cp")
        }
        #expect(throws: TransparencyError.self) { try SignedNote.parse("a\n1\n", place: "cp") }
        // A witness key cannot sign as the log, nor a log key cosign.
        var note = checkpoint.note
        #expect(throws: TransparencyError.self) { try note.cosign(with: key, timestamp: 1) }
    }

    @Test("key files: the private key is written mode 0600, never overwritten, refused when others can read it; the public key parses back")
    func keyFiles() throws {
        let s = try Scratch()
        let key = try SignerKey(name: "cchc.example.gov.vn/par", role: .note)
        let files = try key.write(to: s.path + "/log")
        var st = stat()
        stat(files.privateFile, &st)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(try readVerifierKey(file: files.publicFile) == key.verifier)
        #expect(try SignerKey.read(file: files.privateFile).verifier == key.verifier)
        let before = try s.read(files.privateFile)
        #expect(throws: TransparencyError("\(files.privateFile) already exists", hint: "choose another --out; a key is never overwritten")) {
            try SignerKey(name: "x", role: .note).write(to: s.path + "/log")
        }
        #expect(try s.read(files.privateFile) == before)
        chmod(files.privateFile, 0o644)
        #expect(throws: TransparencyError.self) { try SignerKey.read(file: files.privateFile) }
        #expect(throws: TransparencyError.self) { try readVerifierKey(file: files.privateFile) }
        #expect(throws: TransparencyError.self) { try SignerKey(name: "has space", role: .note) }
    }
}
