import Testing
@testable import Pipelines

@Suite("Snapshot file formats")
struct SnapshotFormatTests {
    @Test("CSV starts with a UTF-8 BOM, uses CRLF, and keeps Vietnamese text byte-exact")
    func csvBOMAndVietnamese() {
        var table = CSVTable(header: ["rank", "unit", "name", "percent"])
        table.append([.number("1"), .text("SKHDT"), .text("Sở Kế hoạch và Đầu tư"), .number("94.72")])
        let bytes = table.serialized()
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text == "rank,unit,name,percent\r\n1,SKHDT,Sở Kế hoạch và Đầu tư,94.72\r\n")
    }

    @Test("CSV quotes commas, quotes and line breaks the RFC 4180 way")
    func csvQuoting() {
        var table = CSVTable(header: ["note"])
        table.append([.text("Sở Y tế, \"tốt\"\nxuống dòng")])
        let text = String(decoding: table.serialized().dropFirst(3), as: UTF8.self)
        #expect(text == "note\r\n\"Sở Y tế, \"\"tốt\"\"\nxuống dòng\"\r\n")
    }

    @Test("CSV text that a spreadsheet would run as a formula is neutralised", arguments: ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)"])
    func csvFormulaGuard(cell: String) {
        var table = CSVTable(header: ["name", "delta"])
        table.append([.text(cell), .number("-2.66")])
        let text = String(decoding: table.serialized().dropFirst(3), as: UTF8.self)
        let row = text.split(separator: "\r\n")[1]
        #expect(row.hasPrefix("'") || row.hasPrefix("\"'"))
        // Numbers are not text from events: a negative number stays a number.
        #expect(row.hasSuffix(",-2.66"))
    }

    @Test("Canonical JSON keeps key order, exact numbers and raw UTF-8, and escapes control characters")
    func canonicalJSON() {
        let value: CanonicalJSON = .object([
            ("unit", .string("HCT")),
            ("name", .string("UBND huyện Châu Thành")),
            ("percent", .number("90.79")),
            ("note", .string("tab\there \"quoted\" \u{1}")),
            ("bands", .array([])),
            ("open", .bool(false)),
        ])
        let expected = """
        {
          "unit": "HCT",
          "name": "UBND huyện Châu Thành",
          "percent": 90.79,
          "note": "tab\\there \\"quoted\\" \\u0001",
          "bands": [],
          "open": false
        }

        """
        #expect(value.text == expected)
        #expect(value.serialized() == Array(expected.utf8), "the bytes written are exactly the text shown")
    }

    @Test("An unknown key in a pipeline file is named with its line")
    func specUnknownKey() throws {
        let yaml = "name: nightly\nblokcs: all\n"
        let root = try SpecNode.parse(yaml: yaml, file: "pipelines/x.yaml")
        #expect {
            _ = try root.mapping(allowed: ["name", "blocks"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("pipelines/x.yaml:2") && text.contains("blokcs") && text.contains("expected one of: name, blocks")
        }
    }

    @Test("Broken YAML is reported with the file and line")
    func specBrokenYAML() {
        #expect {
            _ = try SpecNode.parse(yaml: "name: nightly\nprojections: [ranking\n", file: "p.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("p.yaml:") && text.contains("not valid YAML")
        }
    }
}
