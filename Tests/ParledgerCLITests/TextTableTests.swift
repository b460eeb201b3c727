import Testing
@testable import parledger

@Suite("Tables for people")
struct TextTableTests {
    @Test("Vietnamese names line up whether written precomposed (NFC) or with combining marks (NFD)")
    func alignment() {
        var table = TextTable([.init("name"), .init("percent", .right)])
        table.append(["S\u{1EDF} Y t\u{1EBF}", "90.05"])                    // NFC: 7 characters
        table.append(["So\u{31B}\u{309} Y te\u{302}\u{301}", "86.20"])      // NFD: the same 7 characters, 11 scalars
        table.append(["Thanh tra tỉnh", "100.00"])
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        // Every line is as wide as the header line, counted as the eye counts.
        #expect(Set(lines.map(\.count)) == [lines[0].count])
        #expect(lines[2].hasSuffix(" 90.05") && lines[3].hasSuffix(" 86.20"))
    }

    @Test("Control characters in names are shown as escapes, not sent to the terminal")
    func controlCharacters() {
        var table = TextTable([.init("name")])
        table.append(["Sở\u{1B}[31m đỏ\u{7}"])
        let text = table.render()
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("Sở\\u{1b}[31m đỏ\\u{7}"))
    }
}
