import Foundation
import Testing
import ScoreModel

/// events/event.schema.json describes exactly the fields the decoder takes.
@Suite("JSON Schema for event lines")
struct SchemaTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url = url.deletingLastPathComponent() }
        return url
    }()

    static func variants() throws -> [String: (properties: Set<String>, required: Set<String>)] {
        let data = try Data(contentsOf: root.appendingPathComponent("events/event.schema.json"))
        guard case .object(let schema) = try JSONParser.parse(String(decoding: data, as: UTF8.self)),
              case .array(let oneOf)? = schema.first(where: { $0.key == "oneOf" })?.value else {
            throw CocoaError(.fileReadCorruptFile)
        }
        var out: [String: (Set<String>, Set<String>)] = [:]
        for case .object(let variant) in oneOf {
            guard case .string(let title)? = variant.first(where: { $0.key == "title" })?.value,
                  case .object(let properties)? = variant.first(where: { $0.key == "properties" })?.value,
                  case .array(let required)? = variant.first(where: { $0.key == "required" })?.value else { continue }
            out[title] = (Set(properties.map(\.key)), Set(required.compactMap { if case .string(let s) = $0 { s } else { nil } }))
        }
        return out
    }

    @Test("Every event type has a schema variant with the decoder's fields and required fields")
    func inStep() throws {
        let variants = try Self.variants()
        #expect(Set(variants.keys) == Set(EventType.allCases.map(\.rawValue)))
        for type in EventType.allCases {
            let fields = EventType.commonFields + type.fields
            let variant = try #require(variants[type.rawValue])
            #expect(variant.properties == Set(fields.map(\.name)), "\(type.rawValue)")
            #expect(variant.required == Set(fields.filter(\.required).map(\.name)), "\(type.rawValue)")
        }
    }

    @Test("A field the schema does not list is refused by the decoder too")
    func unknownFieldRefused() {
        let line = #"{"type":"unit.renamed","at":"2024-01-01T00:00:00Z","by":"x","unit":"A","name":"B","colour":"red"}"#
        #expect { _ = try EventJSON.decode(line: line) } throws: { "\($0)".contains("colour") }
    }

    /// Whether python3 with jsonschema is on this machine (`.ci/run` installs it).
    static let hasJSONSchema: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import jsonschema"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    @Test("The demo files pass the schema in an independent validator (python jsonschema)",
          .enabled(if: hasJSONSchema, "python3 -m pip install jsonschema (.ci/run does); skipped, not passed, without it"))
    func demoPassesExternalValidator() throws {
        let script = """
        import json, glob, sys, jsonschema
        v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
        n = bad = 0
        for f in sorted(glob.glob(sys.argv[2] + '/*.jsonl')):
            for i, line in enumerate(open(f, encoding='utf-8'), 1):
                n += 1
                for e in v.iter_errors(json.loads(line)):
                    bad += 1; print(f'{f}:{i}: {e.message[:120]}'); break
        bad_line = '{"type":"appraisal.recorded","at":"2024-01-01T00:00:00Z","by":"x","unit":"A","year":2023,"item":"1","score":1,"round":3}'
        if v.is_valid(json.loads(bad_line)): bad += 1; print('round 3 accepted')
        print(n, bad)
        """
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        run.arguments = ["python3", "-c", script, Self.root.appendingPathComponent("events/event.schema.json").path,
                         Self.root.appendingPathComponent("events/demo").path]
        let pipe = Pipe()
        run.standardOutput = pipe
        try run.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        let parts = last.split(separator: " ").compactMap { Int($0) }
        #expect(parts.count == 2 && parts[0] > 6000 && parts[1] == 0, "\(output)")
    }
}
