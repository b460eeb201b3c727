import DataGen
import Foundation
import Testing
import ScoreModel

/// Codes sort in the byte order of their UTF-8, whatever way the string
/// holds its bytes: ranks that tie, checkpoints and snapshots list codes in
/// this order, so a different order would change published bytes.
@Suite("Code order")
struct CodeOrderTests {
    /// Bytes of UTF-8, compared one by one: the order the codes must keep.
    static func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    /// Pieces that make hard cases: shared prefixes, bytes above 0x7F (Vietnamese), the empty string, lengths
    /// around the 15 bytes a small string keeps inline.
    static let pieces = ["", "A", "a", "0", "-", ".", "P1", "P10", "S0", "1.1", "1.1.1", "Sở", "Sở Nội vụ", "Đ", "ă", "Ư", "\u{1F600}", "zzzzzzzzzzzzzz", "é", "e\u{301}"]

    @Test("utf8Precedes agrees with byte order on 20,000 random pairs, both ways and with itself")
    func randomPairs() {
        var rng = SplitMix64(seed: 17)
        func code() -> String {
            let n = Int(rng.next() % 5)
            return (0..<n).map { _ in Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))] }.joined()
        }
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let a = code(), b = code()
            if utf8Precedes(a, b) != Self.byteOrder(a, b) || utf8Precedes(b, a) != Self.byteOrder(b, a) { disagreements.append("\(a.debugDescription) vs \(b.debugDescription)") }
            if utf8Precedes(a, a) { disagreements.append("\(a.debugDescription) before itself") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    @Test("Codes sort in byte order, not Unicode's, and those made through Foundation sort the same")
    func bridged() {
        let codes = ["P2-S10", "P10-S01", "P2-S01", "Sở Tư pháp", "Sở Nội vụ", "P2", "", "Đ-01"]
        let native = codes.map(UnitCode.init).sorted().map(\.rawValue)
        let foreign = codes.map { UnitCode(NSString(string: $0) as String) }.sorted().map(\.rawValue)
        #expect(native == foreign)
        #expect(native == codes.sorted(by: Self.byteOrder))
        // Byte order, not Unicode's: "P10" before "P2", "Sở Nội" before "Sở Tư", "Đ" (C4 90) after every ASCII code.
        #expect(native == ["", "P10-S01", "P2", "P2-S01", "P2-S10", "Sở Nội vụ", "Sở Tư pháp", "Đ-01"])
    }
}
